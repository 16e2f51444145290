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

"""Marks, conflicts and uplink classification (pure logic)."""

from tenks import exception
from tenks.networks import marks
from tenks.networks import uplink
from tests.unit import base

MARK = 'tenks:c1'


def link(kind=None, alias=None, mtu=1500):
    return {'name': 'x', 'kind': kind, 'alias': alias, 'mtu': mtu}


class MarksTest(base.TestCase):

    def test_mark(self):
        self.assertEqual('tenks:c1', marks.link_mark('c1'))

    def test_absent_and_own_links_pass(self):
        marks.check_link('bridge', 'br0', None, MARK)
        marks.check_link('bridge', 'br0', link('bridge', MARK), MARK,
                         kind='bridge')
        self.assertTrue(marks.link_owned(link('veth', MARK), MARK))
        self.assertFalse(marks.link_owned(None, MARK))

    def test_unmarked_link_is_a_conflict_naming_it(self):
        err = self.assertRaises(exception.ResourceConflict,
                                marks.check_link, 'bridge', 'br0',
                                link('bridge'), MARK)
        self.assertIn('bridge br0 already exists', str(err))
        self.assertIn('no tenks mark', str(err))

    def test_other_cluster_is_a_conflict(self):
        err = self.assertRaises(exception.ResourceConflict,
                                marks.check_link, 'link', 'v0',
                                link('veth', 'tenks:c2'), MARK)
        self.assertIn('tenks cluster c2', str(err))

    def test_user_alias_is_shown(self):
        self.assertEqual("its alias is 'uplink to rack 3'",
                         marks.link_problem(link(None, 'uplink to rack 3'),
                                            MARK))

    def test_adopt_takes_an_unmarked_link(self):
        marks.check_link('bridge', 'br0', link('bridge'), MARK, adopt=True,
                         kind='bridge')

    def test_wrong_kind_is_a_conflict_even_adopting(self):
        err = self.assertRaises(exception.ResourceConflict,
                                marks.check_link, 'bridge', 'br0',
                                link('veth', MARK), MARK, adopt=True,
                                kind='bridge')
        self.assertIn('is a veth link, not a Linux bridge', str(err))

    def test_link_problem(self):
        self.assertIsNone(marks.link_problem(None, MARK))
        self.assertIsNone(marks.link_problem(link('veth', MARK), MARK,
                                             'veth'))
        self.assertEqual('it is a physical interface, not a veth link',
                         marks.link_problem(link(None, MARK), MARK, 'veth'))

    def test_ovs_marks(self):
        own = {'external_ids': {'tenks-cluster': 'c1'}}
        other = {'external_ids': {'tenks-cluster': 'c2'}}
        bare = {'external_ids': {}}
        self.assertTrue(marks.ovs_owned(own, 'c1'))
        self.assertFalse(marks.ovs_owned(other, 'c1'))
        self.assertIsNone(marks.ovs_problem(own, 'c1'))
        self.assertIsNone(marks.ovs_problem(None, 'c1'))
        self.assertEqual('it belongs to tenks cluster c2',
                         marks.ovs_problem(other, 'c1'))
        marks.check_ovs('port', 'p', own, 'c1')
        marks.check_ovs('port', 'p', bare, 'c1', adopt=True)
        err = self.assertRaises(exception.ResourceConflict,
                                marks.check_ovs, 'port', 'p0', bare, 'c1')
        self.assertIn('port p0 already exists in Open vSwitch', str(err))


class UplinkTest(base.TestCase):

    def test_none_is_isolated(self):
        self.assertIsNone(uplink.classify('br0', None, None))

    def test_ovs_bridge_first(self):
        # A netdev OVS bridge is a tap in netlink: the OVS list decides.
        self.assertEqual(uplink.OVS_BRIDGE, uplink.classify(
            'br0', 'br-ex', link('tun'), ['br-ex']))
        self.assertEqual(uplink.OVS_BRIDGE, uplink.classify(
            'br0', 'br-ex', None, ['br-ex']))

    def test_linux_bridge(self):
        self.assertEqual(uplink.LINUX_BRIDGE, uplink.classify(
            'br0', 'breth1', link('bridge'), ['br-ex']))

    def test_anything_else_is_an_interface(self):
        for kind in (None, 'veth', 'tun', 'vlan', 'bond'):
            self.assertEqual(uplink.INTERFACE, uplink.classify(
                'br0', 'eth1', link(kind)))

    def test_missing_uplink_names_bridge_uplink_and_host(self):
        err = self.assertRaises(exception.PluginError, uplink.classify,
                                'brtenks0', 'eth9', None, ['br-ex'],
                                host='hv1')
        self.assertIn('bridge brtenks0: uplink eth9 does not exist on hv1',
                      str(err))

    def test_bad_names_refused(self):
        for bad in ('', 'a' * 16, 'a/b', 'a b', '..', 7):
            err = self.assertRaises(exception.PluginError, uplink.classify,
                                    'br0', bad, None)
            self.assertIn('bridge br0: uplink', str(err))

    def test_bridge_is_not_its_own_uplink(self):
        err = self.assertRaises(exception.PluginError, uplink.classify,
                                'br0', 'br0', link('bridge'))
        self.assertIn('its own uplink', str(err))

    def test_effective_mtu(self):
        self.assertEqual(9000, uplink.effective_mtu(9000, link(mtu=1400)))
        self.assertEqual(1400, uplink.effective_mtu(None, link(mtu=1400)))
        self.assertEqual(1500, uplink.effective_mtu(None, None))
