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

"""The spec's node types: shape, volumes, BMC, and Ironic settings.

Shape defaults (CPU mode, architecture, machine, buses) come from the
default provider (:meth:`tenks.providers.base.Provider.node_defaults`);
the BMC emulator from the node's Ironic driver (``bmc_emulators``).
"""

import os
import urllib.parse

from tenks.spec import model
from tenks.spec import schema
from tenks.spec import sizes

X86 = ('x86_64', 'i686')
INTERFACE_KEYS = tuple('%s_interface' % i for i in schema.IRONIC_INTERFACES)


def _image(value, path, problems, base_dir):
    parsed = urllib.parse.urlparse(value)
    if parsed.scheme in ('http', 'https'):
        if not parsed.netloc:
            problems.add(path, 'URL %r has no host' % value)
            return None
        return value
    if parsed.scheme == 'file':
        value = urllib.parse.unquote(parsed.path)
    elif parsed.scheme and len(parsed.scheme) > 1:
        problems.add(path, 'unsupported image URL scheme %r (use http, '
                     'https, file or a path)' % parsed.scheme)
        return None
    if '..' in value.split('/'):
        problems.add(path, "image path %r must not contain '..'" % value)
        return None
    if not os.path.isabs(value):
        value = os.path.join(base_dir, value)
    return os.path.normpath(value)


def _build_volume(data, path, problems, base_dir):
    capacity = None
    if 'capacity' in data:
        capacity = sizes.volume_size(data['capacity'],
                                     path + ('capacity',), problems)
    image = None
    if 'image' in data:
        image = _image(data['image'], path + ('image',), problems, base_dir)
    existing = data.get('existing')
    if existing is not None:
        for key in ('capacity', 'image', 'format'):
            if key in data:
                problems.add(path + (key,), 'an existing volume takes no '
                             '%s: it is used as it is' % key)
        stripped = existing.replace('{node}', '')
        if '{' in stripped or '}' in stripped:
            problems.add(path + ('existing',), 'only the {node} '
                         'placeholder is allowed in %r' % existing)
    elif 'pool' in data:
        problems.add(path + ('pool',), 'pool is only for existing volumes; '
                     'new volumes go into the tenks pool')
    elif 'capacity' not in data and 'image' not in data:
        problems.add(path, 'a volume needs a capacity, an image or an '
                     'existing volume name')
    wwn = data.get('wwn')
    if wwn is not None:
        wwn = wwn.lower()[2:] if wwn.lower().startswith('0x') else \
            wwn.lower()
    return model.Volume(capacity=capacity, format=data.get('format', 'qcow2'),
                        image=image, existing=existing,
                        pool=data.get('pool'), bus=data.get('bus'),
                        serial=data.get('serial'), wwn=wwn,
                        root_device=bool(data.get('root_device')))


def _check_disk_identities(volumes, disk_bus, path, problems):
    """Check WWNs (SCSI only: libvirt refuses them elsewhere), one root."""
    roots = [i for i, v in enumerate(volumes) if v.root_device]
    for i in roots[1:]:
        problems.add(path + ('volumes', i, 'root_device'),
                     'only one volume can be the root device (volume %d '
                     'is)' % roots[0])
    for i, volume in enumerate(volumes):
        bus = volume.bus or disk_bus
        if volume.wwn and bus != 'scsi':
            problems.add(path + ('volumes', i, 'wwn'),
                         'a WWN needs bus scsi (this volume is on %s; '
                         'libvirt gives virtio and SATA disks none)' % bus)


def _machine(data, arch, defaults):
    """The node type's machine: its own, or the default for ``arch``.

    The configured machine type (an x86 one, q35 by default) does not
    serve other architectures: they get theirs (``virt`` for aarch64).
    """
    if data.get('machine'):
        return data['machine']
    machine = defaults['machine']
    if arch not in X86 and machine.startswith(('pc', 'q35')):
        return defaults.get('arch_machines', {}).get(arch, machine)
    return machine


def _tpm(value, arch, path, problems):
    """``(model, version)`` of a node type's ``tpm`` key, or None.

    ``true`` is a TPM 2.0 of the model the architecture's machines take:
    CRB on x86, TIS elsewhere (aarch64's virt machine has no CRB).
    """
    if not value:
        return None
    value = value if isinstance(value, dict) else {}
    version = value.get('version', '2.0')
    model = value.get('model', 'crb' if arch in X86 and version == '2.0'
                      else 'tis')
    if model == 'crb' and version != '2.0':
        problems.add(path + ('model',), 'a CRB TPM is a TPM 2.0 (version '
                     'is %s): use model tis' % version)
    if model == 'crb' and arch not in X86:
        problems.add(path + ('model',), 'a CRB TPM is for x86 machines '
                     '(arch is %s): use model tis' % arch)
    return (model, version)


def _nics(items, path, problems):
    """``(physnets, nic_vlans, nic_counts, bonds)`` of ``physical_networks``.

    An item is a physical network's name, or a mapping with its ``name``
    that may also put its switch ports on a VLAN (``vlan``, an access
    port) or VLANs (``trunk``), give the node several NICs there
    (``nics``) and group them as a bond (``bond``).
    """
    physnets, vlans, counts, bonds = [], [], [], []
    for i, item in enumerate(items):
        nic = item if isinstance(item, dict) else {'name': item}
        name = nic.get('name')
        if not isinstance(name, str):
            continue
        if name in physnets:
            problems.add(path + (i,), 'duplicate physical network %r '
                         '(several NICs on one physical network: nics)'
                         % name)
        physnets.append(name)
        if 'vlan' in nic and 'trunk' in nic:
            problems.add(path + (i,), 'a NIC is an access port of one VLAN '
                         '(vlan) or a trunk of VLANs (trunk), not both')
        elif 'vlan' in nic or 'trunk' in nic:
            vlans.append((name, model.NicVlans(
                vlan=nic.get('vlan'),
                trunk=tuple(sorted(v for v in nic.get('trunk') or ()
                                   if isinstance(v, int))))))
        count = _nic_count(nic, path + (i,), problems)
        if count > 1:
            counts.append((name, count))
        bond = nic.get('bond')
        if isinstance(bond, dict) and isinstance(bond.get('mode'), str):
            bonds.append((name, model.Bond(
                mode=bond['mode'],
                properties=tuple(sorted((bond.get('properties') or
                                         {}).items())))))
    return tuple(physnets), tuple(vlans), tuple(counts), tuple(bonds)


def _nic_count(nic, path, problems):
    """A physnet's NIC count: ``nics``, else 2 for a bond, else 1."""
    count = nic.get('nics')
    if not isinstance(count, int):
        return 2 if 'bond' in nic else 1
    if 'bond' in nic and count < 2:
        problems.add(path + ('nics',), 'a bond groups 2 or more NICs '
                     '(nics is %d)' % count)
    return count


def build_node_type(name, data, path, problems, settings, defaults,
                    base_dir):
    """One node type.

    :param defaults: shape defaults (see
        :meth:`tenks.providers.base.Provider.node_defaults`).
    """
    memory = sizes.memory_mb(data.get('memory_mb'), path + ('memory_mb',),
                             problems)
    volumes = tuple(_build_volume(v, path + ('volumes', i), problems,
                                  base_dir)
                    for i, v in enumerate(data.get('volumes', ())))
    _check_disk_identities(volumes,
                           data.get('disk_bus', defaults['disk_bus']), path,
                           problems)
    physnets, nic_vlans, nic_counts, bonds = _nics(
        data.get('physical_networks', ()), path + ('physical_networks',),
        problems)
    driver = data.get('ironic_driver', settings.default_ironic_driver)
    emulator = settings.bmc_emulators.get(driver)
    if emulator is None:
        problems.add(path + ('ironic_driver',) if 'ironic_driver' in data
                     else path,
                     'Ironic driver %r has no BMC emulator in bmc_emulators '
                     '(known drivers: %s)' % (
                         driver, ', '.join(sorted(settings.bmc_emulators))))
    cpu_mode = data.get('cpu_mode', defaults['cpu_mode'])
    cpu_model = data.get('cpu_model')
    if cpu_mode == 'custom' and not (cpu_model or defaults['cpu_model']):
        problems.add(path + ('cpu_mode',), "cpu_mode 'custom' needs a "
                     "cpu_model")
    if cpu_model and cpu_mode != 'custom':
        problems.add(path + ('cpu_model',), "cpu_model needs cpu_mode "
                     "'custom' (cpu_mode is %r)" % cpu_mode)
    arch = data.get('arch', defaults['arch'])
    if data.get('boot_mode') == 'bios' and arch == 'aarch64':
        problems.add(path + ('boot_mode',), 'aarch64 nodes boot UEFI only '
                     '(there is no BIOS for them)')
    if data.get('secure_boot') and data.get('boot_mode') == 'bios':
        problems.add(path + ('secure_boot',), 'secure boot needs UEFI '
                     '(boot_mode is bios)')
    bmc = data.get('bmc', {})
    if memory is None:
        memory = 0
    return model.NodeType(
        name=name, memory_mb=memory, vcpus=data.get('vcpus', 1),
        volumes=volumes, physical_networks=physnets, nic_vlans=nic_vlans,
        nic_counts=nic_counts, bonds=bonds,
        ironic_driver=driver, bmc_emulator=emulator,
        console_log_enabled=data.get('console_log_enabled', False),
        cpu_mode=cpu_mode, cpu_model=cpu_model or defaults['cpu_model'],
        arch=arch,
        machine=_machine(data, arch, defaults),
        boot_mode=data.get('boot_mode'),
        secure_boot=data.get('secure_boot'),
        disk_bus=data.get('disk_bus', defaults['disk_bus']),
        nic_model=data.get('nic_model', defaults['nic_model']),
        tpm=_tpm(data.get('tpm'), arch, path + ('tpm',), problems),
        bmc_username=bmc.get('username'), bmc_password=bmc.get('password'))


def build_ironic_config(data, path, problems):
    properties = data.get('properties', {})
    caps = properties.get('capabilities')
    if caps is not None and not isinstance(caps, (str, dict)):
        problems.add(path + ('properties', 'capabilities'),
                     'expected a string such as "boot_mode:uefi" or a '
                     'mapping')
    else:
        parsed = model.parse_capabilities(caps)
        mode = parsed.get('boot_mode')
        if mode is not None and mode not in ('uefi', 'bios'):
            problems.add(path + ('properties', 'capabilities'),
                         'boot_mode must be uefi or bios; got %r' % mode)
    for key in ('cpus', 'memory_mb', 'local_gb'):
        value = properties.get(key)
        if value is not None and (isinstance(value, bool) or
                                  not isinstance(value, int) or value < 0):
            problems.add(path + ('properties', key),
                         'expected a non-negative integer; got %r' % (value,))
    traits = tuple(data.get('traits', ()))
    if len(set(traits)) != len(traits):
        problems.add(path + ('traits',), 'duplicate traits')
    return model.IronicConfig(
        resource_class=data.get('resource_class', ''),
        traits=traits,
        properties=model.freeze(properties),
        interfaces=model.freeze({k: data[k] for k in INTERFACE_KEYS
                                 if k in data}),
        conductor_group=data.get('conductor_group'),
        shard=data.get('shard'),
        owner=data.get('owner'),
        lessee=data.get('lessee'),
        description=data.get('description'),
        extra=model.freeze(data.get('extra', {})))
