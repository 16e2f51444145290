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

"""Decide which nodes the cluster has, their names and where they live.

This is the first, pure half of planning.

Existing nodes (from the state) keep their names, UUIDs, MACs, BMC ports
and hypervisors while a spec entry still wants them; new nodes get the
lowest free index of their prefix, a UUID and MACs derived from the
cluster's seed, a hypervisor from the scheduler and the lowest free IPMI
port there. Shrinking removes the highest indices.

A node is a plain dict (it is stored as such in the state file)::

    name, prefix, index, uuid, type, spec, hypervisor,
    memory_mb, vcpus, volumes[{name, capacity, format, image, existing,
    pool}], physical_networks, nics[{physnet, index, mac, slot (the
    second and later NICs on one physnet), and vlan or trunk when the NIC
    is on VLANs}], bonds[{physnet, mode, properties}] (when there are),
    cpu_mode, cpu_model, arch, machine, boot_mode, secure_boot, disk_bus,
    tpm ({model, version} or None), nic_model, console_log_enabled,
    ironic_driver,
    bmc{emulator, address, port, username, password},
    ironic_config (dict or None), adopt (imported from Tenks)
"""

import collections

from tenks import exception
from tenks.planner import naming
from tenks.schedulers import base as sched


class Allocation(object):
    """The outcome of an allocation.

    Desired nodes (by name, sorted), per-hypervisor allocations
    (``physnet_indices``...) and the names of removed nodes.
    """

    def __init__(self, nodes, hypervisors, removed):
        self.nodes = nodes
        self.hypervisors = hypervisors
        self.removed = removed


def _hypervisor_allocations(spec, state):
    """Per hypervisor: how to reach it, and its stable physnet indices."""
    out = {}
    for hv in spec.hypervisors:
        old = dict(((state.hypervisors.get(hv.name) or {})
                    .get('physnet_indices') or {}))
        used = set(old.values())
        for physnet in hv.physnet_mappings:
            if physnet not in old:
                i = 0
                while i in used:
                    i += 1
                old[physnet] = i
                used.add(i)
        out[hv.name] = dict({'physnet_indices': old}, **hv.reach)
    return out


def _fits_host(node, node_type, hv):
    if hv is None:
        return False
    return set(node_type.physical_networks) <= set(hv.physnet_mappings)


def _match(spec, state):
    """Match existing nodes to spec entries.

    :returns: ``(kept, wanted, removed)``: kept is a list of (entry, node
        record) pairs; wanted maps entry index to how many new nodes it
        still needs; removed lists the names of nodes no entry wants.
    """
    pools = collections.defaultdict(list)
    for node in state.nodes.values():
        pools[(node.get('type'), node.get('prefix'))].append(node)
    for nodes in pools.values():
        nodes.sort(key=lambda n: (n.get('index') is None,
                                  n.get('index') or 0, n['name']))
    taken = set()
    kept = []
    wanted = {}
    for strict in (True, False):
        for entry in spec.specs:
            node_type = spec.node_types[entry.type]
            have = wanted.get(entry.index, entry.count)
            if strict:
                have = entry.count
            want_ironic = (entry.ironic_config.to_dict()
                           if entry.ironic_config else None)
            for node in pools.get((entry.type, entry.node_name_prefix), ()):
                if have <= 0:
                    break
                if node['name'] in taken:
                    continue
                if strict and node.get('ironic_config') != want_ironic:
                    continue
                if not _fits_host(node, node_type,
                                  spec.hypervisor(node.get('hypervisor'))):
                    continue
                taken.add(node['name'])
                kept.append((entry, node))
                have -= 1
            wanted[entry.index] = have
    removed = sorted(n for n in state.nodes if n not in taken)
    return kept, wanted, removed


def _boot(entry, node_type, settings):
    caps = entry.ironic_config.capabilities if entry.ironic_config else {}
    mode = (node_type.boot_mode or caps.get('boot_mode') or
            settings.default_boot_mode)
    secure = node_type.secure_boot
    if secure is None:
        secure = caps.get('secure_boot', '').lower() == 'true'
    return mode, bool(secure)


def _identity(node, index, vol, disk_bus, old):
    """A volume's bus, serial, WWN and root device flag.

    A serial (and a WWN on SCSI) not given is generated from the node's
    UUID and the volume's index, so it stays the same; and kept as the
    state says. A volume the state recorded before tenks gave disks
    identities keeps none (its domain stays as it is) unless it is the
    root device, whose hint needs a serial.
    """
    out = {'bus': vol.bus or disk_bus, 'root_device': vol.root_device}
    old = old or {}
    legacy = bool(old) and 'serial' not in old
    if legacy and not (vol.serial or vol.wwn or vol.root_device):
        return out
    out['serial'] = (vol.serial or old.get('serial') or
                     naming.disk_serial(node['uuid'], index))
    out['wwn'] = None
    if out['bus'] == 'scsi':
        out['wwn'] = (vol.wwn or old.get('wwn') or
                      naming.disk_wwn(node['uuid'], index))
    return out


def nic_key(nic):
    """What names a node NIC: ``(physnet, slot)``.

    ``slot`` counts a node's NICs on one physical network from 0; the
    first one's NIC carries no ``slot`` key (as before there were more).
    """
    return nic['physnet'], nic.get('slot', 0)


def _node_nics(node, node_type, indices):
    """The node's NICs, keeping the MACs they had."""
    old_macs = {nic_key(n): n.get('mac') for n in node.get('nics') or ()}
    nics = []
    for physnet in node_type.physical_networks:
        for slot in range(node_type.nic_count(physnet)):
            nic = {'physnet': physnet, 'index': indices[physnet],
                   'mac': old_macs.get((physnet, slot))}
            if slot:
                nic['slot'] = slot
            nic.update(node_type.vlans(physnet))
            nics.append(nic)
    return nics


def _shape(node, entry, node_type, spec, indices, emulators):
    """Fill in what follows from the node's type, spec entry and host."""
    settings = spec.settings
    name = node['name']
    volumes = []
    old_volumes = node.get('volumes') or []
    for i, vol in enumerate(node_type.volumes):
        if vol.existing:
            volumes.append({'name': vol.existing.replace('{node}', name),
                            'existing': True, 'pool': vol.pool,
                            'capacity': None, 'format': None,
                            'image': None})
        else:
            volumes.append({'name': naming.volume_name(
                name, entry.vol_name_prefix, i), 'existing': False,
                'pool': None, 'capacity': vol.capacity,
                'format': vol.format, 'image': vol.image})
        volumes[-1].update(_identity(
            node, i, vol, node_type.disk_bus,
            old_volumes[i] if i < len(old_volumes) else None))
    nics = _node_nics(node, node_type, indices)
    bonds = [{'physnet': p, 'mode': bond.mode,
              'properties': dict(bond.properties)}
             for p, bond in node_type.bonds]
    if bonds:
        node['bonds'] = bonds
    else:
        node.pop('bonds', None)
    mode, secure = _boot(entry, node_type, settings)
    emulator = node_type.bmc_emulator
    hv = spec.hypervisor(node['hypervisor'])
    bmc = {'emulator': emulator}
    bmc.update(emulators[emulator].bmc_fields(
        node_type, hv.bmc_sites[emulator], node['bmc'].get('port')))
    node.update({
        'type': entry.type,
        'spec': entry.index,
        'memory_mb': node_type.memory_mb,
        'vcpus': node_type.vcpus,
        'volumes': volumes,
        'physical_networks': list(node_type.physical_networks),
        'nics': nics,
        'cpu_mode': node_type.cpu_mode,
        'cpu_model': node_type.cpu_model,
        'arch': node_type.arch,
        'machine': node_type.machine,
        'boot_mode': mode,
        'secure_boot': secure,
        'disk_bus': node_type.disk_bus,
        'tpm': ({'model': node_type.tpm[0], 'version': node_type.tpm[1]}
                if node_type.tpm else None),
        'nic_model': node_type.nic_model,
        'console_log_enabled': node_type.console_log_enabled,
        'ironic_driver': node_type.ironic_driver,
        'bmc': bmc,
        'ironic_config': (entry.ironic_config.to_dict()
                          if entry.ironic_config else None),
    })
    return node


def _port_pools(spec, emulators):
    """``{hypervisor: {emulator: PortPool}}``.

    For the emulators whose nodes get ports of their own; hypervisors of
    one site share its pool.
    """
    pools = {}
    by_hv = {hv.name: {} for hv in spec.hypervisors}
    for name, cls in sorted(emulators.items()):
        if not cls.port_label:
            continue
        for hv in spec.hypervisors:
            site = hv.bmc_sites[name]
            key = (name, cls.port_pool(hv, site))
            if key not in pools:
                pools[key] = sched.PortPool(cls.port_range(site),
                                            cls.port_label)
            by_hv[hv.name][name] = pools[key]
    return by_hv


def _hosts(spec, pools, facts):
    hosts = []
    for order, hv in enumerate(spec.hypervisors):
        fact = (facts or {}).get(hv.name) or {}
        hosts.append(sched.HostState(
            hv.name, physnets=hv.physnet_mappings,
            memory_mb=(hv.memory_mb if hv.memory_mb is not None
                       else fact.get('memory_mb')),
            vcpus=hv.vcpus if hv.vcpus is not None else fact.get('vcpus'),
            disk_bytes=(hv.disk_bytes if hv.disk_bytes is not None
                        else fact.get('disk_bytes')),
            ram_allocation_ratio=hv.ram_allocation_ratio,
            cpu_allocation_ratio=hv.cpu_allocation_ratio,
            disk_allocation_ratio=hv.disk_allocation_ratio,
            port_pools=pools[hv.name], order=order,
            arches=fact.get('arches')))
    return hosts


def _disk_bytes(node_type):
    return sum(v.capacity or 0 for v in node_type.volumes if not v.existing)


def _assign_macs(nodes, seed):
    used = set()
    for node in nodes:
        for nic in node['nics']:
            if nic['mac']:
                if nic['mac'] in used:
                    nic['mac'] = None      # a clash in old state: re-pick
                else:
                    used.add(nic['mac'])
    for node in nodes:
        for nic in node['nics']:
            attempt = 0
            while not nic['mac']:
                # The first NIC on a physnet keeps the parts it had.
                parts = ((nic['physnet'], nic['slot']) if nic.get('slot')
                         else (nic['physnet'],))
                mac = naming.mac_address(seed, node['uuid'], *parts,
                                         attempt=attempt)
                attempt += 1
                if mac not in used:
                    nic['mac'] = mac
                    used.add(mac)


def needs_placement(spec, state):
    """Whether allocating ``spec`` over ``state`` places new nodes.

    Only then does the scheduler need the hypervisors' capacity facts,
    which cost a query per hypervisor to gather.
    """
    _kept, wanted, _removed = _match(spec, state)
    return any(count > 0 for count in wanted.values())


def _keep(kept, spec, emulators, pools):
    """The kept nodes, each keeping its BMC port where it has one."""
    nodes = []
    for entry, old in kept:
        node_type = spec.node_types[entry.type]
        node = dict(old)
        node['bmc'] = dict(old.get('bmc') or {})
        node['nics'] = [dict(n) for n in old.get('nics') or ()]
        emulator = node_type.bmc_emulator
        ported = bool(emulators[emulator].port_label)
        port = node['bmc'].get('port') if ported else None
        if port and node['bmc'].get('emulator') in (None, emulator):
            pools[node['hypervisor']][emulator].reserve(port)
        else:
            node['bmc'].pop('port', None)
        nodes.append((entry, node_type, node))
    # Kept nodes whose type now needs a port they lack get one where they
    # are.
    for entry, node_type, node in nodes:
        emulator = node_type.bmc_emulator
        if emulators[emulator].port_label and not node['bmc'].get('port'):
            pool = pools[node['hypervisor']][emulator]
            if not len(pool):
                raise exception.SchedulingError(node['name'], {
                    node['hypervisor']: 'no free %s port in %s'
                    % (pool.label, pool.describe())})
            node['bmc']['port'] = pool.take()
    return nodes


def allocate(spec, state, seed, scheduler, emulators, facts=None):
    """Allocate the nodes ``spec`` asks for, keeping what ``state`` has.

    :param spec: a :class:`tenks.spec.model.ClusterSpec`.
    :param state: a :class:`tenks.state.model.State` (not modified).
    :param seed: the cluster's seed: new nodes' UUIDs and MACs derive
        from it.
    :param scheduler: a :class:`tenks.schedulers.base.Scheduler`.
    :param emulators: ``{name: BMC emulator class}`` of the node types.
    :param facts: the hypervisors' observed capacity, ``{hypervisor:
        {'memory_mb': .., 'vcpus': .., 'disk_bytes': ..}}`` (see
        :func:`needs_placement`), or None. Capacity set in the spec wins.
    :returns: an :class:`Allocation`.
    :raises SchedulingError, PlanError:
    """
    if not seed:
        raise exception.PlanError('the cluster has no seed')
    hypervisors = _hypervisor_allocations(spec, state)
    kept, wanted, removed = _match(spec, state)
    pools = _port_pools(spec, emulators)
    nodes = _keep(kept, spec, emulators, pools)

    taken = {node['name'] for _e, _t, node in nodes}
    cursor = {}
    requests = []
    new = []
    for entry in spec.specs:
        node_type = spec.node_types[entry.type]
        emulator = node_type.bmc_emulator
        for _ in range(wanted.get(entry.index, 0)):
            prefix = entry.node_name_prefix
            index = naming.lowest_free_index(prefix, taken,
                                             cursor.get(prefix, 0))
            cursor[prefix] = index + 1
            name = '%s%d' % (prefix, index)
            taken.add(name)
            node = {'name': name, 'prefix': prefix, 'index': index,
                    'uuid': naming.node_uuid(seed, name),
                    'bmc': {}, 'nics': []}
            requests.append(sched.NodeRequest(
                name, node_type.memory_mb, node_type.vcpus,
                _disk_bytes(node_type), node_type.physical_networks,
                port_from=(emulator if emulators[emulator].port_label
                           else None), arch=node_type.arch))
            new.append(node)
            nodes.append((entry, node_type, node))
    if requests:
        hosts = _hosts(spec, pools, facts)
        by_name = {h.name: h for h in hosts}
        for _entry, node_type, node in nodes[:len(nodes) - len(new)]:
            by_name[node['hypervisor']].add_existing(
                node_type.memory_mb, node_type.vcpus,
                _disk_bytes(node_type))
        scheduler.schedule(requests, hosts)
        for request, node in zip(requests, new):
            node['hypervisor'] = request.host
            if request.port:
                node['bmc']['port'] = request.port

    out = []
    for entry, node_type, node in nodes:
        indices = hypervisors[node['hypervisor']]['physnet_indices']
        out.append(_shape(node, entry, node_type, spec, indices, emulators))
    _assign_macs(out, seed)
    out.sort(key=lambda n: (n['prefix'], n['index']
                            if n.get('index') is not None else -1,
                            n['name']))
    return Allocation(collections.OrderedDict((n['name'], n) for n in out),
                      hypervisors, removed)
