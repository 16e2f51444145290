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

"""Serving host agents: the conversation, the pool, and SSHAgent on them.

The agents here are real ``tenks-host-agent --serve`` processes of this
Python, reached through a stand-in ``ssh`` that runs the remote command
with ``sh`` on this host (the multihost functional tests reach real SSH
hosts).
"""

import io
import json
import os
import subprocess
import sys
import threading
import time

from tenks import exception
from tenks.hosts import access
from tenks.hosts import agent_main
from tenks.hosts import base as host_base
from tenks.hosts import channel
from tenks.hosts import preflight
from tenks.hosts import ssh
from tenks.hosts import sshsession
from tenks import version
from tests.unit import base
from tests.unit.hosts import test_sshsession

#: ``ssh [options] DESTINATION -- COMMAND``, run here by ``sh``.
FAKE_SSH = '''#!/bin/sh
while [ "$1" != "--" ]; do shift; done
shift
exec /bin/sh -c "$1"
'''

#: An agent that notes each start in STARTS, and runs this Python's.
AGENT = '''#!/bin/sh
echo $$ >> %(starts)s
exec %(python)s -m tenks.hosts.agent_main "$@"
'''


class ServeTest(base.TestCase):

    def test_greets_then_answers_each_line(self):
        out = io.StringIO()
        requests = io.StringIO(
            '{"function": "os.system", "kwargs": {}}\n\n'
            'not json\n')
        self.assertEqual(0, agent_main.main(['--serve'], stdin=requests,
                                            stdout=out))
        lines = [json.loads(line) for line in out.getvalue().splitlines()]
        self.assertEqual({'tenks': version.release_string(),
                          'protocol': agent_main.PROTOCOL}, lines[0])
        self.assertIn('refusing to call os.system', lines[1]['error'])
        self.assertIn('bad request', lines[2]['error'])
        self.assertEqual(3, len(lines))

    def test_nothing_else_reaches_the_reply_stream(self):
        script = (
            'import os, sys\n'
            'from tenks.hosts import agent_main\n'
            'requests, replies = agent_main._private_streams()\n'
            'print("from python", flush=True)\n'
            'os.system("echo from a child; cat")\n'
            'replies.write(requests.readline()); replies.flush()\n')
        proc = subprocess.run([sys.executable, '-c', script],
                              input='request\n', capture_output=True,
                              text=True, timeout=30)
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertEqual('request\n', proc.stdout)
        self.assertIn('from python', proc.stderr)
        self.assertIn('from a child', proc.stderr)


class ChannelTest(base.TestCase):

    def python(self, code):
        return [sys.executable, '-c', code]

    def test_a_real_agent_serves_several_calls(self):
        chan = channel.Channel([sys.executable, '-m',
                                'tenks.hosts.agent_main', '--serve'], 30)
        self.addCleanup(chan.close)
        self.assertEqual(version.release_string(), chan.greeting['tenks'])
        for _ in range(3):
            reply = chan.request({'function': 'tenks.hosts.access.'
                                  'unreachable', 'kwargs': {
                                      'path': '/', 'user': os.geteuid(),
                                      'group': None}}, 30)
            self.assertEqual({'result': None}, reply)
        self.assertTrue(chan.alive)
        chan.close()
        self.assertFalse(chan.alive)

    def test_a_command_that_fails_at_once(self):
        error = self.assertRaises(
            channel.ChannelError, channel.Channel, self.python(
                'import sys; sys.stderr.write("Permission denied\\n");'
                'sys.exit(255)'), 30)
        self.assertEqual(255, error.returncode)
        self.assertIn('Permission denied', error.stderr)

    def test_no_greeting_in_time(self):
        error = self.assertRaises(
            channel.ChannelError, channel.Channel,
            self.python('import time; time.sleep(60)'), 0.3)
        self.assertEqual(-1, error.returncode)
        self.assertIn('no answer within 0.3 s', str(error))

    def test_an_agent_that_dies_during_a_call(self):
        chan = channel.Channel(self.python(
            'import sys; print("{}", flush=True); sys.stdin.readline();'
            'sys.stderr.write("boom\\n"); sys.exit(3)'), 30)
        self.addCleanup(chan.close)
        error = self.assertRaises(channel.ChannelError, chan.request,
                                  {'function': 'x'}, 30)
        self.assertEqual(3, error.returncode)
        self.assertIn('boom', error.stderr)
        self.assertFalse(chan.alive)

    def test_a_call_that_takes_too_long_kills_the_agent(self):
        chan = channel.Channel(self.python(
            'import sys, time; print("{}", flush=True);'
            'sys.stdin.readline(); time.sleep(60)'), 30)
        self.addCleanup(chan.close)
        error = self.assertRaises(channel.ChannelError, chan.request,
                                  {'function': 'x'}, 0.3)
        self.assertEqual(-1, error.returncode)
        time.sleep(0.2)
        self.assertFalse(chan.alive)


class FakeChannel(object):
    """For the pool's logic only."""

    def __init__(self):
        self.alive = True
        self.closed = False

    def shut(self):
        self.shut_down = True

    def close(self):
        self.alive = False
        self.closed = True


class PoolTest(base.TestCase):

    def test_reuses_idle_channels(self):
        opened = []
        pool = channel.Pool(lambda: opened.append(FakeChannel()) or
                            opened[-1], 3)
        first = pool.acquire()
        pool.release(first)
        self.assertIs(first, pool.acquire())
        self.assertEqual(1, len(opened))

    def test_broken_and_dead_channels_are_replaced(self):
        opened = []
        pool = channel.Pool(lambda: opened.append(FakeChannel()) or
                            opened[-1], 1)
        first = pool.acquire()
        pool.release(first, broken=True)
        self.assertTrue(first.closed)
        second = pool.acquire()
        self.assertIsNot(first, second)
        pool.release(second)
        second.alive = False
        third = pool.acquire()
        self.assertTrue(second.closed)
        self.assertIs(opened[2], third)

    def test_sessions_bounded_channels_and_commands_together(self):
        peak = test_sshsession.Peak()
        pool = channel.Pool(FakeChannel, 3)

        def call():
            chan = pool.acquire()
            peak.busy()
            pool.release(chan)

        def command():
            with pool.slot():
                peak.busy()

        threads = [threading.Thread(target=call if i % 2 else command)
                   for i in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(3, peak.most)

    def test_a_failed_open_frees_its_slot(self):
        def fail():
            raise channel.ChannelError('no', 255)
        pool = channel.Pool(fail, 1)
        for _ in range(3):
            self.assertRaises(channel.ChannelError, pool.acquire)

    def test_close_ends_idle_and_later_released_channels(self):
        pool = channel.Pool(FakeChannel, 2)
        idle, busy = pool.acquire(), pool.acquire()
        pool.release(idle)
        pool.close()
        self.assertTrue(idle.closed)
        pool.release(busy)
        self.assertTrue(busy.closed)

    def test_add_keeps_a_channel_only_with_room(self):
        pool = channel.Pool(FakeChannel, 1)
        given = FakeChannel()
        pool.add(given)
        self.assertIs(given, pool.acquire())
        extra = FakeChannel()
        pool.add(extra)
        self.assertTrue(extra.closed)


class SSHAgentTest(base.TestCase):
    """SSHAgent over a stand-in ssh, with real serving agents."""

    def setUp(self):
        super().setUp()
        fake_ssh = self.write('ssh', FAKE_SSH)
        os.chmod(fake_ssh, 0o755)
        self.starts = os.path.join(self.tmp, 'starts')
        os.mkdir(os.path.join(self.tmp, 'agent dir'))
        agent = self.write('agent dir/agent', AGENT % {
            'starts': self.starts, 'python': sys.executable})
        os.chmod(agent, 0o755)
        self.session = sshsession.Session(
            dict(test_sshsession.TUNING, max_sessions=3),
            ssh_binary=fake_ssh, parent=self.tmp)
        self.addCleanup(self.session.close)
        self.session.add('hv1', None, {'agent_command': agent})
        self.agent = ssh.SSHAgent(self.session, 'hv1')
        self.addCleanup(self.agent.close)

    def started(self):
        if not os.path.exists(self.starts):
            return 0
        with open(self.starts) as f:
            return len(f.read().split())

    def unreachable(self):
        return self.agent.call(access.unreachable, path=self.tmp,
                               user=os.geteuid(), group=None)

    def test_one_agent_serves_calls_in_turn(self):
        for _ in range(5):
            self.assertIsNone(self.unreachable())
        self.assertEqual(1, self.started())

    def test_calls_at_once_use_at_most_max_sessions_agents(self):
        errors = []

        def call():
            try:
                for _ in range(3):
                    self.unreachable()
            except Exception as exc:  # noqa - reported below
                errors.append(exc)

        threads = [threading.Thread(target=call) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual([], errors)
        self.assertLessEqual(self.started(), 3)

    def test_errors_keep_their_type(self):
        error = self.assertRaises(
            exception.TenksError, self.agent.call, access.unreachable,
            path=self.tmp, user='no-such-user-here', group=None)
        self.assertIsInstance(error, exception.TenksError)
        self.assertIn("KeyError", str(error))
        self.assertIn('hv1', str(error))
        # The agent is still good.
        self.assertIsNone(self.unreachable())
        self.assertEqual(1, self.started())

    def test_one_shot_commands_still_quote_their_arguments(self):
        _rc, out, _err = self.agent.run(['printf', '%s|', 'a b', "c'd"])
        self.assertEqual("a b|c'd|", out)

    def test_an_agent_of_another_version_is_refused(self):
        other = self.write('other', '#!/bin/sh\necho \'{"tenks": "0.1"}\'\n'
                                    'cat >/dev/null\n')
        os.chmod(other, 0o755)
        self.session.add('hv2', None, {'agent_command': other})
        agent = ssh.SSHAgent(self.session, 'hv2')
        self.addCleanup(agent.close)
        error = self.assertRaises(exception.TenksError, agent.call,
                                  access.unreachable, path='/', user=0,
                                  group=None)
        self.assertIn('host hv2: tenks-host-agent is tenks 0.1', str(error))

    def test_a_missing_agent_is_a_command_error(self):
        self.session.add('hv3', None, {'agent_command': '/nonexistent/a'})
        agent = ssh.SSHAgent(self.session, 'hv3')
        error = self.assertRaises(host_base.CommandError, agent.call,
                                  access.unreachable, path='/', user=0,
                                  group=None)
        self.assertEqual(127, error.returncode)

    def test_the_host_check_hands_its_agent_to_the_run(self):
        verdicts = preflight.require(self.session, ['hv1'],
                                     agents=lambda host: self.agent)
        self.assertTrue(verdicts[0].ok, verdicts[0])
        self.assertIsNone(self.unreachable())
        self.assertEqual(1, self.started())

    def test_the_host_check_reads_why_an_agent_did_not_start(self):
        self.session.add('hv3', None, {'agent_command': '/nonexistent/a'})
        agent = ssh.SSHAgent(self.session, 'hv3')
        verdict = preflight.check(self.session, 'hv3',
                                  version.release_string(), agent=agent)
        self.assertIn('/nonexistent/a not found', verdict.cause)
