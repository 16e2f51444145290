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

"""Crash safety and concurrency (issue: reliability).

A deploy, a reconfigure and a teardown are each killed with SIGKILL after
their 1st, 2nd, ... Nth action (tenks' test hook TENKS_TEST_KILL_AFTER);
after every kill the next run must converge and the host must end exactly
as specified, with nothing orphaned.
"""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.functional import env as env_mod
from tests.functional import specs


def _vms(count, memory):
    """Domains and volumes only (no BMC, no networks)."""
    return specs.text(
        {'t': specs.node_type(
            memory_mb=memory, ironic_driver='fake-hardware',
            volumes=[{'capacity': '16MiB'},
                     {'capacity': '8MiB', 'format': 'raw'}])},
        [specs.entry('t', count)])


def _full(count, memory):
    """Everything on the host: bridges, veths, IPMI and Redfish BMCs."""
    return specs.text(
        {'ipmi': specs.node_type(memory_mb=memory,
                                 volumes=[{'capacity': '16MiB'}],
                                 physical_networks=['physnet1']),
         'redfish': specs.node_type(ironic_driver='redfish',
                                    volumes=[{'capacity': '16MiB'}],
                                    physical_networks=['physnet1'])},
        [specs.entry('ipmi', count), specs.entry('redfish', 1)],
        physnet_mappings={'physnet1': None})


SPECS = {'vms': _vms, 'full': _full}

KILLED = -signal.SIGKILL


def _spec(env, kind, count, memory=128):
    return env.write_spec(SPECS[kind](count, memory),
                          name='%s-%d-%d.yaml' % (kind, count, memory))


def _killed_run(env, kill_after, *args):
    proc = env.tenks_process(*args, env={'TENKS_TEST_KILL_AFTER':
                                         str(kill_after)})
    return proc.returncode


def _actions(env, *args):
    """How many actions a run would take (from its dry run)."""
    code, out, err = env.tenks(*(list(args) + ['--dry-run', '-f', 'json']))
    return len(json.loads(out))


def _converged(env, spec, nodes):
    """Check that the cluster matches ``spec``.

    A deploy has nothing to do, every resource is as recorded, libvirt has
    exactly the expected domains.
    """
    code, out, err = env.tenks('deploy', '--spec', spec)
    assert 'No changes' in err, err
    status = env.tenks_json('status', '--all')
    assert status and {r['Found'] for r in status} == {'ok'}, status
    names = subprocess.run(['virsh', '-c', 'qemu:///system', 'list', '--all',
                            '--name'], capture_output=True,
                           text=True).stdout.split()
    assert sorted(n for n in names if n.startswith(env.token)) == nodes


def _clean(env):
    assert not os.path.exists(env.state_file)
    assert env_mod.sweep(env.token) == []


@pytest.mark.parametrize('kind', ['vms', 'full'])
def test_killed_deploy_reconfigure_teardown_converge(tenks_env, kind):
    env = tenks_env
    small = _spec(env, kind, 2)
    big = _spec(env, kind, 3, memory=192)
    t = env.token
    counts = {}

    # Deploy killed after each action, then a deploy converges.
    steps = _actions(env, 'deploy', '--spec', small)
    counts['deploy'] = steps - 1
    for n in range(1, steps):
        assert _killed_run(env, n, 'deploy', '--spec', small) == KILLED
        env.tenks('deploy', '--spec', small)
        _converged(env, small, [t + '0', t + '1'] +
                   ([t + '2'] if kind == 'full' else []))
        # Teardown killed at a rotating point, then a teardown finishes.
        down = _actions(env, 'teardown')
        assert _killed_run(env, 1 + n % (down - 1), 'teardown') == KILLED
        env.tenks('teardown')
        _clean(env)

    # Reconfigure (grow and change memory) killed after each action.
    env.tenks('deploy', '--spec', small)
    steps = _actions(env, 'deploy', '--spec', big)
    counts['reconfigure'] = steps - 1
    for n in range(1, steps):
        assert _killed_run(env, n, 'deploy', '--spec', big) == KILLED
        env.tenks('deploy', '--spec', big)
        _converged(env, big, sorted([t + str(i) for i in
                                     range(4 if kind == 'full' else 3)]))
        env.tenks('deploy', '--spec', small)

    # Teardown killed after each action.
    steps = _actions(env, 'teardown')
    counts['teardown'] = steps - 1
    for n in range(1, steps):
        assert _killed_run(env, n, 'teardown') == KILLED
        env.tenks('teardown')
        _clean(env)
        env.tenks('deploy', '--spec', small)
    env.tenks('teardown')
    _clean(env)
    sys.stderr.write('kill points (%s): %s\n' % (kind, counts))
    assert min(counts.values()) >= 3


def test_concurrent_deploy_refused_and_dead_lock_recovered(tenks_env):
    env = tenks_env
    spec = _spec(env, 'vms', 6)
    first = subprocess.Popen(
        [sys.executable, '-m', 'tenks.cli.app', '--config-file',
         env.config_file, 'deploy', '--spec', spec],
        env=dict(os.environ, TENKS_TEST_SLOW_ACTIONS='0.5'),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lock = env.state_file + '.lock'
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if os.path.exists(lock) and os.path.getsize(lock):
            break
        time.sleep(0.05)
    second = env.tenks_process('deploy', '--spec', spec)
    # Refused at once: the holder is still running when the second returns.
    assert first.poll() is None
    assert second.returncode == 1
    assert 'another tenks run holds the lock' in second.stderr
    assert 'pid %d' % first.pid in second.stderr
    assert 'deploy' in second.stderr
    # Kill the holder: its lock dies with it, the next run converges.
    first.send_signal(signal.SIGKILL)
    first.wait()
    env.tenks('deploy', '--spec', spec)
    _converged(env, spec, sorted(env.token + str(i) for i in range(6)))
