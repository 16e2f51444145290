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

"""The spec's hypervisors, and what hypervisors on one host must agree on.

Each hypervisor gets, per BMC emulator, its *site*: the emulator's options
with the hypervisor's own spec keys applied (the emulator declares which
keys it reads, see :class:`tenks.bmc.base.BMCEmulator`), so the planner
never reads emulator options itself.

A remote hypervisor's ``ssh`` key says how SSH reaches its host (one
identity per host, for libvirt and tenks alike: see
:mod:`tenks.hosts.sshconfig`); hypervisors on one host must agree on it.
"""

import ipaddress
import os

from tenks.hosts import sshconfig
from tenks.spec import model
from tenks.spec import sizes

DEFAULT_HYPERVISOR = 'localhost'
MAX_HOST_MB = 1024 ** 3


def _mappings(hv, top_mappings, path, base, problems):
    mappings = hv.get('physnet_mappings', top_mappings)
    mpath = base or ((path + ('physnet_mappings',))
                     if 'physnet_mappings' in hv else ('physnet_mappings',))
    devices = {}
    for physnet, device in mappings.items():
        if device is None:
            continue
        if device in devices:
            problems.add(mpath + (physnet,),
                         'device %r is already mapped to physical network '
                         '%r' % (device, devices[device]))
        devices[device] = physnet
    return mappings


def _capacity(hv, path, problems):
    capacity = hv.get('capacity', {})
    memory = disk = None
    if 'memory_mb' in capacity:
        memory = sizes.memory_mb(capacity['memory_mb'],
                                 path + ('capacity', 'memory_mb'), problems,
                                 maximum=MAX_HOST_MB)
    if 'disk' in capacity:
        disk = sizes.volume_size(capacity['disk'],
                                 path + ('capacity', 'disk'), problems)
    return memory, capacity.get('vcpus'), disk


def _defaults(catalog, settings, provider):
    """Defaults of a hypervisor's fields, from the plugins it uses.

    The provider (libvirt URI, pool), the scheduler (allocation ratios)
    and the network plugin (bridge prefix) each say what they default.
    """
    out = {}
    for namespace, name in (('tenks.networks', settings.bridge_type),
                            ('tenks.schedulers', settings.scheduler),
                            ('tenks.providers', provider)):
        out.update(catalog.cls(namespace, name).hypervisor_defaults(settings))
    return out


def _path(value, base_dir):
    """A file path of the spec: ``~`` expanded, relative to the spec."""
    return os.path.normpath(os.path.join(base_dir,
                                         os.path.expanduser(value)))


def _ssh(hv, path, host, uri, base_dir, problems):
    """The hypervisor's ``ssh`` keys, paths made absolute and checked.

    The destination, the libvirt URI and the ``ssh`` keys must not say
    two things of the host (user, port, key).
    """
    raw = hv.get('ssh')
    if raw is not None and host is None:
        problems.add(path + ('ssh',), 'applies to a remote hypervisor '
                                      'only: set host, or a remote '
                                      'libvirt_uri')
        return model.FrozenDict()
    out = dict(raw or {})
    for key in ('identity_file', 'known_hosts_file'):
        if key in out:
            out[key] = _path(out[key], base_dir)
            if not os.path.isfile(out[key]):
                problems.add(path + ('ssh', key), 'no such file: %s'
                             % out[key])
    for name, value in sorted(out.get('options', {}).items()):
        problem = sshconfig.option_problem(name, value)
        if problem:
            problems.add(path + ('ssh', 'options', name), problem)
    if host is not None:
        for key, problem in sshconfig.conflicts(host, uri, out):
            problems.add(path + (('ssh', key) if key in sshconfig.KEYS
                                 else (key,)), problem)
    return model.freeze(out)


def _host(uri):
    """The SSH destination a remote libvirt URI names, or None."""
    parts = sshconfig.uri_parts(uri)
    if not parts['hostname']:
        return None
    if parts['user']:
        return '%s@%s' % (parts['user'], parts['hostname'])
    return parts['hostname']


def build(data, settings, catalog, used, problems, base_dir='.'):
    """The spec's hypervisors (the local host when it lists none).

    :param catalog: the :class:`tenks.plugins.Catalog` of plugin classes.
    :param used: names of the BMC emulators node types use.
    :param base_dir: the spec's directory (relative paths start there).
    :returns: a tuple of :class:`tenks.spec.model.Hypervisor`.
    """
    emulators = catalog.emulators()
    bmc_keys = set()
    for cls in emulators.values():
        bmc_keys.update(cls.hypervisor_options)
    top_mappings = data.get('physnet_mappings', {})
    raw = data.get('hypervisors')
    base = None
    if not raw:
        raw = {DEFAULT_HYPERVISOR: {}}
        base = ('physnet_mappings',)
    hypervisors = []
    overrides = {}
    for name, hv in raw.items():
        path = ('hypervisors', name)
        provider = hv.get('provider', settings.provider)
        defaults = _defaults(catalog, settings, provider)
        mappings = _mappings(hv, top_mappings, path, base, problems)
        uri = hv.get('libvirt_uri')
        host = hv.get('host')
        if uri is None:
            uri = ('qemu+ssh://%s/system' % host) if host else (
                defaults['libvirt_uri'])
        if host is None:
            host = _host(uri)
        ssh = _ssh(hv, path, host, uri, base_dir, problems)
        memory, vcpus, disk = _capacity(hv, path, problems)
        fields = {k: hv.get(k, defaults.get(k)) for k in _DEFAULTED
                  if k in hv or k in defaults}
        overrides[name] = {k: v for k, v in hv.items() if k in bmc_keys}
        hypervisors.append(model.Hypervisor(
            name=name, libvirt_uri=uri, host=host, provider=provider,
            physnet_mappings=model.freeze(mappings),
            memory_mb=memory, vcpus=vcpus, disk_bytes=disk,
            bmc_sites=model.freeze({
                emulator: _remote_site(cls, cls.site(settings,
                                                     overrides[name]),
                                       host, overrides[name])
                for emulator, cls in emulators.items()}), ssh=ssh, **fields))
    _check_bridges(hypervisors, problems)
    _check_identities(hypervisors, problems)
    for emulator, cls in sorted(emulators.items()):
        cls.check_sites([(hv, hv.bmc_sites[emulator], overrides[hv.name])
                         for hv in hypervisors], emulator in used, problems)
    return tuple(hypervisors)


def _remote_site(cls, site, host, own):
    """A remote host's BMCs listen on its address, not its loopback.

    A loopback BMC address (the default ``127.0.0.1``) on a remote host
    is out of reach of this host and of Ironic, and would name the same
    address as the local BMCs: unless the hypervisor sets its own, its
    BMCs listen on the host's address (``host`` without the user).
    """
    if host is None:
        return site
    for key, option in cls.hypervisor_options.items():
        if option != 'address' or key in own or not site.get(option):
            continue
        try:
            loopback = ipaddress.ip_address(site[option]).is_loopback
        except ValueError:
            loopback = site[option] == 'localhost'
        if loopback:
            site = dict(site, **{option: host.rpartition('@')[2]})
    return site


#: Hypervisor fields a spec may set, or a plugin default.
_DEFAULTED = ('bridge_prefix', 'pool_name', 'pool_path',
              'ram_allocation_ratio', 'cpu_allocation_ratio',
              'disk_allocation_ratio')


def _check_bridges(hypervisors, problems):
    """Hypervisors on one host need bridge names of their own."""
    bridges = {}
    for hv in hypervisors:
        local = (hv.host, hv.bridge_prefix)
        if local in bridges:
            problems.add(('hypervisors', hv.name, 'bridge_prefix'),
                         'hypervisor %s shares its host and bridge prefix '
                         '%r with hypervisor %s; give each its own '
                         'bridge_prefix' % (hv.name, hv.bridge_prefix,
                                            bridges[local]))
        bridges[local] = hv.name


def _check_identities(hypervisors, problems):
    """Hypervisors on one host reach it one way (one SSH identity)."""
    seen = {}
    for hv in hypervisors:
        if hv.host is None:
            continue
        identity = sshconfig.resolve(hv.host, hv.libvirt_uri, hv.ssh)
        first = seen.setdefault(hv.host, (hv.name, identity))
        if first[1].settings() != identity.settings():
            problems.add(('hypervisors', hv.name, 'ssh'),
                         'hypervisor %s shares host %s with hypervisor %s '
                         'but not its ssh settings; give both the same' % (
                             hv.name, hv.host, first[0]))


def check_ports(entries, node_types, hypervisors, emulators, problems):
    """More nodes needing a BMC port than ports everywhere is an error."""
    wanted = {}
    for entry in entries:
        node_type = node_types.get(entry.type)
        cls = emulators.get(node_type.bmc_emulator) if node_type else None
        if cls is not None and cls.port_label:
            wanted[node_type.bmc_emulator] = (
                wanted.get(node_type.bmc_emulator, 0) + entry.count)
    if not hypervisors:
        return
    for emulator, count in sorted(wanted.items()):
        cls = emulators[emulator]
        ports = set()
        for hv in hypervisors:
            site = hv.bmc_sites[emulator]
            pool = cls.port_pool(hv, site)
            ports.update((pool, port) for port in cls.port_range(site))
        if count > len(ports):
            key = _range_end_key(cls)
            problems.add((key,), 'the %s port ranges hold %d ports but %d '
                         'nodes need an %s BMC; widen %s' % (
                             cls.port_label, len(ports), count,
                             cls.port_label, key.replace('_end', '_start/end')
                             if key.endswith('_end') else key))


def _range_end_key(cls):
    """The spec key of the end of the emulator's port range."""
    for key, option in sorted(cls.spec_options.items()):
        if option.endswith('range_end'):
            return key
    return 'hypervisors'
