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

"""Walking a node to available, and waiting, with a scripted Ironic."""

import types

from tenks.enrolment import states
from tests.unit import base


def node(state, target=None, last_error=None):
    return types.SimpleNamespace(provision_state=state,
                                 target_provision_state=target,
                                 last_error=last_error, is_maintenance=False)


class FakeIronic(object):
    """A node whose state moves on each look, as scripted per action."""

    def __init__(self, start, script):
        self.current = start
        self.script = script        # action -> list of states seen next
        self.pending = []
        self.actions = []
        self.clock = 0.0

    def get(self):
        if self.pending:
            self.current = self.pending.pop(0)
        return self.current

    def act(self, action):
        self.actions.append(action)
        self.pending = list(self.script[action])

    def sleep(self, seconds):
        self.clock += seconds

    def waiter(self, timeout=60):
        return states.Waiter(self.get, 'tk0', timeout, 2, sleep=self.sleep,
                             clock=lambda: self.clock)


class ToAvailableTest(base.TestCase):

    def test_enroll_manage_provide(self):
        ironic = FakeIronic(node('enroll'), {
            'manage': [node('verifying', 'manageable'), node('manageable')],
            'provide': [node('cleaning', 'available'),
                        node('clean wait', 'available'), node('available')]})
        out = states.to_available(ironic.get(), ironic.act, ironic.waiter())
        self.assertEqual('available', out.provision_state)
        self.assertEqual(['manage', 'provide'], ironic.actions)
        self.assertEqual(6.0, ironic.clock)

    def test_available_needs_nothing(self):
        ironic = FakeIronic(node('available'), {})
        states.to_available(ironic.get(), ironic.act, ironic.waiter())
        self.assertEqual([], ironic.actions)

    def test_in_use_node_left_alone(self):
        notes = []
        ironic = FakeIronic(node('active'), {})
        out = states.to_available(ironic.get(), ironic.act, ironic.waiter(),
                                  log=notes.append)
        self.assertEqual('active', out.provision_state)
        self.assertEqual([], ironic.actions)
        self.assertIn('tk0 is active', notes[0])

    def test_clean_failed_recovers_through_manage(self):
        ironic = FakeIronic(node('clean failed', last_error='old'), {
            'manage': [node('manageable')],
            'provide': [node('available')]})
        states.to_available(ironic.get(), ironic.act, ironic.waiter())
        self.assertEqual(['manage', 'provide'], ironic.actions)

    def test_transition_in_progress_is_awaited_first(self):
        ironic = FakeIronic(node('cleaning', 'available'), {})
        ironic.pending = [node('clean wait', 'available'),
                          node('available')]
        states.to_available(node('cleaning', 'available'), ironic.act,
                            ironic.waiter())
        self.assertEqual([], ironic.actions)

    def test_failed_manage_names_node_and_last_error(self):
        ironic = FakeIronic(node('enroll'), {
            'manage': [node('verifying', 'manageable'),
                       node('enroll', last_error='IPMI call failed')]})
        err = self.assertRaises(states.NodeFailed, states.to_available,
                                ironic.get(), ironic.act, ironic.waiter())
        self.assertEqual('Ironic node tk0 did not reach manageable: enroll; '
                         'last error: IPMI call failed', str(err))

    def test_cleaning_failure(self):
        ironic = FakeIronic(node('manageable'), {
            'provide': [node('cleaning', 'available'),
                        node('clean failed', last_error='disk on fire')]})
        err = self.assertRaises(states.NodeFailed, states.to_available,
                                ironic.get(), ironic.act, ironic.waiter())
        self.assertIn('clean failed; last error: disk on fire', str(err))

    def test_timeout_names_state(self):
        stuck = node('cleaning', 'available')
        ironic = FakeIronic(node('manageable'), {'provide': [stuck] * 100})
        err = self.assertRaises(states.NodeFailed, states.to_available,
                                ironic.get(), ironic.act,
                                ironic.waiter(timeout=10))
        self.assertEqual('Ironic node tk0 did not reach available within '
                         '10s (state: cleaning -> available)', str(err))

    def test_provide_that_falls_back_fails_at_once(self):
        ironic = FakeIronic(node('clean failed'), {
            'manage': [node('manageable')],
            'provide': [node('cleaning', 'available'),
                        node('clean failed', last_error='again')]})
        self.assertRaises(states.NodeFailed, states.to_available,
                          ironic.get(), ironic.act, ironic.waiter())
        self.assertEqual(['manage', 'provide'], ironic.actions)


class WaiterTest(base.TestCase):

    def test_settled(self):
        ironic = FakeIronic(node('verifying', 'manageable'), {})
        ironic.pending = [node('verifying', 'manageable'),
                          node('manageable')]
        self.assertEqual('manageable',
                         ironic.waiter().settled().provision_state)

    def test_a_failure_that_keeps_its_target_is_settled(self):
        # Ironic leaves a failed deploy as "deploy failed -> active".
        ironic = FakeIronic(node('deploying', 'active'), {})
        ironic.pending = [node('deploy failed', 'active', 'boom')]
        settled = ironic.waiter(timeout=600).settled()
        self.assertEqual('deploy failed', settled.provision_state)
        self.assertEqual(0.0, ironic.clock, 'waited on a failure')

    def test_until_stops_at_a_failure_that_keeps_its_target(self):
        ironic = FakeIronic(node('deploying', 'active'), {})
        ironic.pending = [node('deploy failed', 'active', 'boom')]
        err = self.assertRaises(states.NodeFailed,
                                ironic.waiter(timeout=600).until, 'active')
        self.assertIn('deploy failed', str(err))
        self.assertEqual(0.0, ironic.clock)
