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

"""Nodes with an emulated TPM (swtpm), as libvirt and QEMU run them.

The node is started under TCG with secure boot: QEMU gets its TPM from a
swtpm process, whose state lives as long as the node: kept when tenks
redefines the domain, removed with it.
"""

import os
import subprocess
import time

import pytest

from tests.functional.providers import libvirt_checks as lv
from tests.functional import specs

pytestmark = pytest.mark.hardware

SWTPM_STATE = '/var/lib/libvirt/swtpm'
LOCALCA = '/var/lib/swtpm-localca'
SWTPM_USER = 'tss'


def tpm_spec(memory_mb=256, tpm=True):
    return specs.text(
        {'t': specs.node_type(memory_mb=memory_mb,
                              ironic_driver='fake-hardware',
                              boot_mode='uefi', secure_boot=True, tpm=tpm,
                              volumes=[{'capacity': '16MiB'}])},
        [specs.entry('t', 1)])


def _wait(predicate, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError('%s within %ss' % (what, timeout))
        time.sleep(0.2)


def _swtpm_of(uuid):
    """Command lines of the swtpm processes serving domain ``uuid``."""
    found = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                args = f.read().split(b'\0')
        except OSError:
            continue
        if args and args[0].endswith(b'swtpm') and uuid.encode() in \
                b' '.join(args):
            found.append(args)
    return found


def test_tpm_state_lives_as_long_as_the_node(tenks_env):
    env = tenks_env
    lv.let_qemu_in(env.root)
    conn = lv.connect()
    name = '%s0' % env.token
    try:
        env.tenks('deploy', '--spec', env.write_spec(tpm_spec()))
        dom = conn.lookupByName(name)
        tpm = lv.inactive_xml(dom).find('devices/tpm')
        assert tpm.get('model') == 'tpm-crb'
        backend = tpm.find('backend')
        assert (backend.get('type'), backend.get('version')) == (
            'emulator', '2.0')
        uuid = dom.UUIDString()
        state = os.path.join(SWTPM_STATE, uuid, 'tpm2', 'tpm2-00.permall')

        provider = lv.provider(env)
        try:
            provider.power_on(name)
            assert conn.lookupByName(name).isActive()
            assert _swtpm_of(uuid), 'no swtpm runs for the node'
            assert "secure='yes'" in conn.lookupByName(name).XMLDesc(0)
            _wait(lambda: os.path.exists(state), 'TPM state written')
            provider.power_off(name)
        finally:
            provider.close()
        _wait(lambda: not _swtpm_of(uuid), 'swtpm gone with the node')
        with open(state, 'rb') as f:
            before = f.read()

        # A change that redefines the domain keeps its TPM's state.
        applied = env.tenks_json('deploy', '--spec',
                                 env.write_spec(tpm_spec(memory_mb=320)))
        assert [(r['Action'], r['Kind']) for r in applied] == [
            ('update', 'domain')]
        with open(state, 'rb') as f:
            assert f.read() == before

        env.tenks('teardown')
        assert not os.path.exists(os.path.join(SWTPM_STATE, uuid))
        assert lv.domains(conn, env.token) == {}
    finally:
        conn.close()


def _owners(directory):
    out = subprocess.run(['find', directory, '-printf', '%u\\n'],
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


def _setup_steps(env, spec):
    return {r['Step']: r
            for r in env.tenks_json('host', 'setup', '--spec', spec)}


def test_host_setup_gives_swtpm_ca_back(tenks_env):
    """A local CA made by a root swtpm: host setup gives it back.

    Then the node's TPM is signed by libvirt's swtpm user and it powers on
    (without the step: "Could not run '/usr/bin/swtpm_setup'").
    """
    env = tenks_env
    lv.let_qemu_in(env.root)
    # The package's own first signing, then root's files, as a libvirtd
    # started before swtpm's user existed leaves them.
    subprocess.run(['swtpm_setup', '--tpm2', '--tpmstate', env.root,
                    '--create-ek-cert', '--overwrite'], check=True,
                   capture_output=True, timeout=120)
    subprocess.run(['chown', '-R', 'root', LOCALCA], check=True)
    conn = lv.connect()
    name = '%s0' % env.token
    try:
        spec = env.write_spec(tpm_spec())
        rows = _setup_steps(env, spec)
        assert (rows['swtpm CA']['Status'], rows['swtpm CA']['Detail']) == (
            'done', 'chown -R %s %s' % (SWTPM_USER, LOCALCA))
        assert _owners(LOCALCA) == {SWTPM_USER}
        rows = _setup_steps(env, spec)
        assert rows['swtpm CA']['Status'] == 'ok'

        env.tenks('deploy', '--spec', spec)
        with lv.powered_on(env, name):
            assert conn.lookupByName(name).isActive()
        env.tenks('teardown')
    finally:
        subprocess.run(['chown', '-R', SWTPM_USER, LOCALCA], check=False)
        conn.close()
