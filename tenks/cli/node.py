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

"""``tenks node list`` and ``tenks node show``: nodes from the state, with
their power state from the hypervisor."""

import logging

from cliff import lister
from cliff import show

from tenks.cli import base
from tenks.cli import columns
from tenks import secrets

LOG = logging.getLogger(__name__)

#: What a terminal shows by default: fits 80-100 columns.
SHORT_COLUMNS = ('Name', 'Hypervisor', 'Power', 'BMC', 'Status')
#: Everything: with --long, and in every format but the table. New
#: columns go at the end, so that scripts reading -f value keep working.
LONG_COLUMNS = ('Name', 'UUID', 'Type', 'Hypervisor', 'Memory MiB',
                'vCPUs', 'Boot mode', 'BMC', 'NICs', 'Status', 'Power')
BMC_CHECK = 'BMC check'


def bmc_short(view):
    """The node's BMC in a few words: ``emulator address:port``.

    Just the emulator's name for a node without a BMC address.
    """
    bmc = view.planned_bmc
    emulator = bmc.get('emulator') or ''
    if not bmc.get('address'):
        return emulator
    return '%s %s:%s' % (emulator, bmc.get('address'), bmc.get('port'))


def bmc_summary(view):
    """The node's BMC: ``emulator endpoint`` once it exists."""
    if view.planned_bmc.get('address') and view.bmc and view.bmc.get(
            'endpoint'):
        return '%s %s' % (view.planned_bmc.get('emulator') or '',
                          view.bmc['endpoint'])
    return bmc_short(view)


def nics(view):
    return ['%s=%s' % (n.physnet, n.mac or '?') for n in view.nics]


def bmc_check(outcome):
    """``ok``, ``failed`` or empty (no BMC) of a BMC asked by --check-bmc."""
    if outcome is None:
        return ''
    return 'ok' if outcome.ok else 'failed'


class NodeList(base.TenksCommand, lister.Lister):
    """List the nodes of the cluster, with their power state.

    The power state is what each node's hypervisor says (one listing per
    hypervisor): on, off, paused, suspended, crashed, missing (the
    virtual machine is gone), foreign (a machine of that name that is
    not the node) or unknown (the hypervisor did not answer). The table
    shows a short set of columns; --long, -c, and every other format
    (json, yaml, value, csv) give them all.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--long', action='store_true',
                            help='Show every column in the table.')
        parser.add_argument('--check-bmc', action='store_true',
                            help='Also ask every BMC for its power state, '
                                 'as Ironic would (one request per node, '
                                 'several at a time), and show whether it '
                                 'answered.')
        return parser

    def _long(self, parsed_args):
        wanted = set(getattr(parsed_args, 'columns', None) or ())
        return (parsed_args.long or parsed_args.formatter != 'table' or
                bool(wanted - set(SHORT_COLUMNS + (BMC_CHECK,))))

    def take_action(self, parsed_args):
        from tenks import workflow
        listing = workflow.node_list(self.app.context,
                                     check_bmc=parsed_args.check_bmc)
        for name, outcome in listing.bmc.items():
            if not outcome.ok:
                LOG.warning('%s: BMC did not answer: %s', name,
                            outcome.error)
        long = self._long(parsed_args)
        headers = LONG_COLUMNS if long else SHORT_COLUMNS
        if parsed_args.check_bmc:
            headers += (BMC_CHECK,)
        rows = []
        for view in listing.nodes:
            power = listing.power.get(view.name, '')
            if long:
                row = (view.name, view.uuid, view.type, view.hypervisor,
                       view.memory_mb, view.vcpus, view.boot_mode,
                       bmc_summary(view), columns.ListColumn(nics(view)),
                       view.status, power)
            else:
                row = (view.name, view.hypervisor, power, bmc_short(view),
                       view.status)
            if parsed_args.check_bmc:
                row += (bmc_check(listing.bmc.get(view.name)),)
            rows.append(columns.for_format(row, parsed_args.formatter))
        return headers, rows


def _nic(nic, switch_port=False):
    """A NIC as ``node show`` gives it, with its VLANs and bond if any.

    :param switch_port: add where it is plugged (Ironic's
        ``local_link_connection``), when known.
    """
    out = {'physnet': nic.physnet, 'mac': nic.mac}
    if nic.vlan is not None:
        out['vlan'] = nic.vlan
    if nic.trunk:
        out['trunk'] = list(nic.trunk)
    if nic.portgroup:
        out['portgroup'] = nic.portgroup
    if switch_port and nic.local_link_connection:
        out['local_link_connection'] = nic.local_link_connection
    return out


class NodeShow(base.TenksCommand, show.ShowOne):
    """Show one node (BMC passwords masked), with its power state.

    Tables show nested values as text (``key=value``, one NIC a line);
    json and yaml keep their structure.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='NAME', help='Node name.')
        return parser

    def take_action(self, parsed_args):
        from tenks import workflow
        _state, view, power = workflow.node(self.app.context,
                                            parsed_args.name)
        bmc = dict(view.planned_bmc)
        if view.bmc:
            bmc['endpoint'] = view.bmc['endpoint']
            if view.bmc.get('system_id'):
                bmc['system_id'] = view.bmc['system_id']
        details = [_nic(n, switch_port=True) for n in view.nics]
        data = [
            ('name', view.name), ('uuid', view.uuid), ('type', view.type),
            ('hypervisor', view.hypervisor), ('power', power),
            ('memory_mb', view.memory_mb),
            ('vcpus', view.vcpus), ('cpu_mode', view.cpu_mode),
            ('cpu_model', view.cpu_model), ('arch', view.arch),
            ('machine', view.machine), ('boot_mode', view.boot_mode),
            ('secure_boot', view.secure_boot),
            ('ironic_driver', view.driver),
            ('bmc', columns.DictLinesColumn(secrets.mask(bmc))),
            ('nics', columns.ListColumn([columns.text(_nic(n))
                                         for n in view.nics])),
            ('nic_details', columns.ListColumn(details)),
            ('portgroups', columns.ListColumn(view.portgroups)),
            ('volumes', columns.ListColumn(
                [v['name'] for v in view.volumes])),
            ('ironic_config', columns.DictLinesColumn(
                secrets.mask(view.ironic_config or {}))),
            ('console_log', view.console_log or ''),
            ('status', view.status),
            ('resources', columns.ListColumn(view.records)),
        ]
        names, values = zip(*data)
        return names, columns.for_format(values, parsed_args.formatter)
