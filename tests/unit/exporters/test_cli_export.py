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

"""``tenks export`` end to end (``TenksApp.run``), over a cluster deployed
with the in-memory plugins."""

import json
import os
import stat


from tenks.cli import export
from tests.unit import base
from tests.unit import cli_base


class ExportCommandTest(cli_base.CLITestCase):

    def test_every_format_to_stdout(self):
        self.deploy()
        for fmt in ('bifrost', 'ironic', 'json'):
            code, out, err = self.tenks('export', fmt)
            self.assertEqual(0, code, err)
            self.assertIn('s3cr3t-ipmi', out)
            self.assertIn('tk0', json.loads(out) if fmt == 'bifrost'
                          else out)
        code, out, err = self.tenks('export', 'devstack')
        self.assertEqual(0, code, err)
        self.assertEqual(3, len(out.splitlines()))

    def test_output_file_is_private_and_replaced_whole(self):
        self.deploy()
        path = os.path.join(self.tmp, 'baremetal.json')
        with open(path, 'w') as f:
            f.write('old content that is longer than nothing')
        os.chmod(path, 0o644)
        code, out, err = self.tenks('export', 'bifrost', '--output', path)
        self.assertEqual(0, code, err)
        self.assertEqual('', out)
        self.assertEqual(0o600, stat.S_IMODE(os.stat(path).st_mode))
        _code, stdout_doc, _err = self.tenks('export', 'bifrost')
        with open(path) as f:
            self.assertEqual(stdout_doc, f.read())
        self.assertEqual(['baremetal.json', 'spec.yaml', 'state',
                          'tenks.conf'],
                         sorted(n for n in os.listdir(self.tmp)
                                if n != 'log' and n != 'run'))

    def test_unknown_format(self):
        self.deploy()
        code, _out, err = self.tenks('export', 'instackenv')
        self.assertEqual(2, code)
        self.assertIn("invalid choice: 'instackenv' (choose from 'bifrost', "
                      "'devstack', 'ironic', 'json')", err)

    def test_no_cluster(self):
        code, _out, err = self.tenks('export', 'json')
        self.assertEqual(1, code)
        self.assertIn('no cluster', err)

    def test_missing_directory(self):
        self.deploy()
        path = os.path.join(self.tmp, 'nowhere', 'nodes.json')
        code, _out, err = self.tenks('export', 'ironic', '-o', path)
        self.assertEqual(1, code)
        self.assertIn('does not exist', err)
        self.assertFalse(os.path.exists(os.path.dirname(path)))


class WritePrivateTest(base.TestCase):

    def test_failed_write_leaves_nothing(self):
        path = os.path.join(self.tmp, 'out.json')

        self.assertRaises(TypeError, export.write_private, path, object())
        self.assertEqual([], os.listdir(self.tmp))
        export.write_private(path, 'x\n')
        self.assertEqual(['out.json'], os.listdir(self.tmp))
