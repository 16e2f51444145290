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

from tenks import exception
from tenks.providers.libvirt import firmware
from tests.unit import base
from tests.unit.providers import helpers

# What libvirt 9 keeps of a UEFI secure-boot domain once it has run: the
# firmware it picked, written out.
EXPANDED_SECURE = '''<domain type='qemu'>
  <name>tk0</name>
  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
    <loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.ms.fd</loader>
    <nvram template='/usr/share/OVMF/OVMF_VARS_4M.ms.fd'>/var/lib/libvirt/qemu/nvram/tk0_VARS.fd</nvram>
  </os>
</domain>'''  # noqa: E501

EXPANDED_PLAIN = '''<domain type='qemu'>
  <name>tk0</name>
  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
    <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>
    <nvram>/var/lib/libvirt/qemu/nvram/tk0_VARS.fd</nvram>
  </os>
</domain>'''  # noqa: E501

BIOS = '''<domain type='qemu'><name>tk0</name><os>
  <type arch='x86_64' machine='pc-q35-7.2'>hvm</type><boot dev='hd'/>
</os></domain>'''


class FirmwareTest(base.TestCase):

    def test_from_props(self):
        self.assertEqual(firmware.Firmware('uefi', False),
                         firmware.from_props(helpers.domain_props()))
        self.assertEqual(firmware.Firmware('uefi', True),
                         firmware.from_props(helpers.domain_props(
                             secure_boot=True)))
        self.assertEqual(firmware.Firmware('bios', False),
                         firmware.from_props(helpers.domain_props(
                             boot_mode='bios')))

    def test_unknown_boot_mode(self):
        exc = self.assertRaises(exception.TenksError, firmware.from_props,
                                helpers.domain_props(boot_mode='coreboot'))
        self.assertIn('domain tk0', str(exc))

    def test_from_expanded_xml(self):
        self.assertEqual(firmware.Firmware('uefi', True),
                         firmware.from_domain_xml(EXPANDED_SECURE))
        self.assertEqual(firmware.Firmware('uefi', False),
                         firmware.from_domain_xml(EXPANDED_PLAIN))
        self.assertEqual(firmware.Firmware('bios', False),
                         firmware.from_domain_xml(BIOS))

    def test_nvram_path(self):
        self.assertEqual('/var/lib/libvirt/qemu/nvram/tk0_VARS.fd',
                         firmware.nvram_path(EXPANDED_SECURE))
        self.assertIsNone(firmware.nvram_path(BIOS))

    def test_needs_fresh_nvram(self):
        uefi = firmware.Firmware('uefi', False)
        secure = firmware.Firmware('uefi', True)
        bios = firmware.Firmware('bios', False)
        self.assertFalse(firmware.needs_fresh_nvram(uefi, uefi))
        self.assertTrue(firmware.needs_fresh_nvram(uefi, secure))
        self.assertTrue(firmware.needs_fresh_nvram(secure, uefi))
        self.assertTrue(firmware.needs_fresh_nvram(uefi, bios))
        # A BIOS node has no NVRAM to drop.
        self.assertFalse(firmware.needs_fresh_nvram(bios, uefi))
