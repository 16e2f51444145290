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

import gc

from tenks import exception
from tenks.planner import naming
from tenks.planner import reconcile
from tenks.schedulers import filter as filter_sched
from tenks.state import model as state_model
from tests.unit import base
from tests.unit.planner import helpers

#: :data:`helpers.TWO_HYPERVISORS` without hv2.
_HV1_ONLY = helpers.SPEC + '''
hypervisors:
  hv1:
    physnet_mappings: {physnet1: eth1, physnet2: null}
'''


class DeployPlanTest(helpers.DeployTestCase):
    """desired_state() then deploy_plan(), end to end."""

    def test_create(self):
        desired, plan = self.deploy()
        nodes = plan.nodes
        self.assertEqual(['big0', 'tk0', 'tk1'], sorted(nodes))
        kinds = [a.kind for a in plan.actions]
        self.assertEqual(
            ['pool', 'bridge', 'bridge', 'volume', 'volume', 'volume',
             'volume', 'vif', 'vif', 'vif', 'vif', 'domain', 'domain',
             'domain', 'bmc_service', 'bmc_service', 'bmc', 'bmc', 'bmc',
             'ironic_node', 'ironic_node', 'flavor', 'placement_wait'],
            kinds)
        self.assertTrue(all(a.op == 'create' for a in plan.actions))
        # Allocations: lowest IPMI ports, stable physnet indices.
        self.assertEqual([6230, 6231], [nodes['tk0']['bmc']['port'],
                                        nodes['tk1']['bmc']['port']])
        self.assertEqual(8000, nodes['big0']['bmc']['port'])
        self.assertEqual({'physnet1': 0, 'physnet2': 1},
                         plan.hypervisors['localhost']['physnet_indices'])
        macs = [n['mac'] for node in nodes.values() for n in node['nics']]
        self.assertEqual(len(macs), len(set(macs)))
        # Dependencies are satisfied by the order.
        seen = set()
        for action in plan.actions:
            for dep in action.record.requires:
                self.assertIn(dep, seen, action.describe())
            seen.add(action.key)

    def test_same_inputs_same_plan(self):
        spec = self.spec(helpers.SPEC)
        first = helpers.plan(spec, self.state)[1]
        second = helpers.plan(spec, self.state)[1]
        self.assertEqual([a.to_dict(True) for a in first.actions],
                         [a.to_dict(True) for a in second.actions])
        self.assertEqual(first.nodes, second.nodes)

    def test_teardown_reverse_order(self):
        self.deploy()
        plan = reconcile.teardown_plan(self.state)
        self.assertTrue(all(a.op == 'delete' for a in plan.actions))
        self.assertEqual('placement_wait', plan.actions[0].kind)
        self.assertEqual('pool', plan.actions[-1].kind)
        self.assertEqual({}, plan.nodes)
        # Its rows say why: a teardown, not a spec change.
        self.assertEqual({'teardown'}, {a.reason for a in plan.actions})
        self.assertEqual('teardown', plan.command)
        self.assertEqual('deploy', helpers.plan(self.spec(helpers.SPEC),
                                                self.state)[1].command)
        helpers.apply(self.state, plan)
        self.assertEqual({}, self.state.resources)

    def test_cluster_mismatch(self):
        self.deploy()
        spec = self.spec(helpers.SPEC, cluster_name='other')
        err = self.assertRaises(exception.PlanError, helpers.plan, spec,
                                self.state)
        self.assertIn("cluster 'tenks'", str(err))

    def test_an_empty_state_takes_any_cluster(self):
        spec = self.spec(helpers.SPEC, cluster_name='other')
        desired, plan = helpers.plan(spec, self.state)
        self.assertEqual(['big0', 'tk0', 'tk1'], list(plan.nodes))
        self.assertEqual(
            'other', desired.resources['domain:tk0'].props['cluster'])
        # The run records the cluster its resources are marked with.
        self.assertEqual('other', plan.cluster)

    def test_the_seed_given_names_new_nodes(self):
        state = state_model.State(cluster='tenks')
        spec = self.spec(helpers.SPEC)
        desired = reconcile.desired_state(
            spec, state, 'a-new-seed', filter_sched.FilterScheduler(),
            helpers.CATALOG)
        plan = reconcile.deploy_plan(state, desired)
        self.assertEqual(('a-new-seed', 'a-new-seed'),
                         (desired.seed, plan.seed))
        self.assertEqual(naming.node_uuid('a-new-seed', 'tk0'),
                         plan.nodes['tk0']['uuid'])
        self.assertEqual(desired.resources, {
            a.key: a.record for a in plan.actions})
        self.assertTrue(plan.changes_allocation(state))

    def test_naming_error_is_a_plan_error(self):
        spec = self.spec(helpers.SPEC + 'bridge_prefix: abcdefghij\n')
        err = self.assertRaises(exception.PlanError, helpers.plan, spec,
                                self.state)
        self.assertEqual('uplink of bridge abcdefghij0 name '
                         'p-abcdefghij0-phy is 17 characters; Linux allows '
                         '15', str(err))

    def test_hypervisors_still_hosting_resources_are_recorded(self):
        self.deploy(helpers.TWO_HYPERVISORS)
        hv2 = self.state.hypervisors['hv2']
        # hv2 leaves the spec: its allocation is kept while resources it
        # hosts are deleted.
        _d, plan = self.deploy(_HV1_ONLY)
        self.assertEqual(['hv1', 'hv2'], list(plan.hypervisors))
        self.assertEqual(hv2, plan.hypervisors['hv2'])
        self.assertEqual({'hv1'}, {n['hypervisor']
                                   for n in plan.nodes.values()})
        self.assertIn(('delete', 'pool', 'hv2/tenks'), helpers.ops(plan))
        _d, plan = helpers.plan(self.spec(_HV1_ONLY), self.state)
        self.assertEqual(['hv1'], list(plan.hypervisors))
        self.assertEqual([], helpers.ops(plan))

    def test_teardown_records_the_hypervisors_it_needs(self):
        self.deploy(helpers.TWO_HYPERVISORS)
        self.state.hypervisors['hv9'] = {'physnet_indices': {}}
        plan = reconcile.teardown_plan(self.state)
        self.assertEqual(['hv1', 'hv2'], sorted(plan.hypervisors))
        self.assertEqual(self.state.hypervisors['hv1'],
                         plan.hypervisors['hv1'])
        self.assertEqual(self.state.seed, plan.seed)
        self.assertEqual(len(self.state.resources), len(plan))


class CollectorTest(base.TestCase):
    """Planning pauses the garbage collector and leaves it as it was."""

    def setUp(self):
        super().setUp()
        self.addCleanup(gc.enable if gc.isenabled() else gc.disable)

    def test_enabled_stays_enabled(self):
        gc.enable()
        _d, plan = helpers.plan(self.spec(helpers.SPEC), self.empty_state())
        self.assertTrue(gc.isenabled())
        reconcile.teardown_plan(self.empty_state())
        self.assertTrue(gc.isenabled())

    def test_enabled_again_after_an_error(self):
        gc.enable()
        state = self.empty_state()
        state.nodes = {'x0': {'name': 'x0'}}
        self.assertRaises(exception.PlanError, helpers.plan,
                          self.spec(helpers.SPEC, cluster_name='other'),
                          state)
        self.assertTrue(gc.isenabled())

    def test_disabled_stays_disabled(self):
        gc.disable()
        helpers.plan(self.spec(helpers.SPEC), self.empty_state())
        self.assertFalse(gc.isenabled())
