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

"""The libvirt provider's ownership rules and bookkeeping, on libvirt's
in-process test driver (see :mod:`libvirt_fixture`)."""

import os
import uuid as uuid_mod

import libvirt

from tenks import exception
from tenks.providers.libvirt import metadata
from tenks.providers.libvirt import storage
from tenks.state import model
from tests.unit import base
from tests.unit.providers import helpers
from tests.unit.providers import libvirt_fixture

MIB = 1 << 20


def record(kind, props, adopt=False, outputs=None):
    return model.ResourceRecord(kind=kind, name=props['name'],
                                driver='libvirt', hypervisor='hv0',
                                props=props, adopt=adopt,
                                outputs=outputs or {})


def pool_props(name='tenks-pool', path='/srv/pool'):
    return {'name': name, 'path': path, 'type': 'dir'}


def volume_props(name='tk0vol0', pool='tenks-pool', capacity=8 * MIB,
                 fmt='qcow2', existing=False):
    return {'name': name, 'pool': pool, 'capacity': capacity,
            'format': fmt, 'image': None, 'existing': existing}


def domain_props(**changes):
    props = helpers.domain_props(cluster='blue', nics=[], disks=[],
                                 console_log=None, memory_mb=128,
                                 vcpus=1)
    props.update(changes)
    return props


class Base(base.TestCase):

    def setUp(self):
        super().setUp()
        self.provider, self.conn = libvirt_fixture.provider(self)

    def define_foreign(self, name, uuid=None):
        return libvirt_fixture.define_bare(
            self.conn, name, uuid or str(uuid_mod.uuid4()))

    def make_pool(self):
        return self.provider.create_pool(record('pool', pool_props()))


class PoolTest(Base):

    def test_create_marks_and_reuses(self):
        self.assertEqual({'created': True}, self.make_pool())
        pool = self.conn.storagePoolLookupByName('tenks-pool')
        self.assertTrue(pool.isActive())
        self.assertTrue(pool.autostart())
        self.assertEqual(storage.pool_uuid('blue', 'hv0', 'tenks-pool'),
                         pool.UUIDString())
        # Found again (an interrupted run): still tenks' own, by its UUID.
        self.assertEqual({'created': True}, self.make_pool())

    def test_existing_pool_used_and_never_deleted(self):
        pool = self.conn.storagePoolDefineXML(
            "<pool type='dir'><name>tenks-pool</name><target><path>/x"
            "</path></target></pool>", 0)
        outputs = self.make_pool()
        self.assertEqual({'created': False}, outputs)
        self.assertTrue(pool.isActive())        # started to be used
        self.provider.delete_pool(record('pool', pool_props(),
                                         outputs=outputs))
        self.assertEqual('tenks-pool', self.conn.storagePoolLookupByName(
            'tenks-pool').name())

    def test_delete_created_pool(self):
        outputs = self.make_pool()
        self.provider.delete_pool(record('pool', pool_props(),
                                         outputs=outputs))
        self.assertEqual([], self.conn.listAllStoragePools(0))
        # Gone already: success.
        self.provider.delete_pool(record('pool', pool_props(),
                                         outputs=outputs))

    def test_delete_refuses_pool_holding_foreign_volumes(self):
        outputs = self.make_pool()
        pool = self.conn.storagePoolLookupByName('tenks-pool')
        pool.createXML(storage.volume_xml('precious', MIB, 'raw'), 0)
        exc = self.assertRaises(exception.TenksError,
                                self.provider.delete_pool,
                                record('pool', pool_props(),
                                       outputs=outputs))
        self.assertIn('precious', str(exc))
        self.assertTrue(pool.isActive())

    def test_observe(self):
        self.make_pool()
        obs = self.provider.observe_pool([
            record('pool', pool_props()),
            record('pool', pool_props(name='other'))])
        self.assertEqual((True, True), (obs['pool:tenks-pool'].exists,
                                        obs['pool:tenks-pool'].owned))
        self.assertFalse(obs['pool:other'].exists)

    def test_host_facts(self):
        self.assertEqual({'memory_mb': 4096, 'vcpus': 4},
                         self.provider.host_facts())
        self.make_pool()
        facts = self.provider.host_facts()
        self.assertIn('disk_bytes', facts)
        self.assertGreater(facts['disk_bytes'], 0)


class VolumeTest(Base):

    def setUp(self):
        super().setUp()
        self.make_pool()
        self.pool = self.conn.storagePoolLookupByName('tenks-pool')

    def test_blank(self):
        outputs = self.provider.create_volume(record('volume',
                                                     volume_props()))
        self.assertEqual({'capacity': 8 * MIB, 'format': 'qcow2'}, outputs)
        self.assertEqual(8 * MIB,
                         self.pool.storageVolLookupByName('tk0vol0').info()[1])

    def test_collision_is_a_conflict(self):
        self.pool.createXML(storage.volume_xml('tk0vol0', MIB, 'qcow2'), 0)
        exc = self.assertRaises(exception.ResourceConflict,
                                self.provider.create_volume,
                                record('volume', volume_props()))
        self.assertIn('tk0vol0', str(exc))
        self.assertEqual(MIB, self.pool.storageVolLookupByName(
            'tk0vol0').info()[1])

    def test_adopt_takes_it_over(self):
        self.pool.createXML(storage.volume_xml('tk0vol0', 8 * MIB,
                                               'qcow2'), 0)
        outputs = self.provider.create_volume(record(
            'volume', volume_props(), adopt=True))
        self.assertEqual('qcow2', outputs['format'])

    def test_adopt_refuses_other_format(self):
        self.pool.createXML(storage.volume_xml('tk0vol0', 8 * MIB, 'raw'),
                            0)
        exc = self.assertRaises(exception.ResourceConflict,
                                self.provider.create_volume,
                                record('volume', volume_props(),
                                       adopt=True))
        self.assertIn('format raw', str(exc))

    def test_existing_volume_checked_never_deleted(self):
        props = volume_props(name='shared', capacity=None, fmt=None,
                             existing=True)
        exc = self.assertRaises(exception.TenksError,
                                self.provider.create_volume,
                                record('volume', props))
        self.assertIn('existing volume shared not found in pool tenks-pool',
                      str(exc))
        self.pool.createXML(storage.volume_xml('shared', MIB, 'raw'), 0)
        outputs = self.provider.create_volume(record('volume', props))
        self.assertEqual({'capacity': MIB, 'format': 'raw',
                          'existing': True}, outputs)
        self.provider.delete_volume(record('volume', props))
        self.assertEqual('shared',
                         self.pool.storageVolLookupByName('shared').name())

    def test_missing_pool(self):
        exc = self.assertRaises(exception.TenksError,
                                self.provider.create_volume,
                                record('volume', volume_props(pool='nope')))
        self.assertIn('storage pool nope does not exist on hv0', str(exc))

    def test_shrink_is_an_error_naming_the_volume(self):
        self.provider.create_volume(record('volume', volume_props()))
        exc = self.assertRaises(
            exception.TenksError, self.provider.update_volume, None,
            record('volume', volume_props(capacity=4 * MIB)))
        self.assertIn('volume tk0vol0: cannot shrink', str(exc))

    def test_delete(self):
        props = volume_props()
        self.provider.create_volume(record('volume', props))
        # A temporary upload volume left by an interrupted run goes too.
        self.pool.createXML(storage.volume_xml(
            storage.upload_name('tk0vol0'), MIB, 'raw'), 0)
        self.provider.delete_volume(record('volume', props))
        self.assertEqual([], self.pool.listAllVolumes(0))
        self.provider.delete_volume(record('volume', props))   # gone: ok

    def test_observe_in_bulk(self):
        self.provider.create_volume(record('volume', volume_props()))
        self.pool.createXML(storage.volume_xml('shared', MIB, 'raw'), 0)
        records = [
            record('volume', volume_props()),
            record('volume', volume_props(name='tk1vol0')),
            record('volume', volume_props(name='shared', existing=True)),
            record('volume', volume_props(name='x', pool='nopool')),
        ]
        obs = self.provider.observe_volume(records)
        self.assertEqual((True, None), (obs['volume:tk0vol0'].exists,
                                        obs['volume:tk0vol0'].owned))
        self.assertFalse(obs['volume:tk1vol0'].exists)
        self.assertEqual((True, True), (obs['volume:shared'].exists,
                                        obs['volume:shared'].owned))
        self.assertFalse(obs['volume:x'].exists)


class DomainTest(Base):

    def create(self, adopt=False, **changes):
        return self.provider.create_domain(record(
            'domain', domain_props(**changes), adopt=adopt))

    def test_defined_not_started_and_marked(self):
        outputs = self.create()
        self.assertEqual({'domain_type': 'qemu', 'firmware': 'uefi',
                          'secure_boot': False}, outputs)
        dom = self.conn.lookupByName('tk0')
        self.assertFalse(dom.isActive())
        self.assertTrue(dom.isPersistent())
        self.assertEqual('blue', metadata.read_cluster(dom))
        self.assertEqual(helpers.UUID, dom.UUIDString())
        # Again: an ensure.
        self.assertEqual(outputs, self.create())

    def test_foreign_domain_is_a_conflict_and_untouched(self):
        self.define_foreign('tk0', helpers.UUID)
        before = self.conn.lookupByName('tk0').XMLDesc(0)
        exc = self.assertRaises(exception.ResourceConflict, self.create)
        self.assertIn('no tenks metadata', str(exc))
        self.assertEqual(before, self.conn.lookupByName('tk0').XMLDesc(0))

    def test_other_clusters_domain_is_a_conflict(self):
        self.create(cluster='green')
        exc = self.assertRaises(exception.ResourceConflict, self.create)
        self.assertIn("tenks cluster 'green'", str(exc))

    def test_adopt_takes_over_same_uuid_only(self):
        self.define_foreign('tk0', helpers.UUID)
        self.create(adopt=True)
        self.assertEqual('blue', metadata.read_cluster(
            self.conn.lookupByName('tk0')))
        self.define_foreign('tk1')
        exc = self.assertRaises(exception.ResourceConflict, self.create,
                                adopt=True, name='tk1')
        self.assertIn('not %s' % helpers.UUID, str(exc))

    def test_adopt_never_takes_another_clusters_domain(self):
        self.create(cluster='green')
        exc = self.assertRaises(exception.ResourceConflict, self.create,
                                adopt=True)
        self.assertIn("tenks cluster 'green'", str(exc))

    def test_update_redefines(self):
        self.create()
        self.provider.update_domain(None, record(
            'domain', domain_props(memory_mb=256, vcpus=2)))
        dom = self.conn.lookupByName('tk0')
        self.assertEqual(256 * 1024, dom.maxMemory())
        self.assertEqual(2, dom.vcpusFlags(libvirt.VIR_DOMAIN_AFFECT_CONFIG
                                           | libvirt.VIR_DOMAIN_VCPU_MAXIMUM))

    def test_firmware_change(self):
        self.create()
        outputs = self.provider.update_domain(None, record(
            'domain', domain_props(boot_mode='bios')))
        self.assertEqual('bios', outputs['firmware'])
        xml = self.conn.lookupByName('tk0').XMLDesc(0)
        self.assertNotIn("firmware='efi'", xml)

    def test_delete_stops_and_undefines(self):
        self.create()
        self.provider.power_on('tk0')
        self.assertEqual('on', self.provider.power_state('tk0'))
        self.provider.delete_domain(record('domain', domain_props()))
        self.assertEqual([], self.conn.listAllDomains(0))
        self.provider.delete_domain(record('domain', domain_props()))

    def test_delete_refuses_foreign(self):
        self.define_foreign('tk0', helpers.UUID)
        self.assertRaises(exception.ResourceConflict,
                          self.provider.delete_domain,
                          record('domain', domain_props()))
        self.assertEqual(['tk0'],
                         [d.name() for d in self.conn.listAllDomains(0)])

    def test_observe_in_bulk(self):
        self.create()
        green = str(uuid_mod.uuid4())
        self.create(name='tk1', uuid=green, cluster='green')
        foreign = str(uuid_mod.uuid4())
        self.define_foreign('tk2', foreign)
        self.create(name='tk3', uuid=str(uuid_mod.uuid4()))
        records = [record('domain', domain_props()),
                   record('domain', domain_props(name='tk1', uuid=green)),
                   record('domain', domain_props(name='tk2', uuid=foreign)),
                   record('domain', domain_props(name='tk3')),
                   record('domain', domain_props(name='tk4'))]
        obs = self.provider.observe_domain(records)
        self.assertEqual((True, True), (obs['domain:tk0'].exists,
                                        obs['domain:tk0'].owned))
        self.assertEqual((True, False), (obs['domain:tk1'].exists,
                                         obs['domain:tk1'].owned))
        self.assertIn('green', obs['domain:tk1'].detail)
        self.assertEqual((True, False), (obs['domain:tk2'].exists,
                                         obs['domain:tk2'].owned))
        self.assertIn('no tenks metadata', obs['domain:tk2'].detail)
        self.assertIn('UUID', obs['domain:tk3'].detail)
        self.assertFalse(obs['domain:tk4'].exists)
        # This cluster's mark, whatever the UUID; never another's.
        self.assertEqual([True, False, False, True],
                         [obs['domain:tk%d' % i].marked for i in range(4)])

    def test_power(self):
        self.create()
        self.assertEqual('off', self.provider.power_state('tk0'))
        self.provider.power_on('tk0')
        self.provider.power_on('tk0')
        self.assertEqual('on', self.provider.power_state('tk0'))
        self.provider.power_off('tk0')
        self.provider.power_off('tk0')
        self.assertEqual('off', self.provider.power_state('tk0'))
        exc = self.assertRaises(exception.TenksError,
                                self.provider.power_on, 'nope')
        self.assertIn('domain nope does not exist on hv0', str(exc))

    def test_existing_volume_format_read_from_pool(self):
        self.make_pool()
        pool = self.conn.storagePoolLookupByName('tenks-pool')
        pool.createXML(storage.volume_xml('shared', MIB, 'raw'), 0)
        self.create(disks=[{'pool': 'tenks-pool', 'volume': 'shared',
                            'format': None, 'bus': 'virtio'}])
        xml = self.conn.lookupByName('tk0').XMLDesc(0)
        self.assertIn("type='raw'", xml)

    def test_console_log_directory_made(self):
        log = os.path.join(self.tmp, 'log', 'libvirt', 'tk0-console.log')
        self.create(console_log=log)
        self.assertTrue(os.path.isdir(os.path.dirname(log)))
