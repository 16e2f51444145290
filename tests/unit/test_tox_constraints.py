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

"""tox installs with the constraints Zuul gives it, or the local ones.

OpenStack's Zuul jobs set ``TOX_CONSTRAINTS_FILE`` to the
openstack/requirements upper-constraints of the branch; without it the
checkout's own ``upper-constraints.txt`` applies. Checked with tox itself
(``tox config``), which resolves the substitutions as a run would.
"""

import os
import shutil
import subprocess

from tests.unit import base

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
LOCAL = os.path.join(REPO, 'upper-constraints.txt')


def find_tox():
    venv = os.environ.get('TENKS_TOX_VENV', '/opt/tenks-test/tox-venv')
    for tox in (os.path.join(venv, 'bin', 'tox'), shutil.which('tox')):
        if tox and os.access(tox, os.X_OK):
            return tox
    raise AssertionError('no tox: run tools/install-deps.sh test (or set '
                         'TENKS_TOX_VENV)')


def tox_deps(extra_env):
    """``{env name: [deps lines]}`` of every environment of tox.ini."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith('TOX_')}
    env.update(extra_env)
    tox = find_tox()
    names = subprocess.run([tox, '-c', REPO, 'list', '-q', '--no-desc'],
                           capture_output=True, text=True, env=env,
                           cwd=REPO, check=True, timeout=120).stdout.split()
    result = subprocess.run(
        [tox, '-c', REPO, 'config', '-e', ','.join(names), '-k', 'deps'],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    if result.returncode != 0:
        raise AssertionError('tox config failed:\n%s' % result.stderr)
    out, name = {}, None
    for line in result.stdout.splitlines():
        if line.startswith('[testenv:'):
            name = line[len('[testenv:'):-1]
            out[name] = []
        elif line.startswith('  ') and name:
            out[name].append(line.strip())
    return out


class ToxConstraintsTest(base.TestCase):

    def constraints(self, extra_env):
        deps = tox_deps(extra_env)
        self.assertIn('py3', deps)
        return {name: [d for d in lines if d.startswith('-c')]
                for name, lines in deps.items() if lines}

    def test_local_file_by_default(self):
        for name, lines in self.constraints({}).items():
            self.assertEqual(['-c ' + LOCAL], lines, name)

    def test_zuuls_file_when_given(self):
        zuul = os.path.join(self.tmp, 'upper-constraints.txt')
        found = self.constraints({'TOX_CONSTRAINTS_FILE': zuul})
        for name in ('py3', 'pep8', 'docs', 'releasenotes'):
            self.assertIn(name, found)
        for name, lines in found.items():
            self.assertEqual(['-c ' + zuul], lines, name)
