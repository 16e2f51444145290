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

"""The sushy_tools plugin on a real sushy-emulator, checked with the
``sushy`` Redfish client; power changes are checked through libvirt.
"""

import datetime
import os
import signal
import socket

import pytest
import sushy
from sushy import exceptions as sushy_exc

from tenks.bmc.sushy import host as sushy_host
from tenks import exception
from tests.functional.bmc import helpers as bh


@pytest.fixture
def world(tmp_path, libvirtd):
    w = bh.BMCWorld(tmp_path)
    yield w
    leaks = w.close()
    assert not leaks, 'left behind: %s' % ', '.join(leaks)


def _client(record, password=None, scheme='http'):
    props = record.props
    return sushy.Sushy('%s://127.0.0.1:%d/redfish/v1' % (scheme,
                                                         props['port']),
                       username=props['username'],
                       password=password or props['password'],
                       verify=False)


def _emulators(world):
    return sushy_host._emulators(world.of('bmc_service')[0].props['run_dir'])


def test_redfish_power_boot_and_auth(world):
    world.plan(bh.spec_text(redfish=2))
    # A domain that is not a Redfish node of the cluster: never exposed.
    outsider = world.define('%soutsider' % world.token,
                            '6f0c4b4e-0000-4000-8000-%s' % ('0' * 12))
    outputs = world.create_all()
    service = world.of('bmc_service')[0]
    run_dir = service.props['run_dir']
    for name in ('emulator.conf', 'htpasswd'):
        assert os.stat(os.path.join(run_dir, name)).st_mode & 0o777 == 0o600
    assert os.stat(run_dir).st_mode & 0o777 == 0o700
    pid = outputs[service.key]['pid']
    assert _emulators(world) == [pid]

    first, second = sorted(world.of('bmc'), key=lambda r: r.name)
    name = first.props['domain']
    root = _client(first)
    members = {m.path for m in root.get_system_collection().get_members()}
    assert members == {r.props['system_id'] for r in (first, second)}
    assert outsider.UUIDString() not in str(members)

    system = root.get_system(first.props['system_id'])
    assert system.uuid == first.props['uuid']
    assert system.power_state == sushy.PowerState.OFF
    system.reset_system(sushy.ResetType.ON)
    bh.wait_for(lambda: world.active(name), 'power on')
    assert not world.active(second.props['domain'])
    system.refresh()
    assert system.power_state == sushy.PowerState.ON
    system.reset_system(sushy.ResetType.FORCE_OFF)
    bh.wait_for(lambda: not world.active(name), 'power off')

    system.set_system_boot_options(sushy.BootSource.PXE,
                                   sushy.BootSourceOverrideEnabled.CONTINUOUS)
    assert world.first_boot_device(name) == 'interface'
    system.refresh()
    assert system.boot.target == sushy.BootSource.PXE

    # Storage for out-of-band inspection: one drive per volume; these
    # nodes have none, and their (empty) collection still answers.
    assert system.storage.get_members() == []

    # A wrong password is refused and changes nothing.
    wrong = _client(first, password='not-the-password')
    with pytest.raises(sushy_exc.AccessError):
        wrong.get_system(first.props['system_id'])
    assert not world.active(name)

    # tenks' own client (what node power and verify use).
    driver = world.driver('sushy_tools')
    assert driver.verify(second.props) == 'off'
    assert driver.power(second.props, 'on') == 'on'
    assert world.active(second.props['domain'])
    assert driver.power(second.props, 'off') == 'off'
    with pytest.raises(Exception) as caught:
        driver.verify(dict(second.props, password='nope'))
    assert '401' in str(caught.value)

    # Unchanged: not restarted.
    again = world.create_all()
    assert again[service.key]['pid'] == pid
    observed = driver.observe('bmc', world.of('bmc'))
    assert all(o.exists and o.healthy for o in observed.values())

    # A third node: the emulator is restarted with it allowed.
    world.plan(bh.spec_text(redfish=3))
    service = world.of('bmc_service')[0]
    old = dict(service.props)
    assert len(old['instances']) == 3
    outputs = world.create_all()
    assert outputs[service.key]['pid'] != pid
    members = {m.path for m in _client(first).get_system_collection()
               .get_members()}
    assert len(members) == 3

    # Deleting the service stops it and removes its files (keeps the log).
    world.delete_all()
    assert not world.processes()
    assert not os.path.exists(run_dir)
    assert os.path.exists(service.props['log_file'])


def test_dead_emulator_is_restarted(world):
    world.plan(bh.spec_text(redfish=1))
    world.create_all()
    service = world.of('bmc_service')[0]
    driver = world.driver('sushy_tools')
    for pid in _emulators(world):
        os.kill(pid, signal.SIGKILL)
    bh.wait_for(lambda: not _emulators(world), 'emulator killed')
    observed = driver.observe('bmc_service', [service])[service.key]
    assert observed.exists and not observed.healthy
    observed = driver.observe('bmc', world.of('bmc'))
    assert all(not o.healthy for o in observed.values())
    driver.create('bmc_service', service)
    record = world.of('bmc')[0]
    system = _client(record).get_system(record.props['system_id'])
    assert system.power_state == sushy.PowerState.OFF


def test_teardown_of_a_dead_emulator_removes_its_files(world):
    world.plan(bh.spec_text(redfish=1))
    world.create_all()
    service = world.of('bmc_service')[0]
    for pid in _emulators(world):
        os.kill(pid, signal.SIGKILL)
    bh.wait_for(lambda: not _emulators(world), 'emulator killed')
    world.delete_all()
    assert not os.path.exists(service.props['run_dir'])


def test_port_in_use_is_a_conflict(world):
    world.plan(bh.spec_text(redfish=1))
    service = world.of('bmc_service')[0]
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', service.props['port']))
        sock.listen()
        driver = world.driver('sushy_tools')
        observed = driver.observe('bmc_service', [service])[service.key]
        assert observed.exists and observed.owned is False
        with pytest.raises(exception.ResourceConflict) as caught:
            driver.create('bmc_service', service)
        assert 'pid %d' % os.getpid() in str(caught.value)
    assert not world.processes()


def _self_signed(directory):
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives import serialization
    from cryptography import x509
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'localhost')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .sign(key, hashes.SHA256()))
    cert_path = os.path.join(directory, 'cert.pem')
    key_path = os.path.join(directory, 'key.pem')
    with open(cert_path, 'wb') as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, 'wb') as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return cert_path, key_path


def test_tls(tmp_path, libvirtd):
    cert, key = _self_signed(str(tmp_path))
    world = bh.BMCWorld(tmp_path, extra_conf='[redfish]\ntls_cert = %s\n'
                        'tls_key = %s\n' % (cert, key))
    try:
        world.plan(bh.spec_text(redfish=1))
        world.create_all()
        record = world.of('bmc')[0]
        driver = world.driver('sushy_tools')
        info = driver.driver_info(record.props)
        assert info['redfish_address'].startswith('https://')
        assert info['redfish_verify_ca'] is False
        system = _client(record, scheme='https').get_system(
            record.props['system_id'])
        assert system.uuid == record.props['uuid']
        assert driver.verify(record.props) == 'off'
    finally:
        leaks = world.close()
    assert not leaks, leaks
