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

"""Remote hosts through the whole CLI, with a fake ssh.

Every remote host is checked before anything changes, the SSH set-up of
the run is removed when the command ends, and local hypervisors never
see any of it.
"""

import json
import os

import fixtures
import yaml

from tenks import version
from tenks import workflow
from tests.unit import cli_base
from tests.unit import fakes
from tests.unit.hosts import test_sshsession

SPEC = '''
node_types:
  t: {memory_mb: 64, vcpus: 1}
specs:
  - {type: t, count: 3}
hypervisors:
  local: {}
  far:
    host: root@far.example.com
    bridge_prefix: brfar
    ssh:
      agent_command: /opt/tenks-venv/bin/tenks-host-agent
      connect_timeout: 4
  gone:
    host: gone.example.com
    bridge_prefix: brgone
'''


class RemoteHostsTest(cli_base.CLITestCase):

    def setUp(self):
        super().setUp()
        self.spec_path = self.write('spec.yaml', SPEC)
        #: host alias -> (exit status, stdout, stderr) of a check.
        self.answers = {}
        #: host alias -> the same, of host setup's agent probe.
        self.probes = {}
        self.runner = test_sshsession.FakeRunner(self.reply)
        self.useFixture(fixtures.MonkeyPatch(
            'tenks.hosts.sshsession.run', self.runner))
        self.useFixture(test_sshsession.FakeChannel.patch(self.runner))

    def reply(self, argv, input):
        if '--' not in argv:            # ssh -O exit
            return 0, '', ''
        if argv[-1].startswith('sh -c '):   # host setup's agent probe
            return self.probes.get(argv[argv.index('--') - 1], (0, '', ''))
        return self.answers.get(argv[argv.index('--') - 1],
                                (0, version.release_string() + '\n', ''))

    def configs(self):
        return {c[c.index('-F') + 1] for c in self.runner.calls}

    def test_unreachable_host_stops_every_planning_command(self):
        self.answers['gone.example.com'] = (
            255, '', 'ssh: connect to host gone.example.com port 22: '
                     'Connection refused\r\n')
        for command in (['deploy'], ['deploy', '--dry-run'], ['validate']):
            code, _out, err = self.tenks(*(command + ['--spec',
                                                      self.spec_path]))
            self.assertEqual(1, code, err)
            self.assertEqual(
                'host gone.example.com: unreachable (ssh: connect to host '
                'gone.example.com port 22: Connection refused)',
                err.strip().splitlines()[-1])
        self.assertEqual({}, fakes.WORLD.things)
        self.assertFalse(os.path.exists(self.state_path))
        checks = [c for c in self.runner.calls if '--' in c]
        self.assertEqual(
            {'/opt/tenks-venv/bin/tenks-host-agent --version',
             'tenks-host-agent --version'}, {c[-1] for c in checks})
        for config in self.configs():
            self.assertFalse(os.path.exists(os.path.dirname(config)))

    def test_ready_hosts_deploy_then_teardown_from_the_state(self):
        code, _out, err = self.tenks('deploy', '--spec', self.spec_path)
        self.assertEqual(0, code, err)
        self.assertEqual(3, len([k for k in fakes.WORLD.things
                                 if k[0] == 'domain']))
        # Masters closed, the directory gone, when the command ended.
        exits = [c[-1] for c in self.runner.calls if 'exit' in c]
        self.assertEqual({'far.example.com', 'gone.example.com'},
                         set(exits))
        for config in self.configs():
            self.assertFalse(os.path.exists(os.path.dirname(config)))
        # The state alone says how to reach the hosts.
        self.runner.calls.clear()
        self.answers['far.example.com'] = (
            255, '', 'root@far.example.com: Permission denied '
                     '(publickey).\r\n')
        code, _out, err = self.tenks('teardown')
        self.assertEqual(1, code, err)
        self.assertIn('host root@far.example.com: key refused', err)
        checks = {c[-3]: c[-1] for c in self.runner.calls if '--' in c}
        self.assertEqual(
            {'far.example.com': '/opt/tenks-venv/bin/tenks-host-agent '
                                '--version',
             'gone.example.com': 'tenks-host-agent --version'}, checks)
        self.assertEqual(3, len([k for k in fakes.WORLD.things
                                 if k[0] == 'domain']))
        del self.answers['far.example.com']
        code, _out, err = self.tenks('teardown')
        self.assertEqual(0, code, err)
        self.assertEqual({}, {k: v for k, v in fakes.WORLD.things.items()
                              if k[0] != 'power'})

    def test_a_host_gone_for_good_is_forgotten_the_rest_removed(self):
        code, _out, err = self.tenks('deploy', '--spec', self.spec_path)
        self.assertEqual(0, code, err)
        before = {k for k in fakes.WORLD.things if k[0] != 'power'}
        with open(self.state_path) as f:
            nodes = yaml.safe_load(f)['nodes']
        on_gone = {node['name'] for node in nodes
                   if node['hypervisor'] == 'gone'}
        self.assertTrue(on_gone)
        self.answers['gone.example.com'] = (
            255, '', 'ssh: connect to host gone.example.com port 22: '
                     'Connection timed out\r\n')
        code, _out, err = self.tenks('teardown')
        self.assertEqual(1, code, err)
        self.assertIn('host gone.example.com: timeout', err)
        for wrong, cause in (('nowhere', 'no hypervisor of the cluster is '
                                         'nowhere or on nowhere'),
                             ('local', 'hypervisor local is this host')):
            code, _out, err = self.tenks('teardown', '--forget-host', wrong)
            self.assertEqual(1, code, err)
            self.assertIn(cause, err)
        self.assertEqual(before, {k for k in fakes.WORLD.things
                                  if k[0] != 'power'})
        self.runner.calls.clear()
        code, out, err = self.tenks('teardown', '--forget-host',
                                    'gone.example.com', '--dry-run', '-f',
                                    'json')
        self.assertEqual(0, code, err)
        where = {row['Hypervisor'] for row in json.loads(out)}
        self.assertIn('far', where)
        self.assertNotIn('gone', where)
        code, _out, err = self.tenks('teardown', '--forget-host',
                                     'gone.example.com')
        self.assertEqual(0, code, err)
        # The gone host was never asked; the others were cleaned.
        self.assertEqual([], [c for c in self.runner.calls
                              if 'gone.example.com' in c and 'exit' not in c])
        self.assertFalse(os.path.exists(self.state_path))
        left = {k for k in fakes.WORLD.things if k[0] != 'power'}
        self.assertEqual(
            {('pool', 'gone/tenks'),
             ('bmc_service', 'gone.example.com/gone.example.com/'
                             'virtualbmc')} |
            {(kind, n) for n in on_gone for kind in ('bmc', 'domain')},
            left)

    def test_version_mismatch_stops_host_setup_before_any_change(self):
        # An agent of another version, in a virtualenv tenks did not make:
        # host setup must not replace it.
        self.answers['far.example.com'] = (0, '0.0.1\n', '')
        self.probes['far.example.com'] = (0, 'venv=yes\n', '')
        code, _out, err = self.tenks('host', 'setup', '--spec',
                                     self.spec_path)
        self.assertEqual(1, code, err)
        self.assertIn('host root@far.example.com: tenks-host-agent is tenks '
                      '0.0.1, this is tenks %s' % version.release_string(),
                      err)
        self.assertIn('/opt/tenks-venv exists and tenks host setup did not '
                      'make it', err)
        # Only the checks ran: no host was touched.
        self.assertEqual([], [c for c in self.runner.calls
                              if '--' in c and '--version' not in c[-1] and
                              not c[-1].startswith('sh -c ')])
        self.assertIn('/opt/tenks-venv/bin/tenks-host-agent --version',
                      [c[-1] for c in self.runner.calls])


class LocalOnlyTest(cli_base.CLITestCase):

    def test_local_hypervisors_write_no_ssh_configuration(self):
        def refuse(session):
            raise AssertionError('ssh configuration written')
        self.useFixture(fixtures.MonkeyPatch(
            'tenks.hosts.sshsession.Session._write', refuse))
        self.deploy()
        for command in (['status'], ['node', 'list'], ['teardown']):
            code, _out, err = self.tenks(*command)
            self.assertEqual(0, code, err)


class AllocationsTest(cli_base.CLITestCase):

    def test_the_spec_says_how_to_reach_its_hosts_now(self):
        spec = self.spec(SPEC)
        state = self.empty_state()
        state.hypervisors = {
            'far': {'host': 'root@far.example.com', 'ssh': {'port': 2}},
            'old': {'host': 'root@far.example.com', 'ssh': {'port': 2},
                    'libvirt_uri': 'qemu+ssh://root@far.example.com/s'},
            'elsewhere': {'host': 'else', 'ssh': {'port': 3}},
        }
        found = workflow._allocations(spec, state)
        spec_ssh = {'agent_command': '/opt/tenks-venv/bin/tenks-host-agent',
                    'connect_timeout': 4}
        self.assertEqual(spec_ssh, found['far']['ssh'])
        self.assertEqual(spec_ssh, found['old']['ssh'])
        self.assertEqual({'port': 3}, found['elsewhere']['ssh'])
        self.assertNotIn('ssh', found['gone'])
        self.assertNotIn('ssh', found['local'])
