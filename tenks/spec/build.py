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

"""Turn structurally valid spec data into the typed model.

It checks the rules that span keys (node types exist, physnets are mapped,
port ranges fit, ...). Every problem is collected; none stops the others.
"""

import difflib
import os
import urllib.parse

from tenks.spec import errors
from tenks.spec import model
from tenks.spec import schema
from tenks.spec import units

MAX_NODES = 100000
MIN_MEMORY_MB = 16
MAX_MEMORY_MB = 16 * 1024 * 1024
MAX_HOST_MB = 1024 ** 3
MAX_VOLUME = 64 * 1024 ** 4
MIN_VOLUME = 1024 ** 2
DEFAULT_HYPERVISOR = 'localhost'

_INTERFACE_KEYS = tuple('%s_interface' % i for i in schema.IRONIC_INTERFACES)


def _close(word, choices):
    match = difflib.get_close_matches(str(word), sorted(choices), n=1)
    return " (did you mean '%s'?)" % match[0] if match else ''


def _memory_mb(value, path, problems, maximum=MAX_MEMORY_MB):
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            mib = value
        else:
            mib = units.to_mib(units.parse_size(value))
    except ValueError as exc:
        problems.add(path, str(exc))
        return None
    if mib < MIN_MEMORY_MB:
        problems.add(path, 'memory %s MiB is below the minimum of %d MiB'
                     % (mib, MIN_MEMORY_MB))
        return None
    if mib > maximum:
        problems.add(path, 'memory %s MiB is above the maximum of %d MiB'
                     % (mib, maximum))
        return None
    return mib


def _volume_size(value, path, problems):
    try:
        size = units.parse_size(value)
    except ValueError as exc:
        problems.add(path, str(exc))
        return None
    if size < MIN_VOLUME:
        problems.add(path, 'size %s is below the minimum of 1MiB'
                     % units.format_size(size))
        return None
    if size > MAX_VOLUME:
        problems.add(path, 'size %s is above the maximum of 64TiB'
                     % units.format_size(size))
        return None
    return size


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
        capacity = _volume_size(data['capacity'], path + ('capacity',),
                                problems)
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
    return model.Volume(capacity=capacity, format=data.get('format', 'qcow2'),
                        image=image, existing=existing,
                        pool=data.get('pool'))


def _build_node_type(name, data, path, problems, settings, base_dir):
    memory = _memory_mb(data.get('memory_mb'), path + ('memory_mb',),
                        problems)
    volumes = tuple(_build_volume(v, path + ('volumes', i), problems,
                                  base_dir)
                    for i, v in enumerate(data.get('volumes', ())))
    physnets = tuple(data.get('physical_networks', ()))
    seen = set()
    for i, physnet in enumerate(physnets):
        if physnet in seen:
            problems.add(path + ('physical_networks', i),
                         'duplicate physical network %r' % physnet)
        seen.add(physnet)
    driver = data.get('ironic_driver', settings.default_ironic_driver)
    emulator = settings.bmc_emulators.get(driver)
    if emulator is None:
        problems.add(path + ('ironic_driver',) if 'ironic_driver' in data
                     else path,
                     'Ironic driver %r has no BMC emulator in bmc_emulators '
                     '(known drivers: %s)' % (
                         driver, ', '.join(sorted(settings.bmc_emulators))))
        emulator = 'none'
    cpu_mode = data.get('cpu_mode', settings.cpu_mode)
    cpu_model = data.get('cpu_model')
    if cpu_mode == 'custom' and not (cpu_model or settings.cpu_model):
        problems.add(path + ('cpu_mode',), "cpu_mode 'custom' needs a "
                     "cpu_model")
    if cpu_model and cpu_mode != 'custom':
        problems.add(path + ('cpu_model',), "cpu_model needs cpu_mode "
                     "'custom' (cpu_mode is %r)" % cpu_mode)
    if data.get('secure_boot') and data.get('boot_mode') == 'bios':
        problems.add(path + ('secure_boot',), 'secure boot needs UEFI '
                     '(boot_mode is bios)')
    bmc = data.get('bmc', {})
    if memory is None:
        memory = 0
    return model.NodeType(
        name=name, memory_mb=memory, vcpus=data.get('vcpus', 1),
        volumes=volumes, physical_networks=physnets,
        ironic_driver=driver, bmc_emulator=emulator,
        console_log_enabled=data.get('console_log_enabled', False),
        cpu_mode=cpu_mode, cpu_model=cpu_model or settings.cpu_model,
        arch=data.get('arch', settings.arch),
        machine=data.get('machine', settings.machine_type),
        boot_mode=data.get('boot_mode'),
        secure_boot=data.get('secure_boot'),
        disk_bus=data.get('disk_bus', settings.disk_bus),
        nic_model=data.get('nic_model', settings.nic_model),
        bmc_username=bmc.get('username'), bmc_password=bmc.get('password'))


def _build_ironic_config(data, path, problems):
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
        interfaces=model.freeze({k: data[k] for k in _INTERFACE_KEYS
                                 if k in data}),
        conductor_group=data.get('conductor_group'),
        shard=data.get('shard'),
        owner=data.get('owner'),
        lessee=data.get('lessee'),
        description=data.get('description'),
        extra=model.freeze(data.get('extra', {})))


def _digits_follow(short, long):
    rest = long[len(short):]
    return long.startswith(short) and rest.isdigit() and rest[0] != '0'


def _check_prefixes(entries, problems):
    by_prefix = {}
    for entry in entries:
        by_prefix.setdefault(entry.node_name_prefix, entry.index)
    for short, i in by_prefix.items():
        for long, j in by_prefix.items():
            if short != long and _digits_follow(short, long):
                problems.add(('specs', j, 'node_name_prefix'),
                             'prefix %r makes names that collide with '
                             'those of prefix %r in specs[%d] (e.g. %s)'
                             % (long, short, i, long + '0'))


def _build_hypervisors(data, settings, problems, redfish):
    top_mappings = data.get('physnet_mappings', {})
    raw = data.get('hypervisors')
    if not raw:
        raw = {DEFAULT_HYPERVISOR: {}}
        base = ('physnet_mappings',)
    else:
        base = None
    hypervisors = []
    for name, hv in raw.items():
        path = ('hypervisors', name)
        mappings = hv.get('physnet_mappings', top_mappings)
        mpath = base or ((path + ('physnet_mappings',))
                         if 'physnet_mappings' in hv
                         else ('physnet_mappings',))
        devices = {}
        for physnet, device in mappings.items():
            if device is None:
                continue
            if device in devices:
                problems.add(mpath + (physnet,),
                             'device %r is already mapped to physical '
                             'network %r' % (device, devices[device]))
            devices[device] = physnet
        uri = hv.get('libvirt_uri')
        host = hv.get('host')
        if uri is None:
            uri = ('qemu+ssh://%s/system' % host) if host else (
                settings.libvirt_uri)
        if host is None:
            remote = urllib.parse.urlparse(uri).netloc
            host = remote or None
        start = hv.get('ipmi_port_range_start',
                       settings.ipmi_port_range_start)
        end = hv.get('ipmi_port_range_end', settings.ipmi_port_range_end)
        if start > end:
            problems.add(path + ('ipmi_port_range_end',)
                         if 'ipmi_port_range_end' in hv
                         else ('ipmi_port_range_end',),
                         'IPMI port range end %d is below its start %d'
                         % (end, start))
        capacity = hv.get('capacity', {})
        memory = None
        if 'memory_mb' in capacity:
            memory = _memory_mb(capacity['memory_mb'],
                                path + ('capacity', 'memory_mb'), problems,
                                maximum=MAX_HOST_MB)
        disk = None
        if 'disk' in capacity:
            disk = _volume_size(capacity['disk'], path + ('capacity', 'disk'),
                                problems)
        hypervisors.append(model.Hypervisor(
            name=name, libvirt_uri=uri, host=host,
            provider=hv.get('provider', settings.provider),
            physnet_mappings=model.freeze(mappings),
            bridge_prefix=hv.get('bridge_prefix', settings.bridge_prefix),
            ipmi_address=hv.get('ipmi_address', settings.ipmi_address),
            ipmi_port_range_start=start, ipmi_port_range_end=end,
            redfish_address=hv.get('redfish_address',
                                   settings.redfish_address),
            redfish_port=hv.get('redfish_port', settings.redfish_port),
            pool_name=hv.get('pool_name', settings.pool_name),
            pool_path=hv.get('pool_path', settings.pool_path),
            memory_mb=memory, vcpus=capacity.get('vcpus'), disk_bytes=disk,
            ram_allocation_ratio=hv.get('ram_allocation_ratio',
                                        settings.ram_allocation_ratio),
            cpu_allocation_ratio=hv.get('cpu_allocation_ratio',
                                        settings.cpu_allocation_ratio),
            disk_allocation_ratio=hv.get('disk_allocation_ratio',
                                         settings.disk_allocation_ratio)))
    _check_shared_sites(hypervisors, problems, redfish)
    return tuple(hypervisors)


def _check_shared_sites(hypervisors, problems, redfish):
    """Check what hypervisors on one host must agree on or keep apart.

    Hypervisors whose BMCs share a host and address share their IPMI
    ports: their ranges must agree. Each needs its own Redfish emulator
    port, and its own bridge names.
    """
    sites = {}
    bridges = {}
    emulators = {}
    for hv in hypervisors:
        path = ('hypervisors', hv.name)
        key = (hv.bmc_site, hv.ipmi_address)
        other = sites.setdefault(key, hv)
        if other is not hv and (
                (other.ipmi_port_range_start, other.ipmi_port_range_end) !=
                (hv.ipmi_port_range_start, hv.ipmi_port_range_end)):
            lo = max(other.ipmi_port_range_start, hv.ipmi_port_range_start)
            hi = min(other.ipmi_port_range_end, hv.ipmi_port_range_end)
            if lo <= hi:
                problems.add(path + ('ipmi_port_range_start',),
                             'IPMI port range %d-%d overlaps the range '
                             '%d-%d of hypervisor %s on the same BMC '
                             'address %s; use the same range or disjoint '
                             'ones' % (hv.ipmi_port_range_start,
                                       hv.ipmi_port_range_end,
                                       other.ipmi_port_range_start,
                                       other.ipmi_port_range_end,
                                       other.name, hv.ipmi_address))
        local = (hv.host, hv.bridge_prefix)
        if local in bridges:
            problems.add(path + ('bridge_prefix',),
                         'hypervisor %s shares its host and bridge prefix '
                         '%r with hypervisor %s; give each its own '
                         'bridge_prefix' % (hv.name, hv.bridge_prefix,
                                            bridges[local]))
        bridges[local] = hv.name
        rkey = (hv.bmc_site, hv.redfish_address, hv.redfish_port)
        if redfish and rkey in emulators:
            problems.add(path + ('redfish_port',),
                         'hypervisor %s would share Redfish emulator port '
                         '%s:%d with hypervisor %s; give each its own '
                         'redfish_port' % (hv.name, hv.redfish_address,
                                           hv.redfish_port, emulators[rkey]))
        emulators.setdefault(rkey, hv.name)


def _apply_overrides(data, settings):
    """Top-level spec keys that override settings (Tenks compatible)."""
    mapping = {
        'default_boot_mode': 'default_boot_mode',
        'default_ironic_driver': 'default_ironic_driver',
        'bridge_type': 'bridge_type',
        'bridge_prefix': 'bridge_prefix',
        'node_name_prefix': 'node_name_prefix',
        'vol_name_prefix': 'vol_name_prefix',
        'ipmi_address': 'ipmi_address',
        'ipmi_port_range_start': 'ipmi_port_range_start',
        'ipmi_port_range_end': 'ipmi_port_range_end',
        'ipmi_username': 'ipmi_username',
        'ipmi_password': 'ipmi_password',
        'redfish_address': 'redfish_address',
        'redfish_username': 'redfish_username',
        'redfish_password': 'redfish_password',
        'deploy_kernel': 'deploy_kernel',
        'deploy_ramdisk': 'deploy_ramdisk',
        'wait_for_placement': 'wait_for_placement',
        'libvirt_pool_name': 'pool_name',
        'libvirt_pool_path': 'pool_path',
        'libvirt_vm_arch': 'arch',
        'libvirt_vm_engine': 'domain_type',
    }
    changes = {attr: data[key] for key, attr in mapping.items()
               if key in data}
    if 'bmc_emulators' in data:
        merged = dict(settings.bmc_emulators)
        # Tenks names the Redfish emulator 'sushy-tools'; entry point names
        # use underscores.
        merged.update((k, v.replace('-', '_'))
                      for k, v in data['bmc_emulators'].items())
        changes['bmc_emulators'] = merged
    return settings.replace(**changes) if changes else settings


def _check_keys_are_strings(data, path, problems):
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str):
                problems.add(path + (key,), 'key %r must be a string'
                             % (key,))
            else:
                _check_keys_are_strings(value, path + (key,), problems)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            _check_keys_are_strings(value, path + (i,), problems)


def _touches(problem_paths, path):
    n = len(path)
    return any(p[:n] == path for p in problem_paths)


def build(data, settings, source, base_dir, structural):
    """Build a :class:`model.ClusterSpec`.

    :param data: the parsed YAML (a dict).
    :param settings: the :class:`tenks.settings.Settings` defaults.
    :param structural: problems already found by :mod:`structure`; parts of
        the spec they touch are skipped here, so one mistake is reported
        once.
    :returns: ``(ClusterSpec or None, Problems)``.
    """
    problems = errors.Problems()
    bad = [p.path for p in structural]
    _check_keys_are_strings(data, (), problems)
    if problems:
        return None, problems
    settings = _apply_overrides(
        {k: v for k, v in data.items() if not _touches(bad, (k,))},
        settings)

    node_types = {}
    for name, raw in (data.get('node_types') or {}).items():
        if _touches(bad, ('node_types', name)):
            node_types[name] = None
            continue
        node_types[name] = _build_node_type(
            name, raw, ('node_types', name), problems, settings, base_dir)

    hypervisors = ()
    if not any(_touches(bad, (k,))
               for k in ('hypervisors', 'physnet_mappings')):
        redfish = any(t is not None and t.bmc_emulator == 'sushy_tools'
                      for t in node_types.values())
        hypervisors = _build_hypervisors(data, settings, problems, redfish)
    mapped = set()
    for hv in hypervisors:
        mapped.update(hv.physnet_mappings)

    for name, node_type in node_types.items():
        if node_type is None or not hypervisors:
            continue
        for i, physnet in enumerate(node_type.physical_networks):
            if physnet not in mapped:
                problems.add(('node_types', name, 'physical_networks', i),
                             'physical network %r is not mapped on any '
                             'hypervisor (physnet_mappings has: %s)' % (
                                 physnet, ', '.join(sorted(mapped)) or
                                 'nothing'))

    entries = []
    total = 0
    for i, raw in enumerate(data.get('specs') or ()):
        path = ('specs', i)
        entry = _build_entry(i, raw, path, bad, node_types, settings,
                             problems)
        if entry is not None:
            total += entry.count
            entries.append(entry)
    if total > MAX_NODES:
        problems.add(('specs',), '%d nodes asked for; at most %d are '
                     'supported' % (total, MAX_NODES))
    _check_prefixes(entries, problems)
    _check_ipmi_capacity(entries, node_types, hypervisors, problems)

    flavors = []
    names = {}
    for i, raw in enumerate(data.get('nova_flavors') or ()):
        path = ('nova_flavors', i)
        if _touches(bad, path):
            continue
        if raw['node_type'] not in node_types:
            problems.add(path + ('node_type',), 'unknown node type %r%s' % (
                raw['node_type'], _close(raw['node_type'], node_types)))
        name = raw.get('name', raw['resource_class'])
        if name in names:
            problems.add(path + ('name',), 'duplicate flavor name %r (also '
                         'nova_flavors[%d])' % (name, names[name]))
        names.setdefault(name, i)
        overlap = set(raw.get('required_traits', ())) & set(
            raw.get('forbidden_traits', ()))
        if overlap:
            problems.add(path + ('forbidden_traits',), 'traits both '
                         'required and forbidden: %s'
                         % ', '.join(sorted(overlap)))
        flavors.append(model.Flavor(
            name=name, resource_class=raw['resource_class'],
            node_type=raw['node_type'],
            required_traits=tuple(raw.get('required_traits', ())),
            forbidden_traits=tuple(raw.get('forbidden_traits', ())),
            custom_specs=model.freeze(raw.get('custom_specs', {})),
            is_public=raw.get('is_public', True)))

    if problems or structural:
        return None, problems
    return model.ClusterSpec(
        source=source, settings=settings,
        node_types=model.FrozenDict(node_types), specs=tuple(entries),
        flavors=tuple(flavors), hypervisors=hypervisors), problems


def _build_entry(i, raw, path, bad, node_types, settings, problems):
    """One ``specs[i]`` entry, or None when it has structural problems.

    Its node type is still checked if it can be.
    """
    type_name = raw.get('type') if isinstance(raw, dict) else None
    if isinstance(type_name, str) and type_name not in node_types:
        problems.add(path + ('type',), 'unknown node type %r%s' % (
            type_name, _close(type_name, node_types)))
    if _touches(bad, path):
        return None
    ironic = None
    if 'ironic_config' in raw:
        ironic = _build_ironic_config(raw['ironic_config'],
                                      path + ('ironic_config',), problems)
    node_type = node_types.get(type_name)
    if ironic is not None and node_type is not None:
        caps_path = path + ('ironic_config', 'properties', 'capabilities')
        mode = ironic.capabilities.get('boot_mode')
        secure = ironic.capabilities.get('secure_boot', '').lower()
        if node_type.boot_mode and mode and mode != node_type.boot_mode:
            problems.add(caps_path, 'boot_mode %s disagrees with node type '
                         '%s (boot_mode %s)' % (mode, type_name,
                                                node_type.boot_mode))
        if secure == 'true' and (mode or node_type.boot_mode or
                                 settings.default_boot_mode) == 'bios':
            problems.add(caps_path, 'secure_boot needs boot_mode uefi')
    if node_type is not None:
        for j, volume in enumerate(node_type.volumes):
            if (volume.existing and '{node}' not in volume.existing and
                    raw['count'] > 1):
                problems.add(path + ('count',),
                             'node type %s uses existing volume %r '
                             '(volumes[%d]) which %d nodes cannot share; '
                             'add {node} to its name' % (
                                 type_name, volume.existing, j,
                                 raw['count']))
    return model.SpecEntry(
        index=i, type=type_name, count=raw['count'],
        node_name_prefix=raw.get('node_name_prefix',
                                 settings.node_name_prefix),
        vol_name_prefix=raw.get('vol_name_prefix', settings.vol_name_prefix),
        ironic_config=ironic)


def _check_ipmi_capacity(entries, node_types, hypervisors, problems):
    """More IPMI nodes than IPMI ports on all hypervisors is an error."""
    wanted = 0
    for entry in entries:
        node_type = node_types.get(entry.type)
        if node_type is not None and node_type.bmc_emulator == 'virtualbmc':
            wanted += entry.count
    if not wanted or not hypervisors:
        return
    ports = set()
    for hv in hypervisors:
        for port in hv.ipmi_ports:
            ports.add((hv.bmc_site, hv.ipmi_address, port))
    if wanted > len(ports):
        problems.add(('ipmi_port_range_end',), 'the IPMI port ranges hold '
                     '%d ports but %d nodes need an IPMI BMC; widen '
                     'ipmi_port_range_start/end' % (len(ports), wanted))
