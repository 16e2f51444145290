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

"""``tenks host setup`` on this machine, which the test fixtures (and CI)
have already set up: it must find nothing to install and every daemon
running, and leave the running daemons alone."""

import subprocess

import pytest

from tests.functional import specs

EXPECTED_STEPS = ['platform', 'packages', 'kvm device', 'virtlogd',
                  'libvirtd', 'libvirt', 'swtpm CA']


def pids(name):
    out = subprocess.run(['pgrep', '-x', name], capture_output=True,
                         text=True).stdout
    return sorted(int(p) for p in out.split())


@pytest.fixture
def daemon_pids(libvirtd):
    return {name: pids(name) for name in ('libvirtd', 'virtlogd')}


def test_host_setup_finds_host_ready(tenks_env, daemon_pids):
    rows = tenks_env.tenks_json('host', 'setup')
    assert [r['Step'] for r in rows] == EXPECTED_STEPS
    assert {r['Host'] for r in rows} == {'localhost'}
    assert {r['Status'] for r in rows} == {'ok'}, rows
    by_step = {r['Step']: r['Detail'] for r in rows}
    for package in ('libvirt-daemon-system', 'qemu-system-x86', 'ovmf'):
        assert package in by_step['packages']
    assert 'openvswitch-switch' not in by_step['packages']  # linuxbridge
    assert by_step['kvm device'] == '/dev/kvm is kvm:660'
    assert by_step['libvirt'] == 'answers at qemu:///system'
    # CI installs swtpm (the TPM tests need it).
    assert by_step['swtpm CA'] == '/var/lib/swtpm-localca belongs to tss'
    # Nothing restarted.
    assert {name: pids(name) for name in daemon_pids} == daemon_pids


def test_host_setup_dry_run(tenks_env, daemon_pids):
    rows = tenks_env.tenks_json('host', 'setup', '--dry-run')
    assert [(r['Step'], r['Status']) for r in rows] == [
        (step, 'ok') for step in EXPECTED_STEPS]
    assert {name: pids(name) for name in daemon_pids} == daemon_pids


def test_host_setup_for_openvswitch_spec(tenks_env, ovs, daemon_pids):
    ovs_pids = pids('ovs-vswitchd')
    spec = tenks_env.write_spec(specs.text(
        {'small': specs.node_type(ironic_driver='fake-hardware')},
        [specs.entry('small', 1)], bridge_type='openvswitch'))
    rows = tenks_env.tenks_json('host', 'setup', '--spec', spec)
    assert [r['Step'] for r in rows] == [
        'platform', 'packages', 'kvm device', 'virtlogd', 'libvirtd',
        'openvswitch', 'libvirt', 'swtpm CA']
    assert {r['Status'] for r in rows} == {'ok'}, rows
    assert 'openvswitch-switch' in rows[1]['Detail']
    assert pids('ovs-vswitchd') == ovs_pids
    assert {name: pids(name) for name in daemon_pids} == daemon_pids
