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

"""Read a spec file into a validated :class:`tenks.spec.model.ClusterSpec`."""

import os

from tenks import exception
from tenks.spec import build
from tenks.spec import errors
from tenks.spec import schema
from tenks.spec import structure
from tenks.spec import yamlfile


def _read(path):
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


def parse_spec(text, settings, source='<spec>', base_dir='.',
               catalog=None):
    """Validate spec ``text``; raise :class:`SpecError` with every problem.

    :param catalog: the :class:`tenks.plugins.Catalog` of plugin classes
        (default: the installed ones).
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
    data = {k: v for k, v in data.items() if k not in ignored}
    _drop_nulls(data)
    structural = structure.check(data, catalog)
    spec, semantic = build.build(data, settings, source, base_dir,
                                 structural, catalog)
    problems = problems + structural + list(semantic)
    if problems:
        for problem in problems:
            if problem.line is None:
                problem.line = document.line_of(problem.path)
        problems.sort(key=lambda p: (p.line or 0, str(p)))
        raise exception.SpecError(source, problems)
    if warnings:
        spec = spec.__class__(**dict(spec.__dict__, warnings=tuple(warnings)))
    return spec


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
    """Read and validate the spec file at ``path``."""
    text = _read(path)
    return parse_spec(text, settings, source=path,
                      base_dir=os.path.dirname(os.path.abspath(path)),
                      catalog=catalog)
