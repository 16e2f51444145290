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

"""Scenarios both network plugins must pass, on the real kernel and OVS.

Each function takes a :class:`tests.functional.networks.helpers.NetLab` and
asserts on what ``ip -j link``, ``bridge -j link`` and ``ovs-vsctl`` show,
and on traffic: node ends (or far ends of "physical network" veths) are
moved into network namespaces with addresses of a private /24, and must
ping each other across the Tenks bridge.
"""

import pytest

from tenks import exception
from tests.functional.networks import helpers as nh


def host_state(lab):
    """What a conflict must leave untouched.

    The identity and settings of every link with the test's token, and
    every OVS bridge's ports and marks (other tests share the host).
    """
    state = {}
    for name, link in nh.links().items():
        if not lab.pattern.search(name):
            continue
        state[name] = (link['ifindex'], link.get('ifalias'),
                       link.get('master'), link['mtu'], link.get('address'),
                       'UP' in link['flags'],
                       (link.get('linkinfo') or {}).get('info_kind'))
    try:
        bridges = nh.ovs_bridges()
    except AssertionError:
        return state
    for br in filter(lab.pattern.search, bridges):
        state['ovs:' + br] = (sorted(nh.ovs_ports(br)),
                              nh.ovs_external_ids('Bridge', br))
    return state


def assert_bridge(lab, record):
    props = record.props
    link = nh.links()[props['name']]
    assert link['address'] == props['mac']
    assert 'UP' in link['flags']
    if lab.plugin == 'linuxbridge':
        assert link['linkinfo']['info_kind'] == 'bridge'
        assert link['ifalias'] == 'tenks:%s' % lab.cluster
    else:
        assert props['name'] in nh.ovs_bridges()
        assert nh.ovs_external_ids('Bridge', props['name']) == {
            'tenks-cluster': lab.cluster}
        dp = nh.vsctl('get', 'Bridge', props['name'],
                      'datapath_type').stdout.strip()
        assert dp == 'netdev'
    obs = lab.observe(record)[record.key]
    assert (obs.exists, obs.owned, obs.healthy) == (True, True, True), obs


def assert_vif(lab, record):
    props = record.props
    links = nh.links()
    node, peer = links[props['node_end']], links[props['bridge_end']]
    for link in (node, peer):
        assert link['linkinfo']['info_kind'] == 'veth'
        assert link['ifalias'] == 'tenks:%s' % lab.cluster
        assert 'UP' in link['flags']
    assert node['link'] == props['bridge_end']
    assert peer['link'] == props['node_end']
    assert lab.port_of(props['bridge_end']) == props['bridge']
    assert lab.port_of(props['node_end']) is None
    if lab.plugin == 'linuxbridge':
        assert nh.bridge_ports()[props['bridge_end']] == props['bridge']
    else:
        assert nh.ovs_external_ids('Port', props['bridge_end']) == {
            'tenks-cluster': lab.cluster}
    obs = lab.observe(record)[record.key]
    assert (obs.exists, obs.owned, obs.healthy) == (True, True, True), obs


def assert_gone(lab, *names):
    links = nh.links()
    left = [n for n in names if n in links]
    assert not left, 'still there: %s' % left
    if lab.plugin == 'openvswitch':
        left = [n for n in names if n in nh.ovs_bridges() or
                nh.vsctl('port-to-br', n, check=False).returncode == 0]
        assert not left, 'still in OVS: %s' % left


def link_names(record):
    if record.kind == 'vif':
        return [record.props['node_end'], record.props['bridge_end']]
    return [record.props['name']] + list(record.props['uplink_links'])


def isolated(lab):
    """An isolated bridge, two nodes: wiring, idempotence, L2, teardown."""
    br = lab.bridge_record(0)
    assert lab.observe(br)[br.key].exists is False
    out = lab.create(br)
    assert out['uplink_kind'] is None and out['mtu'] == 1500
    vifs = [lab.vif_record(n) for n in (0, 1)]
    assert all(not o.exists for o in lab.observe(*vifs).values())
    for vif in vifs:
        lab.create(vif)
    assert_bridge(lab, br)
    for vif in vifs:
        assert_vif(lab, vif)
    assert not (set(br.props['uplink_links']) & set(nh.links()))

    # Creating again is an ensure: nothing is re-made.
    names = link_names(br)[:1] + link_names(vifs[0]) + link_names(vifs[1])
    before = {n: nh.links()[n]['ifindex'] for n in names}
    lab.create(br)
    for vif in vifs:
        lab.create(vif)
    assert {n: nh.links()[n]['ifindex'] for n in names} == before
    assert_vif(lab, vifs[1])

    # The node ends carry traffic across the bridge.
    lab.into_netns(vifs[0].props['node_end'], lab.netns(0), 1)
    other = lab.into_netns(vifs[1].props['node_end'], lab.netns(1), 2)
    lab.ping('ns-%s-0' % lab.token, other)

    for vif in vifs:
        lab.delete(vif)
    lab.delete(br)
    assert_gone(lab, *(names + list(br.props['uplink_links'])))
    # Deleting what is gone is success.
    lab.delete(vifs[0])
    lab.delete(br)


def _node_pings(lab, br, address):
    vif = lab.vif_record(0)
    lab.create(vif)
    assert_vif(lab, vif)
    ns = lab.netns(0)
    lab.into_netns(vif.props['node_end'], ns, 1)
    lab.ping(ns, address)
    return vif


def interface_uplink(lab):
    """An interface uplink is plugged in; teardown releases it."""
    near, address = lab.outside(0, 9, plug=lambda name: None)
    br = lab.bridge_record(0, uplink=near)
    out = lab.create(br)
    assert out['uplink_kind'] == 'interface'
    assert_bridge(lab, br)
    assert lab.port_of(near) == br.props['name']
    assert not (set(br.props['uplink_links']) & set(nh.links()))
    vif = _node_pings(lab, br, address)
    lab.delete(vif)
    lab.delete(br)
    assert_gone(lab, *(link_names(br) + link_names(vif)))
    link = nh.links()[near]
    assert lab.port_of(near) is None
    assert link.get('ifalias') is None


def linux_bridge_uplink(lab):
    """An existing Linux bridge uplink is joined by a veth pair."""
    lb = lab.linux_bridge(0)
    near, address = lab.outside(
        0, 9, plug=lambda name: nh.run('ip', 'link', 'set', name, 'master',
                                       lb))
    br = lab.bridge_record(0, uplink=lb)
    out = lab.create(br)
    assert out['uplink_kind'] == 'linux_bridge'
    assert_bridge(lab, br)
    source, side = br.props['uplink_links']
    links = nh.links()
    assert links[source]['link'] == side
    assert lab.port_of(source) == lb
    assert lab.port_of(side) == br.props['name']
    for name in (source, side):
        assert links[name]['ifalias'] == 'tenks:%s' % lab.cluster
    vif = _node_pings(lab, br, address)
    lab.delete(vif)
    lab.delete(br)
    assert_gone(lab, *(link_names(br) + link_names(vif)))
    links = nh.links()
    assert links[lb]['linkinfo']['info_kind'] == 'bridge'
    assert lab.port_of(near) == lb


def ovs_bridge_uplink(lab):
    """An existing OVS bridge uplink.

    Joined by patch ports (openvswitch) or a veth whose source end is an
    OVS port (linuxbridge).
    """
    ob = lab.ovs_bridge(0)
    near, address = lab.outside(
        0, 9, plug=lambda name: nh.vsctl('add-port', ob, name))
    br = lab.bridge_record(0, uplink=ob)
    out = lab.create(br)
    assert out['uplink_kind'] == 'ovs_bridge'
    assert_bridge(lab, br)
    source, side = br.props['uplink_links']
    assert lab.port_of(source) == ob
    assert lab.port_of(side) == br.props['name']
    assert nh.ovs_external_ids('Port', source) == {
        'tenks-cluster': lab.cluster}
    if lab.plugin == 'openvswitch':
        for a, b in ((source, side), (side, source)):
            assert nh.vsctl('get', 'Interface', a,
                            'type').stdout.strip() == 'patch'
            assert nh.vsctl('get', 'Interface', a,
                            'options:peer').stdout.strip() == b
    else:
        assert nh.links()[source]['link'] == side
    vif = _node_pings(lab, br, address)
    lab.delete(vif)
    lab.delete(br)
    assert_gone(lab, *(link_names(br) + link_names(vif)))
    assert ob in nh.ovs_bridges()
    assert nh.ovs_ports(ob) == {near}
    assert nh.ovs_external_ids('Bridge', ob) == {}


def two_physnets(lab):
    """Two physnets on one hypervisor: two bridges, no traffic across."""
    iface = lab.interface(0)
    bridges = [lab.bridge_record(0), lab.bridge_record(1, uplink=iface)]
    for br in bridges:
        lab.create(br)
    vifs = {(n, p): lab.vif_record(n, p) for n in (0, 1) for p in (0, 1)}
    for vif in vifs.values():
        lab.create(vif)
    for br in bridges:
        assert_bridge(lab, br)
    for (_n, p), vif in vifs.items():
        assert vif.props['bridge'] == bridges[p].props['name']
        assert_vif(lab, vif)
    assert lab.port_of(iface) == bridges[1].props['name']
    observed = lab.observe(*vifs.values())
    assert len(observed) == 4
    assert all(o.exists and o.owned and o.healthy for o in observed.values())
    observed = lab.observe(*bridges)
    assert all(o.exists and o.owned and o.healthy for o in observed.values())

    addresses, spaces = {}, {}
    for host, (key, vif) in enumerate(sorted(vifs.items()), start=1):
        spaces[key] = lab.netns(host)
        addresses[key] = lab.into_netns(vif.props['node_end'], spaces[key],
                                        host)
    lab.ping(spaces[0, 0], addresses[1, 0])
    lab.ping(spaces[0, 1], addresses[1, 1])
    assert not lab.ping(spaces[0, 0], addresses[1, 1], count=1,
                        check=False)

    for vif in vifs.values():
        lab.delete(vif)
    for br in bridges:
        lab.delete(br)
    names = [n for r in list(vifs.values()) + bridges for n in link_names(r)]
    assert_gone(lab, *names)
    assert iface in nh.links() and lab.port_of(iface) is None


def link_conflicts(lab):
    """Links that are not tenks' are refused, and nothing changes."""
    br = lab.bridge_record(0)
    # A foreign link with the name of a node end.
    vif = lab.vif_record(0)
    lab.create(br)
    lab.add_link(vif.props['node_end'], 'type', 'veth', 'peer', 'name',
                 lab.name('x', 0))
    before = host_state(lab)
    obs = lab.observe(vif)[vif.key]
    assert (obs.exists, obs.owned) == (True, False), obs
    assert vif.props['node_end'] in obs.detail
    with pytest.raises(exception.ResourceConflict,
                       match=vif.props['node_end']):
        lab.create(vif)
    assert host_state(lab) == before
    # Delete never touches it, and says so.
    with pytest.raises(exception.ResourceConflict, match='no tenks mark'):
        lab.delete(vif)
    assert host_state(lab) == before

    # An uplink interface that is already another bridge's port.
    lb = lab.linux_bridge(0)
    iface = lab.interface(0)
    nh.run('ip', 'link', 'set', iface, 'master', lb)
    before = host_state(lab)
    with pytest.raises(exception.ResourceConflict, match=lb):
        lab.create(lab.bridge_record(0, uplink=iface))
    assert host_state(lab) == before

    # An uplink that does not exist.
    missing = lab.name('nx', 0)
    with pytest.raises(exception.PluginError, match=missing):
        lab.create(lab.bridge_record(1, uplink=missing))
    assert host_state(lab) == before


def mtu(lab):
    """MTU: unset follows the uplink; set, it is changed in place."""
    iface = lab.interface(0)
    nh.run('ip', 'link', 'set', iface, 'mtu', '1400')
    br = lab.bridge_record(0, uplink=iface)
    assert lab.create(br)['mtu'] == 1400
    vif = lab.vif_record(0)
    assert lab.create(vif)['mtu'] == 1400
    names = link_names(vif)
    links = nh.links()
    assert [links[n]['mtu'] for n in [br.props['name']] + names] == [
        1400] * 3
    index = {n: links[n]['ifindex'] for n in names}

    br2 = lab.bridge_record(0, uplink=iface, mtu=1300)
    lab.update(br, br2)
    vif2 = lab.vif_record(0, mtu=1300)
    assert lab.update(vif, vif2) == {'mtu': 1300}
    links = nh.links()
    assert [links[n]['mtu'] for n in [br.props['name']] + names] == [
        1300] * 3
    assert {n: links[n]['ifindex'] for n in names} == index
    assert links[iface]['mtu'] == 1400
    assert_bridge(lab, br2)
    assert_vif(lab, vif2)


def uplink_change(lab):
    """The uplink changes in place; what served the old one goes."""
    br = lab.bridge_record(0)
    lab.create(br)
    iface, lb, ob = lab.interface(0), lab.linux_bridge(0), lab.ovs_bridge(0)
    source, side = br.props['uplink_links']
    name = br.props['name']

    steps = [(iface, 'interface'), (lb, 'linux_bridge'),
             (ob, 'ovs_bridge'), (iface, 'interface'), (None, None)]
    old = br
    for uplink, kind in steps:
        new = lab.bridge_record(0, uplink=uplink)
        assert lab.update(old, new)['uplink_kind'] == kind
        assert_bridge(lab, new)
        links = nh.links()
        assert (lab.port_of(iface) == name) == (uplink == iface)
        if kind == 'linux_bridge':
            assert lab.port_of(source) == lb
        if kind == 'ovs_bridge':
            assert lab.port_of(source) == ob
        else:
            assert source not in nh.ovs_ports(ob)
        if kind in ('linux_bridge', 'ovs_bridge'):
            assert lab.port_of(side) == name
        else:
            assert source not in links and side not in links
            if lab.plugin == 'openvswitch':
                assert side not in nh.ovs_ports(name)
        if kind != 'linux_bridge':
            assert source not in nh.bridge_ports()
        old = new
    lab.delete(old)
    assert_gone(lab, name, source, side)
    assert {iface, lb, ob} <= set(nh.links())


def drift_repair(lab):
    """Drift is seen as unhealthy, and creating again repairs it.

    A vif unplugged, a bridge set down behind tenks' back.
    """
    br = lab.bridge_record(0)
    lab.create(br)
    vif = lab.vif_record(0)
    lab.create(vif)
    bridge_end = vif.props['bridge_end']
    if lab.plugin == 'linuxbridge':
        nh.run('ip', 'link', 'set', bridge_end, 'nomaster')
    else:
        nh.vsctl('del-port', bridge_end)
    nh.run('ip', 'link', 'set', br.props['name'], 'down')
    obs = lab.observe(vif)[vif.key]
    assert (obs.exists, obs.owned, obs.healthy) == (True, True, False)
    assert bridge_end in obs.detail
    obs = lab.observe(br)[br.key]
    assert (obs.exists, obs.owned, obs.healthy) == (True, True, False)
    assert 'down' in obs.detail
    lab.create(br)
    lab.create(vif)
    assert_bridge(lab, br)
    assert_vif(lab, vif)
