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

"""systemd units for the BMC emulators, through the real CLI.

systemd is not PID 1 on these machines, so a stand-in ``systemctl``
(:mod:`tests.functional.bmc.fake_systemctl`, an executable first on
``PATH``) records what tenks asks of it and starts and stops each unit's
``ExecStart`` the way systemd would, on the unit files tenks writes below
``TENKS_TEST_SYSTEMD_ROOT``. The units are checked with the real
``systemd-analyze verify``. A simulated reboot (every emulator killed,
then every enabled unit started, as systemd does at boot) must bring IPMI
and Redfish back without ``tenks deploy``. Without
``<root>/run/systemd/system``, nothing of this happens.
"""

import json
import os
import shutil
import signal
import subprocess

import pytest

from tenks.hosts import units
from tests.functional.bmc import fake_systemctl as fake
from tests.functional.bmc import helpers as bh


@pytest.fixture
def sysroot(tmp_path):
    """``(root, environment, systemctl)`` of a host systemd runs."""
    root = str(tmp_path / 'sysroot')
    os.makedirs(os.path.join(root, units.BOOTED_DIR))
    bin_dir = str(tmp_path / 'bin')
    systemctl = fake.install(bin_dir)
    return root, {units.ROOT_ENV: root,
                  'PATH': bin_dir + os.pathsep + os.environ['PATH']}, systemctl


def _tenks(env, extra, *args):
    done = env.tenks_process(*args, env=extra)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


def _names(env):
    return (units.unit_name(os.path.join(env.run_dir, 'vbmc')),
            units.unit_name(os.path.join(env.run_dir, 'sushy-localhost')))


def _unit_dir(root):
    return os.path.join(root, units.UNIT_DIR)


def _verify(path):
    done = subprocess.run(['systemd-analyze', 'verify', '--man=no', path],
                          capture_output=True, text=True,
                          env=dict(os.environ, SYSTEMD_LOG_COLOR='0'))
    return done.returncode, (done.stdout + done.stderr).strip()


def _unit_pid(root, name):
    with open(os.path.join(root, 'run/fake-systemd', name + '.pid')) as f:
        return int(f.read())


def _answering(env, port):
    """Every BMC answers, IPMI (ipmitool) and Redfish (tenks verify)."""
    out = bh.ipmitool(port, 'admin', 'password', 'power', 'status')
    if 'Chassis Power is off' not in out.stdout:
        return False
    done = env.tenks_process('verify', '--all', '-f', 'json')
    return (done.returncode == 0 and
            all(r['Result'] == 'ok' for r in json.loads(done.stdout)))


@pytest.mark.parametrize('mode', ['embedded', 'vbmcd'])
def test_units_bring_bmcs_back_after_a_reboot(tenks_env, sysroot, mode):
    env = tenks_env
    root, extra, systemctl = sysroot
    with open(env.config_file, 'a') as f:
        f.write('[vbmc]\nmode = %s\n' % mode)
    vbmc, sushy = _names(env)
    spec = env.write_spec(bh.spec_text(ipmi=1, redfish=1))
    _tenks(env, extra, 'deploy', '--spec', spec)

    # Each unit written, then systemd reloaded, then the unit enabled and
    # started; tenks spawned nothing itself.
    calls = fake.calls(root)
    assert sorted(calls) == sorted([['daemon-reload'], ['daemon-reload'],
                                    ['enable', '--now', vbmc],
                                    ['enable', '--now', sushy]])
    assert calls[0] == ['daemon-reload']
    unit_dir = _unit_dir(root)
    wants = os.path.join(unit_dir, 'multi-user.target.wants')
    assert sorted(os.listdir(unit_dir)) == sorted(
        [vbmc, sushy, 'multi-user.target.wants'])
    assert sorted(os.listdir(wants)) == sorted([vbmc, sushy])
    daemons = bh.token_processes(env.token)
    for name, config in ((vbmc, 'vbmc/virtualbmc.conf'),
                         (sushy, 'sushy-localhost/emulator.conf')):
        path = os.path.join(unit_dir, name)
        assert _verify(path) == (0, '')
        with open(path) as f:
            first = f.readline().strip()
        assert first == units.MARK + os.path.join(env.run_dir, config)
        # The daemon that serves is the one its unit started.
        pid = _unit_pid(root, name)
        assert pid in daemons and config in daemons[pid]
    # vbmcd forks a process per BMC.
    assert len(daemons) == {'embedded': 2, 'vbmcd': 3}[mode], daemons
    port = env.ipmi_range[0]
    assert _answering(env, port)

    # Nothing to do: no systemctl call.
    _tenks(env, extra, 'deploy', '--spec', spec)
    _tenks(env, extra, 'status', '--exit-code')
    assert fake.calls(root) == calls

    # A unit disabled behind tenks' back would not come back: status says
    # so, and a deploy enables it again (restarting its daemon).
    os.unlink(os.path.join(wants, vbmc))
    done = env.tenks_process('status', '--exit-code', env=extra)
    assert done.returncode != 0
    assert 'its systemd unit %s is not enabled' % vbmc in done.stdout
    _tenks(env, extra, 'deploy', '--spec', spec)
    calls = fake.calls(root)
    assert calls[-2:] == [['stop', vbmc], ['enable', '--now', vbmc]]
    assert os.path.islink(os.path.join(wants, vbmc))
    _tenks(env, extra, 'status', '--exit-code')

    # A reboot: every process gone, /run empty; systemd starts every
    # enabled unit. IPMI and Redfish answer without a deploy, and tenks
    # finds nothing to repair.
    for pid in bh.token_processes(env.token):
        os.kill(pid, signal.SIGKILL)
    bh.wait_for(lambda: not bh.token_processes(env.token), 'the kill')
    shutil.rmtree(os.path.join(root, 'run/fake-systemd'))
    assert not _answering(env, port)
    enabled = sorted(os.listdir(wants))
    for name in enabled:
        subprocess.run([systemctl, 'start', name],
                       env=dict(os.environ, **extra), check=True)
    bh.wait_for(lambda: _answering(env, port), 'BMCs after the reboot')
    _tenks(env, extra, 'status', '--exit-code')
    _tenks(env, extra, 'deploy', '--spec', spec)
    booted = calls + [['start', name] for name in enabled]
    assert fake.calls(root) == booted

    # A change restarts the Redfish emulator through its unit (the unit
    # itself is unchanged: no reload).
    spec = env.write_spec(bh.spec_text(ipmi=1, redfish=2))
    _tenks(env, extra, 'deploy', '--spec', spec)
    assert fake.calls(root)[len(booted):] == [['stop', sushy],
                                              ['enable', '--now', sushy]]
    assert _answering(env, port)

    # Teardown: disabled, stopped, removed.
    before = len(fake.calls(root))
    _tenks(env, extra, 'teardown')
    after = fake.calls(root)[before:]
    assert sorted(after) == sorted([['disable', '--now', vbmc],
                                    ['disable', '--now', sushy],
                                    ['daemon-reload'], ['daemon-reload']])
    assert os.listdir(unit_dir) == ['multi-user.target.wants']
    assert os.listdir(wants) == []
    assert not bh.token_processes(env.token)


def test_without_systemd_nothing_changes(tenks_env, sysroot):
    env = tenks_env
    root, extra, _systemctl = sysroot
    os.rmdir(os.path.join(root, units.BOOTED_DIR))
    spec = env.write_spec(bh.spec_text(ipmi=1, redfish=1))
    _tenks(env, extra, 'deploy', '--spec', spec)
    assert _answering(env, env.ipmi_range[0])
    assert len(bh.token_processes(env.token)) == 2
    _tenks(env, extra, 'status', '--exit-code')
    _tenks(env, extra, 'teardown')
    assert fake.calls(root) == []
    assert not os.path.exists(_unit_dir(root))
    assert not bh.token_processes(env.token)


def test_a_unit_tenks_did_not_write_is_left_alone(tenks_env, sysroot):
    env = tenks_env
    root, extra, _systemctl = sysroot
    _vbmc, sushy = _names(env)
    os.makedirs(_unit_dir(root))
    foreign = os.path.join(_unit_dir(root), sushy)
    with open(foreign, 'w') as f:
        f.write('[Service]\nExecStart=/bin/true\n')
    spec = env.write_spec(bh.spec_text(redfish=1))
    done = env.tenks_process('deploy', '--spec', spec, env=extra)
    assert done.returncode != 0
    assert '%s exists and was not written by tenks' % foreign in (
        done.stdout + done.stderr)
    _tenks(env, extra, 'teardown')
    with open(foreign) as f:
        assert f.read() == '[Service]\nExecStart=/bin/true\n'
    assert fake.calls(root) == []
    assert not bh.token_processes(env.token)
