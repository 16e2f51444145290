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

from tenks.planner import kinds
from tests.unit import base

#: Every kind, in the order resources are created.
_CREATION_ORDER = ['pool', 'bridge', 'volume', 'vif', 'domain',
                   'bmc_service', 'bmc', 'ironic_node', 'flavor',
                   'placement_wait']


class RankTest(base.TestCase):

    def test_creation_order(self):
        self.assertEqual(_CREATION_ORDER, sorted(kinds.KINDS, key=kinds.rank))

    def test_ranks_are_distinct(self):
        ranks = [kinds.rank(k) for k in kinds.KINDS]
        self.assertEqual(len(ranks), len(set(ranks)))

    def test_unknown_kind(self):
        self.assertRaises(KeyError, kinds.rank, 'toaster')


class NamespaceAndDriverTest(base.TestCase):

    def test_namespaces(self):
        self.assertEqual(
            {'tenks.providers': ['pool', 'volume', 'domain'],
             'tenks.networks': ['bridge', 'vif'],
             'tenks.bmc': ['bmc_service', 'bmc'],
             'tenks.enrolment': ['ironic_node', 'flavor', 'placement_wait']},
            {ns: [k for k in kinds.KINDS if kinds.namespace(k) == ns]
             for ns in {kinds.namespace(k) for k in kinds.KINDS}})

    def test_only_cloud_kinds_have_a_fixed_driver(self):
        self.assertEqual({'ironic_node': 'ironic', 'flavor': 'nova',
                          'placement_wait': 'nova'},
                         {k: kinds.driver(k) for k in kinds.KINDS
                          if kinds.driver(k) is not None})
        for kind in ('pool', 'bridge', 'volume', 'vif', 'domain', 'bmc'):
            self.assertIsNone(kinds.driver(kind), kind)


class NeedsReplaceTest(base.TestCase):

    def test_unchanged(self):
        props = {'name': 'tk0', 'uuid': 'u-0', 'memory_mb': 1024}
        self.assertEqual([], kinds.needs_replace('domain', props,
                                                 dict(props)))

    def test_only_identity_props_force_a_replace(self):
        old = {'name': 'tk0', 'uuid': 'u-0', 'memory_mb': 1024}
        self.assertEqual([], kinds.needs_replace(
            'domain', old, dict(old, memory_mb=2048)))
        self.assertEqual(['uuid'], kinds.needs_replace(
            'domain', old, dict(old, uuid='u-1', memory_mb=2048)))

    def test_changed_props_in_declared_order(self):
        old = {'name': 'f', 'ram': 1024, 'vcpus': 1, 'disk': 4,
               'is_public': True}
        new = dict(old, is_public=False, vcpus=2, ram=2048)
        self.assertEqual(['ram', 'vcpus', 'is_public'],
                         kinds.needs_replace('flavor', old, new))

    def test_a_prop_that_appears_or_goes_counts(self):
        self.assertEqual(['datapath_type'], kinds.needs_replace(
            'bridge', {'name': 'br0'},
            {'name': 'br0', 'datapath_type': 'netdev'}))
        self.assertEqual(['image'], kinds.needs_replace(
            'volume', {'name': 'v', 'image': 'http://i'}, {'name': 'v'}))

    def test_kinds_that_never_replace(self):
        for kind in ('bmc_service', 'bmc', 'placement_wait'):
            self.assertEqual([], kinds.needs_replace(
                kind, {'name': 'a', 'port': 1}, {'name': 'b', 'port': 2}))
