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

"""``tenks validate``: check a spec; touch nothing."""

from cliff import show

from tenks.cli import base
from tenks.cli import columns
from tenks.cli import spec_options


class Validate(base.TenksCommand, show.ShowOne):
    """Check a cluster spec and report every problem at once.

    The spec is planned exactly as ``tenks deploy --dry-run`` plans it,
    against the current state (or an empty one): nodes that fit on no
    hypervisor, and names taken by resources tenks did not create, are
    reported too. Nothing is touched.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        spec_options.add_arguments(parser)
        parser.add_argument('--no-refresh', dest='refresh',
                            action='store_false',
                            help='Do not check what exists (libvirt, links, '
                                 'BMCs, the cloud); check the spec and the '
                                 'placement only.')
        return parser

    def take_action(self, parsed_args):
        from tenks import workflow
        spec, plan = workflow.validate(self.app.context,
                                       spec_options.sources(parsed_args),
                                       refresh=parsed_args.refresh)
        per_hv = {}
        for node in plan.nodes.values():
            per_hv[node['hypervisor']] = per_hv.get(node['hypervisor'],
                                                    0) + 1
        data = [
            ('spec', spec.source),
            ('valid', True),
            ('nodes', spec.node_count),
            ('node_types', columns.ListColumn(sorted(spec.node_types))),
            ('hypervisors', columns.DictColumn(
                {hv.name: per_hv.get(hv.name, 0)
                 for hv in spec.hypervisors})),
            ('flavors', columns.ListColumn([f.name for f in spec.flavors])),
            ('changes', plan.summary()),
            ('warnings', columns.ListColumn(list(spec.warnings) +
                                            list(plan.warnings))),
        ]
        if parsed_args.inventory:
            data.insert(1, ('inventory', parsed_args.inventory))
        return tuple(zip(*data))
