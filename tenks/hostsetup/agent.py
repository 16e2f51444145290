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

"""``tenks-host-agent`` on a remote host: this tenks' version, installed.

Where it goes follows the host's ``agent_command``: ``VENV/bin/
tenks-host-agent`` names the virtualenv; the bare name
``tenks-host-agent`` means ``[ssh] agent_venv``, linked into
:data:`LINK_DIR` so the host's PATH finds it.

:func:`plan` decides for one host before anything changes anywhere: the
agent is there at this version (``ok``), can be installed (``install``),
or cannot (``refused``: a virtualenv or a command tenks did not make is
in the way, or the host's Python cannot run this controller's compiled
wheels). tenks only ever replaces a virtualenv it made (it holds
:data:`MARKER`), and a link that points into it.

:func:`install` makes the virtualenv with the host's Python, ships the
wheels of :mod:`tenks.hostsetup.wheelhouse` over the host's SSH master
connection (``tar``) into a temporary directory there, installs tenks
from them with no package index, and checks the version the new agent
reports.
"""

import dataclasses
import platform
import posixpath
import subprocess
import sys
import typing

from tenks.hostsetup import steps

STEP = 'host agent'
AGENT = 'tenks-host-agent'
#: Where the agent of a bare ``agent_command`` is linked.
LINK_DIR = '/usr/local/bin'
#: The file that marks a virtualenv as made by tenks host setup.
MARKER = '.tenks-host-setup'
PIP_TIMEOUT = 900
SHIP_TIMEOUT = 600

#: Asks a host, in one call, what is in the way of an agent.
_PROBE = r'''
venv=$1 link=$2 python=$3
if [ -e "$venv" ]; then echo venv=yes; fi
if [ -e "$venv/%(marker)s" ]; then echo marker=yes; fi
if [ -n "$link" ]; then
    if [ -L "$link" ]; then echo "link=$(readlink "$link")"
    elif [ -e "$link" ]; then echo link=file; fi
    echo "found=$(command -v %(agent)s)"
fi
"$python" -c 'import platform, sys
print("python=cp%%d%%d %%s" %% (sys.version_info[0], sys.version_info[1],
                             platform.machine()))' 2>/dev/null
exit 0
''' % {'marker': MARKER, 'agent': AGENT}


@dataclasses.dataclass(frozen=True)
class Target(object):
    """Where a host's agent goes.

    :ivar venv: its virtualenv.
    :ivar link: the link made to it on the PATH, or None.
    """
    venv: str
    link: typing.Optional[str] = None

    @property
    def command(self):
        return posixpath.join(self.venv, 'bin', AGENT)


def here():
    """This Python's ``(tag, machine)``, as :data:`_PROBE` says a host's."""
    return ('cp%d%d' % sys.version_info[:2], platform.machine())


def target(agent_command, default_venv):
    """The :class:`Target` of an ``agent_command``, or None.

    None: the command is neither the bare name nor a virtualenv's
    ``bin/tenks-host-agent``; tenks cannot tell where to install it.
    """
    if agent_command == AGENT:
        return Target(default_venv.rstrip('/') or '/',
                      posixpath.join(LINK_DIR, AGENT))
    path = posixpath.normpath(agent_command)
    head, name = posixpath.split(path)
    if (posixpath.isabs(path) and name == AGENT and
            posixpath.basename(head) == 'bin' and
            posixpath.dirname(head) != '/'):
        return Target(posixpath.dirname(head))
    return None


@dataclasses.dataclass(frozen=True)
class Plan(object):
    """What :func:`install` will do on one host.

    :ivar host: the host.
    :ivar action: ``ok``, ``install`` or ``refused``.
    :ivar detail: why (one line).
    :ivar target: the :class:`Target` (``install``).
    :ivar replace: the virtualenv is tenks' own and is made again.
    :ivar command: the host's ``agent_command``.
    """
    host: str
    action: str
    detail: str
    target: typing.Optional[Target] = None
    replace: bool = False
    command: str = AGENT

    def __str__(self):
        return 'host %s: %s' % (self.host, self.detail)


def _probe(agent, target, python):
    rc, out, err = agent.run(['sh', '-c', _PROBE, 'probe', target.venv,
                              target.link or '', python], check=False)
    found = {}
    for line in out.splitlines():
        key, sep, value = line.partition('=')
        if sep:
            found[key] = value.strip()
    return found


def plan(agent, verdict, agent_command, default_venv, python, version,
         compiled=(), here=None):
    """Decide what to do about one host's agent; changes nothing.

    :param agent: the host's :class:`tenks.hosts.base.HostAgent`.
    :param verdict: its :class:`tenks.hosts.preflight.Verdict` (the host
        answered).
    :param agent_command: its ``agent_command``.
    :param default_venv: ``[ssh] agent_venv``.
    :param python: ``[ssh] agent_python``.
    :param version: this tenks' version.
    :param compiled: names of the wheels built for this platform.
    :param here: this Python's ``(tag, machine)``, e.g. ``('cp311',
        'x86_64')``.
    """
    host = verdict.host
    if verdict.ok:
        return Plan(host, 'ok', 'tenks %s' % verdict.version)
    where = target(agent_command, default_venv)
    if where is None:
        return Plan(host, 'refused', '%s; tenks cannot install an '
                    'agent_command that is not %s or VENV/bin/%s'
                    % (verdict.cause, AGENT, AGENT))
    found = _probe(agent, where, python)
    mine = found.get('marker') == 'yes'
    if found.get('venv') == 'yes' and not mine:
        return Plan(host, 'refused', '%s; %s exists and tenks host setup '
                    'did not make it: remove it, or set agent_command to '
                    'another VENV/bin/%s' % (verdict.cause, where.venv,
                                             AGENT))
    if where.link:
        link = found.get('link')
        if link is not None and link != where.command:
            return Plan(host, 'refused', '%s; %s exists and is not a link '
                        'to %s: remove it, or set agent_command to %s'
                        % (verdict.cause, where.link, where.command,
                           where.command))
        on_path = found.get('found')
        if on_path and on_path != where.link:
            return Plan(host, 'refused', '%s; %s is found first on the '
                        'PATH, before %s: remove it, or set agent_command '
                        'to %s' % (verdict.cause, on_path, where.link,
                                   where.command))
    there = found.get('python', '').split()
    if compiled and there and here and tuple(there) != tuple(here):
        return Plan(host, 'refused', '%s; its %s is %s on %s, this tenks '
                    'runs %s on %s, and %s are built for this one: install '
                    'tenks %s there yourself' % (
                        verdict.cause, python, there[0], there[-1], here[0],
                        here[1], ', '.join(compiled), version))
    return Plan(host, 'install', 'install tenks %s into %s (%s)' % (
        version, where.venv, verdict.cause), target=where, replace=mine,
        command=agent_command)


def _commands(plan, python, version, wheels):
    where = plan.target
    commands = []
    if plan.replace:
        commands.append(['rm', '-rf', '--one-file-system', where.venv])
    commands += [
        ['mkdir', '-p', posixpath.dirname(where.venv)],
        ['mkdir', where.venv],
        ['touch', posixpath.join(where.venv, MARKER)],
        [python, '-m', 'venv', where.venv],
        [posixpath.join(where.venv, 'bin', 'python'), '-m', 'pip',
         'install', '--quiet', '--no-index', '--no-cache-dir',
         '--find-links', wheels, 'tenks==%s' % version]]
    if where.link:
        commands.append(['ln', '-sfn', where.command, where.link])
    return commands


def ship(agent, local_dir, timeout=SHIP_TIMEOUT):
    """Copy ``local_dir``'s files to a new temporary directory on a host.

    :param agent: the host's :class:`~tenks.hosts.ssh.SSHAgent`.
    :returns: the directory there.
    """
    _rc, out, _err = agent.run(['mktemp', '-d', '/tmp/tenks-wheels.XXXXXX'])
    remote = out.strip()
    tar = subprocess.Popen(['tar', '-C', local_dir, '-cf', '-', '.'],
                           stdout=subprocess.PIPE)
    try:
        argv = agent.session.command(agent.destination,
                                     ['tar', '-C', remote, '-xf', '-'])
        proc = subprocess.run(argv, stdin=tar.stdout, capture_output=True,
                              timeout=timeout)
    finally:
        tar.stdout.close()
        tar.wait()
    if proc.returncode != 0 or tar.returncode != 0:
        agent.run(['rm', '-rf', remote], check=False)
        raise steps.StepFailed(STEP, 'copying the wheels to %s failed: %s'
                               % (remote, proc.stderr.decode(
                                   'utf-8', 'replace').strip() or
                                   'tar exited %d' % tar.returncode))
    return remote


def install(runner, agent, plan, python, version, wheels):
    """Carry out ``plan`` (an ``install``) on the host.

    :param runner: the host's :class:`tenks.hostsetup.steps.Runner`.
    :param wheels: callable giving the local wheel directory (made on
        first use, shared by the hosts).
    :returns: the :class:`~tenks.hostsetup.steps.StepResult`.
    :raises StepFailed: a command failed, or the agent installed does
        not report ``version``.
    """
    if plan.action == 'ok':
        return steps.StepResult(STEP, steps.OK, plan.detail)
    if runner.dry_run:
        return runner.change(STEP, _commands(plan, python, version,
                                             '<wheels shipped from this '
                                             'controller>'))
    remote = ship(agent, wheels())
    try:
        runner.change(STEP, _commands(plan, python, version, remote),
                      timeout=PIP_TIMEOUT)
    finally:
        agent.run(['rm', '-rf', remote], check=False)
    rc, out, err = agent.run([plan.command, '--version'], check=False)
    if rc != 0 or out.strip() != version:
        raise steps.StepFailed(STEP, 'the agent installed in %s reports %r, '
                               'not tenks %s' % (plan.target.venv,
                                                 (out or err).strip(),
                                                 version))
    return steps.StepResult(STEP, steps.DONE, 'tenks %s in %s' % (
        version, plan.target.venv))
