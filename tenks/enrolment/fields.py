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

"""Pure translation between an ``ironic_node`` resource's props and Ironic
node and port fields: what to create, which API version each field
needs, and the smallest change that makes an existing node match.

Props (see :mod:`tenks.planner.desired`): ``name``, ``uuid``, ``driver``,
``driver_info``, ``properties``, ``resource_class``, ``traits``,
``interfaces`` (``<kind>_interface`` -> name), ``extra`` (with tenks' mark
``tenks_cluster``), ``ports`` (``address``, ``physical_network``,
``local_link_connection``, ``portgroup``: the name of its bond's
portgroup, only for a bonded NIC) and optionally ``conductor_group``,
``shard``, ``owner``, ``lessee``, ``description`` and ``portgroups``
(only with bonds: ``name``, ``address``, ``mode``, ``properties``).

tenks owns the keys it sets and nothing else: inside ``driver_info``,
``properties`` and ``extra`` it adds and changes its own keys and removes
only keys it set before (they are in the old props); traits, ports and
portgroups it did not add are left alone, and so is a port's membership
of a portgroup tenks did not make. A portgroup tenks made is all its own.
"""

import collections

from tenks.spec import units

MARK = 'tenks_cluster'

#: Optional node fields a spec's ``ironic_config`` may set.
OPTIONAL_FIELDS = ('conductor_group', 'shard', 'owner', 'lessee',
                   'description')

#: Ironic displays secrets of driver_info as this.
MASK = '******'

#: Node fields and the Bare Metal API version that introduced them.
NODE_FIELD_VERSIONS = {
    'name': (1, 5),
    'network_interface': (1, 20),
    'resource_class': (1, 21),
    'boot_interface': (1, 31),
    'console_interface': (1, 31),
    'deploy_interface': (1, 31),
    'inspect_interface': (1, 31),
    'management_interface': (1, 31),
    'power_interface': (1, 31),
    'raid_interface': (1, 31),
    'vendor_interface': (1, 31),
    'storage_interface': (1, 33),
    'traits': (1, 37),
    'rescue_interface': (1, 38),
    'bios_interface': (1, 40),
    'conductor_group': (1, 46),
    'owner': (1, 50),
    'description': (1, 51),
    'lessee': (1, 65),
    'shard': (1, 82),
    'firmware_interface': (1, 86),
}

#: Port fields and the API version that introduced them.
PORT_FIELD_VERSIONS = {
    'local_link_connection': (1, 19),
    'physical_network': (1, 34),
}

#: Portgroups with a ``mode`` and ``properties`` (a port's
#: ``portgroup_uuid`` came in 1.24).
PORTGROUPS_VERSION = (1, 26)

#: ``reset_interfaces`` on a driver change.
RESET_INTERFACES_VERSION = (1, 45)

#: Port fields tenks converges, in patch order: Ironic reads only the
#: first operation of a port patch to tell whether it moves the port
#: between portgroups (and silently ignores a later one), so
#: ``portgroup_uuid`` comes first.
PORT_KEYS = ('portgroup_uuid', 'physical_network', 'local_link_connection')

#: Portgroup fields tenks converges.
PORTGROUP_KEYS = ('name', 'address', 'mode', 'properties')

SCALARS = ('name', 'driver', 'resource_class', 'conductor_group', 'shard',
           'owner', 'lessee', 'description')
DICTS = ('driver_info', 'properties', 'extra')

#: Node states in which Ironic lets port connectivity fields
#: (physical_network, local_link_connection, portgroup) change without
#: maintenance mode.
PORT_UPDATE_STATES = ('enroll', 'manageable', 'inspecting', 'inspect wait')


def version_text(version):
    return '%d.%d' % tuple(version)


def node_fields(props):
    """Ironic node fields (API names) for a new node.

    Traits and ports are left out: they have their own calls.
    """
    fields = {'uuid': props['uuid'], 'name': props['name'],
              'driver': props['driver'],
              'driver_info': dict(props.get('driver_info') or {}),
              'properties': dict(props.get('properties') or {}),
              'extra': dict(props.get('extra') or {}),
              'resource_class': props.get('resource_class')}
    for key in OPTIONAL_FIELDS:
        if props.get(key) is not None:
            fields[key] = props[key]
    fields.update(props.get('interfaces') or {})
    return {k: v for k, v in fields.items() if v is not None}


def unsupported(props, max_version):
    """Node fields ``props`` sets that an API of ``max_version`` lacks.

    :returns: e.g. ``['shard (1.82)']``.
    """
    versions = dict(NODE_FIELD_VERSIONS, portgroups=PORTGROUPS_VERSION)
    fields = node_fields(props)
    for key in ('traits', 'portgroups'):
        if props.get(key):
            fields[key] = props[key]
    return sorted('%s (%s)' % (k, version_text(versions[k]))
                  for k in fields
                  if k in versions and versions[k] > tuple(max_version))


def port_fields(port, max_version, groups=None):
    """Ironic port fields of a desired port.

    Fields the API of ``max_version`` lacks are left out: a physical
    network is then simply not set, as Ironic could not use it.

    :param groups: UUIDs of the node's portgroups by name; the port's
        ``portgroup_uuid`` is its group's, when that exists.
    """
    fields = {'address': port['address'].lower(), 'pxe_enabled': True}
    for key in ('physical_network', 'local_link_connection'):
        if port.get(key) and PORT_FIELD_VERSIONS[key] <= tuple(max_version):
            fields[key] = port[key]
    group = (groups or {}).get(port.get('portgroup'))
    if group:
        fields['portgroup_uuid'] = group
    return fields


def portgroup_fields(group):
    """Ironic portgroup fields of a desired portgroup."""
    return {'name': group['name'], 'address': group['address'].lower(),
            'mode': group['mode'],
            'properties': dict(group.get('properties') or {})}


def _pointer(*parts):
    return '/' + '/'.join(str(p).replace('~', '~0').replace('/', '~1')
                          for p in parts)


def _empty(value):
    return value is None or value == '' or value == {}


def node_patch(desired, old, actual):
    """The JSON patch that makes node ``actual`` match ``desired``.

    :param desired: the desired props.
    :param old: the props tenks last applied, or None (unknown).
    :param actual: the node's current fields (dict, API names).
    :returns: ``(patch, driver_changed)``; a changed driver needs
        ``reset_interfaces`` so the interfaces fit the new driver.
    """
    old = old or {}
    patch = []
    desired_fields = node_fields(desired)
    old_fields = node_fields(old) if old else {}
    interfaces = set(desired.get('interfaces') or ()) | set(
        old.get('interfaces') or ())
    for key in SCALARS + tuple(sorted(interfaces)):
        want = desired_fields.get(key)
        have = actual.get(key)
        if want is not None:
            if have != want:
                # Every root field is in Ironic's document (maybe null),
                # so "replace" fits whether it is set or not.
                patch.append({'op': 'replace', 'path': _pointer(key),
                              'value': want})
        elif old_fields.get(key) is not None and not _empty(have):
            if have == old_fields[key]:
                patch.append({'op': 'remove', 'path': _pointer(key)})
    for key in DICTS:
        want = desired_fields.get(key) or {}
        before = old_fields.get(key) or {}
        have = actual.get(key) or {}
        for sub, value in sorted(want.items()):
            current = have.get(sub)
            if current == value:
                continue
            if (current == MASK and sub in before and
                    before[sub] == value):
                continue        # a secret Ironic will not show us
            patch.append({'op': 'add', 'path': _pointer(key, sub),
                          'value': value})
        for sub in sorted(before):
            if sub not in want and sub in have:
                patch.append({'op': 'remove', 'path': _pointer(key, sub)})
    driver_changed = desired_fields['driver'] != actual.get('driver')
    return patch, driver_changed


def actual(node):
    """An openstacksdk node's fields as a dict keyed by API name."""
    out = {}
    for key in SCALARS + DICTS:
        out[key] = getattr(node, key, None)
    for key in NODE_FIELD_VERSIONS:
        if key.endswith('_interface'):
            out[key] = getattr(node, key, None)
    return out


def port_dict(port):
    """An openstacksdk port as :func:`port_changes` reads it."""
    return {'uuid': port.id, 'address': (port.address or '').lower(),
            'node_uuid': port.node_id,
            'physical_network': port.physical_network,
            'local_link_connection': port.local_link_connection or {},
            'portgroup_uuid': port.port_group_id}


def portgroup_dict(group):
    """An openstacksdk portgroup as :func:`portgroup_changes` reads it."""
    return {'uuid': group.id, 'name': group.name,
            'address': (group.address or '').lower(),
            'node_uuid': group.node_id, 'mode': group.mode,
            'properties': group.properties or {}}


def drift(props, fields, traits, ports, max_version, portgroups=()):
    """What of a tenks node Ironic no longer has as ``props`` set it.

    Someone changed it behind tenks' back (``baremetal node set``...):
    the fields, traits, ports and portgroups tenks set, compared as a
    converge would.

    :param fields: :func:`actual` of the node.
    :param ports: its ports, as :func:`port_dict`.
    :param portgroups: its portgroups, as :func:`portgroup_dict`.
    :returns: what differs, e.g. ``['/driver_info/redfish_address']``.
    """
    patch, _driver_changed = node_patch(props, props, fields)
    out = sorted({change['path'] for change in patch})
    if target_traits(props, props, traits) is not None:
        out.append('traits')
    groups = portgroup_changes(props.get('portgroups'),
                               props.get('portgroups'), portgroups)
    changes = port_changes(props.get('ports'), props.get('ports'), ports,
                           max_version, groups['groups'])
    names = {uuid: name for name, uuid in groups['groups'].items()}
    found = {'portgroup %s' % g['name']
             for g in groups['create'] + [u[1] for u in groups['update']]}
    found.update('port %s' % p['address'] for p in changes['create'])
    for port, wanted in changes['update']:
        keys = _differing(port, wanted, PORT_KEYS)
        if 'portgroup_uuid' in keys:
            found.add('portgroup %s' % names[wanted['portgroup_uuid'] or
                                             port['portgroup_uuid']])
        if set(keys) - {'portgroup_uuid'}:
            found.add('port %s' % port['address'])
    return out + sorted(found)


def target_traits(desired, old, actual):
    """The node's traits after tenks' change, or None when unchanged.

    tenks' traits are added, traits it set before and no longer wants are
    removed, others are kept.
    """
    want = set(desired.get('traits') or ())
    before = set((old or {}).get('traits') or ())
    have = set(actual or ())
    target = (have - (before - want)) | want
    if target == have:
        return None
    return sorted(target)


def _norm_llc(value):
    return {k: (str(v).lower() if k == 'switch_id' else v)
            for k, v in (value or {}).items()}


#: Fields whose values are compared normalised.
_NORMAL = {'local_link_connection': _norm_llc}


def _same(key, have, want):
    normal = _NORMAL.get(key)
    if normal:
        return normal(have) == normal(want)
    return have == want


def _differing(current, wanted, keys):
    """The ``keys`` of ``wanted`` whose values ``current`` lacks."""
    return [k for k in keys
            if k in wanted and not _same(k, current.get(k), wanted[k])]


def _patch(current, wanted, keys):
    return [{'op': 'add', 'path': _pointer(k), 'value': wanted[k]}
            for k in _differing(current, wanted, keys)]


def port_changes(desired_ports, old_ports, actual_ports, max_version,
                 groups=None):
    """How the node's ports must change.

    :param desired_ports: desired port props.
    :param old_ports: port props tenks last applied (None: unknown).
    :param actual_ports: the node's ports, dicts with ``uuid``,
        ``address``, ``physical_network``, ``local_link_connection``,
        ``portgroup_uuid``.
    :param groups: UUIDs by name of the node's portgroups that are tenks'
        (:func:`portgroup_changes`): a desired port joins its group, and
        leaves one of these its props do not put it in; it stays in
        anyone else's.
    :returns: dict with ``create`` (port fields), ``update`` (pairs of
        actual port and desired fields whose connectivity differs) and
        ``delete`` (actual ports tenks set before and no longer wants).
    """
    ours = set((groups or {}).values())
    wanted = {}
    for port in desired_ports or ():
        fields = port_fields(port, max_version, groups)
        wanted[fields['address']] = fields
    before = {p['address'].lower() for p in old_ports or ()}
    have = {p['address'].lower(): p for p in actual_ports or ()}
    create, update, delete = [], [], []
    for address, fields in wanted.items():
        port = have.get(address)
        if port is None:
            create.append(fields)
            continue
        if (port.get('portgroup_uuid') in ours and
                'portgroup_uuid' not in fields):
            fields = dict(fields, portgroup_uuid=None)
        if _differing(port, fields, PORT_KEYS):
            update.append((port, fields))
    for address, port in sorted(have.items()):
        if address not in wanted and address in before:
            delete.append(port)
    return {'create': create, 'update': update, 'delete': delete}


def port_patch(port, fields):
    """JSON patch making ``port`` carry ``fields``' connectivity."""
    return _patch(port, fields, PORT_KEYS)


def portgroup_changes(desired, old, actual):
    """How the node's portgroups must change.

    The portgroups named in the desired or old props are tenks'; others
    are left alone.

    :param desired: desired portgroup props.
    :param old: portgroup props tenks last applied (None: unknown).
    :param actual: the node's portgroups, as :func:`portgroup_dict`.
    :returns: dict with ``create`` (portgroup fields), ``update`` (pairs
        of actual portgroup and desired fields that differ), ``delete``
        (actual portgroups tenks made before and no longer wants) and
        ``groups`` (UUIDs by name of the node's tenks portgroups).
    """
    wanted = [portgroup_fields(g) for g in desired or ()]
    names = {g['name'] for g in wanted}
    before = {g['name'] for g in old or ()}
    have = {g['name']: g for g in actual or () if g.get('name')}
    create, update = [], []
    for fields in wanted:
        group = have.get(fields['name'])
        if group is None:
            create.append(fields)
        elif _differing(group, fields, PORTGROUP_KEYS):
            update.append((group, fields))
    return {'create': create, 'update': update,
            'delete': [g for name, g in sorted(have.items())
                       if name in before - names],
            'groups': {name: g['uuid'] for name, g in have.items()
                       if name in names | before}}


def portgroup_patch(group, fields):
    """JSON patch making portgroup ``group`` carry ``fields``."""
    return _patch(group, fields, PORTGROUP_KEYS)


def owner_of(extra):
    """The tenks cluster a node's ``extra`` names, or None."""
    return (extra or {}).get(MARK)


def cluster_of(props):
    return (props.get('extra') or {}).get(MARK)


# -- building props from the allocation (pure; used by the planner) --------

def capabilities_string(user, boot_mode):
    """Ironic capabilities string with ``boot_mode`` set unless given."""
    caps = collections.OrderedDict()
    if isinstance(user, dict):
        caps.update((str(k), str(v)) for k, v in user.items())
    elif user:
        for item in str(user).split(','):
            if item.strip():
                key, _sep, val = item.partition(':')
                caps[key.strip()] = val.strip()
    caps.setdefault('boot_mode', boot_mode)
    return ','.join('%s:%s' % kv for kv in caps.items())


def node_properties(node, user=None):
    """The Ironic properties of ``node`` (an allocated node dict).

    Its shape (cpus, memory_mb, cpu_arch, local_gb from the first volume),
    the root device hint of the volume marked ``root_device`` (its
    serial), the ``user`` properties of its spec over them, and a capabilities
    string with the node's boot mode unless the user gave one.
    """
    user = dict(user or {})
    properties = {'cpus': node['vcpus'], 'memory_mb': node['memory_mb'],
                  'cpu_arch': node['arch']}
    if node['volumes'] and node['volumes'][0]['capacity']:
        properties['local_gb'] = units.to_gib_floor(
            node['volumes'][0]['capacity'])
    for volume in node['volumes']:
        if volume.get('root_device') and volume.get('serial'):
            properties['root_device'] = {'serial': volume['serial']}
    properties.update({k: v for k, v in user.items()
                       if k != 'capabilities'})
    properties['capabilities'] = capabilities_string(
        user.get('capabilities'), node['boot_mode'])
    return properties


def port(mac, physnet, link=None, portgroup=None):
    """An Ironic port of a node NIC.

    :param link: the NIC's ``local_link_connection`` (switch_id,
        switch_info, port_id), or None when it is not known.
    :param portgroup: the name of the portgroup of the NIC's bond, or
        None when it is in none.
    """
    out = {'address': mac, 'physical_network': physnet}
    if link:
        out['local_link_connection'] = dict(link)
    if portgroup:
        out['portgroup'] = portgroup
    return out


def portgroup_name(node_name, physnet):
    """The Ironic portgroup of a node's bond on ``physnet``.

    An Ironic logical name: ``:`` (which physnet names may hold) is not
    one of its characters.
    """
    return '%s-%s' % (node_name, physnet.replace(':', '.'))


def nic_portgroups(node):
    """``{physnet: portgroup name}`` of ``node``'s bonds.

    Every NIC of the node on such a physnet is in that portgroup.
    """
    return {bond['physnet']: portgroup_name(node['name'], bond['physnet'])
            for bond in node.get('bonds') or ()}


def portgroups(node):
    """The Ironic portgroups of ``node``'s bonds.

    Each has the MAC of the bond's first NIC, as a Linux bond takes it.
    """
    first = {}
    for nic in node.get('nics') or ():
        first.setdefault(nic['physnet'], nic['mac'])
    return [{'name': portgroup_name(node['name'], bond['physnet']),
             'address': first[bond['physnet']],
             'mode': bond['mode'],
             'properties': dict(bond.get('properties') or {})}
            for bond in node.get('bonds') or ()]


def node_props(node, driver_info, ports, cluster):
    """The props of the ``ironic_node`` resource enrolling ``node``.

    :param driver_info: how Ironic reaches the node's BMC (from its
        emulator), with the deploy images.
    :param ports: from :func:`port`; with ``portgroups`` from
        :func:`portgroups` when the node has bonds.
    """
    config = node['ironic_config']
    extra = dict(config.get('extra') or {})
    extra[MARK] = cluster
    props = {
        'name': node['name'], 'uuid': node['uuid'],
        'driver': node['ironic_driver'], 'driver_info': dict(driver_info),
        'properties': node_properties(node, config.get('properties')),
        'resource_class': config['resource_class'],
        'traits': sorted(config.get('traits') or ()),
        'interfaces': {k: v for k, v in config.items()
                       if k.endswith('_interface')},
        'extra': extra, 'ports': list(ports),
    }
    for key in OPTIONAL_FIELDS:
        if config.get(key) is not None:
            props[key] = config[key]
    groups = portgroups(node)
    if groups:
        # Only with bonds: nodes recorded before keep equal props.
        props['portgroups'] = groups
    return props


def custom_resource_class(resource_class):
    """Nova's name for an Ironic resource class: ``CUSTOM_<UPPER_>``."""
    name = ''.join(c if c.isalnum() else '_'
                   for c in resource_class.upper())
    return 'CUSTOM_' + name
