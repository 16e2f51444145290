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

"""``tenks hypervisor list``: hypervisors and what they host."""

from cliff import lister

from tenks.cli import base
from tenks.cli import columns

LIST_COLUMNS = ('Name', 'libvirt URI', 'Host', 'Physnets', 'Nodes',
                'Memory MiB', 'vCPUs')


class HypervisorList(base.TenksCommand, lister.Lister):
    """List hypervisors: physnet indices and the nodes allocated to them."""

    def take_action(self, parsed_args):
        from tenks import workflow
        rows = []
        for name, hv, use in workflow.hypervisors(self.app.context):
            rows.append(columns.for_format(
                (name, hv.get('libvirt_uri'), hv.get('host') or '',
                 columns.DictColumn(hv.get('physnet_indices') or {}),
                 use['nodes'], use['memory_mb'], use['vcpus']),
                parsed_args.formatter))
        return LIST_COLUMNS, rows
