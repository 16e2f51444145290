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

"""The SSH set-up of one invocation: its files, and closing the masters."""

import json
import os
import stat
import subprocess
import threading
import time

import fixtures

from tenks import context
from tenks import exception
from tenks.hosts import channel
from tenks.hosts import ssh
from tenks.hosts import sshsession
from tests.unit import base

TUNING = {'control_persist': 60, 'server_alive_interval': 10,
          'server_alive_count_max': 3, 'connect_timeout': 10,
          'agent_command': 'tenks-host-agent', 'max_sessions': 8}


class FakeRunner(object):
    """Records commands; answers with ``reply(argv, input)``."""

    def __init__(self, reply=None):
        self.calls = []
        self.reply = reply or (lambda argv, input: (0, '', ''))
        self.lock = threading.Lock()

    def __call__(self, argv, input=None, timeout=None):
        with self.lock:
            self.calls.append(list(argv))
        code, out, err = self.reply(argv, input)
        return subprocess.CompletedProcess(argv, code, out, err)


class Peak(object):
    """How many calls of :meth:`busy` ran at once, at most."""

    def __init__(self):
        self.now = self.most = 0
        self._lock = threading.Lock()

    def busy(self, *args, **kwargs):
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(0.02)
        with self._lock:
            self.now -= 1
        return 0, '', ''


class FakeChannel(object):
    """A serving agent that plays a :class:`FakeRunner`'s answers.

    Started as ``... -- 'AGENT --serve'``, it greets as the runner answers
    ``AGENT --version``, and answers each request as the runner answers
    the one-shot ``AGENT`` with that request as input. Use
    :meth:`patch` (a fixture) to stand in for every real channel.
    """

    def __init__(self, runner, argv, timeout):
        self.runner = runner
        self.argv = list(argv[:-1]) + [argv[-1].replace(' --serve', '')]
        self.alive = True
        proc = runner(list(argv[:-1]) + [argv[-1].replace('--serve',
                                                          '--version')])
        if proc.returncode:
            raise channel.ChannelError('the agent ended', proc.returncode,
                                       proc.stdout, proc.stderr)
        self.greeting = {'tenks': proc.stdout.strip(), 'protocol': 1}

    def request(self, message, timeout):
        proc = self.runner(self.argv, input=json.dumps(message))
        try:
            return json.loads(proc.stdout)
        except ValueError:
            raise channel.ChannelError('not a reply', proc.returncode,
                                       proc.stdout, proc.stderr)

    def shut(self):
        pass

    def close(self):
        self.alive = False

    @classmethod
    def patch(cls, runner):
        return fixtures.MonkeyPatch(
            'tenks.hosts.channel.Channel',
            lambda argv, timeout: cls(runner, argv, timeout))


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class SessionTest(base.TestCase):

    def session(self, runner=None):
        return sshsession.Session(TUNING, runner=runner or FakeRunner(),
                                  ssh_binary='/usr/bin/ssh', parent=self.tmp)

    def test_nothing_written_without_a_remote_host(self):
        session = self.session()
        self.assertIsNone(session.add(None, 'qemu:///system'))
        self.assertEqual('qemu:///system',
                         session.libvirt_uri('qemu:///system', None))
        self.assertIsNone(session.directory)
        self.assertEqual([], os.listdir(self.tmp))
        session.close()

    def test_private_files(self):
        session = self.session()
        session.add('root@hv1', 'qemu+ssh://root@hv1/system',
                    {'connect_timeout': 5})
        self.assertEqual(0o700, mode(session.directory))
        self.assertTrue(os.path.basename(session.directory).startswith(
            'tenks-ssh-'))
        self.assertEqual(0o600, mode(session.config_path))
        self.assertEqual(0o700, mode(session.wrapper_path))
        with open(session.config_path) as f:
            text = f.read()
        self.assertIn('Host hv1\n', text)
        self.assertIn('    User root\n', text)
        self.assertIn('    ConnectTimeout 5\n', text)
        self.assertIn('    ControlPath %s/%%C\n' % session.directory, text)
        with open(session.wrapper_path) as f:
            self.assertIn("exec /usr/bin/ssh -F %s \"$@\"" %
                          session.config_path, f.read())

    def test_argv_and_libvirt_uri(self):
        session = self.session()
        session.add('root@hv1', 'qemu+ssh://root@hv1/system')
        self.assertEqual(['/usr/bin/ssh', '-F', session.config_path, '-O',
                          'check', 'hv1'],
                         session.argv('root@hv1', '-O', 'check'))
        self.assertEqual('qemu+ssh://root@hv1/system?command=%s'
                         % session.wrapper_path,
                         session.libvirt_uri('qemu+ssh://root@hv1/system',
                                             'root@hv1'))

    def test_a_host_nobody_added_gets_the_defaults(self):
        session = self.session()
        self.assertEqual('tenks-host-agent',
                         session.identity('hv9').agent_command)
        self.assertEqual(['hv9'], session.hosts)

    def test_same_host_again_gains_names_new_settings_win(self):
        session = self.session()
        session.add('hv1.example.com', 'qemu+ssh://hv1.example.com/system')
        session.add('hv1.example.com', 'qemu+ssh://hv1/system')
        self.assertEqual(('hv1.example.com', 'hv1'),
                         session.identity('hv1.example.com').names)
        session.add('hv1.example.com', None, {'port': 2222})
        found = session.identity('hv1.example.com')
        self.assertEqual((2222, ('hv1.example.com',)),
                         (found.port, found.names))
        with open(session.config_path) as f:
            self.assertIn('Port 2222', f.read())

    def test_two_hosts_by_one_name_refused(self):
        session = self.session()
        session.add('root@hv1')
        exc = self.assertRaises(exception.TenksError, session.add,
                                'stack@hv1')
        self.assertIn('hosts root@hv1 and stack@hv1 are both hv1',
                      str(exc))

    def test_close_exits_every_master_and_removes_the_directory(self):
        runner = FakeRunner()
        session = self.session(runner)
        session.add('hv1')
        session.add('root@hv2')
        directory, config = session.directory, session.config_path
        # A master libvirt opened under another user has its own socket.
        stray = os.path.join(directory, '0123abcd')
        open(stray, 'w').close()
        session.close()
        self.assertEqual([
            ['/usr/bin/ssh', '-F', config, '-O', 'exit', 'hv1'],
            ['/usr/bin/ssh', '-F', config, '-O', 'exit', 'hv2'],
            ['/usr/bin/ssh', '-F', config, '-o', 'ControlPath=%s' % stray,
             '-O', 'exit', 'hv1'],
        ], runner.calls)
        self.assertFalse(os.path.exists(directory))
        self.assertIsNone(session.directory)
        session.close()
        self.assertEqual(3, len(runner.calls))

    def test_close_survives_a_failing_ssh(self):
        def boom(argv, timeout=None, input=None):
            raise subprocess.TimeoutExpired(argv, timeout)
        session = self.session(boom)
        session.add('hv1')
        directory = session.directory
        session.close()
        self.assertFalse(os.path.exists(directory))


class AppContextTest(base.TestCase):

    def test_local_hypervisors_write_nothing(self):
        ctx = context.AppContext(self.make_conf())
        plugins = ctx.plugins({'localhost': {'libvirt_uri': 'qemu:///system',
                                             'host': None}})
        hv = plugins.contexts('localhost')
        self.assertIsNone(hv.connect_uri)
        self.assertIsNone(ctx.ssh.directory)
        ctx.close()

    def test_remote_hypervisor_context_and_close(self):
        ctx = context.AppContext(self.make_conf('[ssh]\nconnect_timeout = '
                                                '4\n'))
        runner = FakeRunner()
        ctx.ssh.runner = runner
        plugins = ctx.plugins({'hv1': {
            'libvirt_uri': 'qemu+ssh://root@hv1/system', 'host': 'root@hv1',
            'ssh': {'agent_command': '/v/bin/tenks-host-agent'}}})
        hv = plugins.contexts('hv1')
        directory = ctx.ssh.directory
        self.assertEqual('qemu+ssh://root@hv1/system', hv.libvirt_uri)
        self.assertEqual('qemu+ssh://root@hv1/system?command=%s/ssh'
                         % directory, hv.connect_uri)
        self.assertIsInstance(hv.agent, ssh.SSHAgent)
        self.assertEqual(4, ctx.ssh.identity('root@hv1').connect_timeout)
        plugins.close()
        ctx.close()
        self.assertIn(['-O', 'exit', 'hv1'], [c[-3:] for c in runner.calls])
        self.assertFalse(os.path.exists(directory))


class SSHAgentTest(base.TestCase):

    def test_commands_at_once_bounded_per_host(self):
        peak = Peak()
        session = sshsession.Session(dict(TUNING, max_sessions=3),
                                     runner=FakeRunner(peak.busy),
                                     ssh_binary='ssh', parent=self.tmp)
        agent = ssh.SSHAgent(session, 'hv1')
        threads = [threading.Thread(target=agent.run, args=(['true'],))
                   for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(3, peak.most)
