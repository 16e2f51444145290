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

"""The linuxbridge and openvswitch plugins' logic, on a fake host."""

from tenks import exception
from tenks.hosts import context
from tenks.networks import linuxbridge
from tenks.networks import openvswitch
from tenks.state import model
from tests.unit import base
from tests.unit.networks import fakes

MARK = 'tenks:c1'
MAC = '02:54:00:00:00:01'
OWN = {'tenks-cluster': 'c1'}


def bridge(plugin, uplink=None, mtu=None, adopt=False, outputs=None):
    side = 'p-br0-ovs' if plugin == 'openvswitch' else 'p-br0-br'
    return model.ResourceRecord(
        'bridge', 'hv/br0', plugin, 'hv', {
            'name': 'br0', 'physnet': 'physnet1', 'uplink': uplink,
            'uplink_links': ['p-br0-phy', side], 'mac': MAC, 'mtu': mtu,
            'cluster': 'c1',
            'datapath_type': 'netdev' if plugin == 'openvswitch' else None},
        outputs=outputs or {}, adopt=adopt)


def vif(plugin, node='tk0', mtu=None, adopt=False, **vlans):
    suffix = '-ovs' if plugin == 'openvswitch' else '-br'
    base_name = 'p-%s-0' % node
    return model.ResourceRecord(
        'vif', 'hv/%s-tap' % base_name, plugin, 'hv', dict({
            'name': base_name + '-tap', 'node': node, 'physnet': 'physnet1',
            'bridge': 'br0', 'node_end': base_name + '-tap',
            'bridge_end': base_name + suffix, 'mtu': mtu, 'cluster': 'c1'},
            **vlans), adopt=adopt)


class PluginTestCase(base.TestCase):

    plugin = None
    cls = None

    def setUp(self):
        super().setUp()
        self.nl = fakes.FakeNetlink()
        self.agent = fakes.FakeAgent(self.nl)
        hv = context.HypervisorContext(name='hv', libvirt_uri='test:///',
                                       agent=self.agent)
        self.driver = self.cls(self.make_conf(), hv)

    def set_ovs(self, bridges=None, ports=None):
        self.agent.ovs = fakes.ovs_snapshot(bridges, ports)

    def bridge(self, **kwargs):
        return bridge(self.plugin, **kwargs)

    def vif(self, **kwargs):
        return vif(self.plugin, **kwargs)

    def observe(self, *records):
        out = self.driver.observe(records[0].kind, list(records))
        return [out[r.key] for r in records]

    def vsctl(self):
        """The commands of every OVS transaction, without the options."""
        out = []
        for argv in self.agent.transactions:
            cmds, cmd = [], None
            for arg in argv[1:]:
                if arg == '--':
                    cmd = []
                    cmds.append(cmd)
                elif cmd is not None:
                    cmd.append(arg)
            out.append([' '.join(c) for c in cmds])
        return out


class LinuxBridgeTest(PluginTestCase):

    plugin = 'linuxbridge'
    cls = linuxbridge.LinuxBridge

    def test_isolated_bridge_is_one_host_call(self):
        out = self.driver.create('bridge', self.bridge())
        self.assertEqual({'uplink': None, 'uplink_kind': None, 'mtu': 1500},
                         out)
        self.assertEqual(['ensure_bridge'], self.agent.calls)
        self.assertEqual([], self.agent.transactions)

    def test_uplink_without_ovs_is_classified_by_netlink(self):
        self.nl.add('eth1')
        out = self.driver.create('bridge', self.bridge(uplink='eth1'))
        self.assertEqual('interface', out['uplink_kind'])
        self.assertEqual('br0', self.nl.links['eth1']['master'])

    def test_ovs_bridge_uplink(self):
        self.nl.add('br-ex', kind='tun')
        self.set_ovs(bridges={'br-ex': {}})
        out = self.driver.create('bridge', self.bridge(uplink='br-ex'))
        self.assertEqual('ovs_bridge', out['uplink_kind'])
        self.assertEqual([[
            '--may-exist add-port br-ex p-br0-phy',
            'set Port p-br0-phy external_ids:tenks-cluster=c1']],
            self.vsctl())
        self.assertEqual('br0', self.nl.links['p-br0-br']['master'])

    def test_foreign_ovs_port_refused_before_any_change(self):
        self.nl.add('br-ex', kind='tun')
        self.set_ovs(bridges={'br-ex': {}},
                     ports={'p-br0-phy': {'bridge': 'br-ex'}})
        err = self.assertRaises(exception.ResourceConflict,
                                self.driver.create, 'bridge',
                                self.bridge(uplink='br-ex'))
        self.assertIn('p-br0-phy already exists in Open vSwitch', str(err))
        self.assertEqual([], self.nl.calls)
        self.assertEqual([], self.agent.transactions)

    def test_uplink_change_from_ovs_to_linux_bridge(self):
        self.nl.add('br-ex', kind='tun')
        self.nl.add('breth1', kind='bridge')
        self.set_ovs(bridges={'br-ex': {}})
        old = self.bridge(uplink='br-ex')
        old.outputs = self.driver.create('bridge', old)
        self.set_ovs(bridges={'br-ex': {}}, ports={
            'p-br0-phy': {'bridge': 'br-ex', 'external_ids': OWN}})
        self.agent.transactions = []
        out = self.driver.update('bridge', old, self.bridge(uplink='breth1'))
        self.assertEqual('linux_bridge', out['uplink_kind'])
        self.assertEqual([['--if-exists del-port p-br0-phy']], self.vsctl())
        self.assertEqual('breth1', self.nl.links['p-br0-phy']['master'])

    def test_delete_bridge_removes_own_ovs_port_only(self):
        self.nl.add('br-ex', kind='tun')
        self.set_ovs(bridges={'br-ex': {}})
        record = self.bridge(uplink='br-ex')
        self.driver.create('bridge', record)
        self.set_ovs(bridges={'br-ex': {}}, ports={
            'p-br0-phy': {'bridge': 'br-ex', 'external_ids': OWN}})
        self.agent.transactions = []
        self.driver.delete('bridge', record)
        self.assertEqual([['--if-exists del-port p-br0-phy']], self.vsctl())
        self.assertEqual(['br-ex'], sorted(self.nl.links))

    def test_delete_isolated_bridge_asks_no_ovs(self):
        record = self.bridge()
        self.driver.create('bridge', record)
        self.driver.delete('bridge', record)
        self.assertEqual({}, self.nl.links)
        self.assertEqual([], self.agent.transactions)

    def test_observe_bridges(self):
        records = [self.bridge(), bridge(self.plugin), bridge(self.plugin)]
        for i, name in enumerate(['br0', 'br1', 'br2']):
            records[i].name = 'hv/' + name
            records[i].props = dict(records[i].props, name=name)
        self.nl.add('br1', kind='bridge', alias='tenks:c2')
        self.driver.create('bridge', records[2])
        self.agent.calls = []
        absent, foreign, own = self.observe(*records)
        self.assertEqual(['inspect'], self.agent.calls)
        self.assertFalse(absent.exists)
        self.assertEqual((True, False), (foreign.exists, foreign.owned))
        self.assertIn('tenks cluster c2', foreign.detail)
        self.assertEqual((True, True, True),
                         (own.exists, own.owned, own.healthy))

    def test_observe_bridge_drift(self):
        self.nl.add('breth1', kind='bridge')
        record = self.bridge(uplink='breth1')
        record.outputs = self.driver.create('bridge', record)
        self.nl.links['br0'].update(up=False, mac='02:00:00:00:00:09')
        self.nl.links['p-br0-phy']['master'] = None
        obs, = self.observe(record)
        self.assertEqual((True, True, False),
                         (obs.exists, obs.owned, obs.healthy))
        self.assertEqual('it is down; MAC 02:00:00:00:00:09, not %s; '
                         'uplink link p-br0-phy is not a port of breth1'
                         % MAC, obs.detail)
        self.driver.create('bridge', record)
        obs, = self.observe(record)
        self.assertTrue(obs.healthy, obs.detail)

    def test_observe_interface_uplink_unplugged_or_missing(self):
        self.nl.add('eth1')
        record = self.bridge(uplink='eth1')
        record.outputs = self.driver.create('bridge', record)
        self.nl.links['eth1']['master'] = None
        self.assertEqual('uplink eth1 is not plugged in',
                         self.observe(record)[0].detail)
        del self.nl.links['eth1']
        self.assertEqual('uplink eth1 is missing',
                         self.observe(record)[0].detail)

    def test_vif_is_one_host_call(self):
        self.driver.create('bridge', self.bridge(mtu=1400))
        self.agent.calls = []
        out = self.driver.create('vif', self.vif())
        self.assertEqual({'mtu': 1400}, out)
        self.assertEqual(['ensure_veth'], self.agent.calls)
        self.assertEqual('br0', self.nl.links['p-tk0-0-br']['master'])

    def test_vif_without_bridge(self):
        err = self.assertRaises(exception.PluginError, self.driver.create,
                                'vif', self.vif())
        self.assertEqual('vif hv/p-tk0-0-tap: bridge br0 does not exist',
                         str(err))
        self.assertEqual([], self.nl.calls)

    def test_vifs_on_vlans_refused(self):
        plain, on_vlan = self.vif(), self.vif(node='tk1', vlan=100)
        (record, cause), = self.driver.check('vif', [plain, on_vlan])
        self.assertIs(on_vlan, record)
        self.assertEqual('its NIC on physical network physnet1 asks for '
                         'VLANs (vlan 100), which bridge_type linuxbridge '
                         'cannot give; use bridge_type openvswitch', cause)

    def test_vif_update_changes_mtu_in_place(self):
        self.driver.create('bridge', self.bridge())
        old = self.vif()
        self.driver.create('vif', old)
        index = self.nl.links['p-tk0-0-tap']['index']
        self.assertEqual({'mtu': 1300},
                         self.driver.update('vif', old, self.vif(mtu=1300)))
        self.assertEqual(index, self.nl.links['p-tk0-0-tap']['index'])
        self.assertEqual(1300, self.nl.links['p-tk0-0-br']['mtu'])

    def test_observe_many_vifs_in_one_dump(self):
        self.driver.create('bridge', self.bridge())
        records = [self.vif(node='tk%d' % i) for i in range(100)]
        for record in records[:50]:
            self.driver.create('vif', record)
        self.agent.calls = []
        observed = self.observe(*records)
        self.assertEqual(['inspect'], self.agent.calls)
        self.assertTrue(all(o.exists and o.owned and o.healthy
                            for o in observed[:50]))
        self.assertFalse(any(o.exists for o in observed[50:]))

    def test_observe_vif_cases(self):
        self.driver.create('bridge', self.bridge())
        records = [self.vif(node='tk%d' % i, mtu=1500) for i in range(5)]
        for record in records:
            self.driver.create('vif', record)
        self.nl.links['p-tk0-0-br']['master'] = None
        self.nl.links['p-tk1-0-tap']['alias'] = None
        del self.nl.links['p-tk2-0-br']
        self.nl.links['p-tk3-0-br']['mtu'] = 9000
        self.nl.links['p-tk4-0-br']['up'] = False
        obs = self.observe(*records)
        self.assertEqual((True, True, False),
                         (obs[0].exists, obs[0].owned, obs[0].healthy))
        self.assertEqual('p-tk0-0-br is not a port of br0', obs[0].detail)
        self.assertEqual((True, False), (obs[1].exists, obs[1].owned))
        self.assertIn('p-tk1-0-tap: it has no tenks mark', obs[1].detail)
        self.assertEqual('only p-tk2-0-tap exists', obs[2].detail)
        self.assertEqual('MTU 9000, not 1500', obs[3].detail)
        self.assertEqual('p-tk4-0-br is down', obs[4].detail)

    def test_delete_vif_leaves_foreign_links_and_fails(self):
        self.nl.add('p-tk0-0-tap', kind='veth', peer='p-tk0-0-br')
        self.nl.add('p-tk0-0-br', kind='veth', peer='p-tk0-0-tap')
        error = self.assertRaises(exception.ResourceConflict,
                                  self.driver.delete, 'vif', self.vif())
        self.assertIn('cannot tell whether it made them', str(error))
        self.assertEqual(['p-tk0-0-br', 'p-tk0-0-tap'],
                         sorted(self.nl.links))

    def test_delete_vif_adopting_an_unmarked_pair(self):
        self.nl.add('p-tk0-0-tap', kind='veth', peer='p-tk0-0-br')
        self.nl.add('p-tk0-0-br', kind='veth', peer='p-tk0-0-tap')
        record = self.vif()
        record.adopt = True
        self.driver.delete('vif', record)
        self.assertEqual([], sorted(self.nl.links))


class OpenVSwitchTest(PluginTestCase):

    plugin = 'openvswitch'
    cls = openvswitch.OpenVSwitch

    def setUp(self):
        super().setUp()
        self.set_ovs()

    def test_isolated_bridge(self):
        out = self.driver.create('bridge', self.bridge())
        self.assertEqual({'uplink': None, 'uplink_kind': None, 'mtu': 1500},
                         out)
        self.assertEqual([[
            '--may-exist add-br br0',
            'set Bridge br0 external_ids:tenks-cluster=c1 '
            'datapath_type=netdev other_config:hwaddr="%s"' % MAC,
            'set Interface br0 mtu_request=1500']], self.vsctl())
        self.assertEqual(['inspect', 'set_up'], self.agent.calls)

    def test_interface_uplink(self):
        self.nl.add('eth1', mtu=9000)
        out = self.driver.create('bridge', self.bridge(uplink='eth1'))
        self.assertEqual(('interface', 9000), (out['uplink_kind'],
                                               out['mtu']))
        self.assertEqual([
            '--may-exist add-port br0 eth1',
            'set Port eth1 external_ids:tenks-cluster=c1'],
            self.vsctl()[0][3:])

    def test_ovs_bridge_uplink_patch_ports(self):
        self.set_ovs(bridges={'br-ex': {}})
        out = self.driver.create('bridge', self.bridge(uplink='br-ex'))
        self.assertEqual('ovs_bridge', out['uplink_kind'])
        self.assertEqual([
            '--may-exist add-port br0 p-br0-ovs',
            'set Port p-br0-ovs external_ids:tenks-cluster=c1',
            'set Interface p-br0-ovs type=patch options:peer=p-br0-phy',
            '--may-exist add-port br-ex p-br0-phy',
            'set Port p-br0-phy external_ids:tenks-cluster=c1',
            'set Interface p-br0-phy type=patch options:peer=p-br0-ovs'],
            self.vsctl()[0][3:])

    def test_linux_bridge_uplink_veth(self):
        self.nl.add('breth1', kind='bridge')
        out = self.driver.create('bridge', self.bridge(uplink='breth1'))
        self.assertEqual('linux_bridge', out['uplink_kind'])
        self.assertEqual(['inspect', 'ensure_veth', 'set_up'],
                         self.agent.calls)
        self.assertEqual('breth1', self.nl.links['p-br0-phy']['master'])
        self.assertEqual([
            '--may-exist add-port br0 p-br0-ovs',
            'set Port p-br0-ovs external_ids:tenks-cluster=c1'],
            self.vsctl()[0][3:])

    def assert_refused(self, record, *words):
        err = self.assertRaises(exception.ResourceConflict,
                                self.driver.create, 'bridge', record)
        for word in words:
            self.assertIn(word, str(err))
        self.assertEqual([], self.agent.transactions)
        self.assertEqual([], self.nl.calls)

    def test_foreign_bridge(self):
        self.set_ovs(bridges={'br0': {}})
        self.assert_refused(self.bridge(), 'bridge br0 already exists in '
                            'Open vSwitch', 'no tenks mark')

    def test_adopted_bridge(self):
        self.set_ovs(bridges={'br0': {}})
        self.driver.create('bridge', self.bridge(adopt=True))
        self.assertIn('set Bridge br0 external_ids:tenks-cluster=c1 '
                      'datapath_type=netdev other_config:hwaddr="%s"' % MAC,
                      self.vsctl()[0])

    def test_linux_link_with_bridge_name(self):
        self.nl.add('br0', kind='bridge')
        self.assert_refused(self.bridge(adopt=True), 'bridge br0 already '
                            'exists and is a Linux bridge, not an Open '
                            'vSwitch bridge')

    def test_interface_of_a_linux_bridge(self):
        self.nl.add('eth1', master='breth1')
        self.assert_refused(self.bridge(uplink='eth1'),
                            'uplink eth1 is already a port of breth1')

    def test_interface_of_another_ovs_bridge(self):
        self.nl.add('eth1', master='ovs-system')
        self.set_ovs(bridges={'br-ex': {}},
                     ports={'eth1': {'bridge': 'br-ex'}})
        self.assert_refused(self.bridge(uplink='eth1'), 'uplink eth1 is '
                            'already a port of Open vSwitch bridge br-ex')

    def test_foreign_patch_port(self):
        self.set_ovs(bridges={'br-ex': {}},
                     ports={'p-br0-phy': {'bridge': 'br-ex',
                                          'type': 'patch'}})
        self.assert_refused(self.bridge(uplink='br-ex'),
                            'uplink port of bridge br0 p-br0-phy')

    def test_uplink_change_linux_bridge_to_ovs_bridge(self):
        self.nl.add('breth1', kind='bridge')
        old = self.bridge(uplink='breth1')
        old.outputs = self.driver.create('bridge', old)
        self.set_ovs(bridges={'br0': {'external_ids': OWN}, 'br-ex': {}},
                     ports={'p-br0-ovs': {'bridge': 'br0',
                                          'external_ids': OWN}})
        self.agent.transactions = []
        out = self.driver.update('bridge', old, self.bridge(uplink='br-ex'))
        self.assertEqual('ovs_bridge', out['uplink_kind'])
        cmds = self.vsctl()[0]
        # The veth's port goes, to come back as a patch port.
        self.assertEqual(cmds.index('--if-exists del-port p-br0-ovs') + 1,
                         cmds.index('--may-exist add-port br0 p-br0-ovs'))
        self.assertNotIn('p-br0-phy', self.nl.links)

    def test_uplink_change_interface_to_none(self):
        self.nl.add('eth1')
        old = self.bridge(uplink='eth1')
        old.outputs = self.driver.create('bridge', old)
        self.set_ovs(bridges={'br0': {'external_ids': OWN}},
                     ports={'eth1': {'bridge': 'br0', 'external_ids': OWN}})
        self.agent.transactions = []
        self.driver.update('bridge', old, self.bridge())
        self.assertIn('--if-exists del-port eth1', self.vsctl()[0])
        self.assertIn('eth1', self.nl.links)

    def test_delete_bridge(self):
        self.set_ovs(bridges={'br0': {'external_ids': OWN}, 'br-ex': {}},
                     ports={'p-br0-phy': {'bridge': 'br-ex',
                                          'external_ids': OWN},
                            'p-br0-ovs': {'bridge': 'br0',
                                          'external_ids': OWN}})
        self.driver.delete('bridge', self.bridge(uplink='br-ex'))
        self.assertEqual([['--if-exists del-port p-br0-phy',
                           '--if-exists del-br br0']], self.vsctl())

    def test_delete_foreign_bridge_left_alone(self):
        self.set_ovs(bridges={'br0': {}})
        error = self.assertRaises(exception.ResourceConflict,
                                  self.driver.delete, 'bridge',
                                  self.bridge())
        self.assertIn('Open vSwitch bridge br0 carries no tenks mark',
                      str(error))
        self.assertEqual([], self.agent.transactions)
        self.set_ovs(bridges={'br0': {'external_ids': {
            'tenks-cluster': 'other'}}})
        error = self.assertRaises(exception.ResourceConflict,
                                  self.driver.delete, 'bridge',
                                  self.bridge())
        self.assertIn("is not tenks' (left alone)", str(error))
        self.assertEqual([], self.agent.transactions)

    def test_observe_bridges(self):
        records = []
        for name in ('br0', 'br1', 'br2', 'br3', 'br4'):
            record = self.bridge()
            record.name = 'hv/' + name
            record.props = dict(record.props, name=name)
            records.append(record)
        self.nl.add('br1', kind='bridge')
        self.nl.add('br3', kind='tun', mac=MAC)
        self.nl.add('br4', kind='tun', mac=MAC)
        self.set_ovs(bridges={'br2': {'external_ids': {'tenks-cluster': 'x'}},
                              'br3': {'external_ids': OWN,
                                      'datapath_type': 'netdev'},
                              'br4': {'external_ids': OWN}})
        self.agent.calls = []
        obs = self.observe(*records)
        self.assertEqual(['inspect'], self.agent.calls)
        self.assertFalse(obs[0].exists)
        self.assertEqual((True, False), (obs[1].exists, obs[1].owned))
        self.assertIn('not an Open vSwitch bridge', obs[1].detail)
        self.assertIn('tenks cluster x', obs[2].detail)
        self.assertEqual((True, True, True),
                         (obs[3].exists, obs[3].owned, obs[3].healthy))
        self.assertEqual((True, True, False),
                         (obs[4].exists, obs[4].owned, obs[4].healthy))
        self.assertEqual('datapath type system, not netdev', obs[4].detail)

    def test_observe_uplink_ports(self):
        self.nl.add('br0', kind='tun', mac=MAC)
        self.set_ovs(bridges={'br0': {'external_ids': OWN,
                                      'datapath_type': 'netdev'},
                              'br-ex': {}},
                     ports={'p-br0-ovs': {'bridge': 'br0', 'type': 'patch',
                                          'external_ids': OWN}})
        obs, = self.observe(self.bridge(uplink='br-ex'))
        self.assertEqual('p-br0-phy is not a port of br-ex', obs.detail)

    def test_vif(self):
        self.set_ovs(bridges={'br0': {'external_ids': OWN}})
        self.nl.add('br0', kind='tun', mtu=1450)
        out = self.driver.create('vif', self.vif())
        self.assertEqual({'mtu': 1450}, out)
        self.assertEqual(['ensure_veth'], self.agent.calls)
        self.assertEqual([['--may-exist add-port br0 p-tk0-0-ovs',
                           'set Port p-tk0-0-ovs '
                           'external_ids:tenks-cluster=c1']], self.vsctl())
        self.assertIsNone(self.nl.links['p-tk0-0-ovs']['master'])

    def test_vif_on_vlans(self):
        self.set_ovs(bridges={'br0': {'external_ids': OWN}})
        self.nl.add('br0', kind='tun')
        self.driver.create('vif', self.vif(vlan=100))
        self.assertEqual(['set Port p-tk0-0-ovs tag=100',
                          'clear Port p-tk0-0-ovs trunks'],
                         self.vsctl()[0][2:])
        self.agent.transactions = []
        self.driver.update('vif', self.vif(vlan=100),
                           self.vif(trunk=[100, 200]))
        self.assertEqual(['clear Port p-tk0-0-ovs tag',
                          'set Port p-tk0-0-ovs trunks=100,200'],
                         self.vsctl()[0][2:])
        # Off VLANs again: tenks clears what it set...
        self.agent.transactions = []
        self.driver.update('vif', self.vif(trunk=[100, 200]), self.vif())
        self.assertEqual(['clear Port p-tk0-0-ovs tag',
                          'clear Port p-tk0-0-ovs trunks'],
                         self.vsctl()[0][2:])
        # ...but a NIC without VLANs leaves its port's to others.
        self.agent.transactions = []
        self.driver.create('vif', self.vif())
        self.assertEqual(2, len(self.vsctl()[0]))

    def test_observe_vif_vlans(self):
        self.nl.add('br0', kind='tun')
        self.set_ovs(bridges={'br0': {}})
        records = [self.vif(node='tk0', vlan=100),
                   self.vif(node='tk1', trunk=[100, 200]),
                   self.vif(node='tk2', vlan=100), self.vif(node='tk3')]
        for record in records:
            self.driver.create('vif', record)
        self.set_ovs(bridges={'br0': {}}, ports={
            'p-tk0-0-ovs': {'bridge': 'br0', 'external_ids': OWN,
                            'tag': 100},
            'p-tk1-0-ovs': {'bridge': 'br0', 'external_ids': OWN,
                            'trunks': [100, 200]},
            'p-tk2-0-ovs': {'bridge': 'br0', 'external_ids': OWN,
                            'tag': 300},
            'p-tk3-0-ovs': {'bridge': 'br0', 'external_ids': OWN,
                            'tag': 42}})
        obs = self.observe(*records)
        self.assertEqual([True, True, False, True],
                         [o.healthy for o in obs])
        self.assertEqual('port p-tk2-0-ovs is an access port of VLAN 300, '
                         'not an access port of VLAN 100', obs[2].detail)

    def test_vif_without_bridge_changes_nothing(self):
        err = self.assertRaises(exception.PluginError, self.driver.create,
                                'vif', self.vif())
        self.assertIn('Open vSwitch bridge br0 does not exist on hv',
                      str(err))
        self.assertEqual([], self.nl.calls)

    def test_vif_foreign_port_changes_nothing(self):
        self.set_ovs(bridges={'br0': {}},
                     ports={'p-tk0-0-ovs': {'bridge': 'br0'}})
        self.assertRaises(exception.ResourceConflict, self.driver.create,
                          'vif', self.vif())
        self.assertEqual([], self.nl.calls)
        self.assertEqual([], self.agent.transactions)

    def test_vif_port_moves_from_another_bridge(self):
        self.set_ovs(bridges={'br0': {}, 'old': {}},
                     ports={'p-tk0-0-ovs': {'bridge': 'old',
                                            'external_ids': OWN}})
        self.driver.create('vif', self.vif())
        self.assertEqual(['--if-exists del-port p-tk0-0-ovs',
                          '--may-exist add-port br0 p-tk0-0-ovs'],
                         self.vsctl()[0][:2])

    def test_delete_vif(self):
        self.set_ovs(bridges={'br0': {}},
                     ports={'p-tk0-0-ovs': {'bridge': 'br0',
                                            'external_ids': OWN}})
        self.nl.add('br0', kind='tun')
        self.driver.create('vif', self.vif())
        self.agent.transactions = []
        self.driver.delete('vif', self.vif())
        self.assertEqual([['--if-exists del-port p-tk0-0-ovs']],
                         self.vsctl())
        self.assertEqual(['br0'], sorted(self.nl.links))
        # A foreign port is left alone.
        self.set_ovs(bridges={'br0': {}},
                     ports={'p-tk0-0-ovs': {'bridge': 'br0'}})
        self.agent.transactions = []
        self.driver.delete('vif', self.vif())
        self.assertEqual([], self.agent.transactions)

    def test_observe_vifs(self):
        self.nl.add('br0', kind='tun')
        self.set_ovs(bridges={'br0': {}})
        records = [self.vif(node='tk%d' % i) for i in range(3)]
        for record in records:
            self.driver.create('vif', record)
        # tk1's port was deleted, tk2's moved to another bridge.
        self.set_ovs(bridges={'br0': {}, 'other': {}}, ports={
            'p-tk0-0-ovs': {'bridge': 'br0', 'external_ids': OWN},
            'p-tk2-0-ovs': {'bridge': 'other', 'external_ids': OWN}})
        self.agent.calls = []
        obs = self.observe(*records)
        self.assertEqual(['inspect'], self.agent.calls)
        self.assertTrue(obs[0].healthy)
        self.assertEqual('p-tk1-0-ovs is not a port of br0', obs[1].detail)
        self.assertEqual('p-tk2-0-ovs is not a port of br0', obs[2].detail)
