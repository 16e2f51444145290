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

"""Whether every remote host can be worked on, before anything changes.

One SSH call per host says whether the host answers, takes the key, is
known, has ``tenks-host-agent`` and runs this tenks' version: the start of
the host's serving agent (its greeting names its version), which the run
then keeps for its calls (:mod:`tenks.hosts.channel`), or, without an
agent to give it to, ``AGENT --version``. Hosts are asked at once, so a
host that does not answer costs one connect timeout, however many there
are; the call also opens the host's master connection that the run then
shares. ``tenks host setup``,
``deploy``, ``validate`` and ``teardown`` stop on the verdicts, with one
line per host naming it and the cause.
"""

import concurrent.futures
import dataclasses
import re
import subprocess
import types
import typing

from tenks import exception
from tenks.hosts import channel as channel_mod

#: Seconds a check, or a serving agent's greeting, may take beyond the
#: host's connect timeout (login, and the agent's Python starting).
GRACE = 20
#: Hosts asked at once, at most.
MAX_AT_ONCE = 32

#: ssh's own failures (exit status 255): (pattern, cause, advice).
_SSH_FAILURES = (
    (r'REMOTE HOST IDENTIFICATION HAS CHANGED', 'host key changed',
     'the host presents another key than its known_hosts entry: check the '
     'host, then update the entry'),
    (r'Host key verification failed|host key is known|'
     r'No \S+ host key is known', 'host key unknown',
     'add the host\'s key to a known_hosts file (ssh-keyscan%(port)s '
     '%(hostname)s >> FILE) and set ssh.known_hosts_file'),
    (r'Permission denied|Too many authentication failures|'
     r'no such identity|Load key', 'key refused',
     'check ssh.identity_file and ssh.user, and the host\'s '
     'authorized_keys'),
    (r'[Tt]imed out|Connection timeout', 'timeout',
     'the host did not answer within %(timeout)d s (ssh.connect_timeout)'),
    (r'Connection refused|No route to host|Network is unreachable|'
     r'Could not resolve hostname|Name or service not known|'
     r'Connection reset|Connection closed', 'unreachable', None),
)


@dataclasses.dataclass(frozen=True)
class Verdict(object):
    """What the check of one host found.

    :ivar host: the host (its SSH destination).
    :ivar cause: why it cannot be worked on (one line), or None.
    :ivar version: the version its agent reported.
    :ivar reached: the host answered over SSH and took the key (the
        cause, if any, is about its agent).
    """
    host: str
    cause: typing.Optional[str] = None
    version: typing.Optional[str] = None
    reached: bool = True

    @property
    def ok(self):
        return self.cause is None

    def __str__(self):
        return 'host %s: %s' % (self.host, self.cause or 'ready (tenks '
                                '%s)' % self.version)


def _detail(text):
    """The line of ``text`` worth showing (ssh's last word)."""
    lines = [line.strip() for line in (text or '').splitlines()
             if line.strip() and not line.startswith('Warning: ')]
    return lines[-1] if lines else ''


def _ssh_failure(identity, stderr):
    values = {'hostname': identity.hostname, 'timeout':
              identity.connect_timeout,
              'port': (' -p %d' % identity.port) if identity.port else ''}
    detail = _detail(stderr) or 'ssh failed'
    for pattern, cause, advice in _SSH_FAILURES:
        if re.search(pattern, stderr or ''):
            text = '%s (%s)' % (cause, detail)
            return '%s; %s' % (text, advice % values) if advice else text
    return 'unreachable (%s)' % detail


def _install_advice(version):
    return ('tenks host setup --spec SPEC installs tenks %s there (see '
            'the multi-host guide)' % version)


def verdict(identity, proc, version):
    """The :class:`Verdict` of a finished ``AGENT --version`` over SSH.

    :param identity: the host's :class:`~tenks.hosts.sshconfig.Identity`.
    :param proc: the finished ssh (``returncode``, ``stdout``, ``stderr``).
    :param version: this tenks' version.
    """
    host, agent = identity.host, identity.agent_command
    if proc.returncode == 255:
        return Verdict(host, _ssh_failure(identity, proc.stderr),
                       reached=False)
    if proc.returncode in (126, 127):
        return Verdict(host, '%s not found (%s); %s' % (
            agent, _detail(proc.stderr) or 'exit %d' % proc.returncode,
            _install_advice(version)))
    found = (proc.stdout or '').strip()
    if proc.returncode != 0 or not found or len(found.split()) != 1:
        return Verdict(host, '%s --version did not give a version (exit '
                             '%d%s): it is older than this tenks; %s' % (
                                 agent, proc.returncode,
                                 (': %s' % _detail(proc.stderr or found))
                                 if (proc.stderr or found) else '',
                                 _install_advice(version)))
    if found != version:
        return Verdict(host, 'tenks-host-agent is tenks %s, this is tenks '
                             '%s; %s' % (found, version,
                                         _install_advice(version)),
                       version=found)
    return Verdict(host, version=found)


def greeted(identity, channel, version):
    """The :class:`Verdict` of a serving agent's greeting."""
    found = channel.greeting.get('tenks')
    return verdict(identity, types.SimpleNamespace(
        returncode=0, stdout=found if isinstance(found, str) else '',
        stderr=''), version)


def _greet(identity, agent, version):
    """The :class:`Verdict` of starting ``agent``'s serving agent.

    A host found ready keeps the agent for the run's calls.
    """
    try:
        channel = agent.open_channel()
    except channel_mod.ChannelError as exc:
        if exc.returncode == -1:
            return Verdict(identity.host, 'timeout (%s)' % exc,
                           reached=False)
        proc = types.SimpleNamespace(
            returncode=1 if exc.returncode is None else exc.returncode,
            stdout=exc.stdout, stderr=exc.stderr)
        return verdict(identity, proc, version)
    except OSError as exc:
        return Verdict(identity.host, 'cannot run ssh: %s' % exc,
                       reached=False)
    result = greeted(identity, channel, version)
    if result.ok:
        agent.adopt(channel)
    else:
        channel.close()
    return result


def check(session, host, version, runner=None, agent=None):
    """Check one host: its :class:`Verdict`.

    :param session: the run's :class:`tenks.hosts.sshsession.Session`.
    :param runner: runs the ssh command (the session's by default).
    :param agent: the host's :class:`tenks.hosts.ssh.SSHAgent`: start its
        serving agent instead of asking ``AGENT --version``.
    """
    identity = session.identity(host)
    if agent is not None:
        return _greet(identity, agent, version)
    argv = session.command(host, [identity.agent_command, '--version'])
    limit = identity.connect_timeout + GRACE
    runner = runner or session.runner
    try:
        proc = runner(argv, timeout=limit)
    except subprocess.TimeoutExpired:
        return Verdict(host, 'timeout (no answer within %d s)' % limit,
                       reached=False)
    except OSError as exc:
        return Verdict(host, 'cannot run ssh: %s' % exc, reached=False)
    return verdict(identity, proc, version)


def check_all(session, hosts, version=None, runner=None, agents=None):
    """Check ``hosts`` at once: their verdicts, in the order given.

    :param agents: the run's agent of a host (``agents(host)``), to keep
        each ready host's serving agent (see :func:`check`).
    """
    hosts = list(dict.fromkeys(h for h in hosts if h))
    if not hosts:
        return []
    if version is None:
        from tenks import version as version_mod
        version = version_mod.release_string()
    with concurrent.futures.ThreadPoolExecutor(
            min(len(hosts), MAX_AT_ONCE)) as pool:
        return list(pool.map(
            lambda host: check(session, host, version, runner,
                               agents(host) if agents else None), hosts))


def require(session, hosts, version=None, runner=None, agents=None):
    """Check ``hosts``; raise unless every one can be worked on.

    :raises HostsNotReady: one line per host that cannot.
    :returns: the verdicts.
    """
    verdicts = check_all(session, hosts, version, runner, agents)
    failed = [v for v in verdicts if not v.ok]
    if failed:
        raise exception.HostsNotReady(failed, len(verdicts))
    return verdicts
