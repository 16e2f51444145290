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


BOND = {'name': 'tk0-pn1', 'address': '52:54:00:00:00:01',
        'mode': '802.3ad', 'properties': {'miimon': '100'}}
MACS = ('52:54:00:00:00:01', '52:54:00:00:00:02')


def bonded(**bond):
    """PROPS with both NICs on pn1 in one bond."""
    props = copy.deepcopy(PROPS)
    props['ports'] = [fields.port(mac, 'pn1', portgroup='tk0-pn1')
                      for mac in MACS]
    props['portgroups'] = [dict(BOND, **bond)]
    return props


def ironic_group(uuid='g1', **changes):
    group = dict(fields.portgroup_fields(BOND), uuid=uuid, node_uuid='u-1')
    group.update(changes)
    return group


def ironic_port(mac, group=None, physnet='pn1'):
    return {'uuid': 'p-' + mac[-2:], 'address': mac, 'node_uuid': 'u-1',
            'physical_network': physnet, 'local_link_connection': {},
            'portgroup_uuid': group}


class PortgroupPropsTest(base.TestCase):

    def test_port_names_its_group_only_when_bonded(self):
        self.assertEqual({'address': 'm', 'physical_network': 'pn1'},
                         fields.port('m', 'pn1'))
        self.assertEqual({'address': 'm', 'physical_network': 'pn1',
                          'portgroup': 'tk0-pn1'},
                         fields.port('m', 'pn1', portgroup='tk0-pn1'))

    def test_portgroups_need_api_1_26(self):
        props = bonded()
        for key in ('shard', 'traits', 'interfaces', 'resource_class'):
            props.pop(key)
        self.assertEqual(['portgroups (1.26)'],
                         fields.unsupported(props, (1, 25)))
        self.assertEqual([], fields.unsupported(props, (1, 26)))
        # A node without bonds asks nothing more of an old API.
        del props['portgroups']
        self.assertEqual([], fields.unsupported(props, (1, 20)))

    def test_port_fields_carry_the_group_uuid(self):
        port = bonded()['ports'][0]
        self.assertEqual('g1', fields.port_fields(
            port, (1, 99), {'tk0-pn1': 'g1'})['portgroup_uuid'])
        # The group is not there (yet): no portgroup_uuid at all.
        self.assertNotIn('portgroup_uuid', fields.port_fields(port, (1, 99)))

    def test_portgroup_fields(self):
        self.assertEqual({'name': 'x', 'address': 'aa:bb:cc:dd:ee:ff',
                          'mode': 'active-backup', 'properties': {}},
                         fields.portgroup_fields({
                             'name': 'x', 'address': 'AA:BB:CC:DD:EE:FF',
                             'mode': 'active-backup'}))


class PortgroupChangesTest(base.TestCase):

    def test_missing_group_is_created(self):
        out = fields.portgroup_changes([BOND], None, [])
        self.assertEqual({'create': [fields.portgroup_fields(BOND)],
                          'update': [], 'delete': [], 'groups': {}}, out)

    def test_matching_group_unchanged(self):
        out = fields.portgroup_changes([BOND], [BOND], [ironic_group()])
        self.assertEqual({'create': [], 'update': [], 'delete': [],
                          'groups': {'tk0-pn1': 'g1'}}, out)

    def test_changed_mode_properties_address_patched(self):
        desired = dict(BOND, mode='balance-rr', properties={},
                       address='52:54:00:00:00:02')
        actual = ironic_group()
        out = fields.portgroup_changes([desired], [BOND], [actual])
        self.assertEqual([(actual, fields.portgroup_fields(desired))],
                         out['update'])
        self.assertEqual([
            {'op': 'add', 'path': '/address', 'value': '52:54:00:00:00:02'},
            {'op': 'add', 'path': '/mode', 'value': 'balance-rr'},
            {'op': 'add', 'path': '/properties', 'value': {}},
        ], fields.portgroup_patch(actual, out['update'][0][1]))

    def test_only_groups_tenks_made_are_deleted(self):
        ours = ironic_group()
        theirs = ironic_group('g9', name='user-bond',
                              address='52:54:00:00:00:09')
        unnamed = ironic_group('g8', name=None, address='52:54:00:00:00:08')
        out = fields.portgroup_changes(None, [BOND], [ours, theirs, unnamed])
        self.assertEqual([ours], out['delete'])
        self.assertEqual({'tk0-pn1': 'g1'}, out['groups'])
        # Old props unknown: nothing is known to be tenks'.
        out = fields.portgroup_changes(None, None, [ours, theirs])
        self.assertEqual(([], {}), (out['delete'], out['groups']))


class PortMembershipTest(base.TestCase):

    def test_ports_join_their_group_portgroup_first_in_patch(self):
        actual = [ironic_port(MACS[0], physnet='pn9'), ironic_port(MACS[1])]
        out = fields.port_changes(bonded()['ports'], None, actual, (1, 99),
                                  {'tk0-pn1': 'g1'})
        self.assertEqual(['p-01', 'p-02'],
                         [p['uuid'] for p, _ in out['update']])
        # Ironic looks only at the first operation for a portgroup move.
        self.assertEqual([
            {'op': 'add', 'path': '/portgroup_uuid', 'value': 'g1'},
            {'op': 'add', 'path': '/physical_network', 'value': 'pn1'},
        ], fields.port_patch(*out['update'][0]))
        self.assertEqual([{'op': 'add', 'path': '/portgroup_uuid',
                           'value': 'g1'}],
                         fields.port_patch(*out['update'][1]))

    def test_members_unchanged(self):
        actual = [ironic_port(mac, 'g1') for mac in MACS]
        out = fields.port_changes(bonded()['ports'], bonded()['ports'],
                                  actual, (1, 99), {'tk0-pn1': 'g1'})
        self.assertEqual({'create': [], 'update': [], 'delete': []}, out)

    def test_ports_leave_tenks_group_but_stay_in_foreign_one(self):
        desired = [fields.port(mac, 'pn1') for mac in MACS]
        actual = [ironic_port(MACS[0], 'g1'), ironic_port(MACS[1], 'g9')]
        out = fields.port_changes(desired, bonded()['ports'], actual,
                                  (1, 99), {'tk0-pn1': 'g1'})
        self.assertEqual([('p-01', [{'op': 'add', 'path': '/portgroup_uuid',
                                     'value': None}])],
                         [(p['uuid'], fields.port_patch(p, w))
                          for p, w in out['update']])

    def test_new_port_created_in_its_group(self):
        out = fields.port_changes(bonded()['ports'], None, [], (1, 99),
                                  {'tk0-pn1': 'g1'})
        self.assertEqual(['g1', 'g1'],
                         [p['portgroup_uuid'] for p in out['create']])


class PortgroupDriftTest(base.TestCase):

    def _drift(self, props, ports, groups):
        actual = actual_of(props)
        return fields.drift(props, actual, props['traits'], ports, (1, 99),
                            groups)

    def test_as_made_no_drift(self):
        ports = [ironic_port(mac, 'g1') for mac in MACS]
        self.assertEqual([], self._drift(bonded(), ports, [ironic_group()]))

    def test_missing_group(self):
        ports = [ironic_port(mac) for mac in MACS]
        self.assertEqual(['portgroup tk0-pn1'],
                         self._drift(bonded(), ports, []))

    def test_group_fields_differ(self):
        ports = [ironic_port(mac, 'g1') for mac in MACS]
        for change in ({'mode': 'balance-rr'}, {'properties': {}},
                       {'address': '52:54:00:00:00:09'}):
            self.assertEqual(['portgroup tk0-pn1'],
                             self._drift(bonded(), ports,
                                         [ironic_group(**change)]))

    def test_port_out_of_group_or_in_wrong_one(self):
        groups = [ironic_group(), ironic_group('g9', name='user-bond')]
        for stray in (None, 'g9'):
            ports = [ironic_port(MACS[0], 'g1'),
                     ironic_port(MACS[1], stray)]
            self.assertEqual(['portgroup tk0-pn1'],
                             self._drift(bonded(), ports, groups))

    def test_port_in_tenks_group_it_left(self):
        props = bonded()
        props['ports'][1].pop('portgroup')
        ports = [ironic_port(mac, 'g1') for mac in MACS]
        self.assertEqual(['portgroup tk0-pn1'],
                         self._drift(props, ports, [ironic_group()]))

    def test_physnet_drift_of_member_names_the_port(self):
        ports = [ironic_port(MACS[0], 'g1'),
                 ironic_port(MACS[1], 'g1', physnet='pn9')]
        self.assertEqual(['port 52:54:00:00:00:02'],
                         self._drift(bonded(), ports, [ironic_group()]))

    def test_without_bonds_groups_are_not_looked_at(self):
        props = copy.deepcopy(PROPS)
        ports = [dict(ironic_port(MACS[0], 'g9'),
                      local_link_connection=PROPS['ports'][0][
                          'local_link_connection'])]
        self.assertEqual([], self._drift(props, ports,
                                         [ironic_group('g9')]))
