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

"""Faults injected into real runs (issue: reliability).

Each fault gives a clear error naming the resource, leaves the state true
to what exists, and a re-run after the fault is fixed converges.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time


from tests.functional import env as env_mod
from tests.functional.hosts import second_hypervisor
from tests.functional.ironic_fixture import ironic  # noqa: F401
from tests.functional.ironic_fixture import ironic_server  # noqa: F401
from tests.functional import specs


def _vms(count):
    return specs.text(
        {'t': specs.node_type(ironic_driver='fake-hardware',
                              volumes=[{'capacity': '16MiB'}])},
        [specs.entry('t', count)])


def _converges(env, spec):
    env.tenks('deploy', '--spec', spec)
    code, out, err = env.tenks('deploy', '--spec', spec)
    assert 'No changes' in err, err
    assert {r['Found'] for r in env.tenks_json('status', '--all')} == {'ok'}


def _journal_lines(env):
    try:
        with open(env.state_file + '.journal') as f:
            return sum(1 for line in f if '"op":"done"' in line)
    except FileNotFoundError:
        return 0


def _finished(proc, timeout):
    """Standard error of ``proc`` once it ends; a stuck one fails the test.

    A process still running after ``timeout`` gets SIGABRT, on which
    Python's fault handler (``PYTHONFAULTHANDLER``) writes every thread's
    stack to the standard error the failure shows.
    """
    try:
        return proc.communicate(timeout=timeout)[1]
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)
        try:
            err = proc.communicate(timeout=30)[1]
        except subprocess.TimeoutExpired:
            proc.kill()
            err = proc.communicate()[1]
        raise AssertionError('still running after %d s; its threads:\n%s'
                             % (timeout, err))


def test_libvirtd_stopped_mid_run(tmp_path, libvirtd):
    """The hypervisor's libvirtd dies in the middle of a deploy."""
    hv = second_hypervisor.start(str(tmp_path / 'hv'))
    env = env_mod.TenksEnv(str(tmp_path), extra_conf='[libvirt]\n'
                           'uri = %s\n' % hv.uri)
    try:
        spec = env.write_spec(_vms(6))
        proc = subprocess.Popen(
            [sys.executable, '-m', 'tenks.cli.app',
             '--config-file', env.config_file, 'deploy', '--spec', spec],
            env=dict(os.environ, TENKS_TEST_SLOW_ACTIONS='0.4',
                     PYTHONFAULTHANDLER='1'),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while _journal_lines(env) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        second_hypervisor.stop(hv)
        err = _finished(proc, 120)
        assert proc.returncode == 1, err
        assert 'failed' in err and 'libvirt' in err.lower(), err
        assert 'Traceback' not in err
        # The state records what was done, nothing more.
        state = env.tenks_json('node', 'list')
        assert len(state) == 6
        code, _out, err = env.tenks('deploy', '--spec', spec, check=False)
        assert code == 1
        assert 'cannot check what exists' in err and hv.uri in err, err
        # libvirtd is back: the next run converges.
        hv = second_hypervisor.start(str(tmp_path / 'hv'))
        _converges(env, spec)
        env.tenks('teardown')
        assert not os.path.exists(env.state_file)
    finally:
        env.tenks('teardown', check=False)
        second_hypervisor.stop(hv)


def test_pool_full(tmp_path, tenks_env):
    """Volumes do not fit in the pool's filesystem."""
    env = tenks_env
    mount = os.path.join(env.root, 'small')
    os.makedirs(mount)
    subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=24m,mode=0755',
                    'tenks-test', mount], check=True)
    try:
        image = os.path.join(env.root, 'image.raw')
        with open(image, 'wb') as f:
            f.write(os.urandom(16 * 1024 * 1024))
        pool = os.path.join(mount, 'pool')
        spec = env.write_spec(specs.text(
            {'t': specs.node_type(ironic_driver='fake-hardware',
                                  volumes=[{'image': image,
                                            'format': 'raw'}])},
            [specs.entry('t', 2)],
            hypervisors={'localhost': {'pool_name': env.pool_name + 'f',
                                       'pool_path': pool}}))
        code, _out, err = env.tenks('deploy', '--spec', spec, check=False)
        assert code == 1
        assert 'vol0' in err and 'failed' in err, err
        assert 'No space left' in err or 'space' in err.lower(), err
        assert 'Traceback' not in err
        nodes = {n['Name']: n['Status'] for n in
                 env.tenks_json('node', 'list')}
        assert 'incomplete' in nodes.values()
        subprocess.run(['mount', '-o', 'remount,size=96m', mount],
                       check=True)
        _converges(env, spec)
        env.tenks('teardown')
    finally:
        env.tenks('teardown', check=False)
        subprocess.run(['umount', '-l', mount])


def test_link_name_taken(tenks_env):
    """A link exists with the name tenks wants for a node's NIC."""
    env = tenks_env
    spec = env.write_spec(specs.text(
        {'t': specs.node_type(ironic_driver='fake-hardware',
                              physical_networks=['physnet1'])},
        [specs.entry('t', 2)], physnet_mappings={'physnet1': None}))
    taken = 'p-%s1-0-tap' % env.token
    subprocess.run(['ip', 'link', 'add', taken, 'type', 'veth', 'peer',
                    'name', taken[:-3] + 'xx'], check=True)
    try:
        before = env_mod.host_snapshot(pattern=env.name_pattern)
        code, _out, err = env.tenks('deploy', '--spec', spec, check=False)
        assert code == 1
        assert 'nothing was changed' in err and taken in err, err
        assert env_mod.host_snapshot(pattern=env.name_pattern) == before
        assert not os.path.exists(env.state_file)
    finally:
        subprocess.run(['ip', 'link', 'delete', taken])
    # Still there after tenks gave up: the foreign link was not touched.
    _converges(env, spec)


def test_ironic_unreachable(tenks_env, ironic, monkeypatch):  # noqa: F811
    """Ironic does not answer: one clear error, then convergence."""
    env = tenks_env
    dead = env_mod.free_tcp_port()
    clouds = os.path.join(env.root, 'clouds.yaml')
    ironic.write_clouds_yaml(clouds, {
        'dead': {'auth_type': 'none',
                 'baremetal_endpoint_override': 'http://127.0.0.1:%d' % dead},
        ironic.cloud_name: ironic.cloud_entry()})
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', clouds)
    monkeypatch.setenv('OS_CLOUD', 'dead')
    spec = env.write_spec(specs.text(
        {'t': specs.node_type(ironic_driver='fake-hardware')},
        [specs.entry('t', 2, ironic_config={'resource_class': 'test-rc'})],
        wait_for_placement=False))
    before = env_mod.host_snapshot(pattern=env.name_pattern)
    code, _out, err = env.tenks('deploy', '--spec', spec, check=False)
    assert code == 1
    # One clear error, found while checking what exists, before anything
    # was touched.
    assert 'cannot check what exists' in err, err
    assert 'http://127.0.0.1:%d' % dead in err, err
    assert 'Traceback' not in err
    assert env_mod.host_snapshot(pattern=env.name_pattern) == before
    assert not os.path.exists(env.state_file)
    monkeypatch.setenv('OS_CLOUD', ironic.cloud_name)
    _converges(env, spec)
    assert len(list(ironic.conn().baremetal.nodes())) == 2
    env.tenks('teardown')
    assert list(ironic.conn().baremetal.nodes()) == []


def test_redfish_port_taken(tenks_env):
    """Something else listens on the Redfish emulator's port."""
    env = tenks_env
    spec = env.write_spec(specs.text(
        {'t': specs.node_type(ironic_driver='redfish')},
        [specs.entry('t', 1)]))
    squatter = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    squatter.bind(('127.0.0.1', env.redfish_port))
    squatter.listen(1)
    try:
        code, _out, err = env.tenks('deploy', '--spec', spec, check=False)
        assert code == 1
        assert str(env.redfish_port) in err, err
        assert 'Traceback' not in err
    finally:
        squatter.close()
    _converges(env, spec)


def test_vbmcd_killed(tenks_env):
    """tenks' own IPMI daemon dies after a deploy.

    status says so, deploy repairs it, and the BMCs answer again.
    """
    env = tenks_env
    spec = env.write_spec(specs.text({'t': specs.node_type()},
                                     [specs.entry('t', 2)]))
    env.tenks('deploy', '--spec', spec)
    out = subprocess.run(['pgrep', '-f', env.run_dir], capture_output=True,
                         text=True).stdout.split()
    assert out, 'no BMC process found for %s' % env.run_dir
    for pid in out:
        os.kill(int(pid), signal.SIGKILL)
    time.sleep(0.5)
    rows = env.tenks_json('status')
    assert rows and {r['Found'] for r in rows} <= {'missing', 'broken'}
    _converges(env, spec)
    start, _end = env.ipmi_range
    for port in (start, start + 1):
        proc = subprocess.run(
            ['ipmitool', '-I', 'lanplus', '-H', '127.0.0.1', '-p', str(port),
             '-U', 'admin', '-P', 'password', 'power', 'status'],
            capture_output=True, text=True, timeout=60)
        assert 'Chassis Power is off' in proc.stdout, proc


def test_tools_present():
    for tool in ('mount', 'ipmitool', 'unshare'):
        assert shutil.which(tool), tool
