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

"""systemd units for the daemons tenks runs (host side).

Where systemd runs the host (``/run/systemd/system`` exists, as
``sd_booted()`` checks), each daemon tenks runs gets a unit in
``/etc/systemd/system``, enabled, so that it comes back after a reboot
and after a crash. Its ``ExecStart`` is the very command line tenks
spawns the daemon with elsewhere, so tenks finds it again the same way.

A unit belongs to one daemon, which is known by its configuration file:
it is named after the daemon's run directory (``tenks-vbmc-<hash>``,
``tenks-sushy-<hypervisor>-<hash>``, the hash being that of the directory
holding it, so the units of one tenks installation share it), and its
first line is tenks' mark naming that file. A unit file of that name
without that line is not tenks': it is never replaced or removed.

``TENKS_TEST_SYSTEMD_ROOT`` (tests only) puts both paths below another
directory; ``systemctl`` is whichever one ``PATH`` finds.
"""

import dataclasses
import hashlib
import os
import re
import subprocess

from tenks import exception
from tenks import fileio

ROOT_ENV = 'TENKS_TEST_SYSTEMD_ROOT'
#: Exists when systemd is the host's init (see sd_booted(3)).
BOOTED_DIR = 'run/systemd/system'
UNIT_DIR = 'etc/systemd/system'
TARGET = 'multi-user.target'
MARK = '# tenks-daemon-config: '
SYSTEMCTL_TIMEOUT = 180
_NAME_UNSAFE = re.compile(r'[^A-Za-z0-9_.-]')

TEMPLATE = '''\
%(mark)s%(config)s
# Written by tenks for the daemon started with that file: tenks replaces
# this unit when it changes and removes it with the daemon. Do not edit.
[Unit]
Description=%(description)s
Wants=network-online.target
After=network-online.target libvirtd.service virtqemud.service
ConditionPathExists=%(config_path)s
StartLimitIntervalSec=0

[Service]
Type=simple
ExecStart=%(exec_start)s
WorkingDirectory=/
UMask=0077
StandardInput=null
StandardOutput=append:%(log_file)s
StandardError=inherit
Restart=on-failure
RestartSec=5

[Install]
WantedBy=%(target)s
'''


class UnitError(exception.TenksError):
    """systemctl failed."""


def _root():
    return os.environ.get(ROOT_ENV) or '/'


def booted():
    """Whether systemd runs this host."""
    return os.path.isdir(os.path.join(_root(), BOOTED_DIR))


def unit_dir():
    return os.path.join(_root(), UNIT_DIR)


def unit_name(run_dir):
    """The unit name of the daemon whose files are in ``run_dir``."""
    run_dir = os.path.abspath(run_dir)
    label = _NAME_UNSAFE.sub('_', os.path.basename(run_dir)) or 'daemon'
    digest = hashlib.sha256(
        os.path.dirname(run_dir).encode()).hexdigest()[:8]
    return 'tenks-%s-%s.service' % (label, digest)


def _plain(value):
    """``value`` for a unit setting: specifiers escaped, one line."""
    value = str(value)
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError('%r cannot go into a systemd unit' % value)
    return value.replace('%', '%%')


def quote(arg):
    """One ``ExecStart`` argument, as systemd parses it back."""
    value = _plain(arg).replace('\\', '\\\\').replace('"', '\\"')
    value = value.replace('$', '$$')
    if not value or value == ';' or re.search(r'[\s\'"\\]', value):
        value = '"%s"' % value
    return value


@dataclasses.dataclass(frozen=True)
class Unit(object):
    """The unit of one daemon.

    :ivar run_dir: the daemon's run directory (gives the name).
    :ivar config: its configuration file (its identity; the unit starts
        only while it exists).
    :ivar argv: its command line (an absolute executable first).
    :ivar log_file: where its output is appended.
    :ivar description: what it is, for ``systemctl status``.
    """
    run_dir: str
    config: str
    argv: tuple
    log_file: str
    description: str

    @property
    def name(self):
        return unit_name(self.run_dir)

    @property
    def path(self):
        return os.path.join(unit_dir(), self.name)

    @property
    def wants_link(self):
        return os.path.join(unit_dir(), '%s.wants' % TARGET, self.name)

    @property
    def mark(self):
        return MARK + _plain(self.config)

    def text(self):
        if not self.argv or not os.path.isabs(self.argv[0]):
            raise ValueError('a unit needs an absolute executable, not %r'
                             % (self.argv[:1],))
        return TEMPLATE % {
            'mark': MARK, 'config': _plain(self.config),
            'description': _plain(self.description),
            'config_path': _plain(self.config),
            'exec_start': ' '.join(quote(a) for a in self.argv),
            'log_file': _plain(self.log_file), 'target': TARGET}


def for_daemon(run_dir, config, argv, log_file, description):
    """The :class:`Unit` of a daemon, or None where systemd does not run."""
    if not booted():
        return None
    return Unit(run_dir, config, tuple(argv), log_file, description)


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return None


def _ours(unit, text):
    return text is not None and text.split('\n', 1)[0] == unit.mark


def systemctl(*args):
    """Run ``systemctl ARGS``.

    :raises UnitError: it failed.
    """
    argv = ['systemctl'] + list(args)
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True,
                              timeout=SYSTEMCTL_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UnitError('%s: %s' % (' '.join(argv), exc))
    if done.returncode:
        raise UnitError('%s failed (exit status %d): %s' % (
            ' '.join(argv), done.returncode,
            (done.stderr or done.stdout).strip()))


def problem(unit):
    """Why ``unit`` would not start its daemon at boot, or None."""
    text = _read(unit.path)
    if text is None:
        return ('its systemd unit %s is not installed, so it would not '
                'start again after a reboot' % unit.name)
    if not _ours(unit, text):
        return ('%s was not written by tenks (its first line is not "%s")'
                % (unit.path, unit.mark))
    if text != unit.text():
        return 'its systemd unit %s is out of date' % unit.name
    if not os.path.lexists(unit.wants_link):
        return ('its systemd unit %s is not enabled, so it would not start '
                'again after a reboot' % unit.name)
    return None


def start(unit):
    """Install ``unit`` (when changed), enable and start it.

    :raises ResourceConflict: a unit of that name is not tenks'.
    :raises UnitError: systemctl failed.
    """
    text = _read(unit.path)
    if text is not None and not _ours(unit, text):
        raise exception.ResourceConflict(
            'systemd unit %s exists and was not written by tenks (its first '
            'line is not "%s"); remove it, or give tenks another run_dir'
            % (unit.path, unit.mark))
    wanted = unit.text()
    if text != wanted:
        os.makedirs(unit_dir(), exist_ok=True)
        fileio.write_atomic(unit.path, wanted, mode=0o644)
        try:
            systemctl('daemon-reload')
        except UnitError:
            # Unknown to systemd: written again, and reloaded, next time.
            os.unlink(unit.path)
            raise
    systemctl('enable', '--now', unit.name)


def stop(unit):
    """Stop ``unit``'s daemon (systemd would restart a killed one)."""
    if _ours(unit, _read(unit.path)):
        systemctl('stop', unit.name)


def remove(unit):
    """Disable, stop and remove ``unit`` if it is tenks'.

    :returns: whether it was.
    """
    if not _ours(unit, _read(unit.path)):
        return False
    systemctl('disable', '--now', unit.name)
    try:
        os.unlink(unit.path)
    except FileNotFoundError:
        pass
    systemctl('daemon-reload')
    return True
