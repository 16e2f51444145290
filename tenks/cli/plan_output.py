# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Rows of a plan or of an applied plan, for deploy and teardown."""

from tenks.cli import columns
from tenks import secrets

COLUMNS = ('Step', 'Action', 'Kind', 'Name', 'Hypervisor', 'Reason')


def rows(outcome, long=False):
    """``(columns, rows)`` for a :class:`tenks.workflow.Outcome`."""
    cols = list(COLUMNS)
    if outcome.results:
        cols += ['Result', 'Seconds']
    if long:
        cols.append('Props')
    out = []
    results = {r.action.index: r for r in outcome.results}
    for action in outcome.plan.actions:
        row = [action.index + 1, action.op, action.kind, action.name,
               action.record.hypervisor or '', action.reason]
        if outcome.results:
            result = results.get(action.index)
            row += [result.status if result else '',
                    round(result.seconds, 2) if result else '']
        if long:
            row.append(columns.DictColumn(secrets.mask(action.record.props)))
        out.append(row)
    return cols, out


def add_long_argument(parser):
    parser.add_argument('--long', action='store_true',
                        help='Also show the properties of each resource '
                             '(passwords masked).')
