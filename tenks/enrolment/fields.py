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
``local_link_connection``) and optionally ``conductor_group``, ``shard``,
``owner``, ``lessee``, ``description``.

tenks owns the keys it sets and nothing else: inside ``driver_info``,
``properties`` and ``extra`` it adds and changes its own keys and removes
only keys it set before (they are in the old props); traits and ports it
did not add are left alone.
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

#: ``reset_interfaces`` on a driver change.
RESET_INTERFACES_VERSION = (1, 45)

SCALARS = ('name', 'driver', 'resource_class', 'conductor_group', 'shard',
           'owner', 'lessee', 'description')
DICTS = ('driver_info', 'properties', 'extra')

#: Node states in which Ironic lets port connectivity fields (and
#: physical_network) change without maintenance mode.
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
    fields = node_fields(props)
    if props.get('traits'):
        fields['traits'] = props['traits']
    return sorted('%s (%s)' % (k, version_text(NODE_FIELD_VERSIONS[k]))
                  for k in fields
                  if k in NODE_FIELD_VERSIONS and
                  NODE_FIELD_VERSIONS[k] > tuple(max_version))


def port_fields(port, max_version):
    """Ironic port fields of a desired port.

    Fields the API of ``max_version`` lacks are left out: a physical
    network is then simply not set, as Ironic could not use it.
    """
    fields = {'address': port['address'].lower(), 'pxe_enabled': True}
    for key in ('physical_network', 'local_link_connection'):
        if port.get(key) and PORT_FIELD_VERSIONS[key] <= tuple(max_version):
            fields[key] = port[key]
    return fields


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
            'local_link_connection': port.local_link_connection or {}}


def drift(props, fields, traits, ports, max_version):
    """What of a tenks node Ironic no longer has as ``props`` set it.

    Someone changed it behind tenks' back (``baremetal node set``...):
    the fields, traits and ports tenks set, compared as a converge would.

    :param fields: :func:`actual` of the node.
    :param ports: its ports, as :func:`port_dict`.
    :returns: what differs, e.g. ``['/driver_info/redfish_address']``.
    """
    patch, _driver_changed = node_patch(props, props, fields)
    out = sorted({change['path'] for change in patch})
    if target_traits(props, props, traits) is not None:
        out.append('traits')
    changes = port_changes(props.get('ports'), props.get('ports'), ports,
                           max_version)
    out += sorted('port %s' % p['address']
                  for p in changes['create'] + [u[1] for u in
                                                changes['update']])
    return out


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


def port_changes(desired_ports, old_ports, actual_ports, max_version):
    """How the node's ports must change.

    :param desired_ports: desired port props.
    :param old_ports: port props tenks last applied (None: unknown).
    :param actual_ports: the node's ports, dicts with ``uuid``,
        ``address``, ``physical_network``, ``local_link_connection``.
    :returns: dict with ``create`` (port fields), ``update`` (pairs of
        actual port and desired fields whose connectivity differs) and
        ``delete`` (actual ports tenks set before and no longer wants).
    """
    wanted = {}
    for port in desired_ports or ():
        fields = port_fields(port, max_version)
        wanted[fields['address']] = fields
    before = {p['address'].lower() for p in old_ports or ()}
    have = {p['address'].lower(): p for p in actual_ports or ()}
    create, update, delete = [], [], []
    for address, fields in wanted.items():
        port = have.get(address)
        if port is None:
            create.append(fields)
            continue
        if (('physical_network' in fields and
             port.get('physical_network') != fields['physical_network']) or
                ('local_link_connection' in fields and
                 _norm_llc(port.get('local_link_connection')) !=
                 _norm_llc(fields['local_link_connection']))):
            update.append((port, fields))
    for address, port in sorted(have.items()):
        if address not in wanted and address in before:
            delete.append(port)
    return {'create': create, 'update': update, 'delete': delete}


def port_patch(port, fields):
    """JSON patch making ``port`` carry ``fields``' connectivity."""
    patch = []
    for key in ('physical_network', 'local_link_connection'):
        if key in fields and port.get(key) != fields[key]:
            patch.append({'op': 'add', 'path': _pointer(key),
                          'value': fields[key]})
    return patch


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


def port(mac, physnet, link=None):
    """An Ironic port of a node NIC.

    :param link: the NIC's ``local_link_connection`` (switch_id,
        switch_info, port_id), or None when it is not known.
    """
    out = {'address': mac, 'physical_network': physnet}
    if link:
        out['local_link_connection'] = dict(link)
    return out


def node_props(node, driver_info, ports, cluster):
    """The props of the ``ironic_node`` resource enrolling ``node``.

    :param driver_info: how Ironic reaches the node's BMC (from its
        emulator), with the deploy images.
    :param ports: from :func:`port`.
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
    return props


def custom_resource_class(resource_class):
    """Nova's name for an Ironic resource class: ``CUSTOM_<UPPER_>``."""
    name = ''.join(c if c.isalnum() else '_'
                   for c in resource_class.upper())
    return 'CUSTOM_' + name
