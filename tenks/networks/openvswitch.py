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

"""The ``openvswitch`` network plugin: Tenks bridges are OVS bridges.

A Tenks bridge is an Open vSwitch bridge of the configured datapath type
(``[network] ovs_datapath_type``), with a fixed MAC
(``other_config:hwaddr``), marked ``external_ids:tenks-cluster=<cluster>``.
Its uplink (see :mod:`tenks.networks.uplink`) is a port of it (an
interface), a pair of patch ports ``p-<bridge>-phy`` / ``p-<bridge>-ovs``
(an existing OVS bridge), a veth pair of those names whose ``-phy`` end is
a port of an existing Linux bridge, or absent. A node NIC is a veth pair
whose bridge end is a port of the bridge.
"""

from tenks import exception
from tenks.networks import base
from tenks.networks import common
from tenks.networks import linux
from tenks.networks import marks
from tenks.networks import ovs as ovs_mod
from tenks.networks import uplink as uplink_mod
from tenks import observation

# OVS makes the ports of bridges with the system datapath slaves of this
# device; it is not a Linux bridge.
OVS_MASTER = 'ovs-system'


class OpenVSwitch(common.LinkNetwork):
    """Open vSwitch bridges and ports, with veth pairs over netlink."""

    bridge_end_suffix = '-ovs'
    host_services = ('openvswitch',)

    @classmethod
    def bridge_props(cls, settings):
        return {'datapath_type':
                settings.option(cls.options_group, 'ovs_datapath_type')}

    # -- bridge ---------------------------------------------------------

    def ensure_bridge(self, record, previous):
        props = record.props
        name, uplink, cluster = props['name'], props.get('uplink'), (
            props['cluster'])
        source, side = props['uplink_links']
        snap = self.ovs.snapshot()
        links = self.agent.call(linux.inspect,
                                names=[name, uplink, source, side])
        kind = uplink_mod.classify(name, uplink, links.get(uplink),
                                   snap['bridges'], self.host_name)
        self._check(record, snap, links, kind)
        mtu = uplink_mod.effective_mtu(props.get('mtu'), links.get(uplink))
        if kind == uplink_mod.LINUX_BRIDGE:
            self.agent.call(linux.ensure_veth, name=source, peer=side,
                            mark=self.mark(props), mtu=mtu,
                            masters={source: uplink}, adopt=record.adopt,
                            what='uplink of bridge %s' % name)
        cmds = ovs_mod.ensure_bridge(name, cluster,
                                     props.get('datapath_type'),
                                     props.get('mac'), mtu)
        cmds += self._cleanup(props, previous, snap, kind)
        if kind == uplink_mod.INTERFACE:
            cmds += ovs_mod.add_port(name, uplink, cluster)
        elif kind == uplink_mod.OVS_BRIDGE:
            cmds += ovs_mod.add_port(name, side, cluster, peer=source)
            cmds += ovs_mod.add_port(uplink, source, cluster, peer=side)
        elif kind == uplink_mod.LINUX_BRIDGE:
            cmds += ovs_mod.add_port(name, side, cluster)
        self.ovs.transact(cmds)
        if kind != uplink_mod.LINUX_BRIDGE and (source in links or
                                                side in links):
            # A veth to a Linux bridge uplink it had before.
            self.agent.call(linux.delete_links, names=[source, side],
                            mark=self.mark(props))
        self.agent.call(linux.set_up, names=[name])
        return {'uplink': uplink, 'uplink_kind': kind, 'mtu': mtu}

    @staticmethod
    def _check(record, snap, links, kind):
        """Refuse what is not tenks' before anything changes."""
        props = record.props
        name, uplink, cluster = props['name'], props.get('uplink'), (
            props['cluster'])
        source, side = props['uplink_links']
        bridge = snap['bridges'].get(name)
        marks.check_ovs('bridge', name, bridge, cluster, record.adopt)
        if bridge is None and name in links:
            raise exception.ResourceConflict(
                'bridge %s already exists and is %s, not an Open vSwitch '
                'bridge' % (name, marks.describe_kind(links[name]['kind'])))
        ports = snap['ports']
        if kind == uplink_mod.INTERFACE:
            master = links[uplink].get('master')
            port = ports.get(uplink)
            if master and master != OVS_MASTER:
                raise exception.ResourceConflict(
                    'bridge %s: uplink %s is already a port of %s'
                    % (name, uplink, master))
            if port is not None and port['bridge'] != name:
                raise exception.ResourceConflict(
                    'bridge %s: uplink %s is already a port of Open vSwitch '
                    'bridge %s' % (name, uplink, port['bridge']))
        joined = {uplink_mod.OVS_BRIDGE: (source, side),
                  uplink_mod.LINUX_BRIDGE: (side,)}.get(kind, ())
        for port_name in joined:
            marks.check_ovs('uplink port of bridge %s' % name, port_name,
                            ports.get(port_name), cluster, record.adopt)

    @staticmethod
    def _wanted_ports(props, kind):
        """``{port: (bridge, interface type)}`` of the uplink's ports."""
        name, uplink = props['name'], props.get('uplink')
        source, side = props['uplink_links']
        if kind == uplink_mod.OVS_BRIDGE:
            return {side: (name, 'patch'), source: (uplink, 'patch')}
        if kind == uplink_mod.LINUX_BRIDGE:
            return {side: (name, '')}
        return {}

    def _cleanup(self, props, previous, snap, kind):
        """Commands removing uplink ports tenks made and no longer needs.

        That is also a port it needs of another type, or on another bridge.
        """
        ports, cmds = snap['ports'], []
        prev = previous.get('uplink')
        if prev and prev != props.get('uplink'):
            port = ports.get(prev)
            if port is not None and port['bridge'] == props['name']:
                cmds += ovs_mod.del_port(prev)
        wanted = self._wanted_ports(props, kind)
        for port_name in props['uplink_links']:
            port = ports.get(port_name)
            if port is None or not marks.ovs_owned(port, props['cluster']):
                continue
            if wanted.get(port_name) != (port['bridge'], port['type']):
                cmds += ovs_mod.del_port(port_name)
        return cmds

    def delete_bridge(self, record):
        props = record.props
        name, cluster = props['name'], props['cluster']
        snap = self.ovs.snapshot()
        cmds = []
        for port_name in props['uplink_links']:
            port = snap['ports'].get(port_name)
            if (port is not None and port['bridge'] != name and
                    marks.ovs_owned(port, cluster)):
                cmds += ovs_mod.del_port(port_name)
        bridge = snap['bridges'].get(name)
        refused = None
        if marks.ovs_deletable(bridge, cluster, record.adopt):
            # Its ports go with it: an uplink interface is released.
            cmds += ovs_mod.del_bridge(name)
        elif bridge is not None:
            refused = marks.refusal('bridge %s' % record.name,
                                    ['Open vSwitch bridge %s' % name],
                                    marks.ovs_unmarked(bridge))
        self.ovs.transact(cmds)
        result = self.agent.call(
            linux.delete_links, names=list(props['uplink_links']),
            mark=self.mark(props), adopt=bool(record.adopt))
        if refused is not None:
            raise refused
        common.refuse_foreign('bridge %s' % record.name, result)
        return None

    def observe_bridge(self, records):
        """Look at every bridge in one OVS read and one link dump."""
        if not records:
            return {}
        snap = self.ovs.snapshot()
        links = self.agent.call(linux.inspect,
                                names=self.bridge_link_names(records))
        return {r.key: self._observe_bridge(r.props, snap, links)
                for r in records}

    def _observe_bridge(self, props, snap, links):
        name = props['name']
        bridge = snap['bridges'].get(name)
        if bridge is None:
            link = links.get(name)
            if link is None:
                return (common.missing_uplink(props, links,
                                              snap['bridges']) or
                        observation.ABSENT)
            return observation.Observation(
                True, False, 'bridge %s: it is %s, not an Open vSwitch '
                'bridge' % (name, marks.describe_kind(link.get('kind'))))
        problem = marks.ovs_problem(bridge, props['cluster'])
        if problem:
            return observation.foreign('bridge %s: %s' % (name, problem),
                                       marks.ovs_unmarked(bridge))
        problems = []
        if (props.get('datapath_type') and
                bridge['datapath_type'] != props['datapath_type']):
            problems.append('datapath type %s, not %s' % (
                bridge['datapath_type'] or 'system', props['datapath_type']))
        link = links.get(name)
        if link is None:
            problems.append('its interface is missing')
        else:
            if not link.get('up'):
                problems.append('it is down')
            if props.get('mac') and (link.get('mac') or '').lower() != (
                    props['mac'].lower()):
                problems.append('MAC %s, not %s' % (link.get('mac'),
                                                    props['mac']))
        problems += self._uplink_problems(props, snap, links)
        return common.wired(problems)

    def _uplink_problems(self, props, snap, links):
        uplink = props.get('uplink')
        if not uplink:
            return []
        source, _side = props['uplink_links']
        if uplink in snap['bridges']:
            kind = uplink_mod.OVS_BRIDGE
        elif uplink not in links:
            return ['uplink %s is missing' % uplink]
        elif links[uplink].get('kind') == 'bridge':
            kind = uplink_mod.LINUX_BRIDGE
        else:
            kind = uplink_mod.INTERFACE
        wanted = self._wanted_ports(props, kind)
        if kind == uplink_mod.INTERFACE:
            wanted = {uplink: (props['name'], None)}
        problems = []
        for port_name, (bridge, port_type) in sorted(wanted.items()):
            port = snap['ports'].get(port_name)
            if port is None or port['bridge'] != bridge or (
                    port_type is not None and port['type'] != port_type):
                problems.append('%s is not a port of %s' % (port_name,
                                                            bridge))
        if kind == uplink_mod.LINUX_BRIDGE and (
                links.get(source) or {}).get('master') != uplink:
            problems.append('%s is not a port of %s' % (source, uplink))
        return problems

    # -- vif ------------------------------------------------------------

    def before_vif(self, record):
        props = record.props
        snap = self.ovs.snapshot()
        if props['bridge'] not in snap['bridges']:
            raise exception.PluginError(
                'vif %s: Open vSwitch bridge %s does not exist on %s'
                % (record.name, props['bridge'], self.host_name))
        port = snap['ports'].get(props['bridge_end'])
        marks.check_ovs('port', props['bridge_end'], port, props['cluster'],
                        record.adopt)
        return port

    def plug_vif(self, record, before, old=None):
        props = record.props
        cmds = []
        if before is not None and before['bridge'] != props['bridge']:
            cmds += ovs_mod.del_port(props['bridge_end'])
        cmds += ovs_mod.add_port(props['bridge'], props['bridge_end'],
                                 props['cluster'])
        # A NIC without VLANs leaves its port's to others (e.g.
        # networking-generic-switch re-tags it), unless tenks set them.
        if base.vlans(props) or (old is not None and base.vlans(old.props)):
            cmds += ovs_mod.port_vlans(props['bridge_end'],
                                       **base.vlans(props))
        self.ovs.transact(cmds)

    def unplug_vif(self, record):
        props = record.props
        snap = self.ovs.snapshot(required=False)
        port = snap['ports'].get(props['bridge_end']) if snap else None
        if port is not None and marks.ovs_owned(port, props['cluster']):
            self.ovs.transact(ovs_mod.del_port(props['bridge_end']))

    def vif_ports(self, records):
        return self.ovs.snapshot()['ports']

    def vif_port_problem(self, props, links, ports):
        port = ports.get(props['bridge_end'])
        if port is None or port['bridge'] != props['bridge']:
            return '%s is not a port of %s' % (props['bridge_end'],
                                               props['bridge'])
        vlans = base.vlans(props)
        if not vlans:
            return None
        found = {'vlan': port.get('tag'), 'trunk': port.get('trunks') or []}
        wanted = {'vlan': vlans.get('vlan'),
                  'trunk': sorted(vlans.get('trunk') or [])}
        if found != wanted:
            return 'port %s is %s, not %s' % (
                props['bridge_end'], _describe(**found),
                _describe(**wanted))
        return None


def _describe(vlan=None, trunk=()):
    if vlan is not None:
        return 'an access port of VLAN %d' % vlan
    if trunk:
        return 'a trunk of VLANs %s' % ','.join(str(v) for v in trunk)
    return 'a port of every VLAN'
