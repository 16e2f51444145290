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

"""``tenks status``: differences between the state file and reality."""

import logging

from cliff import lister

from tenks.cli import base
from tenks.state import model as state_model

LOG = logging.getLogger(__name__)

COLUMNS = ('Kind', 'Name', 'Hypervisor', 'Recorded', 'Found', 'Detail')


def found(record, obs):
    """One word for what a refresh found.

    ok, missing, foreign, broken, incomplete or unknown.
    """
    if obs is None:
        return 'unknown'
    if not obs.exists:
        return 'missing'
    if obs.owned is False:
        return 'foreign'
    if not obs.healthy:
        return 'broken'
    if record.status != state_model.PRESENT:
        return 'incomplete'
    return 'ok'


class Status(base.TenksCommand, lister.Lister):
    """Show which recorded resources exist, and which drifted.

    Asks every plugin what exists (libvirt domains, links, BMCs, Ironic
    nodes...) and compares with the state file. Nothing is changed: run
    ``tenks deploy`` to repair drift.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--all', action='store_true',
                            help='List every resource, not only those that '
                                 'drifted.')
        parser.add_argument('--exit-code', action='store_true',
                            help='Exit with status 2 when anything drifted.')
        return parser

    def take_action(self, parsed_args):
        from tenks import workflow
        rows = []
        drifted = 0
        for record, obs in workflow.status(self.app.context):
            word = found(record, obs)
            if word != 'ok':
                drifted += 1
            if word == 'ok' and not parsed_args.all:
                continue
            rows.append((record.kind, record.name, record.hypervisor or '',
                         record.status, word, obs.detail if obs else ''))
        if drifted and parsed_args.exit_code:
            self.exit_status = 2
        if drifted:
            LOG.warning('%d resource%s drifted; tenks deploy repairs them',
                        drifted, '' if drifted == 1 else 's')
        else:
            LOG.info('No drift: every recorded resource is as recorded.')
        return COLUMNS, rows
