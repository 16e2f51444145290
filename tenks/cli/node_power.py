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

"""``tenks node power on|off|status NAME...``: through each node's BMC."""

import logging

from cliff import lister

from tenks.cli import base

LOG = logging.getLogger(__name__)

COLUMNS = ('Name', 'BMC', 'Power', 'Result')


def result_word(outcome):
    return 'ok' if outcome.ok else 'failed: %s' % outcome.error


class NodePower(base.TenksCommand, lister.Lister):
    """Power nodes on or off, or show their power state, through their BMCs.

    tenks speaks the node's BMC protocol (IPMI with ipmitool, Redfish over
    HTTP) the way Ironic would, so this also shows that the BMC works.
    Exits non-zero when any node failed.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('action', choices=('on', 'off', 'status'),
                            help='Power on, power off, or only read the '
                                 'power state.')
        parser.add_argument('names', metavar='NAME', nargs='+',
                            help='Node names.')
        return parser

    def take_action(self, parsed_args):
        from tenks import workflow
        ctx = self.app.context
        outcomes = workflow.bmc_request(ctx, parsed_args.names,
                                        parsed_args.action)
        self.failed = [o for o in outcomes if not o.ok]
        self.exit_status = 1 if self.failed else 0
        for outcome in self.failed:
            LOG.error('%s: %s', outcome.name, outcome.error)
        rows = [(o.name, o.endpoint, o.power or '', result_word(o))
                for o in outcomes]
        return COLUMNS, rows
