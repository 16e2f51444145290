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
Node types are built by :mod:`.node_types`, hypervisors by
:mod:`.hypervisors`; what plugins declare (the spec keys they read, their
defaults, their checks) comes from the :class:`tenks.plugins.Catalog`.
"""

import difflib

from tenks.spec import boot
from tenks.spec import errors
from tenks.spec import hypervisors as hypervisors_mod
from tenks.spec import model
from tenks.spec import node_types as node_types_mod
from tenks.spec import schema

MAX_NODES = 100000
DEFAULT_HYPERVISOR = hypervisors_mod.DEFAULT_HYPERVISOR

#: Top-level spec keys that set core settings (Tenks compatible).
CORE_OVERRIDES = ('default_boot_mode', 'default_ironic_driver',
                  'bridge_type', 'node_name_prefix', 'vol_name_prefix')
#: Top-level spec keys that set ``[network]`` options, which every network
#: plugin reads.
NETWORK_OVERRIDES = ('bridge_prefix',)


def _close(word, choices):
    match = difflib.get_close_matches(str(word), sorted(choices), n=1)
    return " (did you mean '%s'?)" % match[0] if match else ''


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


def _apply_overrides(data, settings, catalog):
    """Top-level spec keys that override settings (Tenks compatible).

    The core's own keys, and those each plugin declares
    (``spec_options``) for its option group.
    """
    changes = {k: data[k] for k in CORE_OVERRIDES if k in data}
    if 'bmc_emulators' in data:
        merged = dict(settings.bmc_emulators)
        # Tenks names the Redfish emulator 'sushy-tools'; entry point names
        # use underscores.
        merged.update((k, v.replace('-', '_'))
                      for k, v in data['bmc_emulators'].items())
        changes['bmc_emulators'] = merged
    if changes:
        settings = settings.replace(**changes)
    groups = {'network': {k: data[k] for k in NETWORK_OVERRIDES
                          if k in data}}
    for cls in schema.plugin_classes(catalog):
        group = getattr(cls, 'options_group', None)
        for key, option in getattr(cls, 'spec_options', {}).items():
            if key in data and group:
                groups.setdefault(group, {})[option] = data[key]
    for group, options in sorted(groups.items()):
        settings = settings.with_options(group, **options)
    return settings


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


def _build_flavors(data, bad, node_types, problems):
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
    return flavors


def _check_mapped(node_types, hypervisors, problems):
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


def build(data, settings, source, base_dir, structural, catalog):
    """Build a :class:`model.ClusterSpec`.

    :param data: the parsed YAML (a dict).
    :param settings: the :class:`tenks.settings.Settings` defaults.
    :param structural: problems already found by :mod:`structure`; parts of
        the spec they touch are skipped here, so one mistake is reported
        once.
    :param catalog: the :class:`tenks.plugins.Catalog` of plugin classes.
    :returns: ``(ClusterSpec or None, Problems)``.
    """
    problems = errors.Problems()
    bad = [p.path for p in structural]
    _check_keys_are_strings(data, (), problems)
    if problems:
        return None, problems
    settings = _apply_overrides(
        {k: v for k, v in data.items() if not _touches(bad, (k,))},
        settings, catalog)
    defaults = catalog.cls('tenks.providers',
                           settings.provider).node_defaults(settings)

    node_types = {}
    for name, raw in (data.get('node_types') or {}).items():
        if _touches(bad, ('node_types', name)):
            node_types[name] = None
            continue
        node_types[name] = node_types_mod.build_node_type(
            name, raw, ('node_types', name), problems, settings, defaults,
            base_dir)

    hypervisors = ()
    if not any(_touches(bad, (k,))
               for k in ('hypervisors', 'physnet_mappings')):
        used = {t.bmc_emulator for t in node_types.values()
                if t is not None}
        hypervisors = hypervisors_mod.build(data, settings, catalog, used,
                                            problems, base_dir)
    _check_mapped(node_types, hypervisors, problems)

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
    hypervisors_mod.check_ports(entries, node_types, hypervisors,
                                catalog.emulators(), problems)
    boot.check(entries, node_types, hypervisors, catalog.emulators(),
               problems)
    flavors = _build_flavors(data, bad, node_types, problems)

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
        ironic = node_types_mod.build_ironic_config(
            raw['ironic_config'], path + ('ironic_config',), problems)
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
