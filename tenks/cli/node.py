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

"""``tenks node list`` and ``tenks node show``: nodes from the state."""

from cliff import lister
from cliff import show

from tenks.cli import base
from tenks.cli import columns
from tenks import exception
from tenks import secrets
from tenks.state import model as state_model

LIST_COLUMNS = ('Name', 'UUID', 'Type', 'Hypervisor', 'Memory MiB',
                'vCPUs', 'Boot mode', 'BMC', 'NICs', 'Status')


def bmc_summary(node, reach=None):
    """The node's BMC: ``emulator endpoint``, or ``none``."""
    bmc = node.get('bmc') or {}
    emulator = bmc.get('emulator') or 'none'
    if emulator == 'none' or not bmc.get('address'):
        return emulator
    if reach and reach.get('endpoint'):
        return '%s %s' % (emulator, reach['endpoint'])
    return '%s %s:%s' % (emulator, bmc.get('address'), bmc.get('port'))


def node_resources(state, name):
    """Records of the resources that make up node ``name``."""
    out = []
    for record in state.resources.values():
        if record.name == name or record.props.get('node') == name:
            out.append(record)
    return out


def node_status(state, name):
    records = node_resources(state, name)
    if not records:
        return 'planned'
    if all(r.status == state_model.PRESENT for r in records):
        return 'ready'
    return 'incomplete'


def nics(node):
    return ['%s=%s' % (n.get('physnet'), n.get('mac') or '?')
            for n in node.get('nics') or ()]


class NodeList(base.TenksCommand, lister.Lister):
    """List the nodes of the cluster."""

    def take_action(self, parsed_args):
        from tenks import bmc_requests as protocol
        from tenks import workflow
        ctx = self.app.context
        state = workflow.read_state(ctx)
        rows = []
        for node in state.nodes.values():
            reach = protocol.describe(ctx.plugins, state, node['name'])
            rows.append((node['name'], node.get('uuid'), node.get('type'),
                         node.get('hypervisor'), node.get('memory_mb'),
                         node.get('vcpus'), node.get('boot_mode'),
                         bmc_summary(node, reach),
                         columns.ListColumn(nics(node)),
                         node_status(state, node['name'])))
        return LIST_COLUMNS, rows


class NodeShow(base.TenksCommand, show.ShowOne):
    """Show one node (BMC passwords masked)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='NAME', help='Node name.')
        return parser

    def take_action(self, parsed_args):
        from tenks import bmc_requests as protocol
        from tenks import workflow
        ctx = self.app.context
        state = workflow.read_state(ctx)
        node = state.nodes.get(parsed_args.name)
        if node is None:
            raise exception.TenksError(
                'no node named %s (nodes: %s)' % (
                    parsed_args.name, ', '.join(state.nodes) or 'none'))
        node = secrets.mask(node)
        data = []
        for key in ('name', 'uuid', 'type', 'hypervisor', 'memory_mb',
                    'vcpus', 'cpu_mode', 'cpu_model', 'arch', 'machine',
                    'boot_mode', 'secure_boot', 'ironic_driver'):
            data.append((key, node.get(key)))
        bmc = dict(node.get('bmc') or {})
        bmc.update(protocol.describe(ctx.plugins, state, node['name']))
        data.append(('bmc', columns.DictColumn(bmc)))
        data.append(('nics', columns.ListColumn(
            [columns.DictColumn(n).human_readable()
             for n in node.get('nics') or ()])))
        data.append(('nic_details', columns.ListColumn(
            node.get('nics') or [])))
        data.append(('volumes', columns.ListColumn(
            [v['name'] for v in node.get('volumes') or ()])))
        data.append(('ironic_config', columns.DictColumn(
            node.get('ironic_config') or {})))
        data.append(('status', node_status(state, node['name'])))
        data.append(('resources', columns.ListColumn(
            ['%s:%s' % (r.kind, r.status)
             for r in node_resources(state, node['name'])])))
        return tuple(zip(*data))
