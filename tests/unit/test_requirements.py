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

"""Dependencies are honest: what tenks imports is declared, and only that.

Every third-party module imported anywhere under ``tenks/`` (at the top of
a module or inside a function) must come from a distribution named in
``requirements.txt``; so must the modules tenks runs with ``python -m``.
And every requirement must be used so.
"""

import ast
import importlib.metadata
import os
import re
import sys

from tests.unit import base

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
#: Modules of other distributions tenks runs with ``python -m`` rather
#: than imports (none today: tenks.bmc.sushy.emulator imports sushy-tools).
RUN_AS_MODULES = ()


def _normalise(name):
    return re.sub(r'[-_.]+', '-', name).lower()


def declared():
    """Distribution names in requirements.txt (normalised)."""
    out = set()
    with open(os.path.join(ROOT, 'requirements.txt')) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                out.add(_normalise(re.split(r'[<>=!~;\[ ]', line, 1)[0]))
    return out


def imported():
    """``{top-level module: [files importing it]}`` of tenks' code."""
    out = {}
    for directory, _dirs, files in os.walk(os.path.join(ROOT, 'tenks')):
        for name in files:
            if not name.endswith('.py'):
                continue
            path = os.path.join(directory, name)
            with open(path) as f:
                tree = ast.parse(f.read(), path)
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    names = [node.module]
                else:
                    continue
                for module in names:
                    out.setdefault(module.split('.')[0], []).append(
                        os.path.relpath(path, ROOT))
    for module in RUN_AS_MODULES:
        out.setdefault(module.split('.')[0], []).append('python -m')
    return out


class RequirementsTest(base.TestCase):

    def test_every_import_is_declared_and_every_requirement_used(self):
        providers = importlib.metadata.packages_distributions()
        wanted = declared()
        used = {'pbr'}     # setup.py, and tenks.version
        missing = []
        for module, where in sorted(imported().items()):
            if module == 'tenks' or module in sys.stdlib_module_names:
                continue
            dists = {_normalise(d) for d in providers.get(module, ())}
            self.assertTrue(dists, 'no installed distribution provides %s '
                            '(imported by %s)' % (module, where[0]))
            if not dists & wanted:
                missing.append('%s (from %s, imported by %s)' % (
                    module, ', '.join(sorted(dists)), where[0]))
            used |= dists & wanted
        self.assertEqual([], missing, 'imported but not in requirements.txt')
        self.assertEqual(set(), wanted - used,
                         'in requirements.txt but never imported')
