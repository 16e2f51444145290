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

"""Node and port fields from ironic_node props, and the patches that
converge an existing node."""

import copy

from tenks.enrolment import fields
from tests.unit import base

PROPS = {
    'name': 'tk0', 'uuid': 'u-1', 'driver': 'ipmi',
    'driver_info': {'ipmi_address': '127.0.0.1', 'ipmi_port': 6230,
                    'ipmi_username': 'admin', 'ipmi_password': 'secret',
                    'deploy_kernel': 'http://k'},
    'properties': {'cpus': 1, 'memory_mb': 1024, 'cpu_arch': 'x86_64',
                   'capabilities': 'boot_mode:uefi'},
    'resource_class': 'rc1', 'traits': ['CUSTOM_A'],
    'interfaces': {'deploy_interface': 'direct'},
    'extra': {'tenks_cluster': 'c1'},
    'shard': 's1',
    'ports': [{'address': '52:54:00:00:00:01', 'physical_network': 'pn1',
               'local_link_connection': {'switch_id': '02:54:00:00:00:AA',
                                         'switch_info': 'br0',
                                         'port_id': 'p-tk0-0-br'}}],
}


def actual_of(props):
    """What Ironic shows for a node made from ``props`` (secret masked)."""
    node = fields.node_fields(props)
    node['driver_info'] = dict(node['driver_info'], ipmi_password='******')
    node.setdefault('conductor_group', '')
    node.setdefault('boot_interface', 'ipxe')
    return node


class NodeFieldsTest(base.TestCase):

    def test_fields_for_create(self):
        out = fields.node_fields(PROPS)
        self.assertEqual('u-1', out['uuid'])
        self.assertEqual('direct', out['deploy_interface'])
        self.assertEqual('s1', out['shard'])
        self.assertNotIn('ports', out)
        self.assertNotIn('traits', out)
        self.assertNotIn('owner', out)

    def test_unsupported_fields_named_with_versions(self):
        self.assertEqual([], fields.unsupported(PROPS, (1, 99)))
        self.assertEqual(['shard (1.82)'],
                         fields.unsupported(PROPS, (1, 81)))
        self.assertEqual(['deploy_interface (1.31)', 'resource_class (1.21)',
                          'shard (1.82)', 'traits (1.37)'],
                         fields.unsupported(PROPS, (1, 20)))

    def test_port_without_physnet_on_old_api(self):
        port = PROPS['ports'][0]
        new = fields.port_fields(port, (1, 34))
        self.assertEqual('pn1', new['physical_network'])
        old = fields.port_fields(port, (1, 33))
        self.assertNotIn('physical_network', old)
        self.assertIn('local_link_connection', old)
        self.assertTrue(old['pxe_enabled'])


class NodePatchTest(base.TestCase):

    def test_unchanged_node_needs_no_patch(self):
        patch, driver_changed = fields.node_patch(PROPS, PROPS,
                                                  actual_of(PROPS))
        self.assertEqual([], patch)
        self.assertFalse(driver_changed)

    def test_masked_secret_is_resent_when_old_is_unknown(self):
        patch, _ = fields.node_patch(PROPS, None, actual_of(PROPS))
        self.assertEqual([{'op': 'add', 'path': '/driver_info/ipmi_password',
                           'value': 'secret'}], patch)

    def test_changed_secret_is_sent(self):
        new = copy.deepcopy(PROPS)
        new['driver_info']['ipmi_password'] = 'other'
        patch, _ = fields.node_patch(new, PROPS, actual_of(PROPS))
        self.assertEqual([{'op': 'add', 'path': '/driver_info/ipmi_password',
                           'value': 'other'}], patch)

    def test_drift_fixed_user_keys_kept_dropped_keys_removed(self):
        actual = actual_of(PROPS)
        actual['resource_class'] = 'drifted'
        actual['properties'] = dict(actual['properties'], cpus=64,
                                    user_prop='x')
        actual['extra'] = dict(actual['extra'], user='keep', old_key='1')
        old = copy.deepcopy(PROPS)
        old['extra']['old_key'] = '1'
        old['interfaces']['boot_interface'] = 'ipxe'
        patch, _ = fields.node_patch(PROPS, old, actual)
        self.assertEqual([
            {'op': 'replace', 'path': '/resource_class', 'value': 'rc1'},
            {'op': 'remove', 'path': '/boot_interface'},
            {'op': 'add', 'path': '/properties/cpus', 'value': 1},
            {'op': 'remove', 'path': '/extra/old_key'},
        ], patch)

    def test_field_someone_else_changed_is_not_removed(self):
        old = dict(PROPS, description='mine')
        actual = actual_of(PROPS)
        actual['description'] = 'theirs now'
        patch, _ = fields.node_patch(PROPS, old, actual)
        self.assertEqual([], patch)

    def test_driver_change_is_flagged(self):
        new = dict(PROPS, driver='redfish')
        patch, driver_changed = fields.node_patch(new, PROPS,
                                                  actual_of(PROPS))
        self.assertTrue(driver_changed)
        self.assertIn({'op': 'replace', 'path': '/driver',
                       'value': 'redfish'}, patch)

    def test_keys_are_escaped(self):
        new = copy.deepcopy(PROPS)
        new['extra']['a/b~c'] = 'v'
        patch, _ = fields.node_patch(new, PROPS, actual_of(PROPS))
        self.assertEqual([{'op': 'add', 'path': '/extra/a~1b~0c',
                           'value': 'v'}], patch)


class TraitsTest(base.TestCase):

    def test_traits(self):
        self.assertIsNone(fields.target_traits(PROPS, PROPS, ['CUSTOM_A']))
        self.assertEqual(['CUSTOM_A'],
                         fields.target_traits(PROPS, None, []))
        new = dict(PROPS, traits=['CUSTOM_B'])
        # CUSTOM_A was tenks'; CUSTOM_USER was not.
        self.assertEqual(['CUSTOM_B', 'CUSTOM_USER'],
                         fields.target_traits(new, PROPS,
                                              ['CUSTOM_A', 'CUSTOM_USER']))


class PortChangesTest(base.TestCase):

    def _actual(self, address, physnet='pn1', llc=None, uuid='p1'):
        return {'uuid': uuid, 'address': address,
                'physical_network': physnet,
                'local_link_connection': llc if llc is not None else
                {'switch_id': '02:54:00:00:00:aa', 'switch_info': 'br0',
                 'port_id': 'p-tk0-0-br'}}

    def test_matching_port_unchanged(self):
        out = fields.port_changes(PROPS['ports'], PROPS['ports'],
                                  [self._actual('52:54:00:00:00:01')],
                                  (1, 99))
        self.assertEqual({'create': [], 'update': [], 'delete': []}, out)

    def test_add_update_delete(self):
        desired = PROPS['ports'] + [{'address': '52:54:00:00:00:02',
                                     'physical_network': 'pn2'}]
        old = PROPS['ports'] + [{'address': '52:54:00:00:00:03'}]
        actual = [self._actual('52:54:00:00:00:01', physnet='pn9'),
                  self._actual('52:54:00:00:00:03', uuid='p3'),
                  self._actual('52:54:00:00:00:04', uuid='p4')]
        out = fields.port_changes(desired, old, actual, (1, 99))
        self.assertEqual(['52:54:00:00:00:02'],
                         [p['address'] for p in out['create']])
        self.assertEqual(['p1'], [p['uuid'] for p, _ in out['update']])
        # Only the port tenks made goes; the user's port 04 stays.
        self.assertEqual(['p3'], [p['uuid'] for p in out['delete']])

    def test_old_api_ignores_physnet_drift(self):
        out = fields.port_changes(PROPS['ports'], PROPS['ports'],
                                  [self._actual('52:54:00:00:00:01',
                                                physnet=None)], (1, 33))
        self.assertEqual([], out['update'])

    def test_port_patch(self):
        patch = fields.port_patch(self._actual('x', physnet='pn9'),
                                  {'physical_network': 'pn1'})
        self.assertEqual([{'op': 'add', 'path': '/physical_network',
                           'value': 'pn1'}], patch)
