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

"""The virtualbmc plugin on real daemons, checked with the real ipmitool.

Every test runs in both modes (vbmcd, embedded). Domains are tiny TCG
domains defined by the test; power changes are checked through libvirt.
"""

import concurrent.futures
import os
import signal
import socket
import subprocess
import sys
import textwrap

import pytest

from tenks.bmc.virtualbmc import embedded
from tenks.bmc.virtualbmc import entries
from tenks.bmc.virtualbmc import vbmcd
from tenks import exception
from tenks.hosts import procs
from tests.functional.bmc import helpers as bh

MODES = ('vbmcd', 'embedded')


def _world(tmp_path, mode, extra=''):
    return bh.BMCWorld(tmp_path, extra_conf='[vbmc]\nmode = %s\n%s'
                       % (mode, extra))


@pytest.fixture(params=MODES)
def world(request, tmp_path, libvirtd):
    w = _world(tmp_path, request.param)
    w.mode = request.param
    yield w
    leaks = w.close()
    assert not leaks, 'left behind: %s' % ', '.join(leaks)


def _creds(record):
    return record.props['port'], record.props['username'], \
        record.props['password']


def _daemons(world):
    """``{pid: mode}``: the processes started with the service's config."""
    service = world.of('bmc_service')[0]
    conf = entries.conf_path(service.props['run_dir'])
    kinds = {'embedded': embedded.EmbeddedServer.modules,
             'vbmcd': vbmcd.Vbmcd.modules}
    out = {}
    for pid in procs.find_by_args('--config', conf):
        argv = procs.cmdline(pid)
        if not argv:
            continue            # it ended since it was listed
        out[pid] = next(mode for mode, modules in kinds.items()
                        if any(m in argv for m in modules))
    return out


def test_ipmitool_power_bootdev_and_credentials(world):
    world.plan(bh.spec_text(ipmi=2))
    services = world.of('bmc_service')
    assert len(services) == 1
    outputs = world.create_all()
    service = services[0]
    assert outputs[service.key]['mode'] == world.mode
    run_dir = service.props['run_dir']
    assert world.token in run_dir
    # Config, entries and the daemon are tenks' own and private.
    assert os.stat(run_dir).st_mode & 0o777 == 0o700
    conf_file = os.path.join(run_dir, 'virtualbmc.conf')
    assert os.stat(conf_file).st_mode & 0o777 == 0o600
    names = sorted(r.props['domain'] for r in world.of('bmc'))
    for name in names:
        entry = os.path.join(run_dir, 'conf', name, 'config')
        assert os.stat(entry).st_mode & 0o077 == 0
    daemons = _daemons(world)
    assert set(daemons.values()) == {world.mode}
    if world.mode == 'vbmcd':
        assert len(daemons) == 3        # vbmcd and one child per BMC
    else:
        assert len(daemons) == 1

    first, second = names
    port, user, password = _creds(world.bmc(first))
    out = bh.ipmitool(port, user, password, 'power', 'status')
    assert out.returncode == 0, out.stderr
    assert 'Chassis Power is off' in out.stdout
    assert not world.active(first)

    out = bh.ipmitool(port, user, password, 'power', 'on')
    assert out.returncode == 0, out.stderr
    bh.wait_for(lambda: world.active(first), 'power on')
    assert not world.active(second)
    out = bh.ipmitool(port, user, password, 'power', 'status')
    assert 'Chassis Power is on' in out.stdout
    out = bh.ipmitool(port, user, password, 'power', 'off')
    assert out.returncode == 0, out.stderr
    bh.wait_for(lambda: not world.active(first), 'power off')

    # Boot device (set while off, as Ironic does before powering on).
    out = bh.ipmitool(port, user, password, 'chassis', 'bootdev', 'pxe')
    assert out.returncode == 0, out.stderr
    assert world.boot_dev(first) == 'network'
    out = bh.ipmitool(port, user, password, 'chassis', 'bootdev', 'disk')
    assert out.returncode == 0, out.stderr
    assert world.boot_dev(first) == 'hd'

    # A wrong password is refused and changes nothing.
    out = bh.ipmitool(port, user, password + 'x', 'power', 'on')
    assert out.returncode != 0
    assert not world.active(first)
    out = bh.ipmitool(port, 'nobody', password, 'power', 'status')
    assert out.returncode != 0

    # tenks' own protocol client (what node power / verify use).
    driver = world.driver('virtualbmc')
    props = world.bmc(second).props
    assert driver.verify(props) == 'off'
    assert driver.power(props, 'on') == 'on'
    assert world.active(second)
    assert driver.power(props, 'off') == 'off'
    assert not world.active(second)
    wrong = dict(props, password='not-it')
    with pytest.raises(Exception) as caught:
        driver.verify(wrong)
    assert 'not-it' not in str(caught.value)

    # An unchanged node is left alone: same daemon, same processes.
    again = world.create_all()
    assert _daemons(world) == daemons
    for record in world.of('bmc'):
        assert again[record.key]['daemon_pid'] == \
            outputs[record.key]['daemon_pid']
    observed = driver.observe('bmc', world.of('bmc'))
    assert all(o.exists and o.owned and o.healthy for o in observed.values())
    observed = driver.observe('bmc_service', services)
    assert observed[service.key].healthy

    # Teardown: the BMCs go, then the daemon, with its files.
    world.delete_all()
    assert not world.processes()
    assert not os.path.exists(run_dir)
    out = bh.ipmitool(port, user, password, 'power', 'status')
    assert out.returncode != 0
    observed = driver.observe('bmc', world.of('bmc'))
    assert not any(o.exists for o in observed.values())


def test_concurrent_creates_and_deletes(world):
    """As the executor runs them: several at once.

    The last delete stops the daemon while others may still finish.
    """
    world.plan(bh.spec_text(ipmi=6))
    driver = world.driver('virtualbmc')
    service = world.of('bmc_service')[0]
    driver.create('bmc_service', service)
    bmcs = world.of('bmc')
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda r: driver.create('bmc', r), bmcs))
    for record in bmcs:
        port, user, password = _creds(record)
        out = bh.ipmitool(port, user, password, 'power', 'status')
        assert out.returncode == 0, out.stderr
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda r: driver.delete('bmc', r), bmcs))
    assert not world.processes()
    assert not os.path.exists(service.props['run_dir'])


def test_update_port_and_credentials(world):
    world.plan(bh.spec_text(ipmi=1))
    world.create_all()
    old = world.bmc(world.of('bmc')[0].name)
    name = old.props['domain']
    new = old.copy()
    new.props.update(port=old.props['port'] + 1, username='operator',
                     password='n3w-secret')
    world.driver('virtualbmc').update('bmc', old, new)
    world.records[new.key] = new
    out = bh.ipmitool(old.props['port'], 'operator', 'n3w-secret', 'power',
                      'status')
    assert out.returncode != 0, 'the old port still answers'
    out = bh.ipmitool(new.props['port'], old.props['username'],
                      old.props['password'], 'power', 'status')
    assert out.returncode != 0, 'the old credentials still work'
    out = bh.ipmitool(new.props['port'], 'operator', 'n3w-secret', 'power',
                      'on')
    assert out.returncode == 0, out.stderr
    bh.wait_for(lambda: world.active(name), 'power on')
    world.domains[name].destroy()


def test_dead_daemon_is_restarted(world):
    world.plan(bh.spec_text(ipmi=2))
    world.create_all()
    driver = world.driver('virtualbmc')
    service = world.of('bmc_service')[0]
    for pid in _daemons(world):
        os.kill(pid, signal.SIGKILL)
    bh.wait_for(lambda: not _daemons(world), 'daemon killed')
    record = world.of('bmc')[0]
    port, user, password = _creds(record)
    assert bh.ipmitool(port, user, password, 'power', 'status').returncode

    observed = driver.observe('bmc_service', [service])[service.key]
    assert observed.exists and not observed.healthy
    observed = driver.observe('bmc', world.of('bmc'))
    assert all(o.exists and not o.healthy for o in observed.values())

    # What a deploy does with that: create again (an ensure).
    driver.create('bmc_service', service)
    for record in world.of('bmc'):
        port, user, password = _creds(record)
        out = bh.ipmitool(port, user, password, 'power', 'status')
        assert out.returncode == 0, out.stderr
    observed = driver.observe('bmc', world.of('bmc'))
    assert all(o.healthy for o in observed.values())


def test_entries_of_others_are_left_alone(world):
    world.plan(bh.spec_text(ipmi=1))
    service = world.of('bmc_service')[0]
    record = world.of('bmc')[0]
    driver = world.driver('virtualbmc')
    driver.create('bmc_service', service)
    # Someone else's entry with the node's name, in tenks' directory.
    entry_dir = os.path.join(service.props['run_dir'], 'conf',
                             record.props['domain'])
    os.makedirs(entry_dir)
    entry = os.path.join(entry_dir, 'config')
    with open(entry, 'w') as f:
        f.write(entries.entry_text(record.props['domain'], '127.0.0.1',
                                   record.props['port'], 'x', 'y', bh.URI))
    with open(entry) as f:
        before = f.read()
    observed = driver.observe('bmc', [record])[record.key]
    assert observed.exists and observed.owned is False
    with pytest.raises(exception.ResourceConflict):
        driver.create('bmc', record)
    with pytest.raises(exception.ResourceConflict, match='no tenks mark'):
        driver.delete('bmc', record)
    with open(entry) as f:
        assert f.read() == before
    # It is not tenks' to remove; the test removes it.
    os.unlink(entry)
    os.rmdir(entry_dir)


def test_port_in_use_is_reported(world):
    world.plan(bh.spec_text(ipmi=1))
    record = world.of('bmc')[0]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(('127.0.0.1', record.props['port']))
        world.driver('virtualbmc').create('bmc_service',
                                          world.of('bmc_service')[0])
        with pytest.raises(Exception) as caught:
            world.driver('virtualbmc').create('bmc', record)
        assert 'in use by pid %d' % os.getpid() in str(caught.value)


def test_mode_switch_keeps_bmcs(tmp_path, libvirtd):
    world = _world(tmp_path, 'vbmcd')
    try:
        world.plan(bh.spec_text(ipmi=2))
        world.create_all()
        service = world.of('bmc_service')[0]
        assert set(_daemons(world).values()) == {'vbmcd'}
        world.plan(bh.spec_text(ipmi=2), reconf='[vbmc]\nmode = embedded\n')
        # The mode is part of the service's props: a planned update.
        new = world.of('bmc_service')[0]
        assert (service.props['mode'], new.props['mode']) == (
            'vbmcd', 'embedded')
        driver = world.driver('virtualbmc')
        assert driver.update('bmc_service', service, new)['mode'] == (
            'embedded')
        assert set(_daemons(world).values()) == {'embedded'}
        for record in world.of('bmc'):
            port, user, password = _creds(record)
            out = bh.ipmitool(port, user, password, 'power', 'status')
            assert out.returncode == 0, out.stderr
    finally:
        leaks = world.close()
    assert not leaks, leaks


def test_foreign_control_port_is_a_conflict(tmp_path, libvirtd):
    world = _world(tmp_path, 'vbmcd')
    try:
        world.plan(bh.spec_text(ipmi=1))
        service = world.of('bmc_service')[0]
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', service.props['server_port']))
            sock.listen()
            driver = world.driver('virtualbmc')
            observed = driver.observe('bmc_service', [service])[service.key]
            assert observed.exists and observed.owned is False
            with pytest.raises(exception.ResourceConflict) as caught:
                driver.create('bmc_service', service)
            assert 'pid %d' % os.getpid() in str(caught.value)
        world.records = {}
    finally:
        leaks = world.close()
    assert not leaks, leaks


def test_existing_vbmcd_when_not_managed(tmp_path, libvirtd):
    """manage_daemon = false: entries go into someone else's vbmcd.

    tenks neither starts nor stops that vbmcd.
    """
    world = _world(tmp_path, 'vbmcd', 'manage_daemon = false\n')
    theirs = os.path.join(world.env.root, 'theirs')
    os.makedirs(os.path.join(theirs, 'conf'))
    conf = os.path.join(theirs, 'virtualbmc.conf')
    with open(conf, 'w') as f:
        f.write(textwrap.dedent('''\
            [default]
            config_dir = %(d)s/conf
            pid_file = %(d)s/vbmcd.pid
            server_port = %(port)d
            [log]
            logfile = %(d)s/vbmcd.log
            ''') % {'d': theirs, 'port': world.env.vbmc_server_port})
    daemon = subprocess.Popen(
        [sys.executable, '-m', 'tenks.bmc.virtualbmc.run_vbmcd', '--config',
         conf],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        world.plan(bh.spec_text(ipmi=1))
        service = world.of('bmc_service')[0]
        assert service.props['managed'] is False
        bh.wait_for(lambda: world.driver('virtualbmc').observe(
            'bmc_service', [service])[service.key].exists, 'their vbmcd')
        world.create_all()
        record = world.of('bmc')[0]
        port, user, password = _creds(record)
        out = bh.ipmitool(port, user, password, 'power', 'status')
        assert out.returncode == 0, out.stderr
        assert os.path.isfile(os.path.join(theirs, 'conf',
                                           record.props['domain'], 'config'))
        assert not os.path.exists(service.props['run_dir'])
        world.delete_all()
        assert not os.path.exists(os.path.join(theirs, 'conf',
                                               record.props['domain']))
        assert daemon.poll() is None, 'tenks stopped a vbmcd not its own'
        world.records = {}
    finally:
        procs.terminate([daemon.pid])
        daemon.wait()
        leaks = world.close()
    assert not leaks, leaks
