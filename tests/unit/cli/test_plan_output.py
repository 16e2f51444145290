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

"""Big plans: a table shows them by action and kind."""

import json

import fixtures

from tests.unit import cli_base


def table_rows(out):
    """The cells of a cliff table's data rows."""
    return [[c.strip() for c in line.strip('|').split('|')]
            for line in out.splitlines()[3:-1]]


class SummaryTest(cli_base.CLITestCase):

    def setUp(self):
        super().setUp()
        # The test spec makes 23 actions.
        self.useFixture(fixtures.MonkeyPatch(
            'tenks.cli.plan_output.SUMMARY_ABOVE', 10))

    def test_table_of_a_big_plan_is_a_summary(self):
        code, out, err = self.tenks('deploy', '--spec', self.spec_path,
                                    '--dry-run')
        self.assertEqual(0, code, err)
        self.assertIn('| Action | Kind ', out.splitlines()[1])
        rows = table_rows(out)
        self.assertEqual(23, sum(int(r[2]) for r in rows))
        domains, = [r for r in rows if r[:2] == ['create', 'domain']]
        self.assertEqual(['create', 'domain', '3', 'big0, tk0, tk1'],
                         domains)
        vifs, = [r for r in rows if r[:2] == ['create', 'vif']]
        self.assertTrue(vifs[3].endswith(', ...'), vifs)
        self.assertIn('23 actions, shown by action and kind; --long or -f '
                      'json|yaml|value|csv lists each.', err)

    def test_machine_formats_and_long_list_each_action(self):
        code, out, err = self.tenks('deploy', '--spec', self.spec_path,
                                    '--dry-run', '-f', 'json')
        self.assertEqual(23, len(json.loads(out)))
        code, out, err = self.tenks('deploy', '--spec', self.spec_path,
                                    '--dry-run', '-f', 'value')
        self.assertEqual(23, len(out.splitlines()))
        code, out, err = self.tenks('deploy', '--spec', self.spec_path,
                                    '--dry-run', '--long')
        self.assertIn('| Step |', out.splitlines()[1])
        self.assertNotIn('shown by action and kind', err)

    def test_applied_plan_counts_what_was_done(self):
        code, out, err = self.tenks('deploy', '--spec', self.spec_path)
        self.assertEqual(0, code, err)
        self.assertIn('| Done | Failed |', out.splitlines()[1])
        rows = table_rows(out)
        self.assertEqual(23, sum(int(r[4]) for r in rows))
        self.assertEqual({'0'}, {r[5] for r in rows})
        code, out, err = self.tenks('teardown')
        self.assertEqual(0, code, err)
        self.assertEqual({'delete'}, {r[0] for r in table_rows(out)})

    def test_small_plan_lists_each_action(self):
        self.useFixture(fixtures.MonkeyPatch(
            'tenks.cli.plan_output.SUMMARY_ABOVE', 23))
        code, out, err = self.tenks('deploy', '--spec', self.spec_path,
                                    '--dry-run')
        self.assertEqual(23, len(table_rows(out)))
