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

"""Rows of a plan or of an applied plan, for deploy and teardown.

A table lists every action up to :data:`SUMMARY_ABOVE` of them; a bigger
plan (thousands of nodes make tens of thousands) is shown as one row per
action and kind, with the count and the first names, unless ``--long``
or a machine format (json, yaml, value, csv) asks for every action.
"""

import collections
import logging

from tenks.cli import columns
from tenks import secrets

LOG = logging.getLogger(__name__)

COLUMNS = ('Step', 'Action', 'Kind', 'Name', 'Hypervisor', 'Reason')
SUMMARY_COLUMNS = ('Action', 'Kind', 'Count', 'First')
#: A table lists each action of plans up to this size.
SUMMARY_ABOVE = 200
#: Names shown per row of a summary.
FIRST = 3


def output(outcome, parsed_args):
    """``(columns, rows)`` of a deploy's or teardown's outcome.

    :param parsed_args: the command's (``long``, ``formatter``).
    """
    actions = outcome.plan.actions
    if (len(actions) > SUMMARY_ABOVE and not parsed_args.long and
            parsed_args.formatter == 'table'):
        LOG.info('%d actions, shown by action and kind; --long or -f '
                 'json|yaml|value|csv lists each.', len(actions))
        return summary(outcome)
    return rows(outcome, parsed_args.long)


def summary(outcome):
    """``(columns, rows)``: one row per action and kind, in plan order.

    After a run, ``Done`` and ``Failed`` count how each row went.
    """
    from tenks import executor
    cols = list(SUMMARY_COLUMNS)
    statuses = {r.action.index: r.status for r in outcome.results}
    if outcome.results:
        cols += ['Done', 'Failed']
    groups = collections.OrderedDict()
    for action in outcome.plan.actions:
        groups.setdefault((action.op, action.kind), []).append(action)
    out = []
    for (op, kind), group in groups.items():
        names = [a.name for a in group[:FIRST]]
        row = [op, kind, len(group),
               ', '.join(names) + (', ...' if len(group) > FIRST else '')]
        if outcome.results:
            found = collections.Counter(statuses.get(a.index)
                                        for a in group)
            row += [found[executor.DONE], found[executor.FAILED]]
        out.append(row)
    return cols, out


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
