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

import json

from tenks import exception
from tenks import observation
from tenks.planner import reconcile
from tenks.state import model as state_model
from tests.unit import base
from tests.unit.planner import helpers


class DeployPlanTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.state = self.empty_state()

    def deploy(self, text=helpers.SPEC, **overrides):
        spec = self.spec(text, **overrides)
        desired, plan = helpers.plan(spec, self.state)
        helpers.apply(self.state, plan)
        return desired, plan

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

    def test_props_are_json_native(self):
        desired, _plan = self.deploy()
        for record in desired.resources.values():
            self.assertEqual(json.loads(json.dumps(record.props)),
                             record.props, record.key)

    def test_same_inputs_same_plan(self):
        spec = self.spec(helpers.SPEC)
        first = helpers.plan(spec, self.state)[1]
        second = helpers.plan(spec, self.state)[1]
        self.assertEqual([a.to_dict(True) for a in first.actions],
                         [a.to_dict(True) for a in second.actions])
        self.assertEqual(first.nodes, second.nodes)

    def test_rerun_is_empty(self):
        self.deploy()
        _desired, plan = helpers.plan(self.spec(helpers.SPEC), self.state)
        self.assertEqual([], helpers.ops(plan))
        self.assertEqual('no changes', plan.summary())

    def test_scale_up_keeps_identity(self):
        _d, first = self.deploy()
        before = {n: (v['uuid'], v['bmc'].get('port'),
                      [x['mac'] for x in v['nics']])
                  for n, v in first.nodes.items()}
        _d, plan = self.deploy(helpers.SPEC.replace('count: 2', 'count: 4'))
        for name, ident in before.items():
            node = plan.nodes[name]
            self.assertEqual(ident, (node['uuid'], node['bmc'].get('port'),
                                     [x['mac'] for x in node['nics']]))
        self.assertEqual(6232, plan.nodes['tk2']['bmc']['port'])
        created = {(a.kind, a.name) for a in plan.actions}
        self.assertIn(('domain', 'tk2'), created)
        self.assertIn(('domain', 'tk3'), created)
        self.assertNotIn(('domain', 'tk0'), created)
        # Only the placement wait changes among existing resources.
        updates = [(a.kind, a.name) for a in plan.actions
                   if a.op == 'update']
        self.assertEqual([('placement_wait', 'placement')], updates)

    def test_scale_down_removes_highest(self):
        self.deploy(helpers.SPEC.replace('count: 2', 'count: 4'))
        _d, plan = self.deploy(helpers.SPEC.replace('count: 2', 'count: 1'))
        self.assertEqual(['big0', 'tk0'], sorted(plan.nodes))
        deleted = sorted({a.name for a in plan.actions
                          if a.op == 'delete' and a.kind == 'domain'})
        self.assertEqual(['tk1', 'tk2', 'tk3'], deleted)
        # Deletions come first, dependants before what they need.
        order = [(a.kind, a.name) for a in plan.actions if a.op == 'delete']
        self.assertLess(order.index(('ironic_node', 'tk1')),
                        order.index(('bmc', 'tk1')))
        self.assertLess(order.index(('bmc', 'tk1')),
                        order.index(('domain', 'tk1')))
        self.assertLess(order.index(('domain', 'tk1')),
                        order.index(('volume', 'localhost/tenks/tk1vol0')))
        # The freed port is reused by the next new node.
        _d, plan = self.deploy(helpers.SPEC)
        self.assertEqual(6231, plan.nodes['tk1']['bmc']['port'])

    def test_type_change_updates_in_place(self):
        self.deploy()
        _d, plan = self.deploy(helpers.SPEC.replace(
            'memory_mb: 1024\n    vcpus: 1', 'memory_mb: 1536\n    vcpus: 2'))
        changed = {(a.op, a.kind, a.name) for a in plan.actions}
        self.assertIn(('update', 'domain', 'tk0'), changed)
        self.assertIn(('update', 'ironic_node', 'tk0'), changed)
        self.assertNotIn(('create', 'domain', 'tk0'), changed)
        domain = [a for a in plan.actions if a.kind == 'domain'][0]
        self.assertIn('memory_mb', domain.reason)
        self.assertEqual(1536, plan.nodes['tk0']['memory_mb'])
        # A flavor cannot change size in place: it is replaced.
        flavor = [(a.op, a.reason) for a in plan.actions
                  if a.kind == 'flavor']
        self.assertEqual([('delete', 'replace: ram, vcpus changed'),
                          ('create', 'replace: ram, vcpus changed')],
                         flavor)

    def test_add_volume_and_physnet(self):
        self.deploy()
        text = helpers.SPEC.replace(
            '      - capacity: 4GiB\n    physical_networks: [physnet1]',
            '      - capacity: 4GiB\n      - capacity: 2GiB\n'
            '    physical_networks: [physnet1, physnet2]')
        _d, plan = self.deploy(text)
        got = {(a.op, a.kind, a.name) for a in plan.actions}
        self.assertIn(('create', 'volume', 'localhost/tenks/tk0vol1'), got)
        self.assertIn(('create', 'vif', 'localhost/p-tk0-1-tap'), got)
        self.assertIn(('update', 'domain', 'tk0'), got)
        self.assertIn(('update', 'ironic_node', 'tk0'), got)

    def test_ironic_change_is_enrolment_update(self):
        self.deploy()
        _d, plan = self.deploy(helpers.SPEC.replace(
            'resource_class: rc-small',
            'resource_class: rc-small\n      traits: [CUSTOM_X]', 1))
        self.assertEqual({('update', 'ironic_node', 'tk0'),
                          ('update', 'ironic_node', 'tk1'),
                          ('update', 'placement_wait', 'placement')},
                         {(a.op, a.kind, a.name) for a in plan.actions})
        self.assertEqual(['CUSTOM_X'],
                         plan.nodes['tk0']['ironic_config']['traits'])

    def test_teardown_reverse_order(self):
        self.deploy()
        plan = reconcile.teardown_plan(self.state)
        self.assertTrue(all(a.op == 'delete' for a in plan.actions))
        self.assertEqual('placement_wait', plan.actions[0].kind)
        self.assertEqual('pool', plan.actions[-1].kind)
        self.assertEqual({}, plan.nodes)
        helpers.apply(self.state, plan)
        self.assertEqual({}, self.state.resources)

    def test_teardown_forgets_what_is_provably_someone_elses(self):
        self.deploy()
        obs = {'domain:tk0': observation.foreign('made by cluster other')}
        plan = reconcile.teardown_plan(self.state, obs)
        self.assertIn('domain:tk0', plan.forget)
        self.assertNotIn('domain:tk0', [a.key for a in plan.actions])
        self.assertIn("domain tk0 is no longer tenks' own", plan.warnings[0])

    def test_teardown_does_not_forget_what_lost_its_mark(self):
        # Neither provably tenks' nor someone else's: the delete is
        # planned (without adopt), and the plugin refuses it loudly.
        self.deploy()
        obs = {'domain:tk0': observation.foreign('no tenks metadata',
                                                 unmarked=True)}
        plan = reconcile.teardown_plan(self.state, obs)
        self.assertNotIn('domain:tk0', plan.forget)
        action = {a.key: a for a in plan.actions}['domain:tk0']
        self.assertFalse(action.record.adopt)
        self.assertIn('its tenks mark is gone', action.reason)
        self.assertEqual([], plan.warnings)

    def test_teardown_resuming_a_delete_adopts_an_unmarked_resource(self):
        self.deploy()
        self.state.resources['bmc:tk0'].status = state_model.DELETING
        obs = {'bmc:tk0': observation.foreign('no tenks mark',
                                              unmarked=True)}
        plan = reconcile.teardown_plan(self.state, obs)
        action = {a.key: a for a in plan.actions}['bmc:tk0']
        self.assertTrue(action.record.adopt)
        self.assertEqual('resume interrupted delete', action.reason)

    def test_drift_recreates_missing(self):
        self.deploy()
        obs = {'domain:tk0': observation.ABSENT,
               'domain:tk1': observation.Observation(True, True)}
        _d, plan = helpers.plan(self.spec(helpers.SPEC), self.state, obs)
        self.assertEqual([('create', 'domain', 'tk0')], helpers.ops(plan))
        self.assertIn('removed outside tenks', plan.actions[0].reason)

    def test_collision_refused_before_anything(self):
        obs = {'domain:tk1': observation.Observation(True, False,
                                                     'no tenks metadata'),
               'bridge:localhost/brtenks0': observation.Observation(True)}
        spec = self.spec(helpers.SPEC)
        err = self.assertRaises(exception.PlanError, helpers.plan, spec,
                                self.state, obs)
        self.assertIn('domain tk1 on localhost already exists', str(err))
        self.assertIn('no tenks metadata', str(err))
        self.assertIn('bridge localhost/brtenks0', str(err))

    def test_interrupted_create_is_resumed_as_adopt(self):
        self.deploy()
        self.state.resources['domain:tk0'].status = state_model.CREATING
        self.state.resources['vif:localhost/p-tk1-0-tap'].status = (
            state_model.DELETING)
        _d, plan = helpers.plan(self.spec(helpers.SPEC), self.state)
        got = {a.key: a for a in plan.actions}
        self.assertEqual({'domain:tk0', 'vif:localhost/p-tk1-0-tap'},
                         set(got))
        self.assertTrue(got['domain:tk0'].record.adopt)
        self.assertEqual('resume interrupted create',
                         got['domain:tk0'].reason)

    def test_gone_while_deleting_is_forgotten(self):
        self.deploy()
        _d, plan = self.deploy(helpers.SPEC.replace('count: 2', 'count: 1'))
        del plan
        self.deploy(helpers.SPEC)
        record = self.state.resources['domain:tk1']
        record.status = state_model.DELETING
        spec = self.spec(helpers.SPEC.replace('count: 2', 'count: 1'))
        obs = {'domain:tk1': observation.ABSENT}
        _d, plan = helpers.plan(spec, self.state, obs)
        self.assertIn('domain:tk1', plan.forget)
        self.assertNotIn('domain:tk1', [a.key for a in plan.actions])

    def test_link_name_collision(self):
        text = helpers.SPEC.replace(
            '  - type: big\n    count: 1\n    node_name_prefix: big',
            '  - type: big\n    count: 1\n    node_name_prefix: computeA\n'
            '  - type: big\n    count: 1\n    node_name_prefix: computeB')
        err = self.assertRaises(exception.PlanError, helpers.plan,
                                self.spec(text), self.state)
        self.assertIn('computeA0 and computeB0 would both use vif', str(err))
        self.assertIn('localhost/p-compu0-0-tap', str(err))

    def test_cluster_mismatch(self):
        self.deploy()
        spec = self.spec(helpers.SPEC, cluster_name='other')
        err = self.assertRaises(exception.PlanError, helpers.plan, spec,
                                self.state)
        self.assertIn("cluster 'tenks'", str(err))

    def test_ironic_props(self):
        desired, _plan = self.deploy(deploy_kernel='http://k',
                                     deploy_ramdisk='http://r')
        props = desired.resources['ironic_node:tk0'].props
        self.assertEqual('ipmi', props['driver'])
        self.assertEqual({'ipmi_address': '127.0.0.1', 'ipmi_port': 6230,
                          'ipmi_username': 'admin',
                          'ipmi_password': 'password',
                          'deploy_kernel': 'http://k',
                          'deploy_ramdisk': 'http://r'},
                         props['driver_info'])
        self.assertEqual({'cpus': 1, 'memory_mb': 1024, 'local_gb': 4,
                          'cpu_arch': 'x86_64',
                          'capabilities': 'boot_mode:uefi'},
                         props['properties'])
        port, = props['ports']
        bridge = desired.resources['bridge:localhost/brtenks0'].props
        self.assertEqual({'switch_id': bridge['mac'],
                          'switch_info': 'brtenks0',
                          'port_id': 'p-tk0-0-ovs'},
                         port['local_link_connection'])
        self.assertEqual('physnet1', port['physical_network'])
        flavor = desired.resources['flavor:rc-small'].props
        self.assertEqual({'resources:CUSTOM_RC_SMALL': '1',
                          'resources:VCPU': '0', 'resources:MEMORY_MB': '0',
                          'resources:DISK_GB': '0'}, flavor['extra_specs'])
        self.assertEqual(5, flavor['disk'])     # 4GiB in decimal GB, up
        wait = desired.resources['placement_wait:placement'].props
        self.assertEqual([{'resource_class': 'CUSTOM_RC_SMALL',
                           'traits': [], 'amount': 2}], wait['expected'])

    def test_boot_mode_from_capabilities(self):
        text = helpers.SPEC.replace(
            'resource_class: rc-small',
            'resource_class: rc-small\n      properties:\n'
            '        capabilities: "boot_mode:bios,foo:bar"', 1)
        desired, _plan = self.deploy(text)
        domain = desired.resources['domain:tk0'].props
        self.assertEqual('bios', domain['boot_mode'])
        props = desired.resources['ironic_node:tk0'].props['properties']
        self.assertEqual('boot_mode:bios,foo:bar', props['capabilities'])
        self.assertEqual('uefi',
                         desired.resources['domain:big0'].props['boot_mode'])

    def test_scheduling_failure_names_each_host(self):
        text = helpers.SPEC + '''
hypervisors:
  hv1:
    physnet_mappings: {physnet1: eth1}
    capacity: {memory_mb: 4096}
    bridge_prefix: bra
  hv2:
    physnet_mappings: {physnet1: eth2, physnet2: null}
    capacity: {memory_mb: 512}
    bridge_prefix: brb
    redfish_port: 8001
'''
        spec = self.spec(text)
        err = self.assertRaises(exception.SchedulingError, helpers.plan,
                                spec, self.state)
        self.assertEqual(
            'no hypervisor can host node big0 (hv1: physical network '
            'physnet2 not mapped; hv2: not enough RAM: 512 MiB free, 2048 '
            'MiB needed)', str(err))


class TenksAdoptionTest(base.TestCase):

    def test_imported_nodes_kept_and_adopted(self):
        from tenks.state import tenks_format
        state = tenks_format.convert({'localhost': {
            'physnet_indices': {'physnet1': 3},
            'nodes': [{'name': 'tk0', 'uuid': 'u-0', 'type': 'small',
                       'ipmi_port': 6235, 'ironic_driver': 'ipmi',
                       'physical_networks': ['physnet1'],
                       'ironic_config': {'resource_class': 'rc-small'}}]}},
            'state.yml')
        state.seed = base.SEED
        text = helpers.SPEC.replace('count: 2', 'count: 1')
        desired, plan = helpers.plan(self.spec(text), state)
        node = plan.nodes['tk0']
        self.assertEqual(('u-0', 6235), (node['uuid'], node['bmc']['port']))
        self.assertEqual(3, node['nics'][0]['index'])
        domain = desired.resources['domain:tk0']
        self.assertTrue(domain.adopt)
        self.assertIn('localhost/p-tk0-3-tap',
                      [r.name for r in desired.resources.values()])


class ProblemObservationTest(base.TestCase):

    def test_problem_stops_the_plan(self):
        state = self.empty_state()
        spec = self.spec(helpers.SPEC)
        obs = {'bridge:localhost/brtenks0': observation.Observation(
            False, problem='uplink eth1 of physical network physnet1 does '
                           'not exist')}
        err = self.assertRaises(exception.PlanError, helpers.plan, spec,
                                state, obs)
        self.assertIn('nothing was changed: 1 problem found', str(err))
        self.assertIn('bridge localhost/brtenks0 on localhost: uplink eth1',
                      str(err))

    def test_missing_existing_volume_stops_the_plan(self):
        text = helpers.SPEC.replace('      - capacity: 4GiB\n',
                                    '      - existing: "{node}-root"\n'
                                    '        pool: images\n', 1)
        spec = self.spec(text)
        obs = {'volume:localhost/images/tk1-root': observation.ABSENT}
        err = self.assertRaises(exception.PlanError, helpers.plan, spec,
                                self.empty_state(), obs)
        self.assertIn('volume localhost/images/tk1-root on localhost must '
                      'already exist', str(err))
