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

"""Node firmware: legacy BIOS or UEFI, optionally with secure boot.

UEFI uses libvirt's firmware auto-selection (``<os firmware='efi'>``):
libvirt picks the OVMF build from the firmware descriptors QEMU installs,
so no distribution's file paths are written down here, and creates the
node's NVRAM from the matching variables template at its first start.
The choice is pinned with firmware features: secure boot with enrolled
keys on, or secure boot off (without that, auto-selection may pick the
secure build for a plain UEFI node).

Legacy BIOS names its ROM (``<loader type='rom'>``, SeaBIOS, found on the
hypervisor's host among :data:`BIOS_ROMS`): QEMU would load the same one
by default, but a Redfish emulator reads the boot mode from the loader,
and libvirt's auto-selection has no descriptor for SeaBIOS. Without one
found, the domain names none, as before.

A node keeps its NVRAM across redefinitions; when its firmware changes
(BIOS/UEFI, or secure boot on/off) the old NVRAM no longer fits and is
removed, so the node starts with fresh variables of the new firmware.
"""

import collections
import xml.etree.ElementTree as ET

from tenks import exception

UEFI = 'uefi'
BIOS = 'bios'

#: SeaBIOS builds QEMU loads for x86 machines (Debian/Ubuntu, Fedora/RHEL),
#: first found wins.
BIOS_ROMS = ('/usr/share/seabios/bios-256k.bin',
             '/usr/share/qemu/bios-256k.bin',
             '/usr/share/seabios/bios.bin')

Firmware = collections.namedtuple('Firmware', 'mode secure_boot')


def from_props(props):
    """The :class:`Firmware` a domain's props ask for.

    :raises TenksError: secure boot without UEFI or without a q35
        machine (it needs SMM, which the i440fx machine lacks).
    """
    mode = props.get('boot_mode') or UEFI
    if mode not in (UEFI, BIOS):
        raise exception.TenksError('domain %s: unknown boot mode %r'
                                   % (props['name'], mode))
    secure = bool(props.get('secure_boot'))
    if secure:
        if mode != UEFI:
            raise exception.TenksError('domain %s: secure boot needs UEFI, '
                                       'not %s' % (props['name'], mode))
        machine = props.get('machine') or ''
        if 'q35' not in machine and props.get('arch', 'x86_64') in (
                'x86_64', 'i686'):
            raise exception.TenksError(
                'domain %s: secure boot needs a q35 machine, not %r'
                % (props['name'], machine))
    return Firmware(mode, secure)


def from_domain_xml(domain_xml):
    """The :class:`Firmware` of a defined domain (its XML)."""
    root = ET.fromstring(domain_xml)
    os_el = root.find('os')
    if os_el is None:
        return Firmware(BIOS, False)
    loader = os_el.find('loader')
    uefi = (os_el.get('firmware') == 'efi' or
            (loader is not None and loader.get('type') == 'pflash'))
    if not uefi:
        return Firmware(BIOS, False)
    secure = loader is not None and loader.get('secure') == 'yes'
    for feature in os_el.findall('firmware/feature'):
        if feature.get('name') == 'secure-boot':
            secure = feature.get('enabled') == 'yes'
    return Firmware(UEFI, secure)


def nvram_path(domain_xml):
    """The NVRAM file named in a domain's XML, or None.

    libvirt names it at the first start of an auto-selected UEFI domain.
    """
    root = ET.fromstring(domain_xml)
    text = root.findtext('os/nvram')
    return text.strip() if text and text.strip() else None


def needs_fresh_nvram(old, new):
    """Whether changing firmware ``old`` into ``new`` drops the NVRAM."""
    return old.mode == UEFI and old != new
