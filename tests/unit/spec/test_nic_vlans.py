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

"""Node NICs on VLANs: from the spec to the vif records and the plan."""

from tenks.spec import model
from tests.unit import base
from tests.unit.planner import helpers

SPEC = '''
node_types:
  t0:
    memory_mb: 256
    vcpus: 1
    physical_networks: %s
specs:
  - type: t0
    count: 1
physnet_mappings:
  physnet1: null
  physnet2: null
  physnet3: null
bridge_type: openvswitch
'''

NICS = ('[physnet1, {name: physnet2, vlan: 100}, '
        '{name: physnet3, trunk: [300, 200]}]')


class NicVlansTest(base.TestCase):

    def node_type(self, nics=NICS):
        return self.spec(SPEC % nics).node_types['t0']

    def vifs(self, state, nics=NICS):
        desired, the_plan = helpers.plan(self.spec(SPEC % nics), state)
        return ({r.props['physnet']: r.props
                 for r in desired.resources.values() if r.kind == 'vif'},
                the_plan)

    def test_spec(self):
        node_type = self.node_type()
        self.assertEqual(('physnet1', 'physnet2', 'physnet3'),
                         node_type.physical_networks)
        self.assertEqual((('physnet2', model.NicVlans(vlan=100)),
                          ('physnet3', model.NicVlans(trunk=(200, 300)))),
                         node_type.nic_vlans)
        self.assertEqual({}, node_type.vlans('physnet1'))
        self.assertEqual({'vlan': 100}, node_type.vlans('physnet2'))
        self.assertEqual({'trunk': [200, 300]}, node_type.vlans('physnet3'))

    def test_vif_props(self):
        vifs, _plan = self.vifs(self.empty_state())
        # A NIC without VLANs has props as before VLANs existed.
        self.assertFalse({'vlan', 'trunk'} & set(vifs['physnet1']))
        self.assertEqual(100, vifs['physnet2']['vlan'])
        self.assertNotIn('trunk', vifs['physnet2'])
        self.assertEqual([200, 300], vifs['physnet3']['trunk'])
        self.assertNotIn('vlan', vifs['physnet3'])

    def test_vlan_change_updates_the_vif_in_place(self):
        state = self.empty_state()
        _vifs, first = self.vifs(state)
        helpers.apply(state, first)
        _vifs, again = self.vifs(state)
        self.assertEqual([], helpers.ops(again))
        vifs, changed = self.vifs(state, '[{name: physnet1, vlan: 7}, '
                                         '{name: physnet2, vlan: 101}, '
                                         'physnet3]')
        self.assertEqual({('update', 'vif')},
                         {(op, kind) for op, kind, _n in
                          helpers.ops(changed)})
        self.assertEqual(3, len(helpers.ops(changed)))
        self.assertEqual(7, vifs['physnet1']['vlan'])
        self.assertNotIn('trunk', vifs['physnet3'])

    def test_node_keeps_its_macs(self):
        state = self.empty_state()
        _vifs, first = self.vifs(state)
        helpers.apply(state, first)
        macs = [n['mac'] for n in
                list(state.nodes.values())[0]['nics']]
        helpers.apply(state, self.vifs(state, '[physnet1, physnet2, '
                                              'physnet3]')[1])
        self.assertEqual(macs, [n['mac'] for n in
                                list(state.nodes.values())[0]['nics']])
