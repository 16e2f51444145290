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

"""aarch64 nodes under TCG next to x86_64 ones, in one cluster.

The aarch64 node is a ``virt`` machine whose UEFI firmware libvirt
selects (AAVMF, from qemu-efi-aarch64); it starts, and what tenks gives
Ironic says its architecture.
"""

import json
import xml.etree.ElementTree as ET

import pytest

from tests.functional.providers import libvirt_checks as lv
from tests.functional import specs

pytestmark = pytest.mark.hardware


def test_aarch64_and_x86_64_nodes_in_one_cluster(tenks_env):
    env = tenks_env
    lv.let_qemu_in(env.root)
    conn = lv.connect()
    spec = env.write_spec(specs.text(
        {'x86': specs.node_type(ironic_driver='fake-hardware',
                                volumes=[{'capacity': '16MiB'}]),
         'arm': specs.node_type(memory_mb=256, arch='aarch64',
                                ironic_driver='fake-hardware',
                                volumes=[{'capacity': '16MiB'}])},
        [specs.entry('x86', 1), specs.entry('arm', 1)]))
    x86, arm = '%s0' % env.token, '%s1' % env.token
    try:
        env.tenks('deploy', '--spec', spec)
        shapes = {}
        for name in (x86, arm):
            root = lv.inactive_xml(conn.lookupByName(name))
            os_type = root.find('os/type')
            shapes[name] = (os_type.get('arch'),
                            os_type.get('machine').split('-')[0],
                            root.find('os').get('firmware'))
        assert shapes == {x86: ('x86_64', 'pc', 'efi'),
                          arm: ('aarch64', 'virt', 'efi')}, shapes

        provider = lv.provider(env)
        try:
            provider.power_on(arm)
            live = ET.fromstring(conn.lookupByName(arm).XMLDesc(0))
            assert conn.lookupByName(arm).isActive()
            assert 'AAVMF' in live.findtext('os/loader'), \
                ET.tostring(live.find('os')).decode()
            provider.power_off(arm)
        finally:
            provider.close()

        code, out, err = env.tenks('export', 'ironic')
        arches = {n['name']: n['properties']['cpu_arch']
                  for n in json.loads(out)['nodes']}
        assert arches == {x86: 'x86_64', arm: 'aarch64'}, arches
        env.tenks('teardown')
        assert lv.domains(conn, env.token) == {}
    finally:
        conn.close()
