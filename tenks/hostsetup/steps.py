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

"""The steps of host setup: each checks first and acts only when needed.

Every step returns a :class:`StepResult`: ``ok`` when nothing had to be
done, ``done`` when it changed the host, ``would run`` in a dry run (the
detail lists the commands). A step that fails raises
:class:`StepFailed` (reported as ``failed``); later steps depend on it
and do not run.
"""

import dataclasses
import shlex
import time

from tenks import exception
from tenks.hosts import base as hosts_base
from tenks.hostsetup import platform as platform_mod

OK = 'ok'
DONE = 'done'
WOULD_RUN = 'would run'
FAILED = 'failed'

KVM_DEVICE = '/dev/kvm'
KVM_GROUP = 'kvm'
KVM_MODE = '660'
INSTALL_TIMEOUT = 1800
WAIT_SECONDS = 30


@dataclasses.dataclass(frozen=True)
class StepResult(object):
    step: str
    status: str
    detail: str = ''


class StepFailed(exception.TenksError):
    """A host setup step failed."""

    def __init__(self, step, error):
        self.step = step
        self.error = error
        super().__init__('%s: %s' % (step, error))


class Runner(object):
    """Runs a host's commands: checks always, changes unless dry.

    :param agent: the host's :class:`tenks.hosts.base.HostAgent`.
    :param root: whether commands run as root there; if not, changes and
        libvirt checks run through ``sudo -n``.
    :param dry_run: list changes instead of making them.
    :param sleep: callable used to wait (tests pass a fake).
    """

    def __init__(self, agent, root=True, dry_run=False, sleep=time.sleep):
        self.agent = agent
        self.prefix = [] if root else ['sudo', '-n']
        self.dry_run = dry_run
        self.sleep = sleep

    def check(self, argv, privileged=False):
        """Run a read-only command; returns ``(rc, stdout)``."""
        argv = (self.prefix if privileged else []) + list(argv)
        rc, out, _err = self.agent.run(argv, check=False)
        return rc, out

    def succeeds(self, argv, privileged=False):
        return self.check(argv, privileged)[0] == 0

    def change(self, step, commands, env=None, timeout=120):
        """Run ``commands`` (argument lists) in order.

        In a dry run, only list them.

        :returns: the :class:`StepResult` of ``step``.
        """
        shown = '; '.join(shlex.join(c) for c in commands)
        if self.dry_run:
            return StepResult(step, WOULD_RUN, shown)
        for argv in commands:
            try:
                self.agent.run(self.prefix + list(argv), env=env,
                               timeout=timeout)
            except hosts_base.CommandError as exc:
                raise StepFailed(step, exc)
        return StepResult(step, DONE, shown)


def missing_packages(runner, platform, wanted):
    """The packages of ``wanted`` not installed on the host."""
    if platform.name == 'apt':
        _rc, out = runner.check(['dpkg-query', '-W', '-f',
                                 '${Package} ${db:Status-Abbrev}\n'] +
                                list(wanted))
        installed = set()
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[1].startswith('ii'):
                installed.add(parts[0].split(':')[0])
        return [p for p in wanted if p not in installed]
    missing = []
    for package in wanted:
        if not runner.succeeds(['rpm', '-q', '--quiet', package]):
            missing.append(package)
    return missing


def install_commands(platform, packages):
    """Commands that install ``packages`` with ``platform``'s manager."""
    if platform.name == 'apt':
        return [['apt-get', 'update'],
                ['apt-get', 'install', '-y', '--no-install-recommends'] +
                list(packages)]
    return [['dnf', 'install', '-y'] + list(packages)]


def packages_step(runner, platform, wanted):
    step = 'packages'
    missing = missing_packages(runner, platform, wanted)
    if not missing:
        return StepResult(step, OK, 'installed: %s' % ', '.join(wanted))
    env = ({'DEBIAN_FRONTEND': 'noninteractive'}
           if platform.name == 'apt' else None)
    result = runner.change(step, install_commands(platform, missing),
                           env=env, timeout=INSTALL_TIMEOUT)
    if result.status == DONE:
        still = missing_packages(runner, platform, missing)
        if still:
            raise StepFailed(step, 'still not installed: %s'
                             % ', '.join(still))
    return result


def kvm_step(runner):
    """Give /dev/kvm the owner group and mode udev gives it.

    Without udev (containers, CI) it is root:root 0600, and libvirtd then
    re-probes QEMU on every call: a define takes about a minute.
    """
    step = 'kvm device'
    rc, out = runner.check(['stat', '-c', '%G %a', KVM_DEVICE])
    if rc != 0:
        return StepResult(step, OK, '%s does not exist (no hardware '
                          'acceleration; nodes use TCG)' % KVM_DEVICE)
    group, _sep, mode = out.strip().partition(' ')
    if group == KVM_GROUP and mode == KVM_MODE:
        return StepResult(step, OK, '%s is %s:%s' % (KVM_DEVICE, group,
                                                     mode))
    commands = []
    if not runner.succeeds(['getent', 'group', KVM_GROUP]):
        commands.append(['groupadd', '--system', KVM_GROUP])
    commands += [['chgrp', KVM_GROUP, KVM_DEVICE],
                 ['chmod', '0' + KVM_MODE, KVM_DEVICE]]
    return runner.change(step, commands)


def _running(runner, daemon, platform, systemd):
    if systemd:
        return runner.succeeds(['systemctl', 'is-active', '--quiet',
                                platform.units[daemon.name]])
    return runner.succeeds(daemon.check, privileged=daemon.check_as_root)


def daemon_step(runner, daemon, platform, systemd):
    """Start ``daemon`` unless it runs; never restart one that does.

    :param daemon: a :class:`~tenks.hostsetup.platform.Daemon`.
    """
    step = daemon.name
    if _running(runner, daemon, platform, systemd):
        return StepResult(step, OK, 'running')
    if systemd:
        commands = [['systemctl', 'enable', '--now',
                     platform.units[daemon.name]]]
    else:
        commands = [list(daemon.start)]
    result = runner.change(step, commands)
    if result.status == DONE:
        _wait(runner, step, lambda: _running(runner, daemon, platform,
                                             systemd),
              '%s did not start' % daemon.name)
    return result


def _wait(runner, step, check, message):
    for _ in range(WAIT_SECONDS * 2):
        if check():
            return
        runner.sleep(0.5)
    raise StepFailed(step, '%s within %ds' % (message, WAIT_SECONDS))


def libvirt_step(runner, uri=platform_mod.SYSTEM_URI, started=False):
    """Check that libvirt answers at ``uri`` on the host.

    :param started: libvirtd was just started: wait for it to answer.
    """
    step = 'libvirt'
    argv = ['virsh', '-c', uri, 'version']

    def answers():
        return runner.succeeds(argv, privileged=True)

    if answers():
        return StepResult(step, OK, 'answers at %s' % uri)
    if runner.dry_run:
        return StepResult(step, WOULD_RUN, 'check that libvirt answers at '
                          '%s' % uri)
    if started:
        _wait(runner, step, answers, 'libvirt does not answer at %s' % uri)
        return StepResult(step, OK, 'answers at %s' % uri)
    raise StepFailed(step, 'libvirt does not answer at %s' % uri)
