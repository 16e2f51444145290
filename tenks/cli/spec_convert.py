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

"""``tenks spec convert``: one tenks spec from a Tenks (Ansible) set-up."""

import logging

from cliff import command

from tenks.cli import base
from tenks.cli import spec_options

LOG = logging.getLogger(__name__)


class SpecConvert(base.TenksCommand, command.Command):
    """Write a tenks spec from a Tenks inventory and override file.

    The override file is kept as written, comments and all; the hosts of
    the inventory's hypervisors group follow it as the spec's
    hypervisors section. The result is checked as tenks validate checks
    a spec; nothing is touched and no host is contacted.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        spec_options.add_arguments(
            parser, spec_required=False, inventory_required=True,
            spec_help='The Tenks override file (-e @FILE) to keep.')
        parser.add_argument(
            '--output', '-o', metavar='FILE',
            help='Write to FILE (replaced atomically, mode 0600: it may '
                 'hold BMC passwords) instead of standard output. Relative '
                 'paths in the override file start at the spec\'s '
                 'directory: write it beside the override file.')
        return parser

    def take_action(self, parsed_args):
        from tenks.cli import export
        from tenks.spec import convert
        from tenks.spec import inventory

        ctx = self.app.context
        found = inventory.read(parsed_args.inventory)
        text, spec = convert.spec_text(found, ctx.settings, ctx.catalog,
                                       spec_path=parsed_args.spec)
        for warning in spec.warnings:
            LOG.warning('%s', warning)
        if parsed_args.output:
            export.write_private(parsed_args.output, text)
            LOG.info('Wrote %s: %d hypervisor%s.', parsed_args.output,
                     len(spec.hypervisors),
                     '' if len(spec.hypervisors) == 1 else 's')
        else:
            self.app.stdout.write(text)
