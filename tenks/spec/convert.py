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

"""One tenks spec from a Tenks (Ansible) set-up.

The override file is kept as it is written, comments and all, and the
inventory's hypervisors (and the settings its hosts share) follow it as
new top-level keys. The result is validated as ``tenks validate --spec
OVERRIDE --inventory INVENTORY`` would validate it, so what comes out
loads the same cluster.
"""

import os

import yaml

from tenks.spec import inventory as inventory_mod
from tenks.spec import load
from tenks.spec import yamlfile


def _header(found, spec_path):
    lines = ['# tenks spec written by tenks spec convert from']
    if spec_path:
        lines.append('# the Tenks override file %s and' % spec_path)
    lines.append('# the hypervisors of the Tenks inventory %s.' % found.path)
    return '\n'.join(lines) + '\n'


def _body(text):
    """The override's text, without a closing ``...`` marker."""
    lines = text.rstrip().splitlines()
    if lines and lines[-1].strip() == '...':
        lines.pop()
    return '\n'.join(lines).rstrip()


def _dump(data):
    return yaml.safe_dump(data, default_flow_style=False, sort_keys=False,
                          allow_unicode=True)


def spec_text(found, settings, catalog, spec_path=None):
    """The text of the spec, and the loaded spec.

    :param found: what :func:`tenks.spec.inventory.read` found.
    :param spec_path: the Tenks override file, if any.
    :returns: ``(text, spec)``.
    :raises SpecError: every problem, as ``tenks validate`` says them.
    """
    text = load.read_text(spec_path) if spec_path else ''
    base_dir = (os.path.dirname(os.path.abspath(spec_path)) if spec_path
                else os.getcwd())
    spec = load.parse_spec(text, settings, source=spec_path or found.path,
                           base_dir=base_dir, catalog=catalog,
                           inventory=found)
    data = yamlfile.parse(text)[0].data or {}
    added = inventory_mod.merge(data, found).added
    wanted = dict(data, **added)
    body = _body(text)
    out = _header(found, spec_path)
    if body:
        out += body + '\n\n# From the inventory %s:\n' % found.path
    out += _dump(added)
    document, problems = yamlfile.parse(out)
    if problems or document is None or document.data != wanted:
        # The override cannot take keys after it as text (a flow
        # mapping...): write it all out, without its comments.
        out = (_header(found, spec_path) + '# (the override file\'s '
               'comments are not kept)\n' + _dump(wanted))
    return out, spec
