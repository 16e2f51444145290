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

"""``tenks node power on|off|status NAME...|--all`` and ``tenks node reboot
NAME...|--all``: through each node's BMC."""

import logging

from cliff import lister

from tenks.cli import base

LOG = logging.getLogger(__name__)

COLUMNS = ('Name', 'BMC', 'Power', 'Result')


def result_word(outcome):
    return 'ok' if outcome.ok else 'failed: %s' % outcome.error


class _BMCCommand(base.TenksCommand, lister.Lister):
    """Speak to the BMCs of the nodes named, or of every node (--all).

    Exits non-zero when any node failed.
    """

    def add_targets(self, parser):
        parser.add_argument('names', metavar='NAME', nargs='*',
                            help='Node names.')
        parser.add_argument('--all', action='store_true',
                            help='Every node that has a BMC.')
        self._parser = parser

    def names(self, parsed_args):
        """The node names asked for; None for --all.

        A usage error (exit 2, as argparse's) without either or with
        both.
        """
        if parsed_args.all and parsed_args.names:
            self._parser.error('give node names or --all, not both')
        if not parsed_args.all and not parsed_args.names:
            self._parser.error('name the nodes, or give --all')
        return None if parsed_args.all else parsed_args.names

    def request(self, parsed_args, action):
        from tenks import workflow
        outcomes = workflow.bmc_request(self.app.context,
                                        self.names(parsed_args), action)
        self.failed = [o for o in outcomes if not o.ok]
        self.exit_status = 1 if self.failed else 0
        for outcome in self.failed:
            LOG.error('%s: %s', outcome.name, outcome.error)
        rows = [(o.name, o.endpoint, o.power or '', result_word(o))
                for o in outcomes]
        return COLUMNS, rows


class NodePower(_BMCCommand):
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
        self.add_targets(parser)
        return parser

    def take_action(self, parsed_args):
        return self.request(parsed_args, parsed_args.action)


class NodeReboot(_BMCCommand):
    """Reboot nodes through their BMCs: power off, then on.

    As Ironic reboots a node through IPMI or Redfish: a node that is on
    is powered off at once (no clean shutdown) and on again; a node that
    is off is powered on. Exits non-zero when any node failed.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        self.add_targets(parser)
        return parser

    def take_action(self, parsed_args):
        return self.request(parsed_args, 'reboot')
