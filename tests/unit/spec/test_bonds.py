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

"""Several NICs on one physnet, bonded: from the spec to the records."""

from tenks.planner import naming
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
    node_name_prefix: bm
    ironic_config:
      resource_class: rc
physnet_mappings:
  physnet1: null
  physnet2: null
'''

BONDED = ('[physnet1, {name: physnet2, nics: 2, bond: {mode: 802.3ad, '
          'properties: {miimon: 100, xmit_hash_policy: layer3+4}}}]')


class BondsTest(base.TestCase):

    def node_type(self, nics=BONDED):
        return self.spec(SPEC % nics).node_types['t0']

    def plan(self, state, nics=BONDED):
        return helpers.plan(self.spec(SPEC % nics), state)

    @staticmethod
    def kind(desired, kind):
        return [r for r in desired.resources.values() if r.kind == kind]

    def test_spec(self):
        node_type = self.node_type()
        self.assertEqual(('physnet1', 'physnet2'),
                         node_type.physical_networks)
        self.assertEqual(1, node_type.nic_count('physnet1'))
        self.assertEqual(2, node_type.nic_count('physnet2'))
        # physnet1 has no bond.
        self.assertEqual((('physnet2', model.Bond(mode='802.3ad', properties=(
            ('miimon', 100), ('xmit_hash_policy', 'layer3+4')))),),
            node_type.bonds)

    def test_bond_without_nics_has_two(self):
        node_type = self.node_type('[{name: physnet1, bond: {mode: '
                                   'active-backup}}]')
        self.assertEqual(2, node_type.nic_count('physnet1'))

    def test_nics_without_bond(self):
        node_type = self.node_type('[{name: physnet1, nics: 3}]')
        self.assertEqual(3, node_type.nic_count('physnet1'))
        self.assertEqual((), node_type.bonds)

    def test_records(self):
        desired, _plan = self.plan(self.empty_state())
        vifs = {r.props['node_end']: r.props
                for r in self.kind(desired, 'vif')}
        # The first NIC on a physnet keeps Tenks' name; the next add a
        # letter. Only the second carries a slot.
        self.assertEqual({'p-bm0-0-tap', 'p-bm0-1-tap', 'p-bm0-1b-tap'},
                         set(vifs))
        self.assertNotIn('slot', vifs['p-bm0-1-tap'])
        self.assertEqual(1, vifs['p-bm0-1b-tap']['slot'])
        self.assertEqual('physnet2', vifs['p-bm0-1b-tap']['physnet'])
        domain = self.kind(desired, 'domain')[0].props
        macs = [n['mac'] for n in domain['nics']]
        self.assertEqual(3, len(set(macs)))
        ironic = self.kind(desired, 'ironic_node')[0].props
        self.assertEqual([{'name': 'bm0-physnet2', 'address': macs[1],
                           'mode': '802.3ad',
                           'properties': {'miimon': 100,
                                          'xmit_hash_policy': 'layer3+4'}}],
                         ironic['portgroups'])
        groups = {p['address']: p.get('portgroup') for p in ironic['ports']}
        self.assertEqual({macs[0]: None, macs[1]: 'bm0-physnet2',
                          macs[2]: 'bm0-physnet2'}, groups)
        ports = {p['address']: p for p in ironic['ports']}
        self.assertEqual(vifs['p-bm0-1b-tap']['bridge_end'],
                         ports[macs[2]]['local_link_connection']['port_id'])
        self.assertTrue(vifs['p-bm0-1b-tap']['bridge_end'].startswith(
            'p-bm0-1b-'))

    def test_no_bond_no_portgroup_keys(self):
        desired, _plan = self.plan(self.empty_state(), '[physnet1]')
        ironic = self.kind(desired, 'ironic_node')[0].props
        self.assertNotIn('portgroups', ironic)
        self.assertNotIn('portgroup', ironic['ports'][0])

    def test_first_nic_keeps_its_mac_when_bonded(self):
        state = self.empty_state()
        helpers.apply(state, self.plan(state, '[physnet1, physnet2]')[1])
        before = [n['mac'] for n in list(state.nodes.values())[0]['nics']]
        desired, changed = self.plan(state)
        helpers.apply(state, changed)
        after = [n['mac'] for n in list(state.nodes.values())[0]['nics']]
        self.assertEqual(before, after[:2])
        self.assertEqual(3, len(set(after)))
        # The new NIC's vif and the domain and Ironic node change; the
        # first NICs' vifs do not.
        self.assertEqual(
            {('create', 'vif', 'localhost/p-bm0-1b-tap'),
             ('update', 'domain', 'bm0'),
             ('update', 'ironic_node', 'bm0')},
            {(op, kind, name) for op, kind, name in helpers.ops(changed)})
        _desired, again = self.plan(state)
        self.assertEqual([], helpers.ops(again))

    def test_unbonding_keeps_nics_drops_portgroup(self):
        state = self.empty_state()
        helpers.apply(state, self.plan(state)[1])
        macs = [n['mac'] for n in list(state.nodes.values())[0]['nics']]
        desired, changed = self.plan(state, '[physnet1, {name: physnet2, '
                                            'nics: 2}]')
        self.assertEqual({('update', 'ironic_node', 'bm0')},
                         set(helpers.ops(changed)))
        ironic = self.kind(desired, 'ironic_node')[0].props
        self.assertNotIn('portgroups', ironic)
        self.assertEqual(macs, [p['address'] for p in ironic['ports']])
        helpers.apply(state, changed)
        self.assertNotIn('bonds', list(state.nodes.values())[0])

    def test_slot_letters(self):
        self.assertEqual(('p-n1-0c-tap', 'p-n1-0c-br'),
                         naming.link_names('p-', 'n1', 0, '-br', 2))
        self.assertRaises(naming.NamingError, naming.link_names, 'p-',
                          'n1', 0, '-br', 26)
