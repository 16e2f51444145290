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

"""``tenks node list/show`` with live power states, an empty cluster's
answers, and a dry run beside a held lock, end to end (``main(argv)``)."""

import json
import os

import fixtures
import yaml

from tenks.state import lock as lock_mod
from tests.unit import cli_base
from tests.unit import fakes


class NodeListTest(cli_base.CLITestCase):

    def setUp(self):
        super().setUp()
        self.deploy()

    def rows(self, *args):
        code, out, err = self.tenks('node', 'list', '-f', 'json', *args)
        self.assertEqual(0, code, err)
        return json.loads(out)

    def test_short_table_fits(self):
        code, out, err = self.tenks('node', 'list')
        self.assertEqual(0, code, err)
        lines = out.strip().splitlines()
        self.assertEqual(['Name', 'Hypervisor', 'Power', 'BMC', 'Status'],
                         [c.strip() for c in lines[1].strip('|').split('|')])
        self.assertLessEqual(max(len(line) for line in lines), 100)
        self.assertIn('| tk0  | localhost  | off   | virtualbmc '
                      '127.0.0.1:6230  | ready  |', out)

    def test_long_table(self):
        code, out, err = self.tenks('node', 'list', '--long')
        self.assertEqual(0, code, err)
        header = [c.strip() for c in
                  out.strip().splitlines()[1].strip('|').split('|')]
        self.assertEqual(['Name', 'UUID', 'Type', 'Hypervisor',
                          'Memory MiB', 'vCPUs', 'Boot mode', 'BMC', 'NICs',
                          'Status', 'Power'], header)
        self.assertIn('virtualbmc ipmi://127.0.0.1:6230', out)
        # A column of the long set asked by name needs no --long.
        code, out, err = self.tenks('node', 'list', '-c', 'UUID', '-c',
                                    'Power')
        self.assertEqual(0, code, err)
        self.assertIn('UUID', out)

    def test_machine_formats_give_every_column(self):
        rows = self.rows()
        self.assertEqual(['Name', 'UUID', 'Type', 'Hypervisor', 'Memory MiB',
                          'vCPUs', 'Boot mode', 'BMC', 'NICs', 'Status',
                          'Power'], list(rows[0]))
        self.assertEqual(rows, self.rows('--long'))
        self.assertIsInstance(rows[0]['NICs'], list)
        code, out, err = self.tenks('node', 'list', '-f', 'yaml')
        self.assertEqual(rows, yaml.safe_load(out))
        code, out, err = self.tenks('node', 'list', '-f', 'value', '-c',
                                    'Name', '-c', 'NICs')
        self.assertNotIn("['", out)
        self.assertIn('big0 physnet1=', out)

    def test_power_follows_the_hypervisor(self):
        self.assertEqual({'big0': 'off', 'tk0': 'off', 'tk1': 'off'},
                         {r['Name']: r['Power'] for r in self.rows()})
        fakes.WORLD.things[('power', 'tk1')] = 'on'
        del fakes.WORLD.things[('domain', 'big0')]
        self.assertEqual({'big0': 'missing', 'tk0': 'off', 'tk1': 'on'},
                         {r['Name']: r['Power'] for r in self.rows()})

    def test_one_listing_per_hypervisor(self):
        asked = []

        def power_states(driver, records):
            asked.append(sorted(r.name for r in records))
            return {r.name: 'on' for r in records}
        self.useFixture(fixtures.MonkeyPatch(
            'tests.unit.fakes.FakeProvider.power_states', power_states))
        self.assertEqual({'on'}, {r['Power'] for r in self.rows()})
        self.assertEqual([['big0', 'tk0', 'tk1']], asked)

    def test_unreachable_hypervisor_is_unknown(self):
        def broken(driver, records):
            raise RuntimeError('libvirtd is not running')
        self.useFixture(fixtures.MonkeyPatch(
            'tests.unit.fakes.FakeProvider.power_states', broken))
        code, out, err = self.tenks('node', 'list', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual({'unknown'}, {r['Power'] for r in json.loads(out)})
        self.assertIn('cannot read the power state of nodes on hypervisor '
                      'localhost: libvirtd is not running', err)


class NodeShowTest(cli_base.CLITestCase):

    def test_table_has_no_python_reprs(self):
        self.deploy()
        fakes.WORLD.things[('power', 'tk0')] = 'on'
        for fmt in ('table', 'value', 'shell'):
            code, out, err = self.tenks('node', 'show', 'tk0', '-f', fmt)
            self.assertEqual(0, code, err)
            for repr_mark in ("{'", "['", "True", "False", "None"):
                self.assertNotIn(repr_mark, out, fmt)
        code, out, err = self.tenks('node', 'show', 'tk0')
        self.assertIn('| power         | on ', out)
        self.assertIn('| secure_boot   | false ', out)
        self.assertIn('| bmc           | address=127.0.0.1 ', out)
        self.assertIn('|               | password=****** ', out)
        self.assertIn('| nic_details   | local_link_connection='
                      '{port_id=p-tk0-0-', out)
        self.assertIn('| nics          | mac=', out)
        self.assertNotIn('s3cr3t-ipmi', out)

    def test_json_keeps_structure(self):
        self.deploy()
        code, out, err = self.tenks('node', 'show', 'big0', '-f', 'json')
        self.assertEqual(0, code, err)
        data = json.loads(out)
        self.assertEqual('off', data['power'])
        self.assertIs(False, data['secure_boot'])
        self.assertEqual(['physnet1', 'physnet2'],
                         [n['physnet'] for n in data['nic_details']])
        self.assertEqual({'switch_id', 'switch_info', 'port_id'}, set(
            data['nic_details'][0]['local_link_connection']))
        self.assertEqual('******', data['bmc']['password'])
        self.assertIsInstance(data['ironic_config'], dict)


class EmptyClusterTest(cli_base.CLITestCase):
    """Every read command answers an empty cluster the same way."""

    LISTINGS = (('node', 'list'), ('hypervisor', 'list'))
    NEEDING = (('node', 'show', 'tk0'), ('node', 'power', 'status', '--all'),
               ('node', 'power', 'on', 'tk0'), ('node', 'reboot', '--all'),
               ('verify',), ('export', 'json'), ('status',))

    def check(self, sentence):
        for command in self.LISTINGS:
            code, out, err = self.tenks(*command)
            self.assertEqual(0, code, command)
            self.assertEqual('', out.strip(), command)
            self.assertIn(sentence, err, command)
            code, out, err = self.tenks(*(command + ('-f', 'json')))
            self.assertEqual([], json.loads(out), command)
        for command in self.NEEDING:
            code, out, err = self.tenks(*command)
            self.assertEqual(1, code, command)
            self.assertEqual('', out, command)
            self.assertEqual(sentence, err.strip(), command)

    def test_no_state_file(self):
        self.check('no cluster: state file %s does not exist (run tenks '
                   'deploy first)' % self.state_path)

    def test_after_teardown(self):
        self.deploy()
        code, _out, err = self.tenks('teardown')
        self.assertEqual(0, code, err)
        self.check('no cluster: state file %s does not exist (run tenks '
                   'deploy first)' % self.state_path)

    def test_empty_state_file(self):
        os.makedirs(os.path.dirname(self.state_path))
        open(self.state_path, 'w').close()
        self.check('no cluster: state file %s records no nodes (run tenks '
                   'deploy first)' % self.state_path)


class DryRunBesideLockTest(cli_base.CLITestCase):

    def test_dry_run_names_the_holder(self):
        self.deploy()
        lock_path = self.state_path + '.lock'
        held = lock_mod.StateLock(lock_path, command='tenks deploy --spec x')
        held.acquire()
        self.addCleanup(held.release)
        before = open(lock_path).read()
        code, out, err = self.tenks('deploy', '--spec', self.spec_path,
                                    '--dry-run')
        self.assertEqual(0, code, err)
        self.assertIn('another tenks run holds the lock on %s (pid %d on '
                      % (lock_path, os.getpid()), err)
        self.assertIn('running "tenks deploy --spec x"', err)
        self.assertIn('this dry run plans from the state as it is now', err)
        self.assertIn('No changes', err)
        self.assertEqual(before, open(lock_path).read())
        code, out, err = self.tenks('teardown', '--dry-run')
        self.assertEqual(0, code, err)
        self.assertIn('another tenks run holds the lock', err)
        # A real run is still refused.
        code, out, err = self.tenks('deploy', '--spec', self.spec_path)
        self.assertEqual(1, code)
        self.assertIn('another tenks run holds the lock', err)

    def test_no_warning_when_free(self):
        code, out, err = self.tenks('deploy', '--spec', self.spec_path,
                                    '--dry-run')
        self.assertEqual(0, code, err)
        self.assertNotIn('lock', err)
        self.assertFalse(os.path.exists(self.state_path + '.lock'))
