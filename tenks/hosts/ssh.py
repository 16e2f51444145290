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
argument list stays an argument list. Host-side functions run in the
host's ``tenks-host-agent --serve`` (its ``agent_command``): a process
that serves the run's calls one after another over one SSH channel
(:mod:`tenks.hosts.channel`), so a call costs a round trip, not a
connection and a Python start-up on the host.

Every command goes through the run's :class:`tenks.hosts.sshsession.Session`
(``ssh -F FILE HOST``): the host's identity, timeouts and master
connection. At most ``[ssh] max_sessions`` sessions are open at once per
host (serving agents and one-shot commands), so that the host's sshd never
refuses a session on the master.
"""

import subprocess

from tenks import exception
from tenks.hosts import base
from tenks.hosts import calls
from tenks.hosts import channel as channel_mod
from tenks.hosts import preflight

#: Seconds a host-side function may take.
CALL_TIMEOUT = 120


class SSHAgent(base.HostAgent):
    """Runs work on ``host`` over SSH.

    :param session: the run's :class:`tenks.hosts.sshsession.Session`.
    :param host: the SSH destination, as the spec and state record it.
    """

    def __init__(self, session, host):
        self.session = session
        self.destination = host
        self._pool = channel_mod.Pool(
            self._open, session.tuning.get('max_sessions') or 8)

    @property
    def name(self):
        return self.destination

    def _ssh(self, remote_argv, input=None, timeout=120):
        argv = self.session.command(self.destination, remote_argv)
        try:
            with self._pool.slot():
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

    # -- the serving agent ------------------------------------------------

    @property
    def _agent_argv(self):
        return [self.session.identity(self.destination).agent_command,
                '--serve']

    def open_channel(self):
        """Start a serving agent on the host: its :class:`Channel`.

        :raises ChannelError: it ended or did not greet in time (the
            host check reads why from its exit status and standard error).
        """
        identity = self.session.identity(self.destination)
        return channel_mod.Channel(
            self.session.command(self.destination, self._agent_argv),
            identity.connect_timeout + preflight.GRACE)

    def _open(self):
        try:
            channel = self.open_channel()
        except channel_mod.ChannelError as exc:
            raise base.CommandError(self._agent_argv, exc.returncode,
                                    exc.stdout, exc.stderr)
        from tenks import version
        found = preflight.greeted(self.session.identity(self.destination),
                                  channel, version.release_string())
        if not found.ok:
            channel.close()
            raise exception.TenksError(str(found))
        return channel

    def adopt(self, channel):
        """Serve later calls with ``channel`` (a host check opened it)."""
        self._pool.add(channel)

    def call(self, function, **kwargs):
        name = calls.name_of(function)
        channel = self._pool.acquire()
        broken = True
        try:
            reply = channel.request({'function': name, 'kwargs': kwargs},
                                    CALL_TIMEOUT)
            broken = False
        except channel_mod.ChannelError as exc:
            if exc.returncode == -1:
                raise base.CommandError(self._agent_argv + [name], -1, '',
                                        'timed out on %s' %
                                        self.destination)
            raise base.CommandError(self._agent_argv + [name],
                                    exc.returncode, exc.stdout, exc.stderr)
        finally:
            self._pool.release(channel, broken=broken)
        if 'error' in reply:
            calls.raise_error(reply, self.destination)
        return reply.get('result')

    def close(self, wait=True):
        self._pool.close(wait)
