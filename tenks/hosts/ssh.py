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

"""Running work on a remote hypervisor host over SSH.

Commands are quoted with :func:`shlex.join` for the remote shell, so an
argument list stays an argument list. Host-side functions run through the
host's ``tenks-host-agent`` (its ``agent_command``), with JSON on standard
input and output.

Every call goes through the run's :class:`tenks.hosts.sshsession.Session`
(``ssh -F FILE HOST``): the host's identity, timeouts and master
connection. At most ``[ssh] max_sessions`` calls run at once per host, so
that the host's sshd never refuses a session on the master.
"""

import json
import shlex
import subprocess
import threading

from tenks.hosts import base
from tenks.hosts import calls


class SSHAgent(base.HostAgent):
    """Runs work on ``host`` over SSH.

    :param session: the run's :class:`tenks.hosts.sshsession.Session`.
    :param host: the SSH destination, as the spec and state record it.
    """

    def __init__(self, session, host):
        self.session = session
        self.destination = host
        self._slots = threading.BoundedSemaphore(
            session.tuning.get('max_sessions') or 8)

    @property
    def name(self):
        return self.destination

    def _ssh(self, remote_argv, input=None, timeout=120):
        argv = self.session.argv(self.destination) + [
            '--', shlex.join(remote_argv)]
        try:
            with self._slots:
                return self.session.runner(argv, input=input,
                                           timeout=timeout)
        except subprocess.TimeoutExpired:
            raise base.CommandError(remote_argv, -1, '', 'timed out on %s'
                                    % self.destination)

    def run(self, argv, input=None, check=True, env=None, timeout=120):
        remote = list(argv)
        if env:
            remote = ['env'] + ['%s=%s' % kv for kv in env.items()] + remote
        proc = self._ssh(remote, input=input, timeout=timeout)
        if check and proc.returncode != 0:
            raise base.CommandError(argv, proc.returncode, proc.stdout,
                                    proc.stderr)
        return proc.returncode, proc.stdout, proc.stderr

    def call(self, function, **kwargs):
        name = calls.name_of(function)
        request = json.dumps({'function': name, 'kwargs': kwargs})
        command = self.session.identity(self.destination).agent_command
        proc = self._ssh([command], input=request)
        try:
            reply = json.loads(proc.stdout or '')
        except ValueError:
            reply = None
        if not isinstance(reply, dict):
            raise base.CommandError([command, name], proc.returncode,
                                    proc.stdout, proc.stderr)
        if 'error' in reply:
            calls.raise_error(reply, self.destination)
        return reply.get('result')
