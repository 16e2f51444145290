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

"""Runs killed at every step between a resource and its mark.

Where tenks changes two things that must agree (a BMC entry and its
ownership mark, a link and its alias, a pool's definition and its
directory, a daemon's config and the daemon started from it), a run is
killed with SIGKILL at each named crash point in between
(``TENKS_TEST_CRASH_AT``, see :mod:`tenks.faults`). The next run must
finish the job: a teardown leaves nothing (the leak sweep checks
domains, links, pools and processes), a deploy converges.

Unlike the rotating kills of :mod:`test_reliability`, each point here is
hit on purpose, so the test is the same every time it runs.
"""

import os
import shutil
import signal
import subprocess

import pytest

from tenks.bmc.sushy import host as sushy_host
from tenks.bmc.virtualbmc import entries
from tenks.bmc.virtualbmc import managed
from tenks.hosts import files
from tenks.networks import linux
from tenks.providers.libvirt import storage
from tests.functional import env as env_mod
from tests.functional import specs

KILLED = -signal.SIGKILL

IPMI_SPEC = specs.text(
    {'ipmi': specs.node_type(volumes=[{'capacity': '8MiB'}])},
    [specs.entry('ipmi', 2)])


def redfish_spec(count):
    return specs.text(
        {'redfish': specs.node_type(ironic_driver='redfish',
                                    volumes=[{'capacity': '8MiB'}])},
        [specs.entry('redfish', count)])


def network_spec(image):
    return specs.text(
        {'t': specs.node_type(ironic_driver='fake-hardware',
                              volumes=[{'image': image, 'format': 'qcow2'}],
                              physical_networks=['physnet1'])},
        [specs.entry('t', 1)], physnet_mappings={'physnet1': None})


#: Every step of an IPMI BMC delete, then of stopping its daemon.
IPMI_DELETE_STEPS = managed.DELETE_STEPS + (managed.STOP_STEP,
                                            files.REMOVE_STEP)
#: Every step of stopping a Redfish emulator.
REDFISH_DELETE_STEPS = (sushy_host.STOP_STEP, files.REMOVE_STEP)
#: Links made before they are marked; a pool defined before it is built;
#: an image uploaded before its volume is cloned from it.
CREATE_STEPS = (linux.UNMARKED_STEP, storage.POOL_STEP,
                storage.UPLOAD_STEP)


def _env(tmp_path, extra=''):
    return env_mod.TenksEnv(str(tmp_path), extra_conf=extra)


@pytest.fixture
def make_env(tmp_path, libvirtd):
    made = []

    def make(extra=''):
        env = _env(tmp_path / str(len(made)), extra)
        made.append(env)
        return env
    yield make
    for env in made:
        env.tenks('teardown', check=False)
        leaks = env_mod.sweep(env.token)
        assert not leaks, 'left behind: %s' % ', '.join(leaks)


def _crash(env, step, *args):
    proc = env.tenks_process(*args, env={'TENKS_TEST_CRASH_AT': step})
    assert proc.returncode == KILLED, (
        'the run did not reach crash point %s (exit %s):\n%s' % (
            step, proc.returncode, proc.stderr))
    return proc


def _nothing_left(env):
    code, _out, err = env.tenks('teardown')
    assert 'Traceback' not in err
    assert not os.path.exists(env.state_file)
    assert not os.path.exists(env.run_dir), os.listdir(env.run_dir)
    assert env_mod.sweep(env.token) == []


def _all_ok(env):
    status = env.tenks_json('status', '--all')
    assert {r['Found'] for r in status} == {'ok'}, status
    rows = env.tenks_json('verify', '--all')
    assert rows and {r['Result'] for r in rows} == {'ok'}, rows


@pytest.mark.parametrize('mode', ['embedded', 'vbmcd'])
@pytest.mark.parametrize('step', IPMI_DELETE_STEPS)
def test_teardown_killed_inside_an_ipmi_bmc_delete(make_env, mode, step):
    env = make_env('[vbmc]\nmode = %s\n' % mode)
    spec = env.write_spec(IPMI_SPEC)
    env.tenks('deploy', '--spec', spec)
    _crash(env, step, 'teardown')
    _nothing_left(env)


@pytest.mark.parametrize('step', REDFISH_DELETE_STEPS)
def test_teardown_killed_inside_a_redfish_emulator_stop(make_env, step):
    env = make_env()
    spec = env.write_spec(redfish_spec(2))
    env.tenks('deploy', '--spec', spec)
    _crash(env, step, 'teardown')
    _nothing_left(env)


@pytest.mark.parametrize('step', [managed.SERVICE_STEP,
                                  sushy_host.SERVICE_STEP])
def test_deploy_killed_between_a_config_and_its_daemon(make_env, step):
    """A daemon still running with its old config is restarted."""
    if step == managed.SERVICE_STEP:
        env = make_env()
        spec = env.write_spec(IPMI_SPEC)
        env.tenks('deploy', '--spec', spec)
        # Another control port changes virtualbmc.conf.
        with open(env.config_file) as f:
            text = f.read()
        with open(env.config_file, 'w') as f:
            f.write(text.replace(
                'server_port = %d' % env.vbmc_server_port,
                'server_port = %d' % env_mod.free_tcp_port()))
    else:
        env = make_env()
        spec = env.write_spec(redfish_spec(1))
        env.tenks('deploy', '--spec', spec)
        # A second node: the emulator must expose it, so its config
        # (allowed instances) changes.
        spec = env.write_spec(redfish_spec(2), name='two.yaml')
    _crash(env, step, 'deploy', '--spec', spec)
    env.tenks('deploy', '--spec', spec)
    code, _out, err = env.tenks('deploy', '--spec', spec)
    assert 'No changes' in err, err
    _all_ok(env)
    _nothing_left(env)


@pytest.mark.parametrize('step', CREATE_STEPS)
def test_killed_between_a_resource_and_its_mark(make_env, step):
    env = make_env()
    image = os.path.join(env.root, 'image.qcow2')
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', image,
                    '16M'], check=True)
    spec = env.write_spec(network_spec(image))
    # A deploy killed there, then a teardown: nothing is left.
    _crash(env, step, 'deploy', '--spec', spec)
    _nothing_left(env)
    # A deploy killed there, then a deploy: it converges.
    _crash(env, step, 'deploy', '--spec', spec)
    env.tenks('deploy', '--spec', spec)
    code, _out, err = env.tenks('deploy', '--spec', spec)
    assert 'No changes' in err, err
    status = env.tenks_json('status', '--all')
    assert {r['Found'] for r in status} == {'ok'}, status
    _nothing_left(env)


def test_teardown_fails_loudly_on_what_lost_its_mark(make_env):
    """Neither provably tenks' nor provably someone else's: refused.

    A teardown that finds a BMC entry and a link of its cluster without
    their tenks marks (removed by hand here) leaves them alone, says so
    and exits non-zero instead of reporting success; once the user has
    removed them, the next teardown finishes.
    """
    env = make_env()
    spec = env.write_spec(specs.text(
        {'t': specs.node_type(physical_networks=['physnet1'])},
        [specs.entry('t', 1)], physnet_mappings={'physnet1': None}))
    env.tenks('deploy', '--spec', spec)
    node = env.token + '0'
    entry_dir = os.path.join(env.run_dir, 'vbmc', 'conf', node)
    os.unlink(os.path.join(entry_dir, entries.OWNER_FILE))
    link = 'p-%s-0-tap' % node
    subprocess.run(['ip', 'link', 'set', link, 'alias', ''], check=True)
    code, _out, err = env.tenks('teardown', check=False)
    assert code == 1, err
    assert 'vbmc entry %s' % node in err, err
    assert 'carries no tenks mark, so tenks cannot tell' in err, err
    assert 'Traceback' not in err
    # Left alone, and still recorded: a second try says the same.
    assert os.path.exists(os.path.join(entry_dir, 'config'))
    code, _out, err = env.tenks('teardown', check=False)
    assert code == 1 and 'vbmc entry %s' % node in err, err
    # The user removes it as told; the link is next.
    shutil.rmtree(entry_dir)
    code, _out, err = env.tenks('teardown', check=False)
    assert code == 1, err
    assert 'vif localhost/%s: %s carries no tenks mark' % (link, link) in err
    assert subprocess.run(['ip', 'link', 'show', link]).returncode == 0
    subprocess.run(['ip', 'link', 'delete', link], check=True)
    _nothing_left(env)
