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

"""End to end: ``tenks deploy`` with ironic_config against a real
standalone Ironic, with tenks' own libvirt provider and BMC plugins."""

import subprocess

import pytest

from tests.functional import env as env_mod
from tests.functional.ironic_fixture import ironic  # noqa: F401
from tests.functional.ironic_fixture import ironic_server  # noqa: F401
from tests.functional import specs

SPEC = specs.text(
    {'ipmi': specs.node_type(memory_mb=256),
     'redfish': specs.node_type(memory_mb=256, ironic_driver='redfish')},
    [specs.entry('ipmi', 1,
                 ironic_config={'resource_class': 'tenks_e2e',
                                'traits': ['CUSTOM_E2E']}),
     specs.entry('redfish', 1,
                 ironic_config={'resource_class': 'tenks_e2e'})],
    deploy_kernel='http://127.0.0.1:8088/ipa.kernel',
    deploy_ramdisk='http://127.0.0.1:8088/ipa.initramfs',
    wait_for_placement=False)


def _domstate(name):
    return subprocess.run(['virsh', '-c', 'qemu:///system', 'domstate',
                           name], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture
def tenks_env(tmp_path, libvirtd):
    """Like conftest's tenks_env, with the round-robin scheduler.

    The filter scheduler would count other tests' VMs against this host.
    """
    yield from env_mod.managed(tmp_path, extra_conf=(
        '\n[DEFAULT]\nscheduler = round_robin\n'))


def test_deploy_enrols_nodes_ironic_powers_them_teardown_empties(
        tenks_env, ironic, monkeypatch):  # noqa: F811
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', ironic.clouds_yaml)
    monkeypatch.setenv('OS_CLOUD', ironic.cloud_name)   # OS_CLOUD alone
    spec = tenks_env.write_spec(SPEC)
    tenks_env.tenks('deploy', '--spec', spec)
    conn = ironic.conn()
    nodes = {n.name: n for n in conn.baremetal.nodes(details=True)}
    names = ['%s0' % tenks_env.prefix, '%s1' % tenks_env.prefix]
    assert sorted(nodes) == names
    for name in names:
        node = nodes[name]
        assert node.provision_state == 'available', node.last_error
        assert node.extra['tenks_cluster'] == tenks_env.token
        assert node.resource_class == 'tenks_e2e'
    assert nodes[names[0]].driver == 'ipmi'
    assert nodes[names[0]].traits == ['CUSTOM_E2E']
    assert nodes[names[1]].driver == 'redfish'

    # Ironic reaches tenks' BMCs: its power calls change the domains.
    for name in names:
        conn.baremetal.set_node_power_state(nodes[name].id, 'power on',
                                            wait=True, timeout=180)
        assert _domstate(name) == 'running'
        conn.baremetal.set_node_power_state(nodes[name].id, 'power off',
                                            wait=True, timeout=180)

    # A second deploy, refreshed from Ironic and the host, plans nothing.
    assert tenks_env.tenks_json('deploy', '--spec', spec,
                                '--dry-run') == []

    tenks_env.tenks('teardown')
    assert list(conn.baremetal.nodes()) == []
