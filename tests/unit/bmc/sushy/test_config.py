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

"""The sushy-tools config tenks writes, as sushy-tools reads it."""

import ast

from tenks.bmc.sushy import config as sushy_config
from tests.unit import base

UUID1 = '11111111-2222-3333-4444-555555555555'
UUID2 = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'


class SushyConfigTest(base.TestCase):

    PROPS = {'address': '127.0.0.1', 'port': 8123,
             'libvirt_uri': "qemu:///system?socket=/x/'s",
             'storage_pool': 'tenks', 'tls_cert': None, 'tls_key': None,
             'instances': [UUID2, UUID1],
             'disks': {UUID1: [4096, None], UUID2: []}}
    FIRMWARE = {'uefi_loader': '/fw/code.fd', 'nvram': '/fw/vars.fd',
                'secure_nvram': '/fw/ms.fd', 'aarch64_loader': None}

    def settings(self, text):
        """The config as sushy-tools sees it, checking it is literals."""
        values = {}
        for node in ast.parse(text).body:
            self.assertIsInstance(node, ast.Assign)
            values[node.targets[0].id] = ast.literal_eval(node.value)
        return values

    def test_render(self):
        values = self.settings(sushy_config.render(self.PROPS, '/r',
                                                   self.FIRMWARE))
        self.assertEqual('127.0.0.1', values['SUSHY_EMULATOR_LISTEN_IP'])
        self.assertEqual(8123, values['SUSHY_EMULATOR_LISTEN_PORT'])
        self.assertEqual("qemu:///system?socket=/x/'s",
                         values['SUSHY_EMULATOR_LIBVIRT_URI'])
        self.assertEqual([UUID1, UUID2],
                         values['SUSHY_EMULATOR_ALLOWED_INSTANCES'])
        self.assertEqual('/r/htpasswd', values['SUSHY_EMULATOR_AUTH_FILE'])
        self.assertEqual('/r/state', values['SUSHY_EMULATOR_STATE_DIR'])
        self.assertEqual('tenks', values['SUSHY_EMULATOR_STORAGE_POOL'])
        self.assertIsNone(values['SUSHY_EMULATOR_SSL_CERT'])
        self.assertEqual({'UEFI': {'x86_64': '/fw/code.fd',
                                   'aarch64': None},
                          'Legacy': {'x86_64': None, 'aarch64': None}},
                         values['SUSHY_EMULATOR_BOOT_LOADER_MAP'])
        self.assertEqual('/fw/ms.fd',
                         values['SUSHY_EMULATOR_SECURE_BOOT_ENABLED_NVRAM'])
        storage = values['SUSHY_EMULATOR_STORAGE']
        self.assertEqual(['11111111-0', '11111111-1'],
                         storage[UUID1][0]['Drives'])
        self.assertEqual([], storage[UUID2])
        drives = values['SUSHY_EMULATOR_DRIVES'][(UUID1, '1')]
        self.assertEqual([4096, 0], [d['CapacityBytes'] for d in drives])
        self.assertEqual({(UUID1, '1')}, set(values['SUSHY_EMULATOR_DRIVES']))
        self.assertEqual({(UUID1, '1'): []},
                         values['SUSHY_EMULATOR_VOLUMES'])

    def test_drives_carry_the_disks_identities(self):
        volumes = [{'capacity': 1024, 'bus': 'virtio', 'serial': 'ROOT-1'},
                   {'capacity': 2048, 'bus': 'scsi', 'serial': 'TK2',
                    'wwn': '3abc0123456789ab'},
                   {'capacity': 4096}]         # recorded before identities
        entries = [sushy_config.disk_entry(v) for v in volumes]
        self.assertEqual(4096, entries[2])
        props = dict(self.PROPS, disks={UUID1: entries})
        values = self.settings(sushy_config.render(props, '/r',
                                                   self.FIRMWARE))
        drives = values['SUSHY_EMULATOR_DRIVES'][(UUID1, '1')]
        self.assertEqual(
            [('PCIe', 'ROOT-1', None), ('SAS', 'TK2', '3ABC0123456789AB'),
             ('SATA', None, None)],
            [(d['Protocol'], d.get('SerialNumber'),
              (d.get('Identifiers') or [{}])[0].get('DurableName'))
             for d in drives])

    def test_without_storage_and_firmware(self):
        values = self.settings(sushy_config.render(
            dict(self.PROPS, tls_cert='/c', tls_key='/k'), '/r',
            {'uefi_loader': None}, feature_set='minimum',
            emulate_storage=False))
        self.assertNotIn('SUSHY_EMULATOR_STORAGE', values)
        self.assertNotIn('SUSHY_EMULATOR_SECURE_BOOT_ENABLED_NVRAM', values)
        self.assertEqual('minimum', values['SUSHY_EMULATOR_FEATURE_SET'])
        self.assertEqual('/c', values['SUSHY_EMULATOR_SSL_CERT'])

    def test_find_firmware(self):
        present = {'/usr/share/OVMF/OVMF_CODE.secboot.fd',
                   '/usr/share/OVMF/OVMF_VARS.fd',
                   '/usr/share/AAVMF/AAVMF_CODE.fd',
                   '/usr/share/seabios/bios.bin'}
        found = sushy_config.find_firmware(exists=present.__contains__)
        self.assertEqual({'uefi_loader':
                          '/usr/share/OVMF/OVMF_CODE.secboot.fd',
                          'nvram': '/usr/share/OVMF/OVMF_VARS.fd',
                          'secure_nvram': None,
                          'aarch64_loader': '/usr/share/AAVMF/AAVMF_CODE.fd',
                          'bios_rom': '/usr/share/seabios/bios.bin'},
                         found)
        self.assertEqual({'uefi_loader': None, 'nvram': None,
                          'secure_nvram': None, 'aarch64_loader': None,
                          'bios_rom': None},
                         sushy_config.find_firmware(exists=lambda p: False))
