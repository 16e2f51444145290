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

"""Two hypervisors: this machine's libvirtd and a second, independent one
(see :mod:`tests.functional.hosts.second_hypervisor`), in one spec."""

import os

import pytest

from tests.functional.hosts import second_hypervisor as second_hv
from tests.functional.providers import libvirt_checks as lv
from tests.functional import specs


@pytest.fixture
def second_hypervisor(tmp_path, libvirtd):
    """A second libvirtd, stopped by pid at the end (also on failure).

    Request it before ``tenks_env`` so that it outlives the environment's
    own teardown.
    """
    hv = second_hv.start(str(tmp_path / 'hv1'))
    try:
        yield hv
    finally:
        second_hv.stop(hv)


def test_nodes_spread_over_two_hypervisors(second_hypervisor, tenks_env):
    env = tenks_env
    token = env.token
    lv.let_qemu_in(env.root)
    spec = env.write_spec(specs.text(
        {'small': specs.node_type(boot_mode='uefi',
                                  ironic_driver='fake-hardware',
                                  volumes=[{'capacity': '16MiB'}])},
        [specs.entry('small', 4)],
        hypervisors={
            'hv0': {'libvirt_uri': 'qemu:///system',
                    'pool_path': '%s/pool0' % env.root},
            'hv1': {'libvirt_uri': second_hypervisor.uri,
                    'pool_path': '%s/pool1' % env.root,
                    'bridge_prefix': 'c%s' % token[1:]}}))
    conn0 = lv.connect()
    conn1 = lv.connect(second_hypervisor.uri)
    try:
        applied = env.tenks_json('deploy', '--spec', spec)
        assert {r['Result'] for r in applied} == {'done'}
        on0 = set(lv.domains(conn0, token))
        on1 = set(lv.domains(conn1, token))
        # Spread: both hypervisors get nodes; each node lives on one only.
        assert on0 and on1
        assert not on0 & on1
        assert on0 | on1 == {'%s%d' % (token, i) for i in range(4)}
        placed = {r['Name']: r['Hypervisor'] for r in applied
                  if r['Kind'] == 'domain'}
        assert {n for n, h in placed.items() if h == 'hv0'} == on0
        assert {n for n, h in placed.items() if h == 'hv1'} == on1
        # Each hypervisor has its own pool, holding its own nodes' volumes.
        assert set(lv.volumes(conn0, env.pool_name)) == {
            '%svol0' % n for n in on0}
        assert set(lv.volumes(conn1, env.pool_name)) == {
            '%svol0' % n for n in on1}
        for name in on1:
            s = lv.shape(conn1.lookupByName(name))
            assert (s['cluster'], s['uefi'], s['active']) == (token, True,
                                                              False)

        # A node of the second hypervisor starts there, with its NVRAM in
        # that hypervisor's own directories.
        name = sorted(on1)[0]
        with lv.powered_on(env, name, hypervisor='hv1',
                           uri=second_hypervisor.uri):
            assert conn1.lookupByName(name).isActive()
        nvram1 = os.path.join(second_hypervisor.directory, 'lib', 'qemu',
                              'nvram')
        assert lv.nvram_files(token, nvram1) == ['%s_VARS.fd' % name]
        assert lv.nvram_files(token) == []

        assert env.tenks_json('deploy', '--spec', spec) == []

        env.tenks('teardown')
        assert lv.domains(conn0, token) == {}
        assert lv.domains(conn1, token) == {}
        assert env.pool_name not in lv.pool_names(conn0)
        assert env.pool_name not in lv.pool_names(conn1)
        assert lv.nvram_files(token, nvram1) == []
    finally:
        conn0.close()
        conn1.close()
