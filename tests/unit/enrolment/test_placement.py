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

"""Counting Placement providers for the expected nodes."""

from tenks.enrolment import placement
from tests.unit import base


class FakePlacement(object):
    """Providers as {uuid: (traits, {rc: (total, reserved, used)})}."""

    def __init__(self, providers):
        self.providers = providers
        self.calls = []

    def get(self, path, params, version):
        self.calls.append((path, dict(params), version))
        if path.endswith('/inventories'):
            uuid = path.split('/')[2]
            invs = self.providers[uuid][1]
            return {'inventories': {rc: {'total': t, 'reserved': r}
                                    for rc, (t, r, _u) in invs.items()}}
        wanted = {}
        if 'resources' in params:
            rc, _, amount = params['resources'].partition(':')
            wanted[rc] = int(amount)
        required = set(filter(None, params.get('required', '').split(',')))
        out = []
        for uuid, (traits, invs) in sorted(self.providers.items()):
            if not required <= set(traits):
                continue
            ok = all(rc in invs and invs[rc][0] - invs[rc][1] -
                     invs[rc][2] >= n for rc, n in wanted.items())
            if ok:
                out.append({'uuid': uuid})
        return {'resource_providers': out}


class NeedsTest(base.TestCase):

    def test_groups_with_more_traits_count_for_fewer(self):
        expected = [
            {'resource_class': 'CUSTOM_A', 'traits': ['T1'], 'amount': 2},
            {'resource_class': 'CUSTOM_A', 'traits': [], 'amount': 1},
            {'resource_class': 'CUSTOM_A', 'traits': ['T1', 'T2'],
             'amount': 1},
            {'resource_class': 'CUSTOM_B', 'traits': [], 'amount': 3}]
        self.assertEqual({
            ('CUSTOM_A', frozenset(['T1'])): 3,
            ('CUSTOM_A', frozenset()): 4,
            ('CUSTOM_A', frozenset(['T1', 'T2'])): 1,
            ('CUSTOM_B', frozenset()): 3}, dict(placement.needs(expected)))


class CounterTest(base.TestCase):

    def test_free_providers_are_enough_one_request(self):
        api = FakePlacement({'p1': (['T1'], {'CUSTOM_A': (1, 0, 0)}),
                             'p2': ([], {'CUSTOM_A': (1, 0, 0)})})
        counter = placement.Counter(api.get)
        self.assertEqual(1, counter.count('CUSTOM_A', frozenset(['T1']), 1))
        self.assertEqual([('/resource_providers',
                           {'resources': 'CUSTOM_A:1', 'required': 'T1'},
                           '1.18')], api.calls)

    def test_in_use_nodes_count_reserved_do_not(self):
        api = FakePlacement({
            'free': ([], {'CUSTOM_A': (1, 0, 0)}),
            'busy': ([], {'CUSTOM_A': (1, 0, 1)}),
            'cleaning': ([], {'CUSTOM_A': (1, 1, 0)}),
            'compute': ([], {'VCPU': (8, 0, 0)})})
        counter = placement.Counter(api.get)
        self.assertEqual(2, counter.count('CUSTOM_A', frozenset(), 3))
        self.assertEqual(('/resource_providers', {}, '1.4'), api.calls[1])
        inventories = [c for c in api.calls if c[0].endswith('inventories')]
        self.assertEqual(3, len(inventories))
        # Inventories are read once per provider.
        api.calls = []
        counter.count('CUSTOM_A', frozenset(), 3)
        self.assertEqual(2, len(api.calls))


class WaitTest(base.TestCase):

    def test_waits_then_succeeds(self):
        api = FakePlacement({})
        clock = [0.0]
        looks = []

        def sleep(seconds):
            clock[0] += seconds
            if len(looks) == 2:
                api.providers['p1'] = ([], {'CUSTOM_A': (1, 0, 0)})

        expected = [{'resource_class': 'CUSTOM_A', 'traits': [],
                     'amount': 1}]
        seen = placement.wait(placement.Counter(api.get), expected, 60, 5,
                              sleep=sleep, clock=lambda: clock[0],
                              log=looks.append)
        self.assertEqual({'CUSTOM_A': 1}, seen)
        self.assertEqual(['waiting for Placement: CUSTOM_A: 0 of 1'] * 2,
                         looks)

    def test_timeout_names_what_is_short(self):
        api = FakePlacement({'p1': (['T'], {'CUSTOM_A': (1, 0, 0)})})
        clock = [0.0]

        def sleep(seconds):
            clock[0] += seconds

        expected = [{'resource_class': 'CUSTOM_A', 'traits': ['T'],
                     'amount': 2}]
        err = self.assertRaises(
            placement.PlacementTimeout, placement.wait,
            placement.Counter(api.get), expected, 20, 5, sleep=sleep,
            clock=lambda: clock[0])
        self.assertIn('within 20s (CUSTOM_A with T: 1 of 2)', str(err))
