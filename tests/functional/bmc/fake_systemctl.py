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

"""A stand-in ``systemctl`` for hosts where systemd is not PID 1.

Tests install it (see :func:`install`) as an executable named
``systemctl`` first on ``PATH``. It works below the root directory named
by ``TENKS_TEST_SYSTEMD_ROOT`` (where tenks writes its units too), appends
each argument list it is given to ``<root>/systemctl.log`` (one JSON list
a line), and does what systemd would do with the few verbs tenks uses:
``enable``/``disable`` (``--now``) link the unit into its ``WantedBy``
target's ``.wants`` directory; ``start``/``stop``/``restart`` run the
unit's ``ExecStart`` as systemd would (``ConditionPathExists``, a clean
environment, ``WorkingDirectory``, ``UMask``, ``StandardOutput=append:``,
its own session) and stop its whole session; ``daemon-reload`` does
nothing. Anything else fails. Without ``<root>/run/systemd/system`` it
fails like systemctl on a host systemd did not boot.
"""

import json
import os
import shlex
import signal
import subprocess
import sys
import time

ROOT_ENV = 'TENKS_TEST_SYSTEMD_ROOT'
CLEAN_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'


def install(bin_dir):
    """Write an executable ``systemctl`` into ``bin_dir``; its path."""
    os.makedirs(bin_dir, exist_ok=True)
    path = os.path.join(bin_dir, 'systemctl')
    with open(__file__) as f:
        source = f.read()
    with open(path, 'w') as f:
        f.write('#!%s\n' % sys.executable)
        f.write(source)
    os.chmod(path, 0o755)
    return path


def calls(root):
    """The argument lists the fake was given, in order."""
    try:
        with open(os.path.join(root, 'systemctl.log')) as f:
            return [json.loads(line) for line in f]
    except FileNotFoundError:
        return []


def _root():
    return os.environ[ROOT_ENV]


def _unit_dir():
    return os.path.join(_root(), 'etc/systemd/system')


def _pid_file(name):
    return os.path.join(_root(), 'run/fake-systemd', name + '.pid')


def parse(path):
    """``{(section, key): [values]}`` of a unit file."""
    out = {}
    section = None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in '#;':
                continue
            if line.startswith('['):
                section = line.strip('[]')
                continue
            key, _sep, value = line.partition('=')
            out.setdefault((section, key), []).append(value)
    return out


def _one(unit, section, key, default=None):
    return (unit.get((section, key)) or [default])[-1]


def _unspecify(value):
    return value.replace('%%', '%')


def _argv(exec_start):
    return [_unspecify(a).replace('$$', '$')
            for a in shlex.split(exec_start)]


def _alive(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] not in 'ZX'
    except (OSError, IndexError):
        return False


def _running(name):
    try:
        with open(_pid_file(name)) as f:
            pid = int(f.read())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def start(name):
    if _running(name):
        return 0
    unit = parse(os.path.join(_unit_dir(), name))
    condition = _one(unit, 'Unit', 'ConditionPathExists')
    if condition and not os.path.exists(_unspecify(condition)):
        return 0
    argv = _argv(_one(unit, 'Service', 'ExecStart'))
    output = _unspecify(_one(unit, 'Service', 'StandardOutput', ''))
    log = (open(output[len('append:'):], 'ab')
           if output.startswith('append:') else subprocess.DEVNULL)
    umask = int(_one(unit, 'Service', 'UMask', '0022'), 8)
    proc = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        cwd=_one(unit, 'Service', 'WorkingDirectory', '/'),
        env={'PATH': CLEAN_PATH, 'LANG': 'C.UTF-8'}, umask=umask,
        start_new_session=True, close_fds=True)
    os.makedirs(os.path.dirname(_pid_file(name)), exist_ok=True)
    with open(_pid_file(name), 'w') as f:
        f.write(str(proc.pid))
    return 0


def stop(name):
    pid = _running(name)
    if pid:
        # Like KillMode=control-group: the whole session.
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            try:
                os.killpg(pid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if not _alive(pid):
                break
    try:
        os.unlink(_pid_file(name))
    except FileNotFoundError:
        pass
    return 0


def _link(name):
    unit = parse(os.path.join(_unit_dir(), name))
    target = _one(unit, 'Install', 'WantedBy')
    return os.path.join(_unit_dir(), '%s.wants' % target, name)


def enable(name):
    link = _link(name)
    os.makedirs(os.path.dirname(link), exist_ok=True)
    if not os.path.lexists(link):
        os.symlink(os.path.join(_unit_dir(), name), link)
    return 0


def disable(name):
    try:
        os.unlink(_link(name))
    except FileNotFoundError:
        pass
    return 0


def main(args):
    with open(os.path.join(_root(), 'systemctl.log'), 'a') as f:
        f.write(json.dumps(args) + '\n')
    if not os.path.isdir(os.path.join(_root(), 'run/systemd/system')):
        sys.stderr.write('System has not been booted with systemd as init '
                         'system (PID 1). Can\'t operate.\n')
        return 1
    now = '--now' in args
    rest = [a for a in args if a != '--now']
    verb, names = rest[0], rest[1:]
    if verb == 'daemon-reload':
        return 0
    for name in names:
        if not os.path.exists(os.path.join(_unit_dir(), name)):
            sys.stderr.write('Unit %s not found.\n' % name)
            return 5
        if verb == 'enable':
            enable(name)
            if now:
                start(name)
        elif verb == 'disable':
            disable(name)
            if now:
                stop(name)
        elif verb == 'start':
            start(name)
        elif verb == 'stop':
            stop(name)
        elif verb == 'restart':
            stop(name)
            start(name)
        else:
            sys.stderr.write('fake systemctl: no verb %s\n' % verb)
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
