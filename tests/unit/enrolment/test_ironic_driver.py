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

"""The Ironic driver's refresh and ownership rules (no Ironic needed:
the functional tests drive a real one)."""

import copy
import itertools
import types

from openstack import exceptions as os_exc

from tenks.enrolment import fields as fields_mod
from tenks.enrolment import ironic
from tenks.enrolment import states
from tenks import exception
from tenks.state import model
from tests.unit import base


DRIVER_INFO = {'redfish_address': 'http://127.0.0.1:8000',
               'redfish_password': 'secret'}


def _node(uuid, name, cluster=None, **fields):
    node = dict(id=uuid, name=name, driver='redfish',
                driver_info=dict(DRIVER_INFO, redfish_password='******'),
                properties={}, resource_class='rc', traits=[],
                extra={'tenks_cluster': cluster} if cluster else {})
    node.update(fields)
    return types.SimpleNamespace(**node)


def _record(name, uuid, macs=(), adopt=False, cluster='c1'):
    props = {'name': name, 'uuid': uuid, 'driver': 'redfish',
             'driver_info': dict(DRIVER_INFO), 'resource_class': 'rc',
             'extra': {'tenks_cluster': cluster},
             'ports': [{'address': m} for m in macs]}
    return model.ResourceRecord('ironic_node', name, 'ironic', None, props,
                                adopt=adopt)


class FakeBaremetal(object):
    def __init__(self, nodes, ports):
        self._nodes = nodes
        self._ports = ports
        self.calls = []

    def nodes(self, **kwargs):
        self.calls.append(('nodes', kwargs))
        return iter(self._nodes)

    def ports(self, **kwargs):
        self.calls.append(('ports', kwargs))
        return iter(types.SimpleNamespace(id='p-' + a, address=a, node_id=n,
                                          physical_network=None,
                                          local_link_connection={},
                                          port_group_id=None)
                    for a, n in self._ports)

    def get_endpoint_data(self):
        return types.SimpleNamespace(max_microversion=(1, 87))


class ObserveTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.driver = ironic.IronicDriver(self.make_conf(
            '[ironic]\ncloud = lab\n'))
        self.bm = FakeBaremetal(
            [_node('u-ours', 'tk0', 'c1'), _node('u-other', 'tk1', 'c2'),
             _node('u-plain', 'taken'), _node('u-mac', 'holder')],
            [('52:54:00:00:00:09', 'u-mac')])
        self.driver.cloud._conn = types.SimpleNamespace(baremetal=self.bm)

    def test_one_node_list_and_one_port_list(self):
        records = [_record('tk0', 'u-ours', ['52:54:00:00:00:01']),
                   _record('tk1', 'u-other'),
                   _record('taken', 'u-new'),
                   _record('tk3', 'u-new3', ['52:54:00:00:00:09']),
                   _record('tk4', 'u-new4', ['52:54:00:00:00:04']),
                   _record('x', 'u-plain', adopt=True)]
        seen = self.driver.observe_ironic_node(records)
        self.assertEqual(['nodes', 'ports'], [c[0] for c in self.bm.calls])
        self.assertEqual((True, True), (seen['ironic_node:tk0'].exists,
                                        seen['ironic_node:tk0'].owned))
        other = seen['ironic_node:tk1']
        self.assertEqual((True, False), (other.exists, other.owned))
        self.assertIn("tenks cluster 'c2'", other.detail)
        self.assertIn('u-plain has this name',
                      seen['ironic_node:taken'].detail)
        self.assertEqual('MAC 52:54:00:00:00:09 is a port of Ironic node '
                         'holder', seen['ironic_node:tk3'].detail)
        self.assertFalse(seen['ironic_node:tk4'].exists)
        # Unmarked: not ours (the planner lets an adopting record take it).
        self.assertFalse(seen['ironic_node:x'].owned)

    def test_no_port_list_without_ports(self):
        self.driver.observe_ironic_node([_record('tk1', 'u-other')])
        self.assertEqual(['nodes'], [c[0] for c in self.bm.calls])

    def test_fields_changed_behind_tenks_back_are_drift(self):
        self.bm._nodes = [
            _node('u-same', 'tk0', 'c1'),
            _node('u-moved', 'tk1', 'c1', driver_info=dict(
                DRIVER_INFO, redfish_address='http://127.0.0.1:8491',
                redfish_password='******'), resource_class='other'),
            _node('u-lost', 'tk2', 'c1')]
        self.bm._ports = [('52:54:00:00:00:01', 'u-same')]
        seen = self.driver.observe_ironic_node([
            _record('tk0', 'u-same', ['52:54:00:00:00:01']),
            _record('tk1', 'u-moved'),
            _record('tk2', 'u-lost', ['52:54:00:00:00:02'])])
        # A secret Ironic masks, and its own additions, are no drift.
        self.assertTrue(seen['ironic_node:tk0'].healthy)
        moved = seen['ironic_node:tk1']
        self.assertEqual((True, True, False),
                         (moved.exists, moved.owned, moved.healthy))
        self.assertEqual('changed in Ironic: /driver_info/redfish_address, '
                         '/resource_class', moved.detail)
        lost = seen['ironic_node:tk2']
        self.assertFalse(lost.healthy)
        self.assertIn('port 52:54:00:00:00:02', lost.detail)


class OwnershipTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.driver = ironic.IronicDriver(self.make_conf(
            '[ironic]\ncloud = lab\n'))

    def test_rules(self):
        check = self.driver._check_ours
        check(_node('u', 'tk0', 'c1'), _record('tk0', 'u'))
        check(_node('u', 'tk0'), _record('tk0', 'u', adopt=True))
        err = self.assertRaises(exception.ResourceConflict, check,
                                _node('u', 'tk0'), _record('tk0', 'u'))
        self.assertIn('it has no tenks mark (extra.tenks_cluster)',
                      str(err))
        err = self.assertRaises(exception.ResourceConflict, check,
                                _node('u', 'tk0', 'c2'),
                                _record('tk0', 'u', adopt=True))
        self.assertIn("it belongs to tenks cluster 'c2'", str(err))


class ConcurrencyTest(base.TestCase):

    def test_limit(self):
        import threading
        driver = ironic.IronicDriver(self.make_conf(
            '[ironic]\ncloud = lab\nconcurrency = 2\n'))
        entered = threading.Semaphore(0)
        release = threading.Event()

        def work():
            with driver._slot():
                entered.release()
                release.wait(30)

        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for _ in threads:
            self.assertTrue(entered.acquire(timeout=30))
        # Two inside: a third may not enter.
        self.assertFalse(driver._slots.acquire(blocking=False))
        release.set()
        for t in threads:
            t.join()
        self.assertTrue(driver._slots.acquire(blocking=False))
        driver._slots.release()

    def test_unlimited_by_default(self):
        driver = ironic.IronicDriver(self.make_conf('[ironic]\ncloud = l\n'))
        self.assertIsNone(driver._slots)


# -- portgroups against an Ironic in memory -------------------------------

#: Where Ironic lets a port change portgroup without maintenance.
MOVABLE = ('enroll', 'manageable', 'inspecting', 'inspect wait')


class MemoryIronic(object):
    """The parts of openstacksdk's baremetal proxy the driver calls.

    It keeps Ironic's rules the driver must live with: portgroup names and
    addresses are unique, a portgroup with ports cannot be deleted, a port
    changes portgroup only in ``MOVABLE`` states or in maintenance, and
    (Ironic reads only a port patch's first operation for it) only as the
    first operation. ``changes`` lists the calls that change something.
    """

    def __init__(self, version=(1, 87)):
        self.version = version
        self.node_store, self.port_store, self.group_store = {}, {}, {}
        self.changes = []
        self.listed = []
        self._ids = itertools.count(1)

    def _new_id(self, prefix):
        return '%s-%d' % (prefix, next(self._ids))

    def _change(self, *call):
        self.changes.append(call)

    @staticmethod
    def _conflict(message):
        return os_exc.ConflictException(message=message)

    def get_endpoint_data(self):
        return types.SimpleNamespace(max_microversion=self.version)

    # nodes

    def nodes(self, fields=None):
        return [copy.deepcopy(n) for n in self.node_store.values()]

    def get_node(self, ident, fields=None):
        for node in self.node_store.values():
            if ident in (node.id, node.name):
                return copy.deepcopy(node)
        raise os_exc.NotFoundException(message='no node %s' % ident)

    def create_node(self, **attrs):
        self._change('create_node', attrs['name'])
        node = types.SimpleNamespace(
            provision_state='enroll', target_provision_state=None,
            last_error=None, is_maintenance=False, traits=[],
            instance_id=None, is_protected=False, **attrs)
        self.node_store[node.id] = node
        return copy.deepcopy(node)

    def set_node_traits(self, node, traits):
        self._change('set_node_traits', list(traits))
        self.node_store[node.id].traits = list(traits)

    def set_node_provision_state(self, uuid, action):
        self._change('provision', action)
        self.node_store[uuid].provision_state = states.EXPECTED[action]

    # ports

    def ports(self, details=False, node_id=None, address=None,
              portgroup=None, fields=None):
        self.listed.append('ports')
        return [copy.deepcopy(p) for p in self.ports_of(node_id)
                if address in (None, p.address) and
                portgroup in (None, p.port_group_id)]

    def ports_of(self, node_id=None):
        return sorted((p for p in self.port_store.values()
                       if node_id in (None, p.node_id)),
                      key=lambda p: p.address)

    def create_port(self, node_id, address, pxe_enabled=None,
                    physical_network=None, local_link_connection=None,
                    portgroup_uuid=None):
        self._change('create_port', address, portgroup_uuid)
        if portgroup_uuid not in (None, *self.group_store):
            raise os_exc.BadRequestException(message='no such portgroup')
        port = types.SimpleNamespace(
            id=self._new_id('port'), node_id=node_id, address=address,
            physical_network=physical_network,
            local_link_connection=local_link_connection or {},
            port_group_id=portgroup_uuid)
        self.port_store[port.id] = port
        return copy.deepcopy(port)

    def patch_port(self, uuid, patch):
        self._change('patch_port', self.port_store[uuid].address,
                     [op['path'] for op in patch])
        port = self.port_store[uuid]
        node = self.node_store[port.node_id]
        for index, op in enumerate(patch):
            key = op['path'].lstrip('/')
            if key == 'portgroup_uuid':
                if index:
                    raise AssertionError('Ironic would ignore this move')
                if not (node.provision_state in MOVABLE or
                        node.is_maintenance):
                    raise self._conflict('cannot change connectivity now')
                key = 'port_group_id'
            setattr(port, key, op['value'])
        return copy.deepcopy(port)

    def delete_port(self, uuid):
        self._change('delete_port', self.port_store.pop(uuid).address)

    # portgroups

    def port_groups(self, details=False, node=None, fields=None):
        self.listed.append('port_groups')
        return [copy.deepcopy(g) for g in self.group_store.values()
                if node in (None, g.node_id)]

    def create_port_group(self, node_id, name, address, mode, properties):
        self._change('create_port_group', name)
        for other in self.group_store.values():
            if name == other.name or address == other.address:
                raise self._conflict('portgroup %s exists' % name)
        group = types.SimpleNamespace(
            id=self._new_id('pg'), node_id=node_id, name=name,
            address=address, mode=mode, properties=dict(properties))
        self.group_store[group.id] = group
        return copy.deepcopy(group)

    def patch_port_group(self, uuid, patch):
        group = self.group_store[uuid]
        self._change('patch_port_group', group.name,
                     [op['path'] for op in patch])
        for op in patch:
            setattr(group, op['path'].lstrip('/'), op['value'])
        return copy.deepcopy(group)

    def delete_port_group(self, uuid):
        if any(p.port_group_id == uuid for p in self.port_store.values()):
            raise os_exc.BadRequestException(message='portgroup has ports')
        self._change('delete_port_group', self.group_store.pop(uuid).name)

    def members(self, name):
        """Addresses of the ports in the portgroup ``name``."""
        group = [g.id for g in self.group_store.values() if g.name == name]
        return [p.address for p in self.ports_of()
                if group and p.port_group_id == group[0]]


MACS = ('52:54:00:00:00:01', '52:54:00:00:00:02', '52:54:00:00:00:03')
BOND = {'name': 'tk0-pn1', 'address': MACS[0], 'mode': '802.3ad',
        'properties': {'miimon': '100'}}


def _bonded(bond=True, physnet='pn1', **changes):
    """A record of tk0: NICs 1 and 2 bonded on ``physnet``, 3 alone."""
    name = '%s-%s' % ('tk0', physnet)
    ports = [fields_mod.port(m, physnet, portgroup=name if bond else None)
             for m in MACS[:2]] + [fields_mod.port(MACS[2], 'pn2')]
    props = {'name': 'tk0', 'uuid': 'u-tk0', 'driver': 'fake-hardware',
             'driver_info': {}, 'resource_class': 'rc',
             'extra': {'tenks_cluster': 'c1'}, 'ports': ports}
    if bond:
        props['portgroups'] = [dict(BOND, name=name, **changes)]
    return model.ResourceRecord('ironic_node', 'tk0', 'ironic', None, props)


class PortgroupTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.driver = ironic.IronicDriver(self.make_conf(
            '[ironic]\ncloud = lab\n'))
        self.bm = MemoryIronic()
        self.driver.cloud._conn = types.SimpleNamespace(baremetal=self.bm)

    def _create(self, record):
        out = self.driver.create_ironic_node(record)
        self.bm.changes[:] = []
        return out

    def _update(self, old, new):
        self.driver._version = None
        return self.driver.update_ironic_node(old, new)

    def _set_state(self, state):
        self.bm.node_store['u-tk0'].provision_state = state

    def test_create_makes_group_then_member_ports(self):
        out = self.driver.create_ironic_node(_bonded())
        group = next(iter(self.bm.group_store.values()))
        self.assertEqual([
            ('create_node', 'tk0'),
            ('create_port_group', 'tk0-pn1'),
            ('create_port', MACS[0], group.id),
            ('create_port', MACS[1], group.id),
            ('create_port', MACS[2], None),
            ('provision', 'manage'), ('provision', 'provide')],
            self.bm.changes)
        self.assertEqual(('802.3ad', {'miimon': '100'}, MACS[0], 'u-tk0'),
                         (group.mode, group.properties, group.address,
                          group.node_id))
        self.assertEqual({'tk0-pn1': group.id}, out['portgroups'])
        self.assertEqual({p.address: p.id for p in self.bm.ports_of()},
                         out['ports'])
        self.assertEqual('available', out['provision_state'])

    def test_no_bond_no_portgroup_call_and_no_output_key(self):
        out = self.driver.create_ironic_node(_bonded(bond=False))
        self.assertNotIn('portgroups', out)
        self.assertNotIn('port_groups', self.bm.listed)
        self.driver.update_ironic_node(_bonded(bond=False),
                                       _bonded(bond=False))
        self.assertNotIn('port_groups', self.bm.listed)

    def test_old_api_fails_the_node_before_any_change(self):
        self.bm.version = (1, 25)
        err = self.assertRaises(exception.TenksError,
                                self.driver.create_ironic_node, _bonded())
        self.assertIn('Ironic node tk0: the Bare Metal API', str(err))
        self.assertIn('lacks portgroups (1.26)', str(err))
        self.assertEqual([], self.bm.changes)
        # An existing node gaining a bond fails the same way, untouched.
        self.bm.version = (1, 87)
        self._create(_bonded(bond=False))
        self.bm.version = (1, 25)
        self.assertRaises(exception.TenksError, self._update,
                          _bonded(bond=False), _bonded())
        self.assertEqual([], self.bm.changes)

    def test_same_props_change_nothing(self):
        record = _bonded()
        made = self._create(record)
        self.assertEqual(made, self._update(record, record))
        self.assertEqual(made, self.driver.create_ironic_node(record))
        self.assertEqual([], self.bm.changes)

    def test_changed_mode_and_properties_patched_in_place(self):
        self._create(_bonded())
        out = self._update(_bonded(), _bonded(mode='balance-rr',
                                              properties={}))
        self.assertEqual([('patch_port_group', 'tk0-pn1',
                           ['/mode', '/properties'])], self.bm.changes)
        group = self.bm.group_store[out['portgroups']['tk0-pn1']]
        self.assertEqual(('balance-rr', {}), (group.mode, group.properties))

    def test_bond_removed_ports_leave_then_group_goes(self):
        self._create(_bonded())
        foreign = self.bm.create_port_group(
            node_id='u-tk0', name='user-bond', address='52:54:00:00:00:99',
            mode='active-backup', properties={})
        self.bm.changes[:] = []
        out = self._update(_bonded(), _bonded(bond=False))
        # Available: Ironic refuses a portgroup move, so tenks makes each
        # port again outside the group, then deletes the empty group.
        self.assertEqual([
            ('delete_port', MACS[0]), ('create_port', MACS[0], None),
            ('delete_port', MACS[1]), ('create_port', MACS[1], None),
            ('delete_port_group', 'tk0-pn1')], self.bm.changes)
        self.assertEqual([foreign.id], list(self.bm.group_store))
        self.assertNotIn('portgroups', out)
        self.assertEqual([None] * 3, [p.port_group_id
                                      for p in self.bm.ports_of()])

    def test_bond_added_on_manageable_node_ports_patched_in(self):
        self._create(_bonded(bond=False))
        self._set_state('manageable')
        self._update(_bonded(bond=False), _bonded())
        self.assertEqual([
            ('create_port_group', 'tk0-pn1'),
            ('patch_port', MACS[0], ['/portgroup_uuid']),
            ('patch_port', MACS[1], ['/portgroup_uuid']),
            ('provision', 'provide')], self.bm.changes)
        self.assertEqual(list(MACS[:2]), self.bm.members('tk0-pn1'))

    def test_new_nic_of_new_bond_is_made_once_in_its_group(self):
        old = _bonded(bond=False)
        del old.props['ports'][1]
        self._create(old)
        out = self._update(old, _bonded())
        group = out['portgroups']['tk0-pn1']
        self.assertEqual([
            ('create_port_group', 'tk0-pn1'),
            ('delete_port', MACS[0]), ('create_port', MACS[0], group),
            ('create_port', MACS[1], group)], self.bm.changes)

    def test_bond_on_new_physnet_replaces_group_of_same_address(self):
        # The bond moves to pn2: its group is renamed, same first MAC.
        self._create(_bonded())
        self._set_state('manageable')
        self._update(_bonded(), _bonded(physnet='pn2'))
        self.assertEqual([
            ('patch_port', MACS[0], ['/portgroup_uuid',
                                     '/physical_network']),
            ('patch_port', MACS[1], ['/portgroup_uuid',
                                     '/physical_network']),
            ('delete_port_group', 'tk0-pn1'),
            ('create_port_group', 'tk0-pn2'),
            ('patch_port', MACS[0], ['/portgroup_uuid']),
            ('patch_port', MACS[1], ['/portgroup_uuid']),
            ('provision', 'provide')], self.bm.changes)
        self.assertEqual(list(MACS[:2]), self.bm.members('tk0-pn2'))
        self.assertEqual(['tk0-pn2'],
                         [g.name for g in self.bm.group_store.values()])

    def test_group_holding_a_port_tenks_does_not_manage_is_kept(self):
        self._create(_bonded())
        group = next(iter(self.bm.group_store))
        self.bm.create_port(node_id='u-tk0', address='52:54:00:00:00:77',
                            portgroup_uuid=group)
        self.bm.changes[:] = []
        self._update(_bonded(), _bonded(bond=False))
        self.assertIn(group, self.bm.group_store)
        self.assertEqual(['52:54:00:00:00:77'], self.bm.members('tk0-pn1'))

    def test_node_in_use_cannot_move_ports(self):
        self._create(_bonded(bond=False))
        self._set_state('active')
        err = self.assertRaises(states.NodeFailed, self._update,
                                _bonded(bond=False), _bonded())
        self.assertIn('Ironic node tk0 is active: its port %s cannot '
                      'change physical network, switch connection or '
                      'portgroup now' % MACS[0], str(err))
        self.assertEqual([None] * 3, [p.port_group_id
                                      for p in self.bm.ports_of()])

    def test_portgroup_of_another_node_is_a_conflict(self):
        other = self.bm.create_node(id='u-other', name='other',
                                    driver='fake-hardware', extra={})
        self.bm.create_port_group(node_id=other.id, name='tk0-pn1',
                                  address='52:54:00:00:00:99',
                                  mode='active-backup', properties={})
        self.bm.changes[:] = []
        err = self.assertRaises(exception.ResourceConflict,
                                self.driver.create_ironic_node, _bonded())
        self.assertEqual('portgroup tk0-pn1 of Ironic node tk0 is already a '
                         'portgroup of Ironic node other (u-other); tenks '
                         'will not take it over', str(err))
        self.assertEqual([], self.bm.changes)
        seen = self.driver.observe_ironic_node([_bonded()])['ironic_node:tk0']
        self.assertEqual((True, False), (seen.exists, seen.owned))
        self.assertEqual('portgroup tk0-pn1 is a portgroup of Ironic node '
                         'other', seen.detail)

    def test_observe_reports_group_drift(self):
        self._create(_bonded())
        seen = self.driver.observe_ironic_node([_bonded()])
        self.assertTrue(seen['ironic_node:tk0'].healthy)
        group = next(iter(self.bm.group_store.values()))
        group.mode = 'balance-rr'
        self.bm.ports_of()[1].port_group_id = None
        seen = self.driver.observe_ironic_node([_bonded()])['ironic_node:tk0']
        self.assertFalse(seen.healthy)
        self.assertEqual('changed in Ironic: portgroup tk0-pn1', seen.detail)
        # The next deploy repairs it.
        self._update(_bonded(), _bonded())
        self.assertEqual('802.3ad', group.mode)
        self.assertEqual(list(MACS[:2]), self.bm.members('tk0-pn1'))
        self.assertTrue(self.driver.observe_ironic_node(
            [_bonded()])['ironic_node:tk0'].healthy)
