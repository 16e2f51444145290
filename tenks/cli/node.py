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
from tenks import secrets

LIST_COLUMNS = ('Name', 'UUID', 'Type', 'Hypervisor', 'Memory MiB',
                'vCPUs', 'Boot mode', 'BMC', 'NICs', 'Status')


def bmc_summary(view):
    """The node's BMC: ``emulator endpoint``, or its emulator's name."""
    bmc = view.planned_bmc
    emulator = bmc.get('emulator') or ''
    if not bmc.get('address'):
        return emulator
    if view.bmc and view.bmc.get('endpoint'):
        return '%s %s' % (emulator, view.bmc['endpoint'])
    return '%s %s:%s' % (emulator, bmc.get('address'), bmc.get('port'))


def nics(view):
    return ['%s=%s' % (n.physnet, n.mac or '?') for n in view.nics]


class NodeList(base.TenksCommand, lister.Lister):
    """List the nodes of the cluster."""

    def take_action(self, parsed_args):
        from tenks import workflow
        rows = []
        for view in workflow.cluster(self.app.context).nodes:
            rows.append((view.name, view.uuid, view.type, view.hypervisor,
                         view.memory_mb, view.vcpus, view.boot_mode,
                         bmc_summary(view), columns.ListColumn(nics(view)),
                         view.status))
        return LIST_COLUMNS, rows


class NodeShow(base.TenksCommand, show.ShowOne):
    """Show one node (BMC passwords masked)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='NAME', help='Node name.')
        return parser

    def take_action(self, parsed_args):
        from tenks import workflow
        _state, view = workflow.node(self.app.context, parsed_args.name)
        bmc = dict(view.planned_bmc)
        if view.bmc:
            bmc['endpoint'] = view.bmc['endpoint']
            if view.bmc.get('system_id'):
                bmc['system_id'] = view.bmc['system_id']
        details = [{'physnet': n.physnet, 'mac': n.mac} for n in view.nics]
        data = [
            ('name', view.name), ('uuid', view.uuid), ('type', view.type),
            ('hypervisor', view.hypervisor), ('memory_mb', view.memory_mb),
            ('vcpus', view.vcpus), ('cpu_mode', view.cpu_mode),
            ('cpu_model', view.cpu_model), ('arch', view.arch),
            ('machine', view.machine), ('boot_mode', view.boot_mode),
            ('secure_boot', view.secure_boot),
            ('ironic_driver', view.driver),
            ('bmc', columns.DictColumn(secrets.mask(bmc))),
            ('nics', columns.ListColumn(
                [columns.DictColumn(n).human_readable() for n in details])),
            ('nic_details', columns.ListColumn(details)),
            ('volumes', columns.ListColumn(
                [v['name'] for v in view.volumes])),
            ('ironic_config', columns.DictColumn(
                secrets.mask(view.ironic_config or {}))),
            ('console_log', view.console_log or ''),
            ('status', view.status),
            ('resources', columns.ListColumn(view.records)),
        ]
        return tuple(zip(*data))
