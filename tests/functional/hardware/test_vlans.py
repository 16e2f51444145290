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

"""Node NICs on VLANs, on Open vSwitch, proven with real tagged frames.

Through the CLI: nodes whose NICs are access ports of VLANs 100 and 200,
a trunk of both, and a plain NIC, on one physical network whose uplink is
a veth the test holds the far end of. Frames written on the node ends of
the NICs' veth pairs (the ends the VMs take) and on the uplink reach
exactly the ports of their VLAN, tagged on trunks and the uplink. The
plain NIC's switch port is re-tagged the way networking-generic-switch's
OVS driver does it, from the port's ``local_link_connection``; tenks
leaves that alone, and repairs what it set itself.
"""

import subprocess

import pytest

from tests.functional.networks import frames
from tests.functional.networks import helpers as nh
from tests.functional import specs

pytestmark = pytest.mark.hardware

SHAPE = (('a100', 2, {'vlan': 100}), ('a200', 1, {'vlan': 200}),
         ('trunk', 1, {'trunk': [100, 200]}), ('plain', 1, None))


def _spec(env, uplink, vlans=None):
    vlans = dict({name: nic for name, _count, nic in SHAPE}, **(vlans or {}))
    types = {}
    for name, _count, _nic in SHAPE:
        nic = vlans[name]
        types[name] = specs.node_type(
            ironic_driver='fake-hardware', physical_networks=[
                dict(name='physnet1', **nic) if nic else 'physnet1'])
    return env.write_spec(specs.text(
        types, [specs.entry(name, count) for name, count, _nic in SHAPE],
        physnet_mappings={'physnet1': uplink}, bridge_type='openvswitch'))


@pytest.fixture
def uplink(tenks_env_ovs):
    """A veth pair: the uplink of physnet1, and its far end."""
    near, far = 'u%s' % tenks_env_ovs.token, 'x%s' % tenks_env_ovs.token
    nh.run('ip', 'link', 'add', near, 'type', 'veth', 'peer', 'name', far)
    try:
        for name in (near, far):
            nh.run('ip', 'link', 'set', name, 'up')
        yield near, far
    finally:
        nh.run('ip', 'link', 'delete', near, check=False)


def _ports(env):
    """``{type: [(node end, switch port, local_link_connection)]}``."""
    links = nh.links()
    out = {}
    for row in env.tenks_json('node', 'list', '--long'):
        nic, = env.tenks_json('node', 'show', row['Name'])['nic_details']
        llc = nic['local_link_connection']
        peer = links[llc['port_id']]['link']
        out.setdefault(row['Type'], []).append((peer, llc['port_id'], llc))
    return out


def _port(name, column):
    out = nh.vsctl('get', 'Port', name, column).stdout.strip()
    return out


def _heard(ends, sender, marker, vlan=None):
    """What each end heard of ``marker`` sent from ``sender``."""
    with frames.Listener(ends) as listener:
        frames.send(sender, marker, vlan)
        heard = listener.heard()
    return {end: got[marker] for end, got in heard.items()
            if marker in got}


def test_vlans_on_openvswitch(tenks_env_ovs, uplink):
    env = tenks_env_ovs
    near, far = uplink
    spec = _spec(env, near)
    env.tenks('deploy', '--spec', spec)
    ports = _ports(env)
    (a1, a1_port, _), (a2, _a2_port, _) = ports['a100']
    (b1, b1_port, _), = ports['a200']
    (t1, t1_port, _), = ports['trunk']
    (p1, p1_port, plain_llc), = ports['plain']
    assert (_port(a1_port, 'tag'), _port(a1_port, 'trunks')) == ('100', '[]')
    assert _port(b1_port, 'tag') == '200'
    assert (_port(t1_port, 'tag'), _port(t1_port, 'trunks')) == (
        '[]', '[100, 200]')
    assert (_port(p1_port, 'tag'), _port(p1_port, 'trunks')) == ('[]', '[]')
    shown = env.tenks_json('node', 'show', '%s0' % env.token)
    assert shown['nic_details'][0]['vlan'] == 100
    ends = [a1, a2, b1, t1, p1, far]

    # Untagged from an access port: its VLAN's access ports untagged, the
    # trunk, the uplink and the plain port (every VLAN) tagged 100.
    assert _heard(ends, a1, 'm1') == {a2: None, t1: 100, far: 100,
                                      p1: 100}
    # Tagged 200 from the trunk: VLAN 200's access port, untagged.
    assert _heard(ends, t1, 'm2', 200) == {b1: None, far: 200, p1: 200}
    # A VLAN the trunk does not carry goes nowhere.
    assert _heard(ends, t1, 'm3', 300) == {}
    # Tagged 100 in through the uplink.
    assert _heard(ends, far, 'm4', 100) == {a1: None, a2: None, t1: 100,
                                            p1: 100}
    # A tagged frame into an access port is dropped.
    assert _heard(ends, a1, 'm5', 200) == {}

    # networking-generic-switch's OVS driver re-tags the plain NIC's port,
    # found from its local_link_connection: tenks leaves it so.
    assert nh.vsctl('port-to-br', plain_llc['port_id']).stdout.strip() == (
        plain_llc['switch_info'])
    nh.vsctl('set', 'Port', plain_llc['port_id'], 'tag=200')
    assert env.tenks_json('deploy', '--spec', spec) == []
    assert _port(p1_port, 'tag') == '200'
    assert _heard(ends, p1, 'm6') == {b1: None, t1: 200, far: 200}

    # What tenks set is put back when it drifts.
    nh.vsctl('set', 'Port', a1_port, 'tag=999')
    env.tenks('deploy', '--spec', spec)
    assert _port(a1_port, 'tag') == '100'

    # A changed VLAN is changed in place: nothing else is touched.
    changed = _spec(env, near, {'a200': {'vlan': 300},
                                'trunk': {'trunk': [100, 300]}})
    applied = env.tenks_json('deploy', '--spec', changed)
    assert sorted((r['Action'], r['Kind']) for r in applied) == [
        ('update', 'vif'), ('update', 'vif')]
    assert _ports(env)['a200'][0][0] == b1
    assert _port(b1_port, 'tag') == '300'
    assert _heard(ends, t1, 'm7', 300) == {b1: None, far: 300}

    env.tenks('teardown')
    assert subprocess.run(['ovs-vsctl', 'port-to-br', a1_port],
                          capture_output=True).returncode != 0


def test_vlans_refused_on_linux_bridges(tenks_env):
    env = tenks_env
    spec = env.write_spec(specs.text(
        {'a100': specs.node_type(ironic_driver='fake-hardware',
                                 physical_networks=[{'name': 'physnet1',
                                                     'vlan': 100}])},
        [specs.entry('a100', 2)], physnet_mappings={'physnet1': None}))
    for command in (('validate',), ('deploy',)):
        code, _out, err = env.tenks(*(command + ('--spec', spec)),
                                    check=False)
        assert code == 1, err
        assert err.count('which bridge_type linuxbridge cannot give') == 2, \
            err
        assert 'nothing was changed' in err
    assert env.tenks_json('node', 'list') == []
    assert not [n for n in nh.links() if n.startswith(env.bridge_prefix)]
