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

"""Domain XML of a node, from its ``domain`` props.

Pure: :func:`render` takes the props and the facts the driver found
(resolved domain type, formats of existing volumes) and returns the XML
libvirt defines. Problems in the props are reported naming the domain,
before anything is defined.

Boot order is network then disk, given as ``<os><boot dev=.../>`` (not as
per-device boot order, which VirtualBMC could not change). The firmware
is named (UEFI auto-selected, BIOS by its ROM when the host has one; see
:mod:`.firmware`), so that a Redfish emulator reports the boot mode.
Every node has an empty CD-ROM drive (``cdrom`` in its props) on a bus
its machine type has (SATA on q35, IDE on i440fx, SCSI elsewhere), as a
server's BMC offers one for virtual media. NICs are macvtap passthrough
on the node end of each veth pair. The serial console is a PTY, logged
to ``console_log`` when set.
"""

import string

from tenks import exception
from tenks.providers.libvirt import firmware
from tenks.providers.libvirt import metadata
from tenks.providers.libvirt import templating

TEMPLATE = 'domain.xml.j2'
CPU_MODES = ('host-passthrough', 'host-model', 'maximum', 'custom')
DISK_PREFIX = {'virtio': 'vd', 'sata': 'sd', 'scsi': 'sd'}
#: Architectures whose legacy BIOS is a SeaBIOS ROM.
BIOS_ARCHES = ('x86_64', 'i686')
NIC_MODELS = ('virtio', 'e1000', 'e1000e', 'rtl8139')
#: libvirt's TPM model of each ``tpm.model``.
TPM_MODELS = {'crb': 'tpm-crb', 'tis': 'tpm-tis'}
TPM_VERSIONS = ('2.0', '1.2')


def _error(props, message):
    return exception.TenksError('domain %s: %s' % (props.get('name'),
                                                   message))


def disk_target(bus, index):
    """The target device name of disk ``index`` on ``bus``.

    vda, vdb... for virtio; sda, sdb... for sata and scsi.
    """
    letters = string.ascii_lowercase
    if index >= len(letters):
        raise ValueError('at most %d disks per bus' % len(letters))
    return DISK_PREFIX[bus] + letters[index]


def _disks(props, disk_formats):
    disks = []
    per_bus = {}
    for disk in props.get('disks') or ():
        bus = disk.get('bus') or 'virtio'
        if bus not in DISK_PREFIX:
            raise _error(props, 'unknown disk bus %r (use %s)'
                         % (bus, ', '.join(sorted(DISK_PREFIX))))
        fmt = disk.get('format') or (disk_formats or {}).get(
            (disk['pool'], disk['volume']))
        if fmt is None:
            raise _error(props, 'the format of volume %s in pool %s is '
                         'unknown' % (disk['volume'], disk['pool']))
        index = per_bus.get(DISK_PREFIX[bus], 0)
        per_bus[DISK_PREFIX[bus]] = index + 1
        try:
            dev = disk_target(bus, index)
        except ValueError as exc:
            raise _error(props, str(exc))
        if disk.get('wwn') and bus != 'scsi':
            raise _error(props, 'volume %s: a WWN needs bus scsi, not %s'
                         % (disk['volume'], bus))
        disks.append({'pool': disk['pool'], 'volume': disk['volume'],
                      'format': fmt, 'bus': bus, 'dev': dev,
                      'serial': disk.get('serial'), 'wwn': disk.get('wwn')})
    return disks


def _cdrom(machine, disks):
    """The CD-ROM drive: a bus the machine type has, a free target."""
    if 'q35' in machine:
        bus = 'sata'
    elif machine.startswith('pc'):
        return {'bus': 'ide', 'dev': 'hdc'}
    else:
        bus = 'scsi'
    used = sum(1 for d in disks if DISK_PREFIX[d['bus']] == 'sd')
    return {'bus': bus, 'dev': disk_target(bus, used)}


def _nics(props):
    nics = []
    trust = bool(props.get('trust_guest_rx_filters'))
    for nic in props.get('nics') or ():
        model = nic.get('model') or 'virtio'
        if model not in NIC_MODELS:
            raise _error(props, 'unknown NIC model %r' % model)
        if not nic.get('dev') or not nic.get('mac'):
            raise _error(props, 'a NIC needs a device and a MAC address')
        nics.append({'mac': nic['mac'], 'dev': nic['dev'], 'model': model,
                     'trust_guest_rx_filters': trust})
    return nics


def tpm(props):
    """The domain's TPM in libvirt's terms (``{model, version}``), or None.

    :raises TenksError: an unknown model or version.
    """
    wanted = props.get('tpm')
    if not wanted:
        return None
    model = TPM_MODELS.get(wanted.get('model'))
    version = wanted.get('version')
    if model is None or version not in TPM_VERSIONS:
        raise _error(props, 'unknown TPM %r (models: %s; versions: %s)' % (
            wanted, ', '.join(TPM_MODELS), ', '.join(TPM_VERSIONS)))
    return {'model': model, 'version': version}


def context(props, domain_type, disk_formats=None, bios_rom=None):
    """The template context of a domain.

    :param props: the domain's props (see :mod:`tenks.providers.base`).
    :param domain_type: the resolved domain type (kvm or qemu).
    :param disk_formats: ``{(pool, volume): format}`` for disks whose
        props give no format (existing volumes).
    :param bios_rom: the hypervisor's SeaBIOS ROM, named as the loader of
        a BIOS node (x86), or None.
    :raises TenksError: the props describe no valid domain.
    """
    fw = firmware.from_props(props)
    cpu_mode = props.get('cpu_mode') or 'maximum'
    if cpu_mode not in CPU_MODES:
        raise _error(props, 'unknown CPU mode %r (use %s)'
                     % (cpu_mode, ', '.join(CPU_MODES)))
    if cpu_mode == 'custom' and not props.get('cpu_model'):
        raise _error(props, 'CPU mode custom needs a cpu_model')
    memory = props.get('memory_mb')
    vcpus = props.get('vcpus')
    if not isinstance(memory, int) or memory < 1:
        raise _error(props, 'memory_mb must be a positive integer')
    if not isinstance(vcpus, int) or vcpus < 1:
        raise _error(props, 'vcpus must be a positive integer')
    disks = _disks(props, disk_formats)
    arch = props.get('arch') or 'x86_64'
    machine = props.get('machine') or 'q35'
    cdrom = None
    if props.get('cdrom'):
        try:
            cdrom = _cdrom(machine, disks)
        except ValueError as exc:
            raise _error(props, str(exc))
    return {
        'domain_type': domain_type,
        'name': props['name'],
        'uuid': props['uuid'],
        'cluster': props['cluster'],
        'meta_namespace': metadata.NAMESPACE,
        'meta_element': metadata.ELEMENT,
        'memory_mb': memory,
        'vcpus': vcpus,
        'arch': arch,
        'x86': arch in BIOS_ARCHES,
        'machine': machine,
        'uefi': fw.mode == firmware.UEFI,
        'bios_rom': (bios_rom if fw.mode != firmware.UEFI and
                     arch in BIOS_ARCHES else None),
        'secure_boot': fw.secure_boot,
        'cpu_mode': cpu_mode,
        'cpu_model': props.get('cpu_model'),
        'disks': disks,
        'cdrom': cdrom,
        'scsi': any(d['bus'] == 'scsi'
                    for d in disks + ([cdrom] if cdrom else [])),
        'nics': _nics(props),
        'console_log': props.get('console_log'),
        'tpm': tpm(props),
    }


def render(props, domain_type, disk_formats=None, bios_rom=None):
    """The domain XML of ``props`` (see :func:`context`)."""
    return templating.render(TEMPLATE, **context(props, domain_type,
                                                 disk_formats, bios_rom))
