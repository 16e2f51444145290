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

"""What carries this cluster's mark unrecorded stops the plan, in the same
words for every plugin."""

from tenks import exception
from tenks.networks import common
from tenks import observation
from tenks.planner import diff
from tenks import refresh
from tenks.state import model
from tests.unit import base

PATH = '/var/lib/tenks/two.yaml'
WORDS = ('it is marked for cluster blue but not recorded in this state '
         'file (/var/lib/tenks/two.yaml); another state file of the same '
         'cluster name may own it')


def record(kind, name, adopt=False):
    return model.ResourceRecord(kind=kind, name=name, driver='d',
                                hypervisor='hv0', props={}, adopt=adopt)


class UnrecordedTest(base.TestCase):

    def test_marked_gets_the_problem(self):
        obs = observation.unrecorded(observation.ours(), 'blue', PATH)
        self.assertEqual(WORDS, obs.problem)
        self.assertTrue(obs.exists and obs.marked)

    def test_others_are_left_alone(self):
        for obs in (observation.ABSENT, observation.foreign('x'),
                    observation.Observation(True, True),
                    observation.Observation(True, None)):
            self.assertIs(obs, observation.unrecorded(obs, 'blue', PATH))

    def test_links_of_this_cluster_are_marked(self):
        self.assertTrue(common.wired([]).marked)
        self.assertTrue(common.wired(['it is down']).marked)


class RefuseUnrecordedTest(base.TestCase):

    def test_only_records_the_state_lacks(self):
        state = model.State(cluster='blue')
        kept = record('bridge', 'br0')
        state.resources[kept.key] = kept
        new, adopted, clean = (record('vif', 'v0'),
                               record('domain', 'tk0', adopt=True),
                               record('domain', 'tk1'))
        observations = {kept.key: observation.ours(),
                        new.key: observation.ours(),
                        adopted.key: observation.ours(),
                        clean.key: observation.ABSENT}
        refresh.refuse_unrecorded(observations,
                                  [kept, new, adopted, clean], state,
                                  'blue', PATH)
        self.assertEqual(['', WORDS, '', ''],
                         [observations[r.key].problem
                          for r in (kept, new, adopted, clean)])

    def test_plan_says_it(self):
        state = model.State(cluster='blue')
        new = record('domain', 'tk0')
        observations = {new.key: observation.Observation(
            True, False, 'it has UUID a, not b', marked=True)}
        refresh.refuse_unrecorded(observations, [new], state, 'blue', PATH)
        exc = self.assertRaises(exception.PlanError, diff.diff,
                                {new.key: new},
                                state, observations)
        self.assertIn('domain tk0 on hv0: ' + WORDS, str(exc))
        self.assertNotIn('not created by tenks', str(exc))
