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

"""Node networking through the CLI, with the libvirt provider (issue 3).

``tenks deploy`` of a spec whose nodes have two physical networks, each
mapped to a decoy uplink the test made first, then checked through libvirt
(each NIC is a macvtap passthrough on a node end) and the kernel (the node
end's peer is a port of the physnet's Tenks bridge, whose uplink is the
decoy). A second deploy changes nothing; dropping a physnet converges in
one run; a link with a name tenks wants stops the deploy before anything
is touched; teardown leaves the decoys as they were.
"""

import xml.etree.ElementTree as ET

import libvirt
import pytest

from tests.functional import env as env_mod
from tests.functional.networks import helpers as nh
from tests.functional import specs


@pytest.fixture
def lab(tenks_env):
    yield from nh.lab_fixture(tenks_env, 'linuxbridge')


@pytest.fixture
def lab_ovs(tenks_env_ovs):
    yield from nh.lab_fixture(tenks_env_ovs, 'openvswitch')


def write_spec(env, uplink1, uplink2, physnets=('physnet1', 'physnet2')):
    """Two nodes on ``physnets``; physnet1 and physnet2 have uplinks."""
    return env.write_spec(specs.text(
        {'small': specs.node_type(physical_networks=list(physnets),
                                  ironic_driver='fake-hardware')},
        [specs.entry('small', 2)],
        physnet_mappings={'physnet1': uplink1 or None,
                          'physnet2': uplink2 or None}))


def nic_sources(uri, node):
    """``[(source dev, mode)]`` of a domain's direct interfaces."""
    conn = libvirt.open(uri)
    try:
        root = ET.fromstring(conn.lookupByName(node).XMLDesc())
    finally:
        conn.close()
    out = []
    for iface in root.findall('./devices/interface'):
        assert iface.get('type') == 'direct'
        source = iface.find('source')
        out.append((source.get('dev'), source.get('mode')))
    return out


def wiring(lab, node):
    """The bridges a node's NICs are wired to, in NIC order."""
    links = nh.links()
    bridges = []
    for dev, mode in nic_sources('qemu:///system', node):
        assert mode == 'passthrough'
        assert links[dev]['ifalias'] == 'tenks:%s' % lab.cluster
        bridges.append(lab.port_of(links[dev]['link']))
    return bridges


def nodes(env):
    return ['%s0' % env.token, '%s1' % env.token]


def test_two_physnets_deploy_converge_teardown(lab):
    env = lab.env
    lb = lab.linux_bridge(0)
    near, _address = lab.outside(
        0, 9, plug=lambda name: nh.run('ip', 'link', 'set', name, 'master',
                                       lb))
    iface = lab.interface(0)
    spec = write_spec(env, lb, iface)
    env.tenks('deploy', '--spec', spec)

    bridges = [lab.bridge_name(0), lab.bridge_name(1)]
    for node in nodes(env):
        assert wiring(lab, node) == bridges
    source, side = ['p-%s-phy' % bridges[0], 'p-%s-br' % bridges[0]]
    assert lab.port_of(source) == lb and lab.port_of(side) == bridges[0]
    assert lab.port_of(iface) == bridges[1]
    links = nh.links()
    for name in bridges:
        assert links[name]['linkinfo']['info_kind'] == 'bridge'
        assert links[name]['ifalias'] == 'tenks:%s' % lab.cluster

    _code, out, err = env.tenks('deploy', '--spec', spec)
    assert 'No changes' in out + err

    # Drop physnet2: its NICs, links and bridge go; its uplink stays.
    spec = write_spec(env, lb, iface, physnets=['physnet1'])
    env.tenks('deploy', '--spec', spec)
    for node in nodes(env):
        assert wiring(lab, node) == bridges[:1]
    links = nh.links()
    assert bridges[1] not in links
    assert not [n for n in links if lab.pattern.search(n) and (
        n.endswith('-1-tap') or n.endswith('-1-br'))]
    assert iface in links and lab.port_of(iface) is None
    _code, out, err = env.tenks('deploy', '--spec', spec)
    assert 'No changes' in out + err

    env.tenks('teardown')
    links = nh.links()
    assert not [n for n in links if lab.pattern.search(n) and n not in (
        lb, near, iface)]
    assert lab.port_of(near) == lb
    assert lab.port_of(iface) is None


def test_ovs_uplinks_deploy_and_teardown(lab_ovs):
    lab = lab_ovs
    env = lab.env
    ob = lab.ovs_bridge(0)
    near, _address = lab.outside(
        0, 9, plug=lambda name: nh.vsctl('add-port', ob, name))
    spec = write_spec(env, ob, None)
    env.tenks('deploy', '--spec', spec)

    bridges = [lab.bridge_name(0), lab.bridge_name(1)]
    for node in nodes(env):
        assert wiring(lab, node) == bridges
    assert set(bridges) <= nh.ovs_bridges()
    source, side = ['p-%s-phy' % bridges[0], 'p-%s-ovs' % bridges[0]]
    assert lab.port_of(source) == ob and lab.port_of(side) == bridges[0]
    _code, out, err = env.tenks('deploy', '--spec', spec)
    assert 'No changes' in out + err

    env.tenks('teardown')
    assert not set(bridges) & nh.ovs_bridges()
    assert nh.ovs_ports(ob) == {near}
    assert not [n for n in nh.links() if lab.pattern.search(n) and n not in (
        ob, near)]


def test_link_with_a_wanted_name_stops_deploy_untouched(lab):
    env = lab.env
    # A veth that is not tenks', named as node 1's first node end.
    taken = 'p-%s1-0-tap' % env.token
    lab.add_link(taken, 'type', 'veth', 'peer', 'name', lab.name('x', 0))
    spec = write_spec(env, None, None)
    before = env_mod.host_snapshot(pattern=lab.pattern.pattern)
    code, _out, err = env.tenks('deploy', '--spec', spec, check=False)
    assert code == 1
    assert taken in err and 'not created by tenks' in err, err
    assert 'Traceback' not in err
    assert env_mod.host_snapshot(pattern=lab.pattern.pattern) == before
