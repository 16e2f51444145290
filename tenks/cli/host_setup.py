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

"""``tenks host setup``: install and start what hypervisors need."""

import logging

from cliff import lister

from tenks.cli import base
from tenks.cli import spec_options

LOG = logging.getLogger(__name__)

COLUMNS = ('Host', 'Step', 'Status', 'Detail')


class HostSetup(base.TenksCommand, lister.Lister):
    """Install and start libvirt, QEMU, OVMF and Open vSwitch.

    Sets up this host, or with --spec every host the spec's hypervisors
    live on. Uses apt or dnf, and systemd where it runs the host (daemons
    are started directly otherwise). Each step checks first, so running it
    again changes nothing; with --dry-run only the checks run and the
    commands that would run are listed.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        spec_options.add_arguments(
            parser, spec_required=False,
            spec_help='Cluster spec (YAML) naming the hypervisors, bridge '
                      'type and node architectures to set up for. Default: '
                      'this host, with the configured bridge type.')
        parser.add_argument('--dry-run', action='store_true',
                            help='Only check; list what would be done.')
        return parser

    def take_action(self, parsed_args):
        from tenks.hostsetup import steps
        from tenks import workflow

        rows = []

        def report(name, result):
            # The table is the report; with -v, the log follows the steps
            # as they end (an install can take minutes).
            LOG.debug('host setup: %s: %s: %s', name, result.step,
                      result.status)
            rows.append((name, result.step, result.status, result.detail))

        try:
            workflow.host_setup(self.app.context,
                                spec_options.sources(parsed_args),
                                dry_run=parsed_args.dry_run, report=report)
        except steps.StepFailed as exc:
            # The steps done so far, the failed one last, then the error.
            LOG.error('host setup failed: %s', exc)
            self.exit_status = 1
        return COLUMNS, rows
