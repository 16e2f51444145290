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

"""The check of remote hosts before anything changes, with a fake ssh.

The ssh answers are those OpenSSH 9 and the shells give.
"""

import io
import subprocess
import threading
import time

from tenks import exception
from tenks.hosts import agent_main
from tenks.hosts import preflight
from tenks.hosts import sshsession
from tenks import version as version_mod
from tests.unit import base
from tests.unit.hosts import test_sshsession

VERSION = '1.2.3'

#: host -> (exit status, stdout, stderr) of ``ssh ... AGENT --version``.
ANSWERS = {
    'ok': (0, '1.2.3\n', ''),
    'refused': (255, '', 'ssh: connect to host refused port 22: '
                         'Connection refused\r\n'),
    'noroute': (255, '', 'ssh: connect to host noroute port 22: No route '
                         'to host\r\n'),
    'nodns': (255, '', 'ssh: Could not resolve hostname nodns: Name or '
                       'service not known\r\n'),
    'silent': (255, '', 'Connection timed out during banner exchange\r\n'
                        'Connection to 192.0.2.1 port 22 timed out\r\n'),
    'wrongkey': (255, '', 'root@wrongkey: Permission denied '
                          '(publickey).\r\n'),
    'unknown': (255, '', 'No ED25519 host key is known for unknown and '
                         'you have requested strict checking.\r\nHost key '
                         'verification failed.\r\n'),
    'changed': (255, '', '@@@@@@@\r\n@    WARNING: REMOTE HOST '
                         'IDENTIFICATION HAS CHANGED!     @\r\n'
                         'Host key verification failed.\r\n'),
    'noagent': (127, '', 'bash: line 1: tenks-host-agent: command not '
                         'found\n'),
    'oldagent': (1, '{"error": "bad request: Expecting value: line 1 '
                    'column 1 (char 0)", "type": null}\n', ''),
    'otherversion': (0, '1.0.0\n', ''),
}


def host_of(argv):
    """The host of a check, or None for ``ssh -O exit``."""
    return argv[argv.index('--') - 1] if '--' in argv else None


def reply(argv, input):
    return ANSWERS[host_of(argv)] if host_of(argv) else (0, '', '')


class Base(base.TestCase):

    def session(self, reply=reply, **tuning):
        self.runner = test_sshsession.FakeRunner(reply)
        session = sshsession.Session(
            dict(test_sshsession.TUNING, **tuning), runner=self.runner,
            ssh_binary='ssh', parent=self.tmp)
        self.addCleanup(session.close)
        return session


class VerdictTest(Base):

    def verdict(self, host, **ssh):
        session = self.session()
        session.add(host, None, ssh)
        return preflight.check(session, host, VERSION)

    def test_ready(self):
        found = self.verdict('ok')
        self.assertTrue(found.ok)
        self.assertEqual('1.2.3', found.version)
        self.assertEqual(['ok', '--', 'tenks-host-agent --version'],
                         self.runner.calls[0][-3:])

    def test_unreachable(self):
        for host in ('refused', 'noroute', 'nodns'):
            found = self.verdict(host)
            self.assertFalse(found.ok)
            self.assertTrue(str(found).startswith(
                'host %s: unreachable (ssh: ' % host), found)
            self.assertFalse(found.reached)
        self.assertIn('Connection refused', str(self.verdict('refused')))

    def test_silent_host_is_a_timeout(self):
        found = self.verdict('silent', connect_timeout=5)
        self.assertEqual('host silent: timeout (Connection to 192.0.2.1 '
                         'port 22 timed out); the host did not answer '
                         'within 5 s (ssh.connect_timeout)', str(found))

    def test_key_refused(self):
        self.assertEqual(
            'host wrongkey: key refused (root@wrongkey: Permission denied '
            '(publickey).); check ssh.identity_file and ssh.user, and the '
            'host\'s authorized_keys', str(self.verdict('wrongkey')))

    def test_host_key_unknown(self):
        found = str(self.verdict('unknown', port=2222))
        self.assertTrue(found.startswith(
            'host unknown: host key unknown (Host key verification '
            'failed.)'), found)
        self.assertIn('ssh-keyscan -p 2222 unknown >> FILE', found)
        self.assertIn('host key changed', str(self.verdict('changed')))

    def test_agent_missing_says_what_to_install_and_where(self):
        found = str(self.verdict('noagent'))
        self.assertEqual(
            'host noagent: tenks-host-agent not found (bash: line 1: '
            'tenks-host-agent: command not found); tenks host setup '
            '--spec SPEC installs tenks 1.2.3 there (see the multi-host '
            'guide)', found)
        self.assertTrue(self.verdict('noagent').reached)

    def test_version_mismatch_names_both(self):
        found = self.verdict('otherversion')
        self.assertIn('tenks-host-agent is tenks 1.0.0, this is tenks '
                      '1.2.3; tenks host setup --spec SPEC installs tenks '
                      '1.2.3 there', str(found))
        self.assertTrue(found.reached)
        self.assertEqual('1.0.0', found.version)

    def test_agent_older_than_version_checks(self):
        self.assertIn('tenks-host-agent --version did not give a version '
                      '(exit 1: ', str(self.verdict('oldagent')))

    def test_configured_agent_command(self):
        self.verdict('ok', agent_command='/opt/tenks venv/bin/agent')
        self.assertEqual("'/opt/tenks venv/bin/agent' --version",
                         self.runner.calls[0][-1])

    def test_ssh_that_never_ends_is_a_timeout(self):
        def hang(argv, input):
            raise subprocess.TimeoutExpired(argv, 1)
        session = self.session(hang)
        found = preflight.check(session, 'h', VERSION)
        self.assertEqual('host h: timeout (no answer within %d s)'
                         % (10 + preflight.GRACE), str(found))


class RequireTest(Base):

    def test_every_host_checked_one_line_each(self):
        session = self.session()
        hosts = ['ok', 'refused', 'wrongkey', 'noagent']
        for host in hosts:
            session.add(host)
        exc = self.assertRaises(exception.HostsNotReady, preflight.require,
                                session, hosts, VERSION)
        lines = str(exc).splitlines()
        self.assertEqual('3 of 4 hosts cannot be worked on; nothing was '
                         'changed:', lines[0])
        self.assertEqual(['  host refused: unreachable',
                          '  host wrongkey: key refused',
                          '  host noagent: tenks-host-agent not found'],
                         [line.split(' (')[0] for line in lines[1:]])
        self.assertEqual(4, len(self.runner.calls))

    def test_one_host_one_line(self):
        session = self.session()
        exc = self.assertRaises(exception.HostsNotReady, preflight.require,
                                session, ['nodns'], VERSION)
        self.assertEqual(1, len(str(exc).splitlines()))

    def test_all_ready(self):
        session = self.session()
        verdicts = preflight.require(session, ['ok', 'ok', None], VERSION)
        self.assertEqual(['ok'], [v.host for v in verdicts])

    def test_no_remote_host_no_ssh(self):
        session = self.session()
        self.assertEqual([], preflight.require(session, [None]))
        self.assertEqual([], self.runner.calls)
        self.assertIsNone(session.directory)

    def test_version_defaults_to_this_tenks(self):
        here = version_mod.release_string()
        session = self.session(lambda argv, input: (0, here + '\n', ''))
        self.assertTrue(preflight.require(session, ['h'])[0].ok)


class ConcurrencyTest(Base):

    def test_a_silent_host_does_not_hold_up_the_others(self):
        others_done = threading.Event()
        answered = []

        def slow(argv, input):
            host = host_of(argv)
            if host is None:
                return 0, '', ''
            if host == 'silent':
                # Answers only once the other hosts have: asked one after
                # another, this would wait its whole timeout.
                others_done.wait(5)
                answered.append(host)
                return ANSWERS['silent']
            answered.append(host)
            if len(answered) == 3:
                others_done.set()
            return ANSWERS['ok']

        session = self.session(slow)
        start = time.monotonic()
        verdicts = preflight.check_all(
            session, ['silent', 'ok1', 'ok2', 'ok3'], VERSION)
        self.assertLess(time.monotonic() - start, 4)
        self.assertTrue(others_done.is_set())
        self.assertEqual('silent', answered[-1])
        self.assertEqual(['silent', 'ok1', 'ok2', 'ok3'],
                         [v.host for v in verdicts])
        self.assertEqual([False, True, True, True],
                         [v.ok for v in verdicts])


class AgentVersionTest(base.TestCase):

    def test_version(self):
        out = io.StringIO()
        self.assertEqual(0, agent_main.main(['--version'], stdout=out))
        self.assertEqual(version_mod.release_string() + '\n',
                         out.getvalue())

    def test_unknown_argument(self):
        self.assertEqual(2, agent_main.main(['--nope'],
                                            stdout=io.StringIO()))

    def test_request_still_works(self):
        out = io.StringIO()
        self.assertEqual(1, agent_main.main(
            [], stdin=io.StringIO('{"function": "os.system"}'), stdout=out))
        self.assertIn('refusing to call os.system', out.getvalue())
