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


class Validate(base.TenksCommand, show.ShowOne):
    """Check a cluster spec and report every problem at once.

    The spec is also planned against the current state (or an empty one),
    so nodes that fit on no hypervisor are reported too. Nothing is
    touched.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--spec', required=True, metavar='FILE',
                            help='Cluster spec (YAML).')
        return parser

    def take_action(self, parsed_args):
        from tenks import workflow
        spec, desired = workflow.validate(self.app.context,
                                          parsed_args.spec)
        per_hv = {}
        for node in desired.allocation.nodes.values():
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
            ('resources', len(desired.resources)),
            ('warnings', columns.ListColumn(list(spec.warnings))),
        ]
        return tuple(zip(*data))
