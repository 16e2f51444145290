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

"""The commands doc/source/bmc.rst gives for vbmc and ipmitool, for real.

Every command of the "Using vbmc and ipmitool" section runs in bash, in
the order the page gives them, against a one-node IPMI cluster: first in
the default (embedded) mode, where ``vbmc`` finds no vbmcd, then, after
``[vbmc] mode = vbmcd``, with ``vbmc`` reading tenks' BMCs. The page's
names are this test's (its default paths, node, port and control port
become the test's own, ``tenks`` gets the test's ``--config-file``), and
every output line the page shows must be in the command's output.
"""

import os
import re
import subprocess
import sys

from tests.functional import specs

DOC = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'doc',
                   'source', 'bmc.rst')
SECTION = 'Using vbmc and ipmitool'
BIN = os.path.dirname(sys.executable)


def doc_blocks():
    """The section's console blocks: lists of ``(command, output lines)``."""
    with open(DOC) as f:
        text = f.read()
    start = text.index('\n%s\n%s\n' % (SECTION, '=' * len(SECTION)))
    end = re.search(r'\n\S.*\n=+\n', text[start + len(SECTION) + 2:])
    section = text[start:start + len(SECTION) + 2 + end.start()]
    blocks = []
    for block in re.split(r'\n\.\. code-block:: console\n\n', section)[1:]:
        commands = []
        for line in block.splitlines():
            if not line.startswith('   '):
                break
            line = line[3:]
            if line.startswith('$ sudo -i') or line.startswith('# . '):
                continue        # a root shell, the venv (the test's PATH)
            if line.startswith('# '):
                commands.append((line[2:], []))
            else:
                commands[-1][1].append(line)
        blocks.append(commands)
    return blocks


def _normal(text):
    return ' '.join(text.split())


class Page(object):
    """The page's commands, with the test environment's names."""

    def __init__(self, env, spec, node, port):
        self.env = env
        self.subst = [
            ('/var/lib/tenks/run', env.run_dir),
            ('50891', str(env.vbmc_server_port)),
            ('6230', str(port)),
            ('tk0', node),
            ('cluster.yaml', spec),
        ]

    def fill(self, text):
        for old, new in self.subst:
            text = re.sub(r'(?<![\w.])%s(?![\w])' % re.escape(old), new,
                          text)
        return text

    def run(self, command, expected):
        line = self.fill(command)
        line = re.sub(r'^tenks ', 'tenks --config-file %s '
                      % self.env.config_file, line)
        env = dict(os.environ, PATH='%s:%s' % (BIN, os.environ['PATH']))
        result = subprocess.run(['bash', '-c', line], capture_output=True,
                                text=True, env=env, timeout=300)
        out = _normal(result.stdout + result.stderr)
        for want in expected:
            if re.match(r'^[+-]+$', want.strip()):
                continue            # a table border: widths differ
            assert _normal(self.fill(want)) in out, (
                'bmc.rst: "%s" should print "%s"; it printed:\n%s%s' % (
                    command, want, result.stdout, result.stderr))
        failing = any('Failed' in want for want in expected)
        assert (result.returncode != 0) == failing, (
            '%s exited %d:\n%s%s' % (line, result.returncode,
                                     result.stdout, result.stderr))
        return result


def test_documented_commands(tenks_env):
    env = tenks_env
    spec = env.write_spec(specs.text(
        {'ipmi': specs.node_type(ironic_driver='ipmi')},
        [specs.entry('ipmi', 1)]))
    env.tenks('deploy', '--spec', spec)
    node = '%s0' % env.token
    shown = env.tenks_json('node', 'show', node)
    bmc = shown['bmc']
    port = int(bmc['port'] if isinstance(bmc, dict) else
               re.search(r'port=(\d+)', str(bmc)).group(1))
    page = Page(env, spec, node, port)

    embedded, tools, vbmcd = doc_blocks()
    # Default mode: vbmc has no vbmcd to ask; tenks and ipmitool answer.
    for command, expected in embedded + tools:
        page.run(command, expected)
    listing = page.run('tenks node list', [])
    assert node in listing.stdout and str(port) in listing.stdout

    # vbmcd mode: the page's vbmc commands read tenks' BMCs.
    with open(env.config_file, 'a') as f:
        f.write('[vbmc]\nmode = vbmcd\n')
    for command, expected in vbmcd:
        page.run(command, expected)
    # tenks starts a BMC vbmc stopped, as the page says.
    conf = os.path.join(env.run_dir, 'vbmc', 'virtualbmc.conf')
    vbmc_env = dict(os.environ, VIRTUALBMC_CONFIG=conf)
    subprocess.run([os.path.join(BIN, 'vbmc'), 'stop', node], check=True,
                   env=vbmc_env)
    listed = subprocess.run([os.path.join(BIN, 'vbmc'), 'list'], env=vbmc_env,
                            capture_output=True, text=True, check=True)
    assert 'down' in listed.stdout, listed.stdout
    page.run('tenks deploy --spec cluster.yaml', [])
    page.run(*vbmcd[1])
