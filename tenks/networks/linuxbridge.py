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

"""The ``linuxbridge`` network plugin: Tenks bridges are Linux bridges.

A Tenks bridge is a Linux bridge with a fixed MAC, marked with the alias
``tenks:<cluster>``. Its uplink (see :mod:`tenks.networks.uplink`) is
plugged in (an interface), joined by the veth pair ``p-<bridge>-phy`` /
``p-<bridge>-br`` (an existing Linux bridge, or an existing Open vSwitch
bridge whose port the ``-phy`` end becomes), or absent. A node NIC is a
veth pair whose bridge end is a port of the bridge.
"""

from tenks.networks import base
from tenks.networks import common
from tenks.networks import linux
from tenks.networks import marks
from tenks.networks import ovs as ovs_mod
from tenks.networks import uplink as uplink_mod
from tenks import observation


class LinuxBridge(common.LinkNetwork):
    """Linux bridges and veth pairs, over netlink."""

    # -- bridge ---------------------------------------------------------

    def ensure_bridge(self, record, previous):
        props = record.props
        source, _side = props['uplink_links']
        uplink = props.get('uplink')
        snap = None
        if uplink or previous.get('uplink'):
            # Only to know whether the uplink is an OVS bridge, and to
            # find the -phy port of a previous OVS uplink.
            snap = self.ovs.snapshot(required=False)
        bridges = sorted(snap['bridges']) if snap else []
        port = snap['ports'].get(source) if snap else None
        if uplink in bridges:
            marks.check_ovs('uplink port of bridge %s' % props['name'],
                            source, port, props['cluster'], record.adopt)
        outputs = self.agent.call(
            linux.ensure_bridge, name=props['name'], mark=self.mark(props),
            mac=props.get('mac'), mtu=props.get('mtu'), uplink=uplink,
            uplink_links=list(props['uplink_links']), ovs_bridges=bridges,
            previous_uplink=previous.get('uplink'), adopt=record.adopt,
            host=self.host_name)
        cmds = []
        if port is not None and marks.ovs_owned(port, props['cluster']):
            if (outputs['uplink_kind'] != uplink_mod.OVS_BRIDGE or
                    port['bridge'] != uplink):
                cmds += ovs_mod.del_port(source)
        if outputs['uplink_kind'] == uplink_mod.OVS_BRIDGE:
            cmds += ovs_mod.add_port(uplink, source, props['cluster'])
        self.ovs.transact(cmds)
        return outputs

    def delete_bridge(self, record):
        props = record.props
        source, _side = props['uplink_links']
        snap = None
        if props.get('uplink'):
            snap = self.ovs.snapshot(required=False)
        port = snap['ports'].get(source) if snap else None
        if port is not None and marks.ovs_owned(port, props['cluster']):
            self.ovs.transact(ovs_mod.del_port(source))
        result = self.agent.call(
            linux.delete_bridge, name=props['name'], mark=self.mark(props),
            uplink=props.get('uplink'),
            uplink_links=list(props['uplink_links']),
            adopt=bool(record.adopt))
        common.refuse_foreign('bridge %s' % record.name, result)
        return None

    def observe_bridge(self, records):
        """Look at every bridge in one link dump."""
        if not records:
            return {}
        links = self.agent.call(linux.inspect,
                                names=self.bridge_link_names(records))
        return {r.key: self._observe_bridge(r, links) for r in records}

    def _observe_bridge(self, record, links):
        props = record.props
        mark = self.mark(props)
        bridge = links.get(props['name'])
        if bridge is None:
            return (common.missing_uplink(props, links) or
                    observation.ABSENT)
        found = common.absent_or_foreign(bridge, mark, 'bridge', 'bridge')
        if found is not None:
            return found
        problems = []
        if not bridge.get('up'):
            problems.append('it is down')
        if props.get('mac') and (bridge.get('mac') or '').lower() != (
                props['mac'].lower()):
            problems.append('MAC %s, not %s' % (bridge.get('mac'),
                                                props['mac']))
        problems += self._uplink_problems(record, links)
        return common.wired(problems)

    @staticmethod
    def _uplink_problems(record, links):
        props = record.props
        name, uplink = props['name'], props.get('uplink')
        if not uplink:
            return []
        source, side = props['uplink_links']
        up = links.get(uplink)
        if up is None:
            return ['uplink %s is missing' % uplink]
        recorded = record.outputs or {}
        kind = (recorded.get('uplink_kind')
                if recorded.get('uplink') == uplink else None)
        if kind is None:
            kind = (uplink_mod.LINUX_BRIDGE if up.get('kind') == 'bridge'
                    else uplink_mod.INTERFACE)
        if kind == uplink_mod.INTERFACE:
            if up.get('master') != name:
                return ['uplink %s is not plugged in' % uplink]
            return []
        problems = []
        masters = {side: name}
        if kind == uplink_mod.LINUX_BRIDGE:
            masters[source] = uplink
        for link_name, master in sorted(masters.items()):
            link = links.get(link_name)
            if link is None:
                problems.append('uplink link %s is missing' % link_name)
            elif link.get('master') != master:
                problems.append('uplink link %s is not a port of %s'
                                % (link_name, master))
        return problems

    # -- vif ------------------------------------------------------------

    def check_vif(self, records):
        """A Linux bridge port is on every VLAN: refuse NICs on VLANs.

        Filtering VLANs per port needs a bridge with ``vlan_filtering``,
        which tenks does not drive (the kernels it is tested on lack it).
        """
        return [(r, 'its NIC on physical network %s asks for VLANs (%s), '
                 'which bridge_type linuxbridge cannot give; use '
                 'bridge_type openvswitch' % (
                     r.props['physnet'], ', '.join(
                         '%s %s' % (k, v)
                         for k, v in sorted(base.vlans(r.props).items()))))
                for r in records if base.vlans(r.props)]

    def vif_masters(self, props):
        return {props['bridge_end']: props['bridge']}

    def vif_port_problem(self, props, links, ports):
        peer = links.get(props['bridge_end'])
        if peer.get('master') != props['bridge']:
            return '%s is not a port of %s' % (props['bridge_end'],
                                               props['bridge'])
        return None
