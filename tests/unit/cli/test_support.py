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

"""What a hypervisor cannot honour stops the plan before any change."""

import os

from tests.unit import cli_base
from tests.unit import fakes


class SupportTest(cli_base.CLITestCase):

    def test_one_line_per_node_and_cause_and_nothing_changes(self):
        fakes.WORLD.unsupported[('domain', 'tk0')] = 'no swtpm here'
        fakes.WORLD.unsupported[('domain', 'tk1')] = 'no aarch64 QEMU'
        for command in (['deploy'], ['deploy', '--dry-run'], ['validate']):
            code, _out, err = self.tenks(*(command + ['--spec',
                                                      self.spec_path]))
            self.assertEqual(1, code, err)
            lines = err.strip().splitlines()
            self.assertEqual(
                ['2 resources cannot be made as the spec asks; nothing was '
                 'changed:',
                 '  node tk0 on localhost: no swtpm here',
                 '  node tk1 on localhost: no aarch64 QEMU'], lines[-3:])
        self.assertEqual({}, fakes.WORLD.things)
        self.assertFalse(os.path.exists(self.state_path))

    def test_what_exists_unchanged_is_not_asked_again(self):
        self.deploy()
        fakes.WORLD.unsupported[('domain', 'tk0')] = 'no swtpm here'
        code, _out, err = self.tenks('deploy', '--spec', self.spec_path)
        self.assertEqual(0, code, err)
