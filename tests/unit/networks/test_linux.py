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

"""The host-side netlink functions, against a fake netlink."""

from tenks import exception
from tenks.networks import linux
from tests.unit import base
from tests.unit.networks import fakes

MARK = 'tenks:c1'


class LinuxTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.nl = fakes.FakeNetlink()
        self.patch(linux, '_netlink', lambda: self.nl)

    def changes(self):
        return list(self.nl.calls)


class EnsureVethTest(LinuxTestCase):

    def setUp(self):
        super().setUp()
        self.nl.add('br0', kind='bridge', alias=MARK, mtu=1400)

    def ensure(self, **kwargs):
        args = dict(name='n-tap', peer='n-br', mark=MARK,
                    masters={'n-br': 'br0'}, mtu_from='br0')
        args.update(kwargs)
        return linux.ensure_veth(**args)

    def test_creates_marked_plugged_up_pair_with_bridge_mtu(self):
        out = self.ensure()
        self.assertTrue(out['created'])
        self.assertEqual(1400, out['mtu'])
        tap, br = self.nl.links['n-tap'], self.nl.links['n-br']
        self.assertEqual(('n-br', 'n-tap'), (tap['peer'], br['peer']))
        self.assertEqual([MARK, MARK], [tap['alias'], br['alias']])
        self.assertEqual([True, True], [tap['up'], br['up']])
        self.assertEqual((None, 'br0'), (tap['master'], br['master']))
        self.assertEqual([1400, 1400], [tap['mtu'], br['mtu']])

    def test_explicit_mtu_wins(self):
        self.assertEqual(9000, self.ensure(mtu=9000)['mtu'])
        self.assertEqual(9000, self.nl.links['n-tap']['mtu'])

    def test_second_ensure_changes_nothing(self):
        self.ensure()
        self.nl.calls = []
        out = self.ensure()
        self.assertFalse(out['created'])
        self.assertEqual({'n-tap': [], 'n-br': []}, out['changed'])
        self.assertEqual([], self.changes())

    def test_repairs_in_place(self):
        self.ensure()
        index = self.nl.links['n-tap']['index']
        self.nl.links['n-br'].update(master=None, up=False)
        self.nl.calls = []
        out = self.ensure(mtu=1300)
        self.assertFalse(out['created'])
        self.assertEqual(['master', 'mtu', 'up'], out['changed']['n-br'])
        self.assertEqual(['mtu'], out['changed']['n-tap'])
        self.assertEqual('br0', self.nl.links['n-br']['master'])
        self.assertEqual(index, self.nl.links['n-tap']['index'])

    def test_foreign_end_is_a_conflict_and_nothing_changes(self):
        self.nl.add('n-br', kind='veth', peer='other')
        self.nl.add('other', kind='veth', peer='n-br')
        err = self.assertRaises(exception.ResourceConflict, self.ensure)
        self.assertIn('link n-br already exists', str(err))
        self.assertEqual([], self.changes())

    def test_adopt_takes_an_unmarked_pair(self):
        self.nl.add('n-tap', kind='veth', peer='n-br')
        self.nl.add('n-br', kind='veth', peer='n-tap')
        out = self.ensure(adopt=True)
        self.assertFalse(out['created'])
        self.assertEqual(MARK, self.nl.links['n-tap']['alias'])

    def test_wrong_kind_refused_even_adopting(self):
        self.nl.add('n-br', kind='tun')
        err = self.assertRaises(exception.ResourceConflict, self.ensure,
                                adopt=True)
        self.assertIn('is a tap device, not a veth link', str(err))
        self.assertEqual([], self.changes())

    def test_own_links_no_longer_paired_are_remade(self):
        self.nl.add('n-tap', kind='veth', alias=MARK, peer='x')
        self.nl.add('x', kind='veth', alias=MARK, peer='n-tap')
        out = self.ensure()
        self.assertTrue(out['created'])
        self.assertEqual('n-br', self.nl.links['n-tap']['peer'])
        self.assertNotIn('x', self.nl.links)

    def test_missing_bridge(self):
        err = self.assertRaises(exception.PluginError, self.ensure,
                                masters={'n-br': 'nobr'}, what='vif hv/n')
        self.assertEqual('vif hv/n: bridge nobr does not exist', str(err))
        self.assertEqual([], self.changes())

    def test_master_must_be_a_linux_bridge(self):
        self.nl.add('ovsbr', kind='openvswitch')
        err = self.assertRaises(exception.PluginError, self.ensure,
                                masters={'n-br': 'ovsbr'})
        self.assertIn('ovsbr is an Open vSwitch port, not a Linux bridge',
                      str(err))

    def test_none_master_releases_from_linux_bridge_only(self):
        self.ensure()
        self.ensure(masters={'n-br': None})
        self.assertIsNone(self.nl.links['n-br']['master'])
        self.nl.add('ovs-system', kind='openvswitch')
        self.nl.links['n-br']['master'] = 'ovs-system'
        self.ensure(masters={'n-br': None})
        self.assertEqual('ovs-system', self.nl.links['n-br']['master'])


class EnsureBridgeTest(LinuxTestCase):

    LINKS = ['p-br0-phy', 'p-br0-br']

    def ensure(self, **kwargs):
        args = dict(name='br0', mark=MARK, mac='02:54:00:00:00:01',
                    uplink_links=self.LINKS)
        args.update(kwargs)
        return linux.ensure_bridge(**args)

    def test_isolated(self):
        out = self.ensure()
        self.assertEqual({'uplink': None, 'uplink_kind': None, 'mtu': 1500},
                         out)
        br = self.nl.links['br0']
        self.assertEqual(('bridge', MARK, True, '02:54:00:00:00:01'),
                         (br['kind'], br['alias'], br['up'], br['mac']))
        self.assertEqual(['br0'], sorted(self.nl.links))

    def test_idempotent(self):
        self.ensure()
        self.nl.calls = []
        self.ensure()
        self.assertEqual([], self.changes())

    def test_mac_and_mtu_converge(self):
        self.ensure()
        self.ensure(mac='02:54:00:00:00:02', mtu=9000)
        br = self.nl.links['br0']
        self.assertEqual(('02:54:00:00:00:02', 9000), (br['mac'], br['mtu']))

    def test_interface_uplink_plugged_and_up_not_otherwise_touched(self):
        self.nl.add('eth1', mtu=9000, up=False, alias='to rack')
        out = self.ensure(uplink='eth1')
        self.assertEqual(('interface', 9000), (out['uplink_kind'],
                                               out['mtu']))
        eth = self.nl.links['eth1']
        self.assertEqual(('br0', True, 'to rack', 9000),
                         (eth['master'], eth['up'], eth['alias'],
                          eth['mtu']))
        self.assertEqual(9000, self.nl.links['br0']['mtu'])

    def test_interface_of_another_bridge_is_a_conflict(self):
        self.nl.add('other', kind='bridge')
        self.nl.add('eth1', master='other')
        err = self.assertRaises(exception.ResourceConflict, self.ensure,
                                uplink='eth1')
        self.assertIn('bridge br0: uplink eth1 is already a port of other',
                      str(err))
        self.assertEqual([], self.changes())

    def test_linux_bridge_uplink_joined_by_veth(self):
        self.nl.add('breth1', kind='bridge', mtu=1450)
        out = self.ensure(uplink='breth1')
        self.assertEqual('linux_bridge', out['uplink_kind'])
        phy, side = (self.nl.links[n] for n in self.LINKS)
        self.assertEqual(('breth1', 'br0'), (phy['master'], side['master']))
        self.assertEqual([MARK, MARK], [phy['alias'], side['alias']])
        self.assertEqual([1450, 1450, 1450],
                         [phy['mtu'], side['mtu'],
                          self.nl.links['br0']['mtu']])
        # The uplink bridge itself is not changed.
        self.assertIsNone(self.nl.links['breth1']['alias'])

    def test_ovs_uplink_veth_left_for_ovs(self):
        self.nl.add('br-ex', kind='tun')
        out = self.ensure(uplink='br-ex', ovs_bridges=['br-ex'])
        self.assertEqual('ovs_bridge', out['uplink_kind'])
        phy, side = (self.nl.links[n] for n in self.LINKS)
        self.assertEqual((None, 'br0'), (phy['master'], side['master']))

    def test_foreign_uplink_link_conflict_before_any_change(self):
        self.nl.add('breth1', kind='bridge')
        self.nl.add('p-br0-phy', kind='veth', peer='zz')
        err = self.assertRaises(exception.ResourceConflict, self.ensure,
                                uplink='breth1')
        self.assertIn('uplink link of bridge br0 p-br0-phy', str(err))
        self.assertNotIn('br0', self.nl.links)
        self.assertEqual([], self.changes())

    def test_foreign_bridge_conflict(self):
        self.nl.add('br0', kind='bridge', alias='tenks:c2')
        err = self.assertRaises(exception.ResourceConflict, self.ensure)
        self.assertIn('bridge br0 already exists', str(err))
        self.assertIn('tenks cluster c2', str(err))
        self.assertEqual([], self.changes())

    def test_missing_uplink(self):
        err = self.assertRaises(exception.PluginError, self.ensure,
                                uplink='eth9', host='hv1')
        self.assertIn('uplink eth9 does not exist on hv1', str(err))
        self.assertEqual([], self.changes())

    def test_check_only_changes_nothing(self):
        self.nl.add('eth1')
        out = self.ensure(uplink='eth1', check_only=True)
        self.assertEqual('interface', out['uplink_kind'])
        self.assertEqual([], self.changes())

    def test_uplink_change_releases_and_removes_what_served_the_old(self):
        self.nl.add('eth1')
        self.nl.add('breth1', kind='bridge')
        self.ensure(uplink='breth1')
        self.ensure(uplink='eth1', previous_uplink='breth1')
        self.assertEqual('br0', self.nl.links['eth1']['master'])
        for name in self.LINKS:
            self.assertNotIn(name, self.nl.links)
        self.ensure(uplink=None, previous_uplink='eth1')
        self.assertIsNone(self.nl.links['eth1']['master'])
        self.assertIn('eth1', self.nl.links)


class DeleteTest(LinuxTestCase):

    def test_delete_bridge_releases_uplink_and_keeps_it(self):
        self.nl.add('eth1')
        linux.ensure_bridge('br0', MARK, uplink='eth1',
                            uplink_links=['p-phy', 'p-br'])
        out = linux.delete_bridge('br0', MARK, uplink='eth1',
                                  uplink_links=['p-phy', 'p-br'])
        self.assertEqual({'deleted': ['br0'], 'released': ['eth1'],
                          'foreign': [], 'unmarked': []}, out)
        self.assertEqual(['eth1'], sorted(self.nl.links))
        self.assertIsNone(self.nl.links['eth1']['master'])

    def test_delete_bridge_with_veth_uplink(self):
        self.nl.add('breth1', kind='bridge')
        linux.ensure_bridge('br0', MARK, uplink='breth1',
                            uplink_links=['p-phy', 'p-br'])
        out = linux.delete_bridge('br0', MARK, uplink='breth1',
                                  uplink_links=['p-phy', 'p-br'])
        self.assertEqual(['p-phy', 'p-br', 'br0'], out['deleted'])
        self.assertEqual(['breth1'], sorted(self.nl.links))

    def test_foreign_bridge_left_alone(self):
        self.nl.add('eth1', master='br0')
        self.nl.add('br0', kind='bridge')
        out = linux.delete_bridge('br0', MARK, uplink='eth1',
                                  uplink_links=['p-phy', 'p-br'])
        self.assertEqual(['br0'], out['foreign'])
        self.assertEqual([], self.changes())
        self.assertEqual('br0', self.nl.links['eth1']['master'])

    def test_delete_links(self):
        self.nl.add('a', kind='veth', alias=MARK, peer='b')
        self.nl.add('b', kind='veth', alias=MARK, peer='a')
        self.nl.add('c', kind='veth', peer='d')
        self.nl.add('e', kind='veth', alias='tenks:other', peer='f')
        out = linux.delete_links(['a', 'b', 'c', 'e', 'gone'], MARK)
        self.assertEqual({'deleted': ['a', 'b'], 'foreign': ['c', 'e'],
                          'unmarked': ['c']}, out)
        self.assertEqual([('delete', 'a')], self.changes())
        self.assertIn('c', self.nl.links)

    def test_delete_links_keeps_an_own_end_whose_peer_is_not(self):
        # Deleting 'a' would delete its unmarked peer 'b' too.
        self.nl.add('a', kind='veth', alias=MARK, peer='b')
        self.nl.add('b', kind='veth', peer='a')
        out = linux.delete_links(['b', 'a'], MARK)
        self.assertEqual({'deleted': [], 'foreign': ['b'],
                          'unmarked': ['b']}, out)
        self.assertEqual([], self.changes())

    def test_delete_links_adopting_takes_unmarked_ones_only(self):
        # A run killed between making a pair and marking it left 'c'.
        self.nl.add('c', kind='veth', peer='d')
        self.nl.add('e', kind='veth', alias='tenks:other', peer='f')
        self.nl.add('g', kind='bridge')
        out = linux.delete_links(['c', 'e', 'g'], MARK, adopt=True)
        self.assertEqual({'deleted': ['c'], 'foreign': ['e', 'g'],
                          'unmarked': []}, out)
        self.assertEqual([('delete', 'c')], self.changes())

    def test_set_up_and_inspect(self):
        self.nl.add('a', up=False)
        self.nl.add('b')
        self.assertEqual(['a'], linux.set_up(['a', 'b', 'gone']))
        self.assertEqual(['a', 'b'], sorted(linux.inspect()))
        self.assertEqual(['b'], sorted(linux.inspect(['b', 'gone'])))
