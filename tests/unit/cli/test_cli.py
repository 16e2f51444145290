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

"""The CLI end to end (``main(argv)``), with in-memory plugins."""

import io
import json
import os

import fixtures
import yaml

from tenks.cli import app
from tests.unit import cli_base
from tests.unit import fakes


class CLITest(cli_base.CLITestCase):

    def json(self, *args):
        code, out, err = self.tenks(*(list(args) + ['-f', 'json']))
        self.assertEqual(0, code, err)
        return json.loads(out)

    def test_version(self):
        out = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', out))
        self.assertRaises(SystemExit, app.main, ['--version'])
        self.assertIn('tenks ', out.getvalue())

    def test_dry_run_touches_nothing(self):
        rows = self.json('deploy', '--spec', self.spec_path, '--dry-run')
        self.assertEqual(23, len(rows))
        self.assertEqual({'Step': 1, 'Action': 'create', 'Kind': 'pool',
                          'Name': 'localhost/tenks',
                          'Hypervisor': 'localhost', 'Reason': 'new'},
                         rows[0])
        self.assertEqual({}, fakes.WORLD.things)
        self.assertFalse(os.path.exists(self.state_path))

    def test_long_masks_passwords(self):
        code, out, err = self.tenks('deploy', '--spec', self.spec_path,
                                    '--dry-run', '--long', '-f', 'yaml')
        self.assertEqual(0, code, err)
        self.assertNotIn('s3cr3t-ipmi', out + err)
        rows = yaml.safe_load(out)
        bmc = [r for r in rows if r['Kind'] == 'bmc' and r['Name'] == 'tk0']
        self.assertEqual('******', bmc[0]['Props']['password'])

    def test_deploy_redeploy_teardown(self):
        rows = self.json('deploy', '--spec', self.spec_path)
        self.assertEqual({'done'}, {r['Result'] for r in rows})
        self.assertEqual(['big0', 'tk0', 'tk1'],
                         fakes.WORLD.names('domain'))
        mode = os.stat(self.state_path).st_mode & 0o777
        self.assertEqual(0o600, mode)
        with open(self.state_path) as f:
            self.assertIn('s3cr3t-ipmi', f.read())

        fakes.WORLD.reset_calls()
        code, out, err = self.tenks('deploy', '--spec', self.spec_path)
        self.assertEqual(0, code)
        self.assertIn('No changes', err)
        self.assertEqual([], [c for c in fakes.WORLD.calls
                              if c[0] != 'observe'])

        nodes = self.json('node', 'list')
        self.assertEqual(['big0', 'tk0', 'tk1'], [n['Name'] for n in nodes])
        self.assertEqual({'ready'}, {n['Status'] for n in nodes})
        tk0 = self.json('node', 'show', 'tk0')
        self.assertEqual('******', tk0['bmc']['password'])
        self.assertEqual(6230, tk0['bmc']['port'])
        self.assertNotIn('s3cr3t-ipmi', json.dumps(tk0))
        hvs = self.json('hypervisor', 'list')
        self.assertEqual([{'Name': 'localhost',
                           'libvirt URI': 'qemu:///system', 'Host': '',
                           'Physnets': {'physnet1': 0, 'physnet2': 1},
                           'Nodes': 3, 'Memory MiB': 4096, 'vCPUs': 4}],
                         hvs)

        rows = self.json('teardown')
        self.assertEqual({'delete'}, {r['Action'] for r in rows})
        self.assertEqual({}, fakes.WORLD.things)
        self.assertFalse(os.path.exists(self.state_path))
        self.assertFalse(os.path.exists(self.state_path + '.lock'))
        code, out, err = self.tenks('teardown')
        self.assertEqual(0, code)
        self.assertIn('Nothing to tear down', err)

    def test_validate(self):
        data = self.json('validate', '--spec', self.spec_path)
        self.assertEqual(3, data['nodes'])
        self.assertEqual({'localhost': 3}, data['hypervisors'])
        self.assertEqual({}, fakes.WORLD.things)

    def test_bad_spec_one_clear_error(self):
        path = self.write('bad.yaml', 'specs: [{type: nope, count: 1}]\n')
        for command in (['validate'], ['deploy'], ['deploy', '--dry-run']):
            code, out, err = self.tenks(*(command + ['--spec', path]))
            self.assertEqual(1, code)
            self.assertEqual('', out)
            self.assertIn("%s: line 1: specs[0].type: unknown node type "
                          "'nope'" % path, err)
            self.assertNotIn('Traceback', err)
        self.assertEqual({}, fakes.WORLD.things)

    def test_debug_shows_traceback(self):
        path = self.write('bad.yaml', 'specs: [{type: nope, count: 1}]\n')
        code, out, err = self.tenks('--debug', 'validate', '--spec', path)
        self.assertEqual(1, code)
        self.assertIn('Traceback', err)

    def test_bad_config(self):
        self.conf = self.write('bad.conf', '[vbmc]\nport_range_start = x\n')
        code, out, err = self.tenks('node', 'list')
        self.assertEqual(1, code)
        self.assertIn('bad.conf: [vbmc] port_range_start', err)
        self.assertEqual(1, len(err.strip().splitlines()), err)

    def test_unknown_node(self):
        self.json('deploy', '--spec', self.spec_path)
        code, out, err = self.tenks('node', 'show', 'nope')
        self.assertEqual(1, code)
        self.assertIn('no node named nope (nodes: big0, tk0, tk1)', err)

    def test_failure_leaves_state_true_and_rerun_converges(self):
        fakes.WORLD.fail[('create', 'domain', 'tk1')] = RuntimeError('boom')
        code, out, err = self.tenks('deploy', '--spec', self.spec_path)
        self.assertEqual(1, code)
        self.assertIn('create domain tk1 on localhost: boom', err)
        self.assertIn('skipped', err)
        # Independent nodes went on.
        self.assertIn('big0', fakes.WORLD.names('domain'))
        self.assertNotIn(('bmc', 'tk1'), fakes.WORLD.things)
        nodes = {n['Name']: n['Status'] for n in self.json('node', 'list')}
        self.assertEqual('incomplete', nodes['tk1'])
        del fakes.WORLD.fail[('create', 'domain', 'tk1')]
        rows = self.json('deploy', '--spec', self.spec_path)
        self.assertIn({'Action': 'create', 'Kind': 'domain', 'Name': 'tk1'},
                      [{k: r[k] for k in ('Action', 'Kind', 'Name')}
                       for r in rows])
        self.assertIn(('bmc', 'tk1'), fakes.WORLD.things)
        code, out, err = self.tenks('deploy', '--spec', self.spec_path)
        self.assertIn('No changes', err)

    def test_foreign_resource_refused_before_anything(self):
        fakes.WORLD.foreign.add(('domain', 'tk1'))
        code, out, err = self.tenks('deploy', '--spec', self.spec_path)
        self.assertEqual(1, code)
        self.assertIn('domain tk1 on localhost already exists and was not '
                      'created by tenks', err)
        self.assertEqual({}, fakes.WORLD.things)
        self.assertEqual([], [c for c in fakes.WORLD.calls
                              if c[0] != 'observe'])

    def test_drift_repaired(self):
        self.json('deploy', '--spec', self.spec_path)
        del fakes.WORLD.things[('domain', 'tk0')]
        rows = self.json('deploy', '--spec', self.spec_path)
        self.assertEqual([('create', 'domain', 'tk0',
                           'missing: removed outside tenks')],
                         [(r['Action'], r['Kind'], r['Name'], r['Reason'])
                          for r in rows])

    def test_status(self):
        self.json('deploy', '--spec', self.spec_path)
        self.assertEqual([], self.json('status'))
        rows = self.json('status', '--all')
        self.assertEqual({'ok'}, {r['Found'] for r in rows})
        del fakes.WORLD.things[('domain', 'tk0')]
        fakes.WORLD.foreign.add(('bmc', 'tk1'))
        code, out, err = self.tenks('status', '--exit-code', '-f', 'json')
        self.assertEqual(2, code)
        self.assertEqual([('domain', 'tk0', 'missing'),
                          ('bmc', 'tk1', 'foreign')],
                         [(r['Kind'], r['Name'], r['Found'])
                          for r in json.loads(out)])
        self.assertIn('2 resources drifted', err)

    def test_status_without_cluster(self):
        code, out, err = self.tenks('status')
        self.assertEqual(1, code)
        self.assertIn('no cluster', err)

    def test_teardown_forget_cloud(self):
        self.json('deploy', '--spec', self.spec_path)
        fakes.WORLD.reset_calls()
        fakes.WORLD.fail[('delete', 'ironic_node', 'tk0')] = AssertionError(
            'the cloud must not be contacted')
        rows = self.json('teardown', '--forget-cloud')
        kinds = {r['Kind'] for r in rows}
        self.assertNotIn('ironic_node', kinds)
        self.assertNotIn('flavor', kinds)
        self.assertIn('domain', kinds)
        self.assertEqual([], [c for c in fakes.WORLD.calls
                              if c[1] in ('ironic_node', 'flavor',
                                          'placement_wait')])
        # The cloud's records are forgotten, the host is clean.
        self.assertFalse(os.path.exists(self.state_path))
        self.assertEqual({('ironic_node', 'tk0'), ('ironic_node', 'tk1'),
                          ('flavor', 'rc-small'),
                          ('placement_wait', 'placement')},
                         set(fakes.WORLD.things))

    def test_unreachable_place_stops_the_plan(self):
        self.json('deploy', '--spec', self.spec_path)

        def broken(driver, kind, records):
            raise RuntimeError('libvirtd is not running')
        self.useFixture(fixtures.MonkeyPatch(
            'tests.unit.fakes.FakeProvider.observe', broken))
        fakes.WORLD.reset_calls()
        code, out, err = self.tenks('deploy', '--spec', self.spec_path)
        self.assertEqual(1, code)
        self.assertIn('nothing was changed: cannot check what exists', err)
        self.assertIn('libvirt on localhost: RuntimeError: libvirtd is not '
                      'running', err)
        self.assertEqual([], fakes.WORLD.calls)
        # status still reports, marking what it could not see.
        rows = self.json('status')
        self.assertEqual({'unknown'}, {r['Found'] for r in rows})
        # --no-refresh trusts the state.
        code, out, err = self.tenks('deploy', '--spec', self.spec_path,
                                    '--no-refresh')
        self.assertEqual(0, code, err)

    def test_teardown_removes_empty_directories(self):
        self.json('deploy', '--spec', self.spec_path)
        os.makedirs(os.path.join(self.tmp, 'run'), exist_ok=True)
        self.json('teardown')
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'run')))
        self.assertFalse(os.path.exists(os.path.dirname(self.state_path)))
