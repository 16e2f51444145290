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

"""What host setup decides and runs about a remote host's agent.

The real install over SSH is the multihost functional test's
(``tests/functional/multihost/test_host_setup.py``); these check the
decisions, on a host whose answers the test sets.
"""

import os
import shlex
import tempfile
from unittest import mock

from tenks.hosts import base as hosts_base
from tenks.hosts import preflight
from tenks.hostsetup import agent
from tenks.hostsetup import steps
from tests.unit import base

VERSION = '1.2.3'
MISSING = preflight.Verdict('h1', 'tenks-host-agent not found (exit 127)')
OLD = preflight.Verdict('h1', 'tenks-host-agent is tenks 1.0.0, this is '
                              'tenks 1.2.3', version='1.0.0')
HERE = ('cp311', 'x86_64')


class Host(hosts_base.HostAgent):
    """Answers the probe with ``found`` and records every command."""

    def __init__(self, found='', version=VERSION):
        self.found = found
        self.version = version
        self.commands = []

    @property
    def name(self):
        return 'h1'

    def call(self, function, **kwargs):
        raise AssertionError('host setup must only run commands')

    def run(self, argv, input=None, check=True, env=None, timeout=120):
        self.commands.append(list(argv))
        if argv[:2] == ['sh', '-c']:
            return 0, self.found, ''
        if argv[-1] == '--version':
            return 0, self.version + '\n', ''
        return 0, '', ''


def plan(found='', verdict=MISSING, command='tenks-host-agent',
         compiled=('libvirt-python',)):
    return agent.plan(Host(found), verdict, command, '/opt/agent',
                      'python3', VERSION, compiled, HERE)


class TargetTest(base.TestCase):

    def test_bare_name_goes_to_the_default_virtualenv_and_a_link(self):
        self.assertEqual(
            agent.Target('/opt/agent', '/usr/local/bin/tenks-host-agent'),
            agent.target('tenks-host-agent', '/opt/agent/'))

    def test_a_virtualenv_path_names_it(self):
        found = agent.target('/srv/v//bin/tenks-host-agent', '/opt/agent')
        self.assertEqual(agent.Target('/srv/v'), found)
        self.assertEqual('/srv/v/bin/tenks-host-agent', found.command)

    def test_other_commands_cannot_be_installed(self):
        for command in ('/usr/local/sbin/agent', 'bin/tenks-host-agent',
                        '/bin/tenks-host-agent', 'my-agent'):
            self.assertIsNone(agent.target(command, '/opt/agent'), command)


class PlanTest(base.TestCase):

    def test_an_agent_of_this_version_is_left_alone(self):
        found = plan(verdict=preflight.Verdict('h1', version=VERSION))
        self.assertEqual(('ok', 'tenks 1.2.3'), (found.action, found.detail))

    def test_a_missing_agent_is_installed(self):
        found = plan('python=cp311 x86_64\nfound=\n')
        self.assertEqual('install', found.action)
        self.assertFalse(found.replace)
        self.assertEqual('install tenks 1.2.3 into /opt/agent (%s)'
                         % MISSING.cause, found.detail)

    def test_tenks_own_virtualenv_is_made_again(self):
        found = plan('venv=yes\nmarker=yes\n'
                     'link=/opt/agent/bin/tenks-host-agent\n'
                     'found=/usr/local/bin/tenks-host-agent\n'
                     'python=cp311 x86_64\n', verdict=OLD)
        self.assertEqual(('install', True), (found.action, found.replace))

    def test_a_virtualenv_tenks_did_not_make_is_refused(self):
        found = plan('venv=yes\n', verdict=OLD,
                     command='/srv/v/bin/tenks-host-agent')
        self.assertEqual('refused', found.action)
        self.assertEqual(
            'host h1: tenks-host-agent is tenks 1.0.0, this is tenks 1.2.3; '
            '/srv/v exists and tenks host setup did not make it: remove it, '
            'or set agent_command to another VENV/bin/tenks-host-agent',
            str(found))

    def test_a_link_or_command_of_someone_else_is_refused(self):
        found = plan('link=/elsewhere\n')
        self.assertEqual('refused', found.action)
        self.assertIn('/usr/local/bin/tenks-host-agent exists and is not a '
                      'link to /opt/agent/bin/tenks-host-agent', found.detail)
        found = plan('link=file\n')
        self.assertEqual('refused', found.action)
        found = plan('found=/root/.local/bin/tenks-host-agent\n')
        self.assertIn('/root/.local/bin/tenks-host-agent is found first on '
                      'the PATH', found.detail)

    def test_another_python_refuses_compiled_wheels_only(self):
        found = plan('python=cp312 aarch64\n')
        self.assertEqual('refused', found.action)
        self.assertIn('its python3 is cp312 on aarch64, this tenks runs '
                      'cp311 on x86_64, and libvirt-python are built for '
                      'this one', found.detail)
        self.assertEqual('install',
                         plan('python=cp312 aarch64\n', compiled=()).action)

    def test_no_python_yet_is_installed_after_the_packages(self):
        self.assertEqual('install', plan('').action)

    def test_an_agent_command_it_cannot_place_is_refused(self):
        found = plan(command='/usr/local/sbin/agent')
        self.assertEqual('refused', found.action)
        self.assertIn('tenks cannot install an agent_command', found.detail)

    def test_the_probe_changes_nothing(self):
        host = Host()
        agent.plan(host, MISSING, 'tenks-host-agent', '/opt/agent',
                   'python3', VERSION)
        self.assertEqual([['sh', '-c', agent._PROBE, 'probe', '/opt/agent',
                           '/usr/local/bin/tenks-host-agent', 'python3']],
                         host.commands)


class InstallTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.shipped = []
        patcher = mock.patch.object(
            agent, 'ship', side_effect=lambda host, local: (
                self.shipped.append(local) or '/tmp/tenks-wheels.x'))
        patcher.start()
        self.addCleanup(patcher.stop)

    def install(self, found, host=None, dry_run=False, **kwargs):
        host = host or Host()
        the_plan = plan(found, **kwargs)
        runner = steps.Runner(host, dry_run=dry_run)
        return host, agent.install(runner, host, the_plan, 'python3',
                                   VERSION, lambda: '/local/wheels')

    def test_install_makes_the_marked_virtualenv_then_checks_it(self):
        host, result = self.install('python=cp311 x86_64\n')
        self.assertEqual((steps.DONE, 'tenks 1.2.3 in /opt/agent'),
                         (result.status, result.detail))
        self.assertEqual(['/local/wheels'], self.shipped)
        self.assertEqual([
            ['mkdir', '-p', '/opt'],
            ['mkdir', '/opt/agent'],
            ['touch', '/opt/agent/.tenks-host-setup'],
            ['python3', '-m', 'venv', '/opt/agent'],
            ['/opt/agent/bin/python', '-m', 'pip', 'install', '--quiet',
             '--no-index', '--no-cache-dir', '--find-links',
             '/tmp/tenks-wheels.x', 'tenks==1.2.3'],
            ['ln', '-sfn', '/opt/agent/bin/tenks-host-agent',
             '/usr/local/bin/tenks-host-agent'],
            ['rm', '-rf', '/tmp/tenks-wheels.x'],
            ['tenks-host-agent', '--version']], host.commands)

    def test_only_tenks_own_virtualenv_is_removed(self):
        host, _result = self.install('venv=yes\nmarker=yes\n', verdict=OLD,
                                     command='/srv/v/bin/tenks-host-agent')
        self.assertEqual(['rm', '-rf', '--one-file-system', '/srv/v'],
                         host.commands[0])
        self.assertEqual(['/srv/v/bin/tenks-host-agent', '--version'],
                         host.commands[-1])
        self.assertNotIn(['ln'], [c[:1] for c in host.commands])

    def test_dry_run_lists_the_commands_and_ships_nothing(self):
        host, result = self.install('')
        host, result = self.install('', dry_run=True)
        self.assertEqual(steps.WOULD_RUN, result.status)
        self.assertIn('pip install', result.detail)
        self.assertEqual(1, len(self.shipped))  # the first, real install
        self.assertEqual([], host.commands)

    def test_an_agent_that_reports_another_version_fails_the_step(self):
        exc = self.assertRaises(steps.StepFailed, self.install, '',
                                host=Host(version='9.9'))
        self.assertEqual("host agent: the agent installed in /opt/agent "
                         "reports '9.9', not tenks 1.2.3", str(exc))

    def test_the_wheels_are_removed_from_the_host_when_pip_fails(self):
        class Failing(Host):
            def run(self, argv, **kwargs):
                if 'pip' in argv:
                    self.commands.append(list(argv))
                    raise hosts_base.CommandError(argv, 1, '', 'no space')
                return super().run(argv, **kwargs)
        host = Failing()
        self.assertRaises(steps.StepFailed, self.install, '', host=host)
        self.assertEqual(['rm', '-rf', '/tmp/tenks-wheels.x'],
                         host.commands[-1])

    def test_an_ok_plan_runs_nothing(self):
        host = Host()
        the_plan = plan(verdict=preflight.Verdict('h1', version=VERSION))
        result = agent.install(steps.Runner(host), host, the_plan, 'python3',
                               VERSION, None)
        self.assertEqual(steps.OK, result.status)
        self.assertEqual([], host.commands)


class ShipTest(base.TestCase):

    def test_ship_streams_a_tar_into_a_new_directory(self):
        local = os.path.dirname(self.write('a.whl', 'wheel'))
        remote = tempfile.mkdtemp()
        self.addCleanup(lambda: [os.remove(os.path.join(remote, name))
                                 for name in os.listdir(remote)] and
                        os.rmdir(remote))

        class Session(object):
            def command(self, destination, remote_argv):
                # "ssh" to this machine: sh runs the remote command.
                return ['sh', '-c', 'exec sh -c "$1"', 'ssh',
                        shlex.join(remote_argv)]

        host = Host()
        host.session, host.destination = Session(), 'h1'
        host.run = lambda argv, **kwargs: (0, remote + '\n', '')
        self.assertEqual(remote, agent.ship(host, local))
        with open('%s/a.whl' % remote) as f:
            self.assertEqual('wheel', f.read())

    def test_a_failed_copy_removes_the_directory_there(self):
        class Session(object):
            def command(self, destination, remote_argv):
                return ['false']
        host = Host()
        host.session, host.destination = Session(), 'h1'
        calls = []
        host.run = lambda argv, **kwargs: (calls.append(argv) or
                                           (0, '/tmp/x\n', ''))
        self.assertRaises(steps.StepFailed, agent.ship, host, self.tmp)
        self.assertEqual(['rm', '-rf', '/tmp/x'], calls[-1])
