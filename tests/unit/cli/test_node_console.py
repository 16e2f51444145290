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

"""``tenks node console`` and the console log ``node show`` names."""

import json
import os

import fixtures

from tenks.cli import node_console
from tenks.providers.libvirt import hostside
from tests.unit import base
from tests.unit import cli_base

SPEC = '''
node_types:
  logged:
    memory_mb: 64
    vcpus: 1
    console_log_enabled: true
  quiet:
    memory_mb: 64
    vcpus: 1
specs:
  - type: logged
    count: 1
  - type: quiet
    count: 1
'''


class NodeConsoleTest(cli_base.CLITestCase):

    def setUp(self):
        super().setUp()
        self.spec_path = self.write('console.yaml', SPEC)
        code, _out, err = self.tenks('deploy', '--spec', self.spec_path)
        self.assertEqual(0, code, err)
        code, out, err = self.tenks('node', 'show', 'tk0', '-f', 'json')
        self.assertEqual(0, code, err)
        self.log = json.loads(out)['console_log']

    def test_show_names_the_log_and_console_prints_it(self):
        self.assertEqual(os.path.join(self.tmp, 'log', 'libvirt',
                                      'tk0-console.log'), self.log)
        os.makedirs(os.path.dirname(self.log), exist_ok=True)
        with open(self.log, 'wb') as f:
            f.write(b'SeaBIOS\r\nTENKS-BOOT-OK x \xff\n')
        code, out, err = self.tenks('node', 'console', 'tk0', '--no-follow')
        self.assertEqual(0, code, err)
        self.assertEqual('SeaBIOS\r\nTENKS-BOOT-OK x \ufffd\n', out)

    def test_follow_prints_what_is_appended(self):
        os.makedirs(os.path.dirname(self.log), exist_ok=True)
        with open(self.log, 'w') as f:
            f.write('first\n')
        sleeps = []

        def sleep(seconds):
            # The node writes more while tenks waits; then ^C.
            sleeps.append(seconds)
            if len(sleeps) == 1:
                with open(self.log, 'a') as f:
                    f.write('second\n')
                return
            raise KeyboardInterrupt()
        self.useFixture(fixtures.MonkeyPatch(
            'tenks.cli.node_console.time.sleep', sleep))
        code, out, err = self.tenks('node', 'console', 'tk0')
        self.assertEqual(0, code, err)
        self.assertEqual('first\nsecond\n', out)
        self.assertEqual([node_console.FOLLOW_INTERVAL] * 2, sleeps)

    def test_attach_runs_virsh_console(self):
        calls = []
        self.useFixture(fixtures.MonkeyPatch(
            'tenks.cli.node_console.subprocess.call',
            lambda argv: calls.append(argv) or 0))
        code, _out, err = self.tenks('node', 'console', 'tk1', '--attach')
        self.assertEqual(0, code, err)
        self.assertEqual([['virsh', '-c', 'qemu:///system', 'console',
                           'tk1']], calls)

    def test_a_node_without_a_log_is_a_clear_error(self):
        code, _out, err = self.tenks('node', 'console', 'tk1')
        self.assertEqual(1, code)
        self.assertIn('node tk1 keeps no console log', err)
        code, _out, err = self.tenks('node', 'console', 'tk9')
        self.assertEqual(1, code)
        self.assertIn('no node named tk9', err)


class ReadFileTest(base.TestCase):

    def test_reads_from_offset_and_restarts_after_a_new_log(self):
        path = self.write('log', 'abcdef')
        self.assertEqual({'data': 'cd', 'offset': 4, 'size': 6},
                         hostside.read_file(path, 2, limit=2))
        self.write('log', 'xy')
        self.assertEqual({'data': 'xy', 'offset': 2, 'size': 2},
                         hostside.read_file(path, 4))
        self.assertEqual({'data': '', 'offset': 0, 'size': 0},
                         hostside.read_file(path + '-missing', 5))
