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

import copy

from tenks.planner import plan as plan_mod
from tenks import secrets
from tests.unit import base
from tests.unit.planner import helpers

_POOL = helpers.resource('pool', 'hv0/tenks')
_BRIDGE = helpers.resource('bridge', 'hv0/brtenks0')
_VOLUME = helpers.resource('volume', 'hv0/tenks/tk0vol0',
                           requires=[_POOL.key])
_VIF = helpers.resource('vif', 'hv0/p-tk0-0-tap', requires=[_BRIDGE.key])
_DOMAIN = helpers.resource('domain', 'tk0',
                           requires=[_POOL.key, _VOLUME.key, _VIF.key])
_BMC = helpers.resource('bmc', 'tk0', requires=[_DOMAIN.key])
#: A node's resources, shuffled.
_NODE = [_BMC, _VIF, _POOL, _DOMAIN, _BRIDGE, _VOLUME]


def _actions(op, records):
    return [plan_mod.Action(op, r, old=r if op != plan_mod.CREATE else None)
            for r in records]


def _plan(actions, **kwargs):
    return plan_mod.Plan(actions, {}, {}, **kwargs)


def _by_key(the_plan, op=None):
    return {a.key: a for a in the_plan if op is None or a.op == op}


class OrderTest(base.TestCase):

    def test_creates_by_rank(self):
        the_plan = _plan(_actions(plan_mod.CREATE, _NODE))
        self.assertEqual(['pool', 'bridge', 'volume', 'vif', 'domain',
                          'bmc'], [a.kind for a in the_plan])
        self.assertEqual(list(range(6)), [a.index for a in the_plan])

    def test_deletes_in_reverse_rank(self):
        the_plan = _plan(_actions(plan_mod.DELETE, _NODE))
        self.assertEqual(['bmc', 'domain', 'vif', 'volume', 'bridge',
                          'pool'], [a.kind for a in the_plan])

    def test_deletes_first_then_creates_and_updates(self):
        flavor = helpers.resource('flavor', 'f', hypervisor=None)
        other = helpers.resource('domain', 'tk1', requires=[_POOL.key])
        the_plan = _plan([plan_mod.Action(plan_mod.CREATE, _POOL),
                          plan_mod.Action(plan_mod.UPDATE, other, old=other),
                          plan_mod.Action(plan_mod.DELETE, _BMC),
                          plan_mod.Action(plan_mod.DELETE, flavor)])
        self.assertEqual([('delete', 'flavor'), ('delete', 'bmc'),
                          ('create', 'pool'), ('update', 'domain')],
                         [(a.op, a.kind) for a in the_plan])
        self.assertEqual([1, 1, 2, 2], [a.phase for a in the_plan])
        self.assertEqual([the_plan.actions[0], the_plan.actions[1]],
                         the_plan.phase(1))
        self.assertEqual(the_plan.actions[2:], the_plan.phase(2))

    def test_same_kind_by_name(self):
        domains = [helpers.resource('domain', name)
                   for name in ('tk1', 'tk0', 'big0')]
        the_plan = _plan(_actions(plan_mod.CREATE, domains) +
                         _actions(plan_mod.DELETE, [
                             helpers.resource('bmc', 'tk9'),
                             helpers.resource('bmc', 'tk10')]))
        self.assertEqual([('bmc', 'tk10'), ('bmc', 'tk9'),
                          ('domain', 'big0'), ('domain', 'tk0'),
                          ('domain', 'tk1')],
                         [(a.kind, a.name) for a in the_plan])


class DependencyTest(base.TestCase):

    def test_creates_wait_for_what_they_require(self):
        the_plan = _plan(_actions(plan_mod.CREATE, _NODE))
        got = _by_key(the_plan)
        self.assertEqual(set(), got[_POOL.key].after)
        self.assertEqual({got[_POOL.key].index}, got[_VOLUME.key].after)
        self.assertEqual({got[_POOL.key].index, got[_VOLUME.key].index,
                          got[_VIF.key].index}, got[_DOMAIN.key].after)
        self.assertEqual({got[_DOMAIN.key].index}, got[_BMC.key].after)
        for action in the_plan:
            self.assertTrue(all(i < action.index for i in action.after))

    def test_deletes_wait_for_their_dependants(self):
        the_plan = _plan(_actions(plan_mod.DELETE, _NODE))
        got = _by_key(the_plan)
        self.assertEqual(set(), got[_BMC.key].after)
        self.assertEqual({got[_BMC.key].index}, got[_DOMAIN.key].after)
        self.assertEqual({got[_DOMAIN.key].index}, got[_VOLUME.key].after)
        self.assertEqual({got[_DOMAIN.key].index, got[_VOLUME.key].index},
                         got[_POOL.key].after)
        self.assertEqual({got[_VIF.key].index}, got[_BRIDGE.key].after)
        for action in the_plan:
            self.assertTrue(all(i < action.index for i in action.after))

    def test_requirements_outside_the_plan_are_not_waited_for(self):
        the_plan = _plan(_actions(plan_mod.CREATE, [_DOMAIN, _BMC]))
        got = _by_key(the_plan)
        self.assertEqual(set(), got[_DOMAIN.key].after)
        self.assertEqual({got[_DOMAIN.key].index}, got[_BMC.key].after)

    def test_update_waits_for_creates(self):
        the_plan = _plan([plan_mod.Action(plan_mod.UPDATE, _DOMAIN,
                                          old=_DOMAIN)] +
                         _actions(plan_mod.CREATE, [_VOLUME, _VIF]))
        got = _by_key(the_plan)
        self.assertEqual({got[_VOLUME.key].index, got[_VIF.key].index},
                         got[_DOMAIN.key].after)

    def test_replace_waits_for_the_new_one(self):
        # The domain is deleted and created again; its BMC waits for the
        # creation, not the deletion.
        the_plan = _plan([plan_mod.Action(plan_mod.DELETE, _DOMAIN,
                                          old=_DOMAIN),
                          plan_mod.Action(plan_mod.CREATE, _DOMAIN),
                          plan_mod.Action(plan_mod.CREATE, _BMC)])
        create = _by_key(the_plan, plan_mod.CREATE)
        delete = _by_key(the_plan, plan_mod.DELETE)
        self.assertEqual({create[_DOMAIN.key].index}, create[_BMC.key].after)
        self.assertLess(delete[_DOMAIN.key].index,
                        create[_DOMAIN.key].index)


class ChangesAllocationTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.state = helpers.state_of(_POOL)
        self.state.nodes = {'tk0': {'name': 'tk0', 'uuid': 'u-0'}}
        self.state.hypervisors = {'hv0': {'physnet_indices': {'p1': 0}}}

    def _plan(self, forget=(), **changes):
        fields = {'nodes': copy.deepcopy(self.state.nodes),
                  'hypervisors': copy.deepcopy(self.state.hypervisors),
                  'seed': self.state.seed}
        fields.update(changes)
        return plan_mod.Plan([], fields['nodes'], fields['hypervisors'],
                             forget=forget, seed=fields['seed'])

    def test_same_allocation(self):
        self.assertFalse(self._plan().changes_allocation(self.state))

    def test_nodes(self):
        self.assertTrue(self._plan(nodes={}).changes_allocation(self.state))
        node = {'name': 'tk0', 'uuid': 'u-1'}
        self.assertTrue(self._plan(nodes={'tk0': node}).changes_allocation(
            self.state))

    def test_hypervisors(self):
        hypervisors = {'hv0': {'physnet_indices': {'p1': 0, 'p2': 1}}}
        self.assertTrue(self._plan(hypervisors=hypervisors)
                        .changes_allocation(self.state))

    def test_seed(self):
        self.assertTrue(self._plan(seed='another').changes_allocation(
            self.state))

    def test_records_to_forget(self):
        self.assertTrue(self._plan(forget=[_POOL.key]).changes_allocation(
            self.state))

    def test_actions_do_not_count(self):
        the_plan = self._plan()
        the_plan.actions.append(plan_mod.Action(plan_mod.CREATE, _BRIDGE))
        self.assertFalse(the_plan.changes_allocation(self.state))


class PlanTest(base.TestCase):

    def test_empty(self):
        the_plan = _plan([], forget=['pool:hv0/x'], warnings=['careful'],
                         seed='s', cluster='c')
        self.assertTrue(the_plan.empty)
        self.assertEqual(0, len(the_plan))
        self.assertEqual([], list(the_plan))
        self.assertEqual('no changes', the_plan.summary())
        self.assertEqual('no changes', the_plan.summary(done=True))
        self.assertEqual((['pool:hv0/x'], ['careful'], 's', 'c'),
                         (the_plan.forget, the_plan.warnings, the_plan.seed,
                          the_plan.cluster))

    def test_summary(self):
        the_plan = _plan(_actions(plan_mod.CREATE, [_POOL, _BRIDGE]) +
                         [plan_mod.Action(plan_mod.UPDATE, _DOMAIN,
                                          old=_DOMAIN)] +
                         _actions(plan_mod.DELETE, [_BMC]))
        self.assertFalse(the_plan.empty)
        self.assertEqual(4, len(the_plan))
        self.assertEqual('2 to create, 1 to update, 1 to delete',
                         the_plan.summary())
        self.assertEqual('2 created, 1 updated, 1 deleted',
                         the_plan.summary(done=True))
        self.assertEqual('1 to delete',
                         _plan(_actions(plan_mod.DELETE, [_BMC])).summary())


class ActionTest(base.TestCase):

    def test_describe(self):
        self.assertEqual('create domain tk0 on hv0',
                         plan_mod.Action(plan_mod.CREATE,
                                         _DOMAIN).describe())
        flavor = helpers.resource('flavor', 'f', hypervisor=None)
        self.assertEqual('delete flavor f',
                         plan_mod.Action(plan_mod.DELETE, flavor).describe())

    def test_identity_from_the_record(self):
        action = plan_mod.Action(plan_mod.UPDATE, _DOMAIN, old=_DOMAIN,
                                 reason='changed: vcpus')
        self.assertEqual(('domain:tk0', 'domain', 'tk0', 2),
                         (action.key, action.kind, action.name,
                          action.phase))
        self.assertIsNone(action.index)
        self.assertEqual(set(), action.after)

    def test_to_dict(self):
        record = helpers.resource('bmc', 'tk0', props={
            'port': 6230, 'password': 'hunter2'}, driver='virtualbmc')
        action = plan_mod.Action(plan_mod.CREATE, record, reason='new')
        self.assertEqual({'step': None, 'action': 'create', 'kind': 'bmc',
                          'name': 'tk0', 'hypervisor': 'hv0',
                          'driver': 'virtualbmc', 'reason': 'new'},
                         dict(action.to_dict()))
        _plan([action])
        shown = action.to_dict(show_props=True)
        self.assertEqual(1, shown['step'])
        self.assertEqual({'port': 6230, 'password': secrets.MASK},
                         shown['props'])
        self.assertEqual('hunter2', record.props['password'])
