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

from tenks import exception
from tenks import observation
from tenks.planner import diff
from tenks.planner import reconcile
from tenks.state import model as state_model
from tests.unit import base
from tests.unit.planner import helpers


def _domain(uuid='u-0', memory_mb=1024, **kwargs):
    return helpers.resource('domain', 'tk0', props={
        'name': 'tk0', 'uuid': uuid, 'memory_mb': memory_mb}, **kwargs)


def _desired(*records):
    return {r.key: r for r in records}


def _ops(the_plan):
    return [(a.op, a.key, a.reason) for a in the_plan]


class DiffTest(base.TestCase):
    """diff() on hand-made records."""

    def test_new_is_created(self):
        record = _domain()
        the_plan = diff.diff(_desired(record), helpers.state_of())
        self.assertEqual([('create', 'domain:tk0', 'new')], _ops(the_plan))
        self.assertIs(record, the_plan.actions[0].record)
        self.assertIsNone(the_plan.actions[0].old)

    def test_unchanged_is_left_alone(self):
        the_plan = diff.diff(_desired(_domain()),
                             helpers.state_of(_domain()))
        self.assertTrue(the_plan.empty)
        self.assertEqual([], the_plan.forget)

    def test_changed_props_are_an_update_naming_them(self):
        old = helpers.resource('bmc', 'tk0', props={'port': 1, 'user': 'a',
                                                    'gone': True})
        old.outputs = {'pid': 42}
        new = helpers.resource('bmc', 'tk0', props={'port': 2, 'user': 'a',
                                                    'added': 'x'})
        the_plan = diff.diff(_desired(new), helpers.state_of(old))
        self.assertEqual([('update', 'bmc:tk0', 'changed: added, gone, port')],
                         _ops(the_plan))
        action = the_plan.actions[0]
        self.assertIs(old, action.old)
        self.assertEqual({'pid': 42}, action.record.outputs)

    def test_interrupted_update_is_resumed(self):
        old = _domain(status=state_model.UPDATING)
        the_plan = diff.diff(_desired(_domain()), helpers.state_of(old))
        self.assertEqual([('update', 'domain:tk0',
                           'resume interrupted update')], _ops(the_plan))

    def test_identity_change_is_a_replace(self):
        the_plan = diff.diff(_desired(_domain(uuid='u-1', memory_mb=2048)),
                             helpers.state_of(_domain()))
        self.assertEqual([('delete', 'domain:tk0', 'replace: uuid changed'),
                          ('create', 'domain:tk0', 'replace: uuid changed')],
                         _ops(the_plan))
        self.assertEqual('u-0', the_plan.actions[0].record.props['uuid'])
        self.assertEqual('u-1', the_plan.actions[1].record.props['uuid'])

    def test_moving_hypervisor_or_driver_is_a_replace(self):
        the_plan = diff.diff(
            _desired(_domain(hypervisor='hv1', driver='other')),
            helpers.state_of(_domain()))
        self.assertEqual(
            [('delete', 'domain:tk0', 'replace: hypervisor, driver changed'),
             ('create', 'domain:tk0', 'replace: hypervisor, driver changed')],
            _ops(the_plan))

    def test_unwanted_is_deleted(self):
        old = _domain()
        the_plan = diff.diff({}, helpers.state_of(old))
        self.assertEqual([('delete', 'domain:tk0', 'no longer in spec')],
                         _ops(the_plan))
        self.assertIs(old, the_plan.actions[0].old)
        self.assertFalse(the_plan.actions[0].record.adopt)

    def test_unwanted_and_gone_is_forgotten(self):
        the_plan = diff.diff({}, helpers.state_of(_domain()),
                             {'domain:tk0': observation.ABSENT})
        self.assertTrue(the_plan.empty)
        self.assertEqual(['domain:tk0'], the_plan.forget)

    def test_broken_is_created_again_as_its_own(self):
        old = _domain()
        old.outputs = {'pid': 7}
        new = _domain()
        obs = {'domain:tk0': observation.Observation(
            True, True, 'process gone', healthy=False)}
        the_plan = diff.diff(_desired(new), helpers.state_of(old), obs)
        self.assertEqual([('create', 'domain:tk0', 'broken: process gone')],
                         _ops(the_plan))
        self.assertTrue(new.adopt)
        self.assertEqual({'pid': 7}, new.outputs)

    def test_unrecorded_resource_of_ours_is_no_collision(self):
        obs = {'domain:tk0': observation.Observation(True, True)}
        the_plan = diff.diff(_desired(_domain()), helpers.state_of(), obs)
        self.assertEqual([('create', 'domain:tk0', 'new')], _ops(the_plan))

    def test_adopting_takes_what_exists(self):
        obs = {'domain:tk0': observation.foreign('Tenks made it')}
        the_plan = diff.diff(_desired(_domain(adopt=True)),
                             helpers.state_of(), obs)
        self.assertEqual([('create', 'domain:tk0', 'adopt existing')],
                         _ops(the_plan))

    def test_recorded_but_now_foreign_is_a_collision(self):
        obs = {'domain:tk0': observation.foreign('made by cluster other')}
        err = self.assertRaises(exception.PlanError, diff.diff,
                                _desired(_domain()),
                                helpers.state_of(_domain()), obs)
        self.assertIn('domain tk0 on hv0 already exists and was not created '
                      'by tenks: made by cluster other', str(err))

    def test_every_collision_is_listed(self):
        flavor = helpers.resource('flavor', 'f', hypervisor=None)
        obs = {'domain:tk0': observation.foreign('someone'),
               'flavor:f': observation.foreign('')}
        err = self.assertRaises(exception.PlanError, diff.diff,
                                _desired(_domain(), flavor),
                                helpers.state_of(), obs)
        self.assertEqual(
            'nothing was changed: 2 problems found before starting:\n'
            '  domain tk0 on hv0 already exists and was not created by '
            'tenks: someone\n'
            '  flavor f already exists and was not created by tenks',
            str(err))

    def test_ordered_plan(self):
        # Desired resources in any order give a plan in rank order, and
        # deletions of unwanted ones in reverse rank order before them.
        pool = helpers.resource('pool', 'hv0/tenks')
        volume = helpers.resource('volume', 'hv0/tenks/v',
                                  requires=[pool.key])
        domain = _domain(requires=[pool.key, volume.key])
        old_pool = helpers.resource('pool', 'hv0/old')
        old_bmc = helpers.resource('bmc', 'old')
        the_plan = diff.diff(_desired(domain, volume, pool),
                             helpers.state_of(old_pool, old_bmc))
        self.assertEqual([('delete', 'bmc:old'), ('delete', 'pool:hv0/old'),
                          ('create', 'pool:hv0/tenks'),
                          ('create', 'volume:hv0/tenks/v'),
                          ('create', 'domain:tk0')],
                         [(a.op, a.key) for a in the_plan])

    def test_teardown_in_reverse_order(self):
        pool = helpers.resource('pool', 'hv0/tenks')
        volume = helpers.resource('volume', 'hv0/tenks/v',
                                  requires=[pool.key])
        domain = _domain(requires=[pool.key, volume.key])
        bmc = helpers.resource('bmc', 'tk0', requires=[domain.key])
        the_plan = diff.diff({}, helpers.state_of(pool, volume, domain, bmc))
        self.assertEqual(['bmc:tk0', 'domain:tk0', 'volume:hv0/tenks/v',
                          'pool:hv0/tenks'], [a.key for a in the_plan])
        self.assertTrue(all(a.op == 'delete' for a in the_plan))

    def test_allocation_to_record(self):
        state = helpers.state_of()
        state.cluster = 'c1'
        the_plan = diff.diff({}, state)
        self.assertEqual(({}, {}, base.SEED, 'c1'),
                         (the_plan.nodes, the_plan.hypervisors,
                          the_plan.seed, the_plan.cluster))
        nodes = {'tk0': {'name': 'tk0'}}
        hypervisors = {'hv0': {'physnet_indices': {}}}
        the_plan = diff.diff({}, state, nodes=nodes,
                             hypervisors=hypervisors, seed='new-seed')
        self.assertEqual((nodes, hypervisors, 'new-seed'),
                         (the_plan.nodes, the_plan.hypervisors,
                          the_plan.seed))

    def test_state_is_not_changed(self):
        deleting = helpers.resource('bmc', 'tk1',
                                    status=state_model.DELETING)
        state = helpers.state_of(_domain(), deleting,
                                 helpers.resource('bmc', 'tk2'))
        before = state.to_dict()
        the_plan = diff.diff(_desired(_domain(memory_mb=4096)), state,
                             {'bmc:tk2': observation.ABSENT})
        self.assertEqual(before, state.to_dict())
        # The resumed delete adopts a copy.
        action = {a.key: a for a in the_plan}['bmc:tk1']
        self.assertTrue(action.record.adopt)
        self.assertFalse(deleting.adopt)


class DeployDiffTest(helpers.DeployTestCase):
    """What deploys of changed specs plan."""

    def test_rerun_is_empty(self):
        self.deploy()
        _desired, plan = helpers.plan(self.spec(helpers.SPEC), self.state)
        self.assertEqual([], helpers.ops(plan))
        self.assertEqual('no changes', plan.summary())

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


class TeardownDiffTest(helpers.DeployTestCase):
    """What a teardown plans for resources observed changed."""

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
