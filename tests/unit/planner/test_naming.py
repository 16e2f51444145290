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

import re
import uuid

from tenks.planner import naming
from tests.unit import base

_MAC = re.compile(r'^([0-9a-f]{2}:){5}[0-9a-f]{2}$')


class BridgeNameTest(base.TestCase):

    def test_prefix_and_index(self):
        self.assertEqual('brtenks0', naming.bridge_name('brtenks', 0))
        self.assertEqual('brb12', naming.bridge_name('brb', 12))

    def test_longer_than_ifnamsiz_is_refused(self):
        self.assertEqual('abcdefghijklm12',
                         naming.bridge_name('abcdefghijklm', 12))
        err = self.assertRaises(naming.NamingError, naming.bridge_name,
                                'abcdefghijklm', 123)
        self.assertEqual('bridge name abcdefghijklm123 is 16 characters; '
                         'Linux allows 15', str(err))

    def test_naming_error_is_a_value_error(self):
        self.assertTrue(issubclass(naming.NamingError, ValueError))


class ShortNodeNameTest(base.TestCase):

    def test_short_names_are_kept(self):
        self.assertEqual('tk0', naming.short_node_name('tk0'))
        self.assertEqual('big123', naming.short_node_name('big123'))

    def test_trailing_digits_are_kept(self):
        self.assertEqual('comp12', naming.short_node_name('compute12'))
        self.assertEqual('compu0', naming.short_node_name('computeA0'))
        self.assertEqual('n12345', naming.short_node_name('node12345'))

    def test_name_without_digits_is_cut(self):
        self.assertEqual('comput', naming.short_node_name('computenode'))

    def test_six_digits_do_not_fit(self):
        self.assertEqual('123456', naming.short_node_name('123456'))
        err = self.assertRaises(naming.NamingError,
                                naming.short_node_name, 'n123456')
        self.assertIn('node name n123456 has too many trailing digits',
                      str(err))


class LinkNamesTest(base.TestCase):

    def test_node_and_bridge_ends(self):
        self.assertEqual(('p-tk0-0-tap', 'p-tk0-0-ovs'),
                         naming.link_names('p-', 'tk0', 0, '-ovs'))
        self.assertEqual(('p-comp12-3-tap', 'p-comp12-3-br'),
                         naming.link_names('p-', 'compute12', 3, '-br'))

    def test_long_node_end_is_refused(self):
        err = self.assertRaises(naming.NamingError, naming.link_names,
                                'abcd', 'compute12', 10, '-br')
        self.assertEqual('link of node compute12 name abcdcomp12-10-tap is '
                         '17 characters; Linux allows 15', str(err))

    def test_long_bridge_end_is_refused(self):
        # The node end fits; the network plugin's suffix makes the bridge
        # end too long.
        self.assertEqual(('p-tk0-0-tap', 'p-tk0-0-toolong'),
                         naming.link_names('p-', 'tk0', 0, '-toolong'))
        err = self.assertRaises(naming.NamingError, naming.link_names,
                                'p-', 'tk0', 0, '-tooolong')
        self.assertIn('p-tk0-0-tooolong is 16 characters', str(err))

    def test_node_name_with_too_many_digits_is_refused(self):
        self.assertRaises(naming.NamingError, naming.link_names,
                          'p-', 'n1234567', 0, '-br')


class UplinkNamesTest(base.TestCase):

    def test_source_and_bridge_side(self):
        self.assertEqual(('p-brtenks0-phy', 'p-brtenks0-ovs'),
                         naming.uplink_names('p-', 'brtenks0', '-ovs'))

    def test_long_uplink_is_refused(self):
        err = self.assertRaises(naming.NamingError, naming.uplink_names,
                                'p-', 'abcdefghij0', '-ovs')
        self.assertEqual('uplink of bridge abcdefghij0 name '
                         'p-abcdefghij0-phy is 17 characters; Linux allows '
                         '15', str(err))


class VolumeNameTest(base.TestCase):

    def test_node_prefix_and_index(self):
        self.assertEqual('tk0vol1', naming.volume_name('tk0', 'vol', 1))
        self.assertEqual('big3-disk0', naming.volume_name('big3', '-disk', 0))


class NodeUuidTest(base.TestCase):

    def test_stable_for_seed_and_name(self):
        first = naming.node_uuid(base.SEED, 'tk0')
        self.assertEqual(first, naming.node_uuid(base.SEED, 'tk0'))
        self.assertEqual(5, uuid.UUID(first).version)
        self.assertEqual(first, str(uuid.UUID(first)))

    def test_differs_by_seed_and_name(self):
        first = naming.node_uuid(base.SEED, 'tk0')
        self.assertNotEqual(first, naming.node_uuid(base.SEED, 'tk1'))
        self.assertNotEqual(first, naming.node_uuid('other-seed', 'tk0'))


class MacAddressTest(base.TestCase):

    def test_stable_qemu_address(self):
        mac = naming.mac_address(base.SEED, 'uuid-0', 'physnet1')
        self.assertRegex(mac, _MAC)
        self.assertTrue(mac.startswith('52:54:00:'))
        self.assertEqual(mac, naming.mac_address(base.SEED, 'uuid-0',
                                                 'physnet1'))

    def test_parts_seed_and_attempt_change_it(self):
        mac = naming.mac_address(base.SEED, 'uuid-0', 'physnet1')
        others = [naming.mac_address(base.SEED, 'uuid-0', 'physnet2'),
                  naming.mac_address(base.SEED, 'uuid-1', 'physnet1'),
                  naming.mac_address('other-seed', 'uuid-0', 'physnet1'),
                  naming.mac_address(base.SEED, 'uuid-0', 'physnet1',
                                     attempt=1)]
        self.assertNotIn(mac, others)
        self.assertEqual(len(others), len(set(others)))

    def test_oui(self):
        mac = naming.mac_address(base.SEED, 'x', oui='aa:bb:cc')
        self.assertTrue(mac.startswith('aa:bb:cc:'))
        self.assertEqual(mac[8:], naming.mac_address(base.SEED, 'x')[8:])

    def test_bridge_mac(self):
        mac = naming.bridge_mac(base.SEED, 'hv0', 'physnet1')
        self.assertRegex(mac, _MAC)
        self.assertTrue(mac.startswith('02:54:00:'))
        self.assertEqual(mac, naming.bridge_mac(base.SEED, 'hv0',
                                                'physnet1'))
        self.assertNotEqual(mac, naming.bridge_mac(base.SEED, 'hv1',
                                                   'physnet1'))
        self.assertNotEqual(mac, naming.bridge_mac(base.SEED, 'hv0',
                                                   'physnet2'))


class LowestFreeIndexTest(base.TestCase):

    def test_lowest_gap(self):
        self.assertEqual(0, naming.lowest_free_index('tk', set()))
        self.assertEqual(2, naming.lowest_free_index(
            'tk', {'tk0', 'tk1', 'tk3'}))

    def test_other_prefixes_do_not_count(self):
        self.assertEqual(0, naming.lowest_free_index('tk', {'big0', 'tk'}))

    def test_from_start(self):
        self.assertEqual(4, naming.lowest_free_index(
            'tk', {'tk0', 'tk3'}, start=3))
        self.assertEqual(5, naming.lowest_free_index('tk', set(), start=5))
