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

"""The node commands an operator reads at the terminal, on real nodes.

TCG domains with real BMCs (virtualbmc for IPMI, sushy-tools for
Redfish): ``tenks node list`` shows the power state libvirt reports as it
changes, whoever changes it (``tenks node power``, ipmitool, Redfish);
``--long``; ``node show`` tables without Python reprs; ``node reboot``
cycles the domain; ``node power ... --all``; every read command's answer
to an empty cluster; and a dry run beside a run holding the state lock.
"""

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios

import libvirt

from tests.functional.bmc import helpers as bh
from tests.functional import specs

IPMI_USER, IPMI_PASSWORD = 'ipmi-user', 'ipmi-s3cret'

SPEC = specs.text(
    {'ipmi': specs.node_type(
        ironic_driver='ipmi',
        bmc={'username': IPMI_USER, 'password': IPMI_PASSWORD}),
     'redfish': specs.node_type(
         ironic_driver='redfish',
         bmc={'username': 'rf-user', 'password': 'rf-s3cret'})},
    [specs.entry('ipmi', 2), specs.entry('redfish', 1)])

ONE_NODE = specs.text({'ipmi': specs.node_type(ironic_driver='ipmi')},
                      [specs.entry('ipmi', 1)])

#: The columns of ``node list -f json`` (and ``--long``).
LONG = ['Name', 'UUID', 'Type', 'Hypervisor', 'Memory MiB', 'vCPUs',
        'Boot mode', 'BMC', 'NICs', 'Status', 'Power']


def _json(env, *args):
    code, out, err = env.tenks(*(list(args) + ['-f', 'json']), check=False)
    assert code == 0, err
    return json.loads(out)


def _power(env):
    return {r['Name']: r['Power'] for r in _json(env, 'node', 'list')}


def _cli_in_pty(env, columns, *args):
    """Run the real ``tenks`` program on a terminal ``columns`` wide.

    :returns: ``(exit code, what the terminal showed)``.
    """
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ,
                struct.pack('HHHH', 50, columns, 0, 0))
    environ = dict(os.environ, COLUMNS=str(columns), TERM='xterm')
    proc = subprocess.Popen(
        [sys.executable, '-m', 'tenks.cli.app', '--config-file',
         env.config_file] + list(args),
        stdin=slave, stdout=slave, stderr=slave, env=environ,
        start_new_session=True)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            proc.kill()
            raise AssertionError('tenks %s: no output for 120 s' % (args,))
        try:
            data = os.read(master, 65536)
        except OSError:     # EIO: the program closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    code = proc.wait(timeout=120)
    return code, b''.join(chunks).decode('utf-8', 'replace').replace(
        '\r\n', '\n')


def test_live_power_long_show_reboot_all(reaper, tenks_env):
    env = tenks_env
    reaper.append(env.token)
    spec = env.write_spec(SPEC)
    env.tenks('deploy', '--spec', spec)
    ipmi0, ipmi1, rf0 = ('%s%d' % (env.token, i) for i in range(3))
    conn = libvirt.open(bh.URI)
    try:
        dom = {n: conn.lookupByName(n) for n in (ipmi0, ipmi1, rf0)}
        _scenario(env, conn, dom, ipmi0, ipmi1, rf0)
    finally:
        conn.close()


def _scenario(env, conn, dom, ipmi0, ipmi1, rf0):
    # Deployed nodes wait, off, for their BMC.
    assert _power(env) == {ipmi0: 'off', ipmi1: 'off', rf0: 'off'}

    # Through tenks' BMC request, through the real IPMI and Redfish
    # clients: the list shows what libvirt says, whoever changed it.
    env.tenks('node', 'power', 'on', ipmi0)
    assert dom[ipmi0].isActive()
    assert _power(env) == {ipmi0: 'on', ipmi1: 'off', rf0: 'off'}
    port1 = _json(env, 'node', 'show', ipmi1)['bmc']['port']
    out = bh.ipmitool(port1, IPMI_USER, IPMI_PASSWORD, 'power', 'on')
    assert out.returncode == 0, out.stderr
    bh.wait_for(dom[ipmi1].isActive, '%s started by ipmitool' % ipmi1)
    assert _power(env) == {ipmi0: 'on', ipmi1: 'on', rf0: 'off'}
    port0 = _json(env, 'node', 'show', ipmi0)['bmc']['port']
    out = bh.ipmitool(port0, IPMI_USER, IPMI_PASSWORD, 'power', 'off')
    assert out.returncode == 0, out.stderr
    bh.wait_for(lambda: not dom[ipmi0].isActive(),
                '%s stopped by ipmitool' % ipmi0)
    assert _power(env) == {ipmi0: 'off', ipmi1: 'on', rf0: 'off'}
    env.tenks('node', 'power', 'on', rf0)
    assert dom[rf0].isActive()
    assert _power(env) == {ipmi0: 'off', ipmi1: 'on', rf0: 'on'}
    # A paused domain is not "on".
    dom[rf0].suspend()
    assert _power(env)[rf0] == 'paused'
    dom[rf0].resume()

    # The short table fits a terminal; --long and json have everything.
    code, shown = _cli_in_pty(env, 80, 'node', 'list')
    assert code == 0, shown
    table = [line for line in shown.splitlines() if line.startswith('|')]
    assert [c.strip() for c in table[0].strip('|').split('|')] == [
        'Name', 'Hypervisor', 'Power', 'BMC', 'Status']
    # One line per node: nothing wrapped to fit.
    assert len(table) == 4, shown
    assert max(len(line) for line in shown.splitlines()) <= 80, shown
    row = [c.strip() for c in table[2].strip('|').split('|')]
    assert row == [ipmi1, 'localhost', 'on',
                   'virtualbmc 127.0.0.1:%d' % port1, 'ready'], shown
    code, out, err = env.tenks('node', 'list', '--long')
    header = [c.strip() for c in out.splitlines()[1].strip('|').split('|')]
    assert header == LONG
    rows = _json(env, 'node', 'list')
    assert [list(r) for r in rows] == [LONG] * 3
    assert rows == _json(env, 'node', 'list', '--long')
    assert rows[2]['BMC'].endswith('/redfish/v1/Systems/%s'
                                   % dom[rf0].UUIDString())

    # node show: text in the table, structure in json, the live power.
    code, out, err = env.tenks('node', 'show', ipmi1)
    assert code == 0, err
    for repr_mark in ("{'", "['", 'True', 'False', 'None'):
        assert repr_mark not in out, out
    assert '| power ' in out and '| on ' in out.split('| power ')[1], out
    assert 'port=%d' % port1 in out
    assert IPMI_PASSWORD not in out
    shown = _json(env, 'node', 'show', ipmi1)
    assert shown['power'] == 'on'
    assert shown['bmc']['port'] == port1
    assert isinstance(shown['nic_details'], list)

    # Reboot: a running node is cycled (libvirt gives the new run a new
    # id; a domain object keeps the id it was looked up with) and runs
    # again; a node that is off is powered on.
    before = {n: conn.lookupByName(n).ID() for n in dom}
    rows = _json(env, 'node', 'reboot', ipmi1, rf0, ipmi0)
    assert [(r['Name'], r['Power'], r['Result']) for r in rows] == [
        (ipmi1, 'on', 'ok'), (rf0, 'on', 'ok'), (ipmi0, 'on', 'ok')]
    for name in (ipmi1, rf0):
        assert dom[name].isActive()
        assert conn.lookupByName(name).ID() != before[name], name
    assert before[ipmi0] == -1 and dom[ipmi0].isActive()
    assert _power(env) == {ipmi0: 'on', ipmi1: 'on', rf0: 'on'}

    # --all: every node with a BMC.
    rows = _json(env, 'node', 'power', 'status', '--all')
    assert sorted((r['Name'], r['Power'], r['Result']) for r in rows) == [
        (ipmi0, 'on', 'ok'), (ipmi1, 'on', 'ok'), (rf0, 'on', 'ok')]
    rows = _json(env, 'node', 'power', 'off', '--all')
    assert {r['Power'] for r in rows} == {'off'}
    assert not any(d.isActive() for d in dom.values())
    assert _power(env) == {ipmi0: 'off', ipmi1: 'off', rf0: 'off'}

    # --check-bmc asks every BMC as Ironic would.
    rows = _json(env, 'node', 'list', '--check-bmc')
    assert {r['Name']: r['BMC check'] for r in rows} == {
        ipmi0: 'ok', ipmi1: 'ok', rf0: 'ok'}

    # A node whose domain went away is shown missing.
    dom[ipmi0].undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
    assert _power(env)[ipmi0] == 'missing'
    env.tenks('deploy', '--spec', os.path.join(env.root, 'spec.yaml'))
    assert _power(env)[ipmi0] == 'off'


def _read_commands(env, sentence):
    """Every read command answers an empty cluster with ``sentence``."""
    for command in (('node', 'list'), ('hypervisor', 'list')):
        code, out, err = env.tenks(*command, check=False)
        assert (code, out.strip()) == (0, ''), (command, out, err)
        assert sentence in err, (command, err)
        code, out, err = env.tenks(*(command + ('-f', 'json')),
                                   check=False)
        assert (code, json.loads(out)) == (0, []), (command, err)
    for command in (('node', 'show', '%s0' % env.token),
                    ('node', 'power', 'status', '--all'),
                    ('node', 'power', 'on', '%s0' % env.token),
                    ('node', 'reboot', '--all'), ('verify',),
                    ('export', 'bifrost'), ('status',),
                    ('status', '--exit-code')):
        code, out, err = env.tenks(*command, check=False)
        assert (code, out) == (1, ''), (command, out, err)
        assert err.strip() == sentence, (command, err)
        assert 'Traceback' not in err


def test_empty_cluster_answers(reaper, tenks_env):
    env = tenks_env
    reaper.append(env.token)
    missing = ('no cluster: state file %s does not exist (run tenks deploy '
               'first)' % env.state_file)
    _read_commands(env, missing)
    env.tenks('deploy', '--spec', env.write_spec(ONE_NODE))
    env.tenks('teardown')
    assert not os.path.exists(env.state_file)
    _read_commands(env, missing)
    # An empty state file (as an editor or a full disk leaves it).
    os.makedirs(os.path.dirname(env.state_file), exist_ok=True)
    open(env.state_file, 'w').close()
    _read_commands(env, 'no cluster: state file %s records no nodes (run '
                   'tenks deploy first)' % env.state_file)
    os.unlink(env.state_file)


HOLDER = '''
import sys
from tenks.state import lock
held = lock.StateLock(sys.argv[1], command='tenks deploy --spec other.yaml')
held.acquire()
print('held', flush=True)
sys.stdin.read()
'''


def test_dry_run_beside_a_held_lock(reaper, tenks_env):
    env = tenks_env
    reaper.append(env.token)
    spec = env.write_spec(ONE_NODE)
    holder = subprocess.Popen([sys.executable, '-c', HOLDER,
                               env.state_file + '.lock'],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == 'held'
        proc = env.tenks_process('deploy', '--spec', spec, '--dry-run')
        assert proc.returncode == 0, proc.stderr
        assert ('another tenks run holds the lock on %s.lock (pid %d on '
                % (env.state_file, holder.pid)) in proc.stderr
        assert 'running "tenks deploy --spec other.yaml"' in proc.stderr
        assert 'this dry run plans from the state as it is now' in \
            proc.stderr
        # It still plans.
        assert 'create' in proc.stdout and 'domain' in proc.stdout
        proc = env.tenks_process('deploy', '--spec', spec)
        assert proc.returncode == 1
        assert 'another tenks run holds the lock' in proc.stderr
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    proc = env.tenks_process('deploy', '--spec', spec, '--dry-run')
    assert proc.returncode == 0, proc.stderr
    assert 'lock' not in proc.stderr
