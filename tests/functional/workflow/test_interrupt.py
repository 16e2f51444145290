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

"""Ctrl-C, SIGTERM and SIGKILL in the middle of a real run (issue 14).

A deploy of libvirt (TCG) nodes with IPMI BMCs runs in a terminal (a pty
whose line discipline turns a typed Ctrl-C into SIGINT), slowed down by
``TENKS_TEST_SLOW_ACTIONS`` so that it can be caught in the middle. After
the signal: no action starts, those in progress finish, the live line is
cleared, a recap is printed and the exit status is non-zero. Then
``status`` and ``node list/show`` tell the truth about the unfinished run
until a run completes, and the next run finishes the job; a teardown
leaves nothing.
"""

import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

from tests.functional import env as env_mod
from tests.functional import specs

#: Columns of the test terminal: narrower than a progress line.
COLUMNS = 60
#: Each action waits this long before it begins.
SLOW = '0.4'

SPEC = specs.text(
    {'ipmi': specs.node_type(volumes=[{'capacity': '8MiB'}])},
    [specs.entry('ipmi', 3)])

PROGRESS = re.compile(r'\[(\d+)/(\d+) \d+%\]')
RECAP = re.compile(r'tenks (deploy|teardown) interrupted by (SIG\w+): '
                   r'(\d+) done, (\d+) failed, (\d+) not started')


class Terminal(object):
    """tenks in a pty of :data:`COLUMNS` columns, as its controlling tty.

    :ivar output: everything written to the terminal so far.
    """

    def __init__(self, env, *args, extra_env=None):
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ,
                    struct.pack('HHHH', 24, COLUMNS, 0, 0))
        full_env = dict(os.environ, COLUMNS=str(COLUMNS))
        full_env.update(extra_env or {})

        def controlling_tty():
            # A new session (start_new_session) whose terminal this is:
            # Ctrl-C typed on it signals tenks' process group.
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(
            [sys.executable, '-m', 'tenks.cli.app', '--config-file',
             env.config_file] + list(args),
            stdin=slave, stdout=slave, stderr=slave, env=full_env,
            start_new_session=True, preexec_fn=controlling_tty)
        os.close(slave)
        self.output = ''

    def read(self, timeout=1.0):
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:     # EIO: the other end is closed
            return False
        self.output += data.decode(errors='replace')
        return bool(data)

    def wait_for(self, pattern, timeout=300):
        """Read until ``pattern`` (a callable on the output) holds."""
        deadline = time.monotonic() + timeout
        while not pattern(self.output):
            assert self.proc.poll() is None, (
                'tenks exited %s before expected:\n%s'
                % (self.proc.returncode, self.output))
            assert time.monotonic() < deadline, self.output
            self.read()

    def type(self, text):
        os.write(self.master, text.encode())

    def finish(self, timeout=300):
        """Read to the end; returns the exit status."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None or self.read(0.1):
            assert time.monotonic() < deadline, self.output
            self.read(0.2)
        while self.read(0.1):
            pass
        os.close(self.master)
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def screen(output):
    """The lines a terminal of :data:`COLUMNS` shows after ``output``.

    It knows carriage return, line feed, erase to the end of the line,
    and wraps what reaches the last column onto a new line, as a terminal
    does (a live line that wrapped would leave its head behind when it is
    erased).
    """
    lines = [[]]
    col = 0
    i = 0
    while i < len(output):
        if output.startswith('\x1b[K', i):
            del lines[-1][col:]
            i += 3
            continue
        char = output[i]
        i += 1
        if char == '\r':
            col = 0
        elif char == '\n':
            lines.append([])
            col = 0
        else:
            if col == COLUMNS:
                lines.append([])
                col = 0
            line = lines[-1]
            if col < len(line):
                line[col] = char
            else:
                line.append(char)
            col += 1
    return [''.join(line) for line in lines]


def live_lines(output):
    """Every live progress line written, as written."""
    return re.findall(r'\r(\[\d+/\d+ [^\r\n]*?)\x1b\[K', output)


def progress_count(output):
    counts = [int(m.group(1)) for m in PROGRESS.finditer(output)]
    return max(counts) if counts else 0


@pytest.fixture
def env(tmp_path, libvirtd):
    made = env_mod.TenksEnv(str(tmp_path))
    terminals = []
    made.terminals = terminals
    yield made
    for terminal in terminals:
        terminal.kill()
    made.tenks('teardown', check=False)
    leaks = env_mod.sweep(made.token)
    assert not leaks, 'left behind: %s' % ', '.join(leaks)


def _start(env, *args):
    terminal = Terminal(env, *args,
                        extra_env={'TENKS_TEST_SLOW_ACTIONS': SLOW})
    env.terminals.append(terminal)
    return terminal


def _interrupt(env, signum, *args, after=3):
    """Run tenks in a terminal; signal it once ``after`` actions are done.

    :returns: ``(exit status, recap match, terminal)``.
    """
    terminal = _start(env, *args)
    terminal.wait_for(lambda out: progress_count(out) >= after)
    if signum == signal.SIGINT:
        terminal.type('\x03')          # Ctrl-C, as typed
    else:
        terminal.proc.send_signal(signum)
    code = terminal.finish()
    recap = RECAP.search(terminal.output)
    assert recap, terminal.output
    return code, recap, terminal


def _check_terminal(terminal, command, signame):
    live = live_lines(terminal.output)
    assert live, terminal.output
    # Each fits the terminal, with room for an echoed ^C.
    assert max(len(line) for line in live) <= COLUMNS - 3, live
    lines = [line for line in screen(terminal.output) if line.strip()]
    # The live line was cleared: no progress is left on the screen.
    assert not [line for line in lines if PROGRESS.search(line)], lines
    assert any(signame + ': stopping; no new action starts' in line
               for line in lines), lines
    assert lines[-1] == 'run tenks %s again to finish' % command, lines
    assert 'Traceback' not in terminal.output


def _status(env):
    code, out, err = env.tenks('status', '--all', '--exit-code', '-f',
                               'json', check=False)
    return code, json.loads(out), err


def _state_is_true(rows):
    """What the state records exists; nothing is half made."""
    found = {r['Found'] for r in rows}
    assert found <= {'ok', 'pending'}, rows
    assert {r['Recorded'] for r in rows} <= {'present', 'none'}, rows


def _nodes(env):
    return {n['Name']: n['Status']
            for n in env.tenks_json('node', 'list')}


def _domains(env):
    out = subprocess.run(['virsh', '-c', 'qemu:///system', 'list', '--all',
                          '--name'], capture_output=True, text=True).stdout
    return sorted(n for n in out.split() if n.startswith(env.prefix))


def _finish_and_clean(env, spec):
    code, _out, err = env.tenks('deploy', '--spec', spec)
    assert code == 0, err
    code, rows, err = _status(env)
    assert code == 0, err
    assert 'No drift' in err
    assert {r['Found'] for r in rows} == {'ok'}, rows
    assert set(_nodes(env).values()) == {'ready'}
    env.tenks('teardown')
    assert not os.path.exists(env.state_file)
    assert _domains(env) == []
    assert env_mod.sweep(env.token) == []


@pytest.mark.parametrize('signum', [signal.SIGINT, signal.SIGTERM],
                         ids=['sigint', 'sigterm'])
def test_deploy_interrupted(env, signum):
    spec = env.write_spec(SPEC)
    total = len(env.tenks_json('deploy', '--spec', spec, '--dry-run'))
    code, recap, terminal = _interrupt(env, signum, 'deploy', '--spec',
                                       spec)
    signame = signal.Signals(signum).name
    assert code == 128 + signum, terminal.output
    command, name, done, failed, not_started = recap.groups()
    assert (command, name, failed) == ('deploy', signame, '0')
    done, not_started = int(done), int(not_started)
    # It stopped in the middle: actions were left, and those in
    # progress finished.
    assert done >= 3 and not_started > 0, recap.group(0)
    assert done + not_started == total
    _check_terminal(terminal, 'deploy', signame)
    # A volume's line is longer than the terminal: it was cut.
    assert [line for line in live_lines(terminal.output)
            if ' volume ' in line and line.endswith('\u2026')], (
        terminal.output)

    # status names the run, fails, and lists what is not done.
    code, rows, err = _status(env)
    assert code == 2, err
    assert re.search(r'tenks deploy started \S+ was interrupted: %d '
                     r'actions? did not complete; run tenks deploy again '
                     r'to finish' % not_started, err), err
    assert 'No drift' not in err
    _state_is_true(rows)
    pending = [r for r in rows if r['Found'] == 'pending']
    assert len(pending) == not_started, rows
    assert len([r for r in rows if r['Found'] == 'ok']) == done
    # The domains recorded are the domains that exist.
    recorded = sorted(r['Name'] for r in rows
                      if r['Kind'] == 'domain' and r['Found'] == 'ok')
    assert recorded == _domains(env)

    # node list and node show: a node with anything pending is not ready.
    undone = {r['Name'] for r in pending if r['Kind'] in ('domain', 'bmc')}
    assert undone, rows
    nodes = _nodes(env)
    assert len(nodes) == 3
    for node in undone:
        assert nodes[node] == 'incomplete', nodes
        show = env.tenks_json('node', 'show', node)
        assert show['status'] == 'incomplete'
        assert any(r.endswith('create pending') for r in show['resources'])

    _finish_and_clean(env, spec)


def test_deploy_killed(env):
    """SIGKILL: the journal has the run's beginning and no end."""
    spec = env.write_spec(SPEC)
    proc = env.tenks_process('deploy', '--spec', spec,
                             env={'TENKS_TEST_KILL_AFTER': '4'})
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    code, rows, err = _status(env)
    assert code == 2, err
    assert re.search(r'tenks deploy started \S+ did not finish \(it was '
                     r'killed or aborted\): \d+ actions did not complete; '
                     r'run tenks deploy again to finish', err), err
    assert [r for r in rows if r['Found'] == 'pending'], rows
    assert 'incomplete' in _nodes(env).values()
    _finish_and_clean(env, spec)


def test_second_ctrl_c_aborts(env):
    """A second Ctrl-C ends the run at once; the state stays true."""
    spec = env.write_spec(SPEC)
    terminal = _start(env, 'deploy', '--spec', spec)
    terminal.wait_for(lambda out: progress_count(out) >= 2)
    terminal.type('\x03')
    terminal.wait_for(lambda out: 'stopping' in out)
    terminal.type('\x03')
    assert terminal.finish() == 130, terminal.output
    lines = [line for line in screen(terminal.output) if line.strip()]
    assert not [line for line in lines if PROGRESS.search(line)], lines
    assert any('tenks deploy aborted by SIGINT' in line for line in lines)
    assert lines[-1] == 'run tenks deploy again to finish', lines
    code, rows, err = _status(env)
    assert code == 2, err
    assert 'did not finish' in err, err
    assert {r['Found'] for r in rows} <= {'ok', 'pending', 'incomplete',
                                          'missing'}, rows
    _finish_and_clean(env, spec)


def test_teardown_interrupted(env):
    spec = env.write_spec(SPEC)
    env.tenks('deploy', '--spec', spec)
    total = len(env.tenks_json('teardown', '--dry-run'))
    code, recap, terminal = _interrupt(env, signal.SIGINT, 'teardown',
                                       after=1)
    assert code == 130, terminal.output
    command, name, done, failed, not_started = recap.groups()
    assert (command, name, failed) == ('teardown', 'SIGINT', '0')
    assert int(done) >= 1 and int(not_started) > 0
    assert int(done) + int(not_started) == total
    _check_terminal(terminal, 'teardown', 'SIGINT')

    code, rows, err = _status(env)
    assert code == 2, err
    assert re.search(r'tenks teardown started \S+ was interrupted: %s '
                     r'actions? did not complete; run tenks teardown again '
                     r'to finish' % not_started, err), err
    # The IPMI BMC service is found missing once it serves no BMC.
    _state_is_true([r for r in rows if not (
        r['Kind'] == 'bmc_service' and r['Found'] == 'missing')])
    assert len([r for r in rows if r['Found'] == 'pending']) in (
        int(not_started), int(not_started) - 1)
    # The nodes that still have something are listed, as incomplete
    # (every node's volume is left: they go after the domains).
    nodes = _nodes(env)
    assert len(nodes) == 3, nodes
    assert set(nodes.values()) == {'incomplete'}, nodes
    assert set(_domains(env)) <= set(nodes)

    code, _out, err = env.tenks('teardown')
    assert code == 0, err
    assert not os.path.exists(env.state_file)
    assert _domains(env) == []
    assert env_mod.sweep(env.token) == []
