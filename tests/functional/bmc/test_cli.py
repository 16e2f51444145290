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

"""BMCs end to end through the CLI: ``tenks deploy`` of a mixed IPMI and
Redfish cluster on one hypervisor (nodes without physical networks, so the
libvirt provider is the only other plugin), ``tenks node power``, ``tenks
verify``, repair by a second deploy, and ``tenks teardown``.
"""

import json
import os
import signal

import libvirt
import pytest

from tests.functional.bmc import helpers as bh
from tests.functional import specs

SPEC = specs.text(
    {'ipmi': specs.node_type(
        ironic_driver='ipmi',
        bmc={'username': 'ipmi-user', 'password': 'ipmi-s3cret'}),
     'redfish': specs.node_type(
         ironic_driver='redfish',
         bmc={'username': 'rf-user', 'password': 'rf-s3cret'})},
    [specs.entry('ipmi', 2), specs.entry('redfish', 1)])


def _json(env, *args):
    code, out, err = env.tenks(*(list(args) + ['-f', 'json']), check=False)
    return code, json.loads(out or '[]'), err


@pytest.mark.parametrize('mode', ['embedded', 'vbmcd'])
def test_deploy_power_verify_repair_teardown(reaper, tenks_env, mode):
    env = tenks_env
    reaper.append(env.token)
    with open(env.config_file, 'a') as f:
        f.write('[vbmc]\nmode = %s\n' % mode)
    spec = env.write_spec(SPEC)
    conn = libvirt.open(bh.URI)
    try:
        _scenario(env, spec, conn)
    finally:
        conn.close()
    env.tenks('teardown')
    assert not bh.token_processes(env.token)
    assert not os.path.exists(os.path.join(env.run_dir, 'vbmc'))
    assert not os.path.exists(os.path.join(env.run_dir, 'sushy-localhost'))


def _scenario(env, spec, conn):
    token = env.token
    ipmi0, ipmi1, rf0 = '%s0' % token, '%s1' % token, '%s2' % token
    code, rows, err = _json(env, 'deploy', '--spec', spec)
    assert code == 0, err
    kinds = sorted((r['Kind'], r['Name']) for r in rows
                   if r['Kind'].startswith('bmc'))
    assert kinds == [('bmc', ipmi0), ('bmc', ipmi1), ('bmc', rf0),
                     ('bmc_service', 'local/127.0.0.1/virtualbmc'),
                     ('bmc_service', 'localhost/sushy_tools')]
    dom = {n: conn.lookupByName(n) for n in (ipmi0, ipmi1, rf0)}
    assert not any(d.isActive() for d in dom.values())

    # Power on one IPMI and the Redfish node, through their BMCs.
    code, rows, err = _json(env, 'node', 'power', 'on', ipmi0, rf0)
    assert code == 0, err
    assert [(r['Name'], r['Power'], r['Result']) for r in rows] == [
        (ipmi0, 'on', 'ok'), (rf0, 'on', 'ok')]
    assert rows[0]['BMC'].startswith('ipmi://127.0.0.1:')
    assert rows[1]['BMC'].endswith('/redfish/v1/Systems/%s'
                                   % dom[rf0].UUIDString())
    assert dom[ipmi0].isActive() and dom[rf0].isActive()
    assert not dom[ipmi1].isActive()

    code, rows, err = _json(env, 'node', 'power', 'status', ipmi0, ipmi1,
                            rf0)
    assert code == 0, err
    assert [r['Power'] for r in rows] == ['on', 'off', 'on']

    code, rows, err = _json(env, 'verify', '--all')
    assert code == 0, err
    assert [(r['Name'], r['Emulator'], r['Result']) for r in rows] == [
        (ipmi0, 'virtualbmc', 'ok'), (ipmi1, 'virtualbmc', 'ok'),
        (rf0, 'sushy_tools', 'ok')]

    # The real clients agree, with the node type's credentials.
    ipmi_port = int(rows[0]['BMC'].rsplit(':', 1)[1])
    out = bh.ipmitool(ipmi_port, 'ipmi-user', 'ipmi-s3cret', 'power',
                      'status')
    assert 'Chassis Power is on' in out.stdout, out.stderr

    # Passwords never show.
    code, out, err = env.tenks('node', 'show', ipmi0, '-f', 'json',
                               check=False)
    assert code == 0, err
    assert json.loads(out)['bmc']['password'] == '******'
    for args in (('node', 'list'), ('verify', '--all'),
                 ('node', 'power', 'status', ipmi0, rf0)):
        code, out, err = env.tenks(*args, check=False)
        assert 'ipmi-s3cret' not in out + err
        assert 'rf-s3cret' not in out + err

    # Bad names fail before anything is touched.
    code, out, err = env.tenks('node', 'power', 'off', ipmi0, 'nosuch',
                               check=False)
    assert code != 0
    assert 'no node named nosuch' in err
    assert dom[ipmi0].isActive()

    # Emulators killed behind tenks' back: verify reports every BMC, a
    # deploy brings them back.
    for pid in bh.token_processes(token):
        os.kill(pid, signal.SIGKILL)
    bh.wait_for(lambda: not bh.token_processes(token), 'emulators killed')
    code, rows, err = _json(env, 'verify')
    assert code == 1
    assert sorted(r['Name'] for r in rows) == [ipmi0, ipmi1, rf0]
    assert all(r['Result'].startswith('failed: ') for r in rows)
    code, rows, err = _json(env, 'deploy', '--spec', spec)
    assert code == 0, err
    assert {r['Kind'] for r in rows} <= {'bmc_service', 'bmc'}
    code, rows, err = _json(env, 'verify', '--all')
    assert code == 0, err
    assert len(rows) == 3

    # A deploy with nothing changed leaves the emulators alone.
    before = bh.token_processes(token)
    code, out, err = env.tenks('deploy', '--spec', spec, check=False)
    assert code == 0, err
    assert 'No changes' in err
    assert bh.token_processes(token) == before

    code, rows, err = _json(env, 'node', 'power', 'off', ipmi0, rf0)
    assert code == 0, err
    assert [r['Power'] for r in rows] == ['off', 'off']
    assert not dom[ipmi0].isActive() and not dom[rf0].isActive()
