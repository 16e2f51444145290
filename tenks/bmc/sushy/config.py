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

"""The configuration file tenks writes for a sushy-tools Redfish emulator.

sushy-emulator loads its ``--config`` file as Python; tenks writes only
literals (``repr`` of strings, numbers, lists and dicts), so nothing a
spec or configuration file holds can become code.

What it sets, from the ``bmc_service`` props and ``[redfish]`` options:
listen address and port, TLS certificate and key, the htpasswd file for
HTTP basic auth, the libvirt URI, the storage pool virtual media images
are uploaded to (the hypervisor's), the allowed instances (the UUIDs of
the hypervisor's Redfish nodes, so the emulator exposes no other domain),
a private state directory, the firmware for UEFI and legacy BIOS boot and
the secure boot NVRAM templates, and Storage, Drives and Volumes for every
node (built from its volumes) so that Ironic's out-of-band Redfish
inspection finds its disks.
"""

import os

from tenks.providers.libvirt import firmware as lv_firmware

CONFIG_FILE = 'emulator.conf'
AUTH_FILE = 'htpasswd'
STATE_DIR = 'state'
STORAGE_ID = '1'

#: (loader, NVRAM template with secure boot off, template with it on) for
#: UEFI on x86_64, first found wins: Debian/Ubuntu 4M images, the older
#: 2M ones, Fedora/RHEL/CentOS.
X86_64_UEFI = (
    ('/usr/share/OVMF/OVMF_CODE_4M.secboot.fd',
     '/usr/share/OVMF/OVMF_VARS_4M.fd',
     '/usr/share/OVMF/OVMF_VARS_4M.ms.fd'),
    ('/usr/share/OVMF/OVMF_CODE.secboot.fd',
     '/usr/share/OVMF/OVMF_VARS.fd',
     '/usr/share/OVMF/OVMF_VARS.ms.fd'),
    ('/usr/share/edk2/ovmf/OVMF_CODE.secboot.fd',
     '/usr/share/edk2/ovmf/OVMF_VARS.fd',
     '/usr/share/edk2/ovmf/OVMF_VARS.secboot.fd'),
)
AARCH64_UEFI = (
    '/usr/share/AAVMF/AAVMF_CODE.fd',
    '/usr/share/edk2/aarch64/QEMU_EFI-pflash.raw',
)


def find_firmware(exists=os.path.exists):
    """UEFI firmware and the BIOS ROM on this host (host side).

    :returns: ``{'uefi_loader', 'nvram', 'secure_nvram', 'aarch64_loader',
        'bios_rom'}`` with None for what is not installed.
    """
    found = {'uefi_loader': None, 'nvram': None, 'secure_nvram': None,
             'aarch64_loader': None,
             'bios_rom': next((p for p in lv_firmware.BIOS_ROMS
                               if exists(p)), None)}
    for loader, nvram, secure in X86_64_UEFI:
        if exists(loader):
            found.update(uefi_loader=loader,
                         nvram=nvram if exists(nvram) else None,
                         secure_nvram=secure if exists(secure) else None)
            break
    for loader in AARCH64_UEFI:
        if exists(loader):
            found['aarch64_loader'] = loader
            break
    return found


def _drive_id(uuid, index):
    return '%s-%d' % (uuid.split('-')[0], index)


#: The Redfish ``Protocol`` of a drive on each bus.
PROTOCOLS = {'virtio': 'PCIe', 'sata': 'SATA', 'scsi': 'SAS'}


def disk_entry(volume):
    """What the emulated storage says of a node volume.

    Its capacity alone for a volume without an identity (as recorded
    before disks had them: the service's props stay equal), else
    ``{capacity, bus, serial, wwn}``.
    """
    if not volume.get('serial'):
        return volume.get('capacity')
    return {'capacity': volume.get('capacity'), 'bus': volume.get('bus'),
            'serial': volume['serial'], 'wwn': volume.get('wwn')}


def _drive(drive_id, index, disk):
    if not isinstance(disk, dict):
        disk = {'capacity': disk}
    drive = {'Id': drive_id, 'Name': 'Virtual disk %d' % index,
             'CapacityBytes': int(disk.get('capacity') or 0),
             'Protocol': PROTOCOLS.get(disk.get('bus'), 'SATA')}
    if disk.get('serial'):
        drive['SerialNumber'] = disk['serial']
    if disk.get('wwn'):
        drive['Identifiers'] = [{'DurableNameFormat': 'NAA',
                                 'DurableName': disk['wwn'].upper()}]
    return drive


def storage(disks):
    """Storage, Drives and Volumes settings.

    :param disks: ``{node uuid: [disk, ...]}``, each a capacity in bytes
        (or None) or a :func:`disk_entry` mapping.
    :returns: three dicts, keyed as sushy-tools expects (the drive and
        volume keys are ``(uuid, storage id)`` tuples).
    """
    stores, drives, volumes = {}, {}, {}
    for uuid in sorted(disks):
        if not disks[uuid]:
            # An empty collection: a Storage without Drives makes Ironic's
            # inspection fail, a missing one makes the emulator answer 500.
            stores[uuid] = []
            continue
        ids = []
        node_drives = []
        for index, disk in enumerate(disks[uuid]):
            drive_id = _drive_id(uuid, index)
            ids.append(drive_id)
            node_drives.append(_drive(drive_id, index, disk))
        stores[uuid] = [{
            'Id': STORAGE_ID,
            'Name': 'Local Storage Controller',
            'StorageControllers': [{
                'MemberId': '0',
                'Name': 'Virtual storage controller',
                'SpeedGbps': 6,
            }],
            'Drives': ids,
        }]
        drives[(uuid, STORAGE_ID)] = node_drives
        volumes[(uuid, STORAGE_ID)] = []
    return stores, drives, volumes


def render(props, run_dir, firmware, feature_set='full',
           emulate_storage=True):
    """The emulator's config file.

    :param props: the ``bmc_service`` props (address, port, libvirt_uri,
        storage_pool, tls_cert, tls_key, instances, disks).
    :param run_dir: the service's private directory.
    :param firmware: :func:`find_firmware` result, possibly overridden by
        ``[redfish]`` options.
    """
    settings = [
        ('SUSHY_EMULATOR_LISTEN_IP', props['address']),
        ('SUSHY_EMULATOR_LISTEN_PORT', int(props['port'])),
        ('SUSHY_EMULATOR_SSL_CERT', props.get('tls_cert') or None),
        ('SUSHY_EMULATOR_SSL_KEY', props.get('tls_key') or None),
        ('SUSHY_EMULATOR_AUTH_FILE', os.path.join(run_dir, AUTH_FILE)),
        ('SUSHY_EMULATOR_LIBVIRT_URI', props['libvirt_uri']),
        ('SUSHY_EMULATOR_STORAGE_POOL', props.get('storage_pool') or
         'default'),
        ('SUSHY_EMULATOR_ALLOWED_INSTANCES',
         sorted(props.get('instances') or ())),
        ('SUSHY_EMULATOR_FEATURE_SET', feature_set),
        ('SUSHY_EMULATOR_STATE_DIR', os.path.join(run_dir, STATE_DIR)),
        ('SUSHY_EMULATOR_BOOT_LOADER_MAP', {
            'UEFI': {'x86_64': firmware.get('uefi_loader'),
                     'aarch64': firmware.get('aarch64_loader')},
            # The ROM tenks' BIOS nodes name (setting Legacy needs one).
            'Legacy': {'x86_64': firmware.get('bios_rom'), 'aarch64': None},
        }),
    ]
    if firmware.get('nvram'):
        settings.append(('SUSHY_EMULATOR_SECURE_BOOT_DISABLED_NVRAM',
                         firmware['nvram']))
    if firmware.get('secure_nvram'):
        settings.append(('SUSHY_EMULATOR_SECURE_BOOT_ENABLED_NVRAM',
                         firmware['secure_nvram']))
    if emulate_storage:
        disks = props.get('disks') or {
            uuid: [] for uuid in props.get('instances') or ()}
        stores, drives, volumes = storage(disks)
        settings += [('SUSHY_EMULATOR_STORAGE', stores),
                     ('SUSHY_EMULATOR_DRIVES', drives),
                     ('SUSHY_EMULATOR_VOLUMES', volumes)]
    lines = ['# Written by tenks; changes are overwritten.']
    lines += ['%s = %r' % kv for kv in settings]
    return '\n'.join(lines) + '\n'
