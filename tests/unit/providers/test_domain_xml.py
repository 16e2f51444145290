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

"""Domain XML rendering, checked against golden files.

The golden files in ``golden/`` are the exact XML libvirt is given; after
changing the template, regenerate them with ``TENKS_REGEN_GOLDEN=1`` and
review the diff.
"""

import xml.etree.ElementTree as ET

from tenks import exception
from tenks.providers.libvirt import domain_xml
from tenks.providers.libvirt import firmware
from tenks.providers.libvirt import metadata
from tests.unit import base
from tests.unit.providers import helpers


class GoldenTest(base.TestCase):

    def test_uefi_two_disks_two_nics_console_log(self):
        xml = domain_xml.render(helpers.domain_props(), 'qemu')
        helpers.check_golden(self, 'domain-uefi.xml', xml)

    def test_bios_pc_sata_pty_console(self):
        props = helpers.domain_props(
            name='tk1', boot_mode='bios', machine='pc', memory_mb=256,
            vcpus=1, console_log=None, nics=[],
            disks=[{'pool': 'tenks', 'volume': 'tk1vol0',
                    'format': 'qcow2', 'bus': 'sata'}])
        xml = domain_xml.render(props, 'kvm',
                                bios_rom='/usr/share/seabios/bios-256k.bin')
        helpers.check_golden(self, 'domain-bios.xml', xml)

    def test_secure_boot(self):
        props = helpers.domain_props(name='tk2', secure_boot=True,
                                     nics=[], disks=[], console_log=None,
                                     cpu_mode='host-passthrough')
        xml = domain_xml.render(props, 'kvm')
        helpers.check_golden(self, 'domain-secure-boot.xml', xml)

    def test_secure_boot_with_tpm(self):
        props = helpers.domain_props(name='tk4', secure_boot=True,
                                     nics=[], disks=[], console_log=None,
                                     tpm={'model': 'crb', 'version': '2.0'})
        xml = domain_xml.render(props, 'qemu')
        helpers.check_golden(self, 'domain-tpm.xml', xml)

    def test_custom_cpu_scsi_trusted_nics_existing_volume(self):
        props = helpers.domain_props(
            name='tk3', cpu_mode='custom', cpu_model='Nehalem',
            trust_guest_rx_filters=True, console_log=None,
            nics=helpers.DOMAIN['nics'][:1],
            disks=[{'pool': 'other', 'volume': 'shared-disk',
                    'format': None, 'bus': 'scsi'}])
        xml = domain_xml.render(props, 'qemu',
                                {('other', 'shared-disk'): 'raw'})
        helpers.check_golden(self, 'domain-custom-cpu.xml', xml)


class RenderTest(base.TestCase):

    def render(self, bios_rom=None, **changes):
        xml = domain_xml.render(helpers.domain_props(**changes), 'qemu',
                                bios_rom=bios_rom)
        return ET.fromstring(xml)

    def test_defined_shape(self):
        root = self.render()
        self.assertEqual('qemu', root.get('type'))
        self.assertEqual(helpers.UUID, root.findtext('uuid'))
        self.assertEqual('1024', root.findtext('memory'))
        self.assertEqual('MiB', root.find('memory').get('unit'))
        self.assertEqual('2', root.findtext('vcpu'))
        self.assertEqual(['network', 'hd'],
                         [b.get('dev') for b in root.findall('os/boot')])
        # Boot order lives in <os> only, so VirtualBMC can change it.
        self.assertEqual([], root.findall('devices/*/boot'))
        self.assertIsNone(root.find('devices/graphics'))
        self.assertIsNotNone(root.find('features/acpi'))

    def test_disk_serials_and_wwns(self):
        root = self.render(disks=[
            {'pool': 'p', 'volume': 'v0', 'format': 'qcow2', 'bus': 'virtio',
             'serial': 'ROOT-1'},
            {'pool': 'p', 'volume': 'v1', 'format': 'qcow2', 'bus': 'scsi',
             'serial': 'TK1', 'wwn': '3abcdef0123456789'[:16]},
            {'pool': 'p', 'volume': 'v2', 'format': 'qcow2', 'bus': 'sata'}])
        disks = root.findall("devices/disk[@device='disk']")
        self.assertEqual([('ROOT-1', None), ('TK1', '3abcdef012345678'),
                          (None, None)],
                         [(d.findtext('serial'), d.findtext('wwn'))
                          for d in disks])
        exc = self.assertRaises(exception.TenksError, self.render, disks=[
            {'pool': 'p', 'volume': 'v0', 'format': 'qcow2', 'bus': 'sata',
             'wwn': '3abcdef012345678'}])
        self.assertIn('volume v0: a WWN needs bus scsi, not sata', str(exc))

    def test_tpm_models_and_versions(self):
        root = self.render(tpm={'model': 'tis', 'version': '1.2'})
        tpm = root.find('devices/tpm')
        self.assertEqual('tpm-tis', tpm.get('model'))
        self.assertEqual(('emulator', '1.2'), (
            tpm.find('backend').get('type'),
            tpm.find('backend').get('version')))
        self.assertIsNone(self.render().find('devices/tpm'))
        exc = self.assertRaises(exception.TenksError, self.render,
                                tpm={'model': 'spi', 'version': '2.0'})
        self.assertIn('unknown TPM', str(exc))

    def test_metadata_names_cluster(self):
        xml = domain_xml.render(helpers.domain_props(cluster='blue'),
                                'qemu')
        self.assertEqual('blue', metadata.cluster_in_domain_xml(xml))

    def test_firmware_round_trip(self):
        for mode, secure in (('uefi', False), ('uefi', True),
                             ('bios', False)):
            props = helpers.domain_props(boot_mode=mode, secure_boot=secure)
            xml = domain_xml.render(props, 'qemu')
            self.assertEqual(firmware.from_props(props),
                             firmware.from_domain_xml(xml))

    def test_uefi_pins_secure_boot_off(self):
        root = self.render()
        self.assertEqual('efi', root.find('os').get('firmware'))
        features = {f.get('name'): f.get('enabled')
                    for f in root.findall('os/firmware/feature')}
        self.assertEqual({'secure-boot': 'no'}, features)
        self.assertIsNone(root.find('os/loader'))
        self.assertIsNone(root.find('features/smm'))

    def test_bios_names_its_rom_when_the_host_has_one(self):
        # Named, so that a Redfish emulator reports the boot mode.
        root = self.render(boot_mode='bios', bios_rom='/sea/bios.bin')
        self.assertIsNone(root.find('os').get('firmware'))
        self.assertIsNone(root.find('os/firmware'))
        loader = root.find('os/loader')
        self.assertEqual(('rom', '/sea/bios.bin'),
                         (loader.get('type'), loader.text))
        # Without one, QEMU's default, unnamed; UEFI never takes it.
        self.assertIsNone(self.render(boot_mode='bios').find('os/loader'))
        root = self.render(boot_mode='uefi', bios_rom='/sea/bios.bin')
        self.assertIsNone(root.find('os/loader'))
        self.assertEqual('efi', root.find('os').get('firmware'))

    def test_cdrom_on_a_bus_the_machine_has(self):
        for machine, bus, dev in (('q35', 'sata', 'sda'),
                                  ('pc-q35-7.2', 'sata', 'sda'),
                                  ('pc-i440fx-7.2', 'ide', 'hdc'),
                                  ('pc', 'ide', 'hdc'),
                                  ('virt', 'scsi', 'sda')):
            root = self.render(machine=machine)
            cdroms = root.findall("devices/disk[@device='cdrom']")
            self.assertEqual(1, len(cdroms), machine)
            target = cdroms[0].find('target')
            self.assertEqual((bus, dev), (target.get('bus'),
                                          target.get('dev')), machine)
            # Empty and read-only: media is inserted through the BMC.
            self.assertIsNone(cdroms[0].find('source'))
            self.assertIsNotNone(cdroms[0].find('readonly'))
            self.assertEqual(bus == 'scsi', bool(root.findall(
                "devices/controller[@model='virtio-scsi']")), machine)
        # A domain recorded before drives existed has none until updated.
        root = self.render(cdrom=None)
        self.assertEqual([], root.findall("devices/disk[@device='cdrom']"))

    def test_nics_are_macvtap_passthrough(self):
        root = self.render()
        nics = root.findall('devices/interface')
        self.assertEqual(['direct', 'direct'], [n.get('type') for n in nics])
        self.assertEqual(
            [('p-tk0-0-tap', 'passthrough'), ('p-tk0-1-tap', 'passthrough')],
            [(n.find('source').get('dev'), n.find('source').get('mode'))
             for n in nics])
        self.assertEqual(['virtio', 'e1000'],
                         [n.find('model').get('type') for n in nics])
        self.assertEqual([None, None],
                         [n.get('trustGuestRxFilters') for n in nics])

    def test_trust_guest_rx_filters(self):
        root = self.render(trust_guest_rx_filters=True)
        self.assertEqual(['yes', 'yes'],
                         [n.get('trustGuestRxFilters')
                          for n in root.findall('devices/interface')])

    def test_console_pty_with_and_without_log(self):
        root = self.render()
        serial = root.find('devices/serial')
        self.assertEqual('pty', serial.get('type'))
        self.assertEqual(helpers.DOMAIN['console_log'],
                         serial.find('log').get('file'))
        root = self.render(console_log=None)
        self.assertIsNone(root.find('devices/serial/log'))

    def test_disk_targets_per_bus(self):
        disks = [{'pool': 'p', 'volume': 'v%d' % i, 'format': 'raw',
                  'bus': bus} for i, bus in enumerate(
                      ['virtio', 'sata', 'virtio', 'scsi'])]
        root = self.render(disks=disks)
        self.assertEqual(['vda', 'sda', 'vdb', 'sdb'],
                         [d.find('target').get('dev')
                          for d in root.findall("devices/disk"
                                                "[@device='disk']")])
        # The CD-ROM takes the next SATA/SCSI target.
        self.assertEqual(['sdc'], [d.find('target').get('dev') for d in
                                   root.findall("devices/disk"
                                                "[@device='cdrom']")])
        self.assertEqual(1, len(root.findall(
            "devices/controller[@model='virtio-scsi']")))

    def test_values_are_escaped(self):
        xml = domain_xml.render(helpers.domain_props(cluster="a&b'<c>"),
                                'qemu')
        self.assertEqual("a&b'<c>", metadata.cluster_in_domain_xml(xml))


class ErrorTest(base.TestCase):

    def assertError(self, fragment, **changes):
        exc = self.assertRaises(exception.TenksError, domain_xml.render,
                                helpers.domain_props(**changes), 'qemu')
        self.assertIn('domain tk0', str(exc))
        self.assertIn(fragment, str(exc))

    def test_custom_cpu_needs_model(self):
        self.assertError('needs a cpu_model', cpu_mode='custom')

    def test_unknown_cpu_mode(self):
        self.assertError('unknown CPU mode', cpu_mode='fastest')

    def test_secure_boot_needs_uefi(self):
        self.assertError('secure boot needs UEFI', boot_mode='bios',
                         secure_boot=True)

    def test_secure_boot_needs_q35(self):
        self.assertError('needs a q35 machine', machine='pc',
                         secure_boot=True)

    def test_unknown_disk_bus(self):
        self.assertError('unknown disk bus', disks=[
            {'pool': 'p', 'volume': 'v', 'format': 'raw', 'bus': 'ide'}])

    def test_existing_volume_format_unknown(self):
        self.assertError('format of volume v in pool p is unknown', disks=[
            {'pool': 'p', 'volume': 'v', 'format': None, 'bus': 'virtio'}])

    def test_too_many_disks(self):
        disks = [{'pool': 'p', 'volume': 'v%d' % i, 'format': 'raw',
                  'bus': 'virtio'} for i in range(27)]
        self.assertError('at most 26 disks', disks=disks)

    def test_bad_memory(self):
        self.assertError('memory_mb', memory_mb=0)

    def test_nic_needs_mac(self):
        self.assertError('MAC', nics=[{'dev': 'x', 'mac': None}])
