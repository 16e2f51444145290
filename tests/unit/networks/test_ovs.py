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

"""ovs-vsctl commands and output parsing."""

import os

from tenks import exception
from tenks.hosts import base as hosts_base
from tenks.networks import ovs
from tests.unit import base
from tests.unit.networks import fakes

DATA = os.path.join(os.path.dirname(__file__), 'data')


class ParseTest(base.TestCase):

    def test_real_output(self):
        # Captured from ovs-vsctl 3.1: two netdev bridges joined by patch
        # ports, one bridge and one patch port marked, an access port of
        # VLAN 100 and a trunk of VLANs 100 and 200.
        with open(os.path.join(DATA, 'ovs-vsctl-snapshot.txt')) as f:
            snap = ovs.parse_snapshot(f.read())
        self.assertEqual({
            'brzq03': {'external_ids': {'tenks-cluster': 'c1'},
                       'datapath_type': 'netdev',
                       'ports': ['brzq03', 'pxzq03', 'tazq03', 'trzq03']},
            'upzq03': {'external_ids': {}, 'datapath_type': 'netdev',
                       'ports': ['pyzq03', 'upzq03']}}, snap['bridges'])
        self.assertEqual({'external_ids': {'tenks-cluster': 'c1'},
                          'bridge': 'brzq03', 'type': 'patch',
                          'peer': 'pyzq03', 'tag': None, 'trunks': []},
                         snap['ports']['pxzq03'])
        self.assertEqual({'external_ids': {}, 'bridge': 'upzq03',
                          'type': 'internal', 'peer': None, 'tag': None,
                          'trunks': []}, snap['ports']['upzq03'])
        self.assertEqual((100, []), (snap['ports']['tazq03']['tag'],
                                     snap['ports']['tazq03']['trunks']))
        self.assertEqual((None, [100, 200]), (
            snap['ports']['trzq03']['tag'],
            snap['ports']['trzq03']['trunks']))

    def test_single_port_written_as_atom(self):
        snap = fakes.ovs_snapshot(
            bridges={'b': {}}, ports={'b': {'bridge': 'b'}})
        self.assertEqual(snap, ovs.parse_snapshot(fakes.snapshot_text(snap)))

    def test_empty(self):
        self.assertEqual({'bridges': {}, 'ports': {}}, ovs.parse_snapshot(
            fakes.snapshot_text({'bridges': {}, 'ports': {}})))

    def test_garbage(self):
        self.assertRaises(exception.PluginError, ovs.parse_snapshot, '{}')


class CommandsTest(base.TestCase):

    def test_port_vlans(self):
        self.assertEqual([['set', 'Port', 'p', 'tag=100'],
                          ['clear', 'Port', 'p', 'trunks']],
                         ovs.port_vlans('p', vlan=100))
        self.assertEqual([['clear', 'Port', 'p', 'tag'],
                          ['set', 'Port', 'p', 'trunks=100,200']],
                         ovs.port_vlans('p', trunk=[100, 200]))
        self.assertEqual([['clear', 'Port', 'p', 'tag'],
                          ['clear', 'Port', 'p', 'trunks']],
                         ovs.port_vlans('p'))

    def test_ensure_bridge(self):
        self.assertEqual([
            ['--may-exist', 'add-br', 'br0'],
            ['set', 'Bridge', 'br0', 'external_ids:tenks-cluster=c1',
             'datapath_type=netdev',
             'other_config:hwaddr="02:54:00:00:00:01"'],
            ['set', 'Interface', 'br0', 'mtu_request=1400']],
            ovs.ensure_bridge('br0', 'c1', 'netdev', '02:54:00:00:00:01',
                              1400))
        self.assertEqual(['clear', 'Interface', 'br0', 'mtu_request'],
                         ovs.ensure_bridge('br0', 'c1')[-1])

    def test_ports(self):
        self.assertEqual([['--may-exist', 'add-port', 'br0', 'p'],
                          ['set', 'Port', 'p',
                           'external_ids:tenks-cluster=c1']],
                         ovs.add_port('br0', 'p', 'c1'))
        self.assertEqual(['set', 'Interface', 'p', 'type=patch',
                          'options:peer=q'],
                         ovs.add_port('br0', 'p', 'c1', peer='q')[-1])
        self.assertEqual([['--if-exists', 'del-port', 'p']],
                         ovs.del_port('p'))
        self.assertEqual([['--if-exists', 'del-br', 'b']],
                         ovs.del_bridge('b'))


class OVSTest(base.TestCase):

    def test_transaction_is_one_argument_list(self):
        agent = fakes.FakeAgent(fakes.FakeNetlink(), ovs=fakes.ovs_snapshot())
        ovs.OVS(agent, timeout=7).transact(
            ovs.del_port('p') + ovs.del_bridge('b'))
        self.assertEqual([['ovs-vsctl', '--timeout=7', '--', '--if-exists',
                           'del-port', 'p', '--', '--if-exists', 'del-br',
                           'b']], agent.transactions)

    def test_nothing_to_do_runs_nothing(self):
        agent = fakes.FakeAgent(fakes.FakeNetlink(), ovs=fakes.ovs_snapshot())
        ovs.OVS(agent).transact([])
        self.assertEqual([], agent.transactions)

    def test_snapshot_without_ovs(self):
        agent = fakes.FakeAgent(fakes.FakeNetlink(), ovs=None)
        self.assertIsNone(ovs.OVS(agent).snapshot(required=False))
        err = self.assertRaises(exception.PluginError,
                                ovs.OVS(agent).snapshot)
        self.assertIn('Open vSwitch does not answer on fakehost', str(err))

    def test_failed_transaction(self):
        agent = fakes.FakeAgent(fakes.FakeNetlink(), ovs=fakes.ovs_snapshot())

        def fail(argv, **kwargs):
            raise hosts_base.CommandError(argv, 1, '', 'ovs-vsctl: no bridge')
        agent.run = fail
        err = self.assertRaises(exception.PluginError,
                                ovs.OVS(agent).transact, ovs.del_bridge('b'))
        self.assertIn('no bridge', str(err))
