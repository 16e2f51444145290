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

"""``tenks verify``: speak to every node's BMC and report the failures."""

import logging

from cliff import lister

from tenks.cli import base

LOG = logging.getLogger(__name__)

COLUMNS = ('Name', 'Emulator', 'BMC', 'Power', 'Result')


class Verify(base.TenksCommand, lister.Lister):
    """Check that every node's BMC answers its real protocol.

    IPMI BMCs get ``ipmitool -I lanplus ... power status``; Redfish BMCs a
    GET of their system, whose UUID must be the node's. Credentials are
    those Ironic is given. Lists the BMCs that failed (all with --all) and
    exits non-zero when any did.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('names', metavar='NAME', nargs='*',
                            help='Check only these nodes (default: every '
                                 'node with a BMC).')
        parser.add_argument('--all', action='store_true',
                            help='List every BMC, not only those that '
                                 'failed.')
        return parser

    def take_action(self, parsed_args):
        from tenks.cli import node_power
        from tenks import workflow
        ctx = self.app.context
        outcomes = workflow.bmc_request(ctx, parsed_args.names or None,
                                        'verify')
        self.failed = [o for o in outcomes if not o.ok]
        self.exit_status = 1 if self.failed else 0
        for outcome in self.failed:
            LOG.error('%s: %s', outcome.name, outcome.error)
        if self.failed:
            LOG.error('%d of %d BMCs failed', len(self.failed),
                      len(outcomes))
        else:
            LOG.info('All %d BMCs answered', len(outcomes))
        shown = outcomes if parsed_args.all else self.failed
        rows = [(o.name, o.emulator, o.endpoint, o.power or '',
                 node_power.result_word(o)) for o in shown]
        return COLUMNS, rows
