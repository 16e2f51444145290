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

"""Read a spec file into a validated :class:`tenks.spec.model.ClusterSpec`.

Its hypervisors may come from a Tenks (Ansible) inventory instead
(:class:`Sources`, :mod:`tenks.spec.inventory`).
"""

import dataclasses
import os
import typing

from tenks import exception
from tenks.spec import build
from tenks.spec import errors
from tenks.spec import inventory as inventory_mod
from tenks.spec import schema
from tenks.spec import structure
from tenks.spec import yamlfile


def read_text(path):
    """The text of the spec file at ``path``.

    :raises SpecError: when it cannot be read or is not UTF-8 text.
    """
    try:
        with open(path, 'rb') as f:
            raw = f.read(yamlfile.MAX_BYTES + 1)
    except OSError as exc:
        raise exception.SpecError(path, [errors.Problem(
            (), 'cannot read spec: %s' % (exc.strerror or exc))])
    try:
        return raw.decode('utf-8')
    except UnicodeDecodeError as exc:
        raise exception.SpecError(path, [errors.Problem(
            (), 'not UTF-8 text (byte %d)' % exc.start)])


@dataclasses.dataclass(frozen=True)
class Sources(object):
    """A spec file and the Tenks (Ansible) inventory of its hypervisors.

    What ``--spec FILE --inventory FILE`` name; :func:`load_spec` takes
    it wherever it takes a spec path. Either may be None (not both): a
    spec without hypervisors, or an inventory alone (no nodes).
    """
    spec: typing.Optional[str] = None
    inventory: typing.Optional[str] = None

    def __str__(self):
        return self.spec or self.inventory


def _with_inventory(document, data, keys, inventory, source):
    """``data`` with the inventory's hypervisors; the :class:`Merged`.

    :param keys: the keys the spec file sets: they win over the
        inventory's variables of the same name.
    :param inventory: its path, or an :class:`inventory.Found`.
    """
    if 'hypervisors' in data:
        raise exception.SpecError(source, [errors.Problem(
            ('hypervisors',), 'hypervisors come from the inventory %s: '
            'drop this section, or --inventory' % (
                getattr(inventory, 'path', inventory)),
            line=document.line_of(('hypervisors',)) if document else None)])
    if not isinstance(inventory, inventory_mod.Found):
        inventory = inventory_mod.read(inventory)
    return inventory_mod.merge(data, inventory, spec_keys=keys)


def parse_spec(text, settings, source='<spec>', base_dir='.',
               catalog=None, inventory=None):
    """Validate spec ``text``; raise :class:`SpecError` with every problem.

    :param catalog: the :class:`tenks.plugins.Catalog` of plugin classes
        (default: the installed ones).
    :param inventory: a Tenks (Ansible) inventory giving the hypervisors:
        its path, or what :func:`tenks.spec.inventory.read` found there.
    :returns: a :class:`tenks.spec.model.ClusterSpec`.
    """
    if catalog is None:
        from tenks import plugins
        catalog = plugins.Catalog()
    document, problems = yamlfile.parse(text)
    if document is None:
        raise exception.SpecError(source, problems)
    data = document.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise exception.SpecError(source, [errors.Problem(
            (), 'the spec must be a mapping of keys (node_types, specs, '
                '...), not %s' % type(data).__name__)])
    warnings = []
    ignored = sorted(k for k in data
                     if isinstance(k, str) and k in schema.TENKS_IGNORED_KEYS)
    if ignored:
        warnings.append('ignoring Tenks (Ansible) settings that tenks sets '
                        'in its configuration file instead: %s'
                        % ', '.join(ignored))
    keys = set(data)
    data = {k: v for k, v in data.items() if k not in ignored}
    merged = None
    if inventory is not None:
        merged = _with_inventory(document, data, keys, inventory, source)
        data = merged.data
        warnings.extend(merged.warnings)
        problems = problems + merged.problems
    _drop_nulls(data)
    structural = structure.check(data, catalog)
    spec, semantic = build.build(data, settings, source, base_dir,
                                 structural, catalog)
    problems = problems + structural + list(semantic)
    if problems:
        _raise(problems, document, source, merged)
    if warnings:
        spec = spec.__class__(**dict(spec.__dict__, warnings=tuple(warnings)))
    return spec


def _raise(problems, document, source, merged):
    """Raise the :class:`SpecError` of ``problems``, each with its line.

    Those about what the inventory gave name its host and variable.
    """
    if merged is not None:
        problems = [merged.explain(p) for p in problems]
    from_inventory = [isinstance(p, inventory_mod.InventoryProblem)
                      for p in problems]
    for problem in problems:
        if problem.line is None and not isinstance(
                problem, inventory_mod.InventoryProblem):
            problem.line = document.line_of(problem.path)
    if all(from_inventory):
        # The inventory's own: its file heads the message.
        source = merged.path
        for problem in problems:
            problem.named = False
    problems.sort(key=lambda p: (p.line or 0, str(p)))
    raise exception.SpecError(source, problems)


def _drop_nulls(data):
    """Drop optional node type keys set to null: they mean "unset".

    Tenks override files have them, e.g. ``cpu_mode:`` with no value.
    """
    node_types = data.get('node_types')
    if not isinstance(node_types, dict):
        return
    for node_type in node_types.values():
        if isinstance(node_type, dict):
            for key in [k for k, v in node_type.items()
                        if v is None and k not in ('memory_mb', 'vcpus')]:
                del node_type[key]


def load_spec(path, settings, catalog=None):
    """Read and validate the spec file at ``path``.

    :param path: the spec's path, or :class:`Sources` (a spec and an
        inventory).
    """
    inventory = None
    if isinstance(path, Sources):
        path, inventory = path.spec, path.inventory
    if path is None:
        return parse_spec('', settings, source=inventory,
                          base_dir=os.getcwd(), catalog=catalog,
                          inventory=inventory)
    text = read_text(path)
    return parse_spec(text, settings, source=path,
                      base_dir=os.path.dirname(os.path.abspath(path)),
                      catalog=catalog, inventory=inventory)
