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

"""Plugin names come from entry points, without importing the plugins."""

import configparser
import json
import os
import subprocess
import sys

from tenks import plugins
from tests.unit import base

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')


def _setup_cfg_names():
    parser = configparser.ConfigParser()
    parser.read(os.path.join(ROOT, 'setup.cfg'))
    out = {}
    for namespace in plugins.NAMESPACES:
        text = parser['entry_points'].get(namespace, '')
        out[namespace] = sorted(line.split('=')[0].strip()
                                for line in text.splitlines()
                                if line.strip())
    return out


class AvailableTest(base.TestCase):

    def test_every_registered_plugin_is_listed(self):
        for namespace, names in _setup_cfg_names().items():
            self.assertEqual(names, plugins.available(namespace),
                             namespace)

    def test_listing_imports_no_plugin(self):
        code = ('import json, sys\n'
                'from tenks import plugins\n'
                'names = {ns: plugins.available(ns) '
                'for ns in plugins.NAMESPACES}\n'
                'print(json.dumps(sorted(m for m in sys.modules '
                'if m.startswith(("tenks.providers.", "tenks.bmc.", '
                '"tenks.networks.", "tenks.exporters.", '
                '"tenks.enrolment.", "tenks.schedulers.")))))\n')
        out = subprocess.run([sys.executable, '-c', code], cwd=ROOT,
                             capture_output=True, text=True, check=True)
        self.assertEqual([], json.loads(out.stdout))
