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

"""The DevStack plugin's phases run for real: the real tenks, libvirt,
Linux bridges, VirtualBMC and the session's standalone Ironic in the place
of DevStack's Ironic.

Only DevStack's own functions are stand-ins (``tests/unit/devstack``): the
plugin builds its spec from DevStack-style settings, writes its
configuration (with a local.conf ``[[post-config|$TENKS_CONF_FILE]]``
section giving this test's private names), and ``tenks deploy`` creates
the node and enrols it in Ironic. A Linux bridge made by the test stands
for Ironic's VM bridge (brbm), which the node's physical network is
plugged into.
"""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import pytest

from tests.functional import env as env_mod
from tests.functional.ironic_fixture import ironic  # noqa: F401
from tests.functional.ironic_fixture import ironic_server  # noqa: F401
from tests.unit.devstack import harness


def run(argv, check=True, env=None):
    result = subprocess.run(argv, capture_output=True, text=True, env=env)
    if check:
        assert result.returncode == 0, '%s: %s' % (' '.join(argv),
                                                   result.stderr)
    return result


class Devstack(object):
    """A DevStack run of the tenks plugin, private to one test."""

    def __init__(self, root, server):
        self.token = 't%04x' % int.from_bytes(os.urandom(2), 'big')
        self.ironic = server
        self.vm_bridge = '%svm' % self.token      # stands for brbm
        start, end = env_mod.free_udp_range(10)
        self.runner = harness.PluginRunner(
            root, tenks_bin=os.path.dirname(sys.executable), env={
                'HOST_IP': '127.0.0.1',
                'ENABLED_SERVICES': 'key,mysql,ir-api,ir-cond',
                'IRONIC_OS_CLOUD': server.cloud_name,
                'OS_CLIENT_CONFIG_FILE': server.clouds_yaml,
                'IRONIC_VM_SPECS_RAM': '128',
                'IRONIC_VM_SPECS_DISK': '1',
                'IRONIC_VM_NETWORK_BRIDGE': self.vm_bridge,
                'PHYSICAL_NETWORK': 'mynetwork',
                'TENKS_NODE_COUNT': '1',
                'TENKS_NODE_PREFIX': self.token,
                'TENKS_CLUSTER_NAME': self.token,
                'TENKS_BRIDGE_TYPE': 'linuxbridge',
                'TENKS_IPMI_PORT_RANGE_START': str(start),
                'TENKS_IPMI_PORT_RANGE_END': str(end),
                'TENKS_VBMCD_PORT': str(env_mod.free_tcp_port()),
                'TENKS_REDFISH_PORT': str(env_mod.free_tcp_port()),
            })
        self.post_config = {
            'libvirt': {'pool_name': 'pool-%s' % self.token,
                        'pool_path': os.path.join(root, 'pool')},
            'network': {'bridge_prefix': 'b%s' % self.token[1:]},
        }
        self.node = '%s0' % self.token
        self.state_file = os.path.join(self.runner.state_dir, 'state.yaml')

    def stack(self):
        return self.runner.stack('pre-install', 'install', 'post-config',
                                 'extra', 'test-config',
                                 post_config=self.post_config)

    def tenks(self, *args):
        """The tenks CLI with the plugin's configuration.

        As root runs it in DevStack, where clouds.yaml is /etc/openstack's.
        """
        env = dict(os.environ,
                   OS_CLIENT_CONFIG_FILE=self.ironic.clouds_yaml)
        return run([os.path.join(os.path.dirname(sys.executable), 'tenks'),
                    '--config-file', self.runner.conf_file] + list(args),
                   env=env)

    def domain_macs(self):
        xml = run(['virsh', '-c', 'qemu:///system', 'dumpxml',
                   self.node]).stdout
        return [m.get('address') for m in ElementTree.fromstring(
            xml).findall('./devices/interface/mac')]

    def domain_exists(self):
        return run(['virsh', '-c', 'qemu:///system', 'dominfo', self.node],
                   check=False).returncode == 0

    def ironic_nodes(self):
        conn = self.ironic.conn()
        try:
            return {n.name: n for n in conn.baremetal.nodes(details=True)}
        finally:
            conn.close()


@pytest.fixture
def devstack(tmp_path, libvirtd, ironic):  # noqa: F811
    env_mod.searchable(str(tmp_path))
    stack = Devstack(str(tmp_path), ironic)
    run(['ip', 'link', 'add', stack.vm_bridge, 'type', 'bridge'])
    run(['ip', 'link', 'set', stack.vm_bridge, 'up'])
    try:
        yield stack
    finally:
        if os.path.exists(stack.runner.conf_file) and \
                os.path.exists(stack.state_file):
            stack.tenks('teardown')
        run(['ip', 'link', 'delete', stack.vm_bridge], check=False)
        leaks = env_mod.sweep(stack.token)
        assert not leaks, 'left behind: %s' % ', '.join(leaks)


def check_enrolled(devstack):
    nodes = devstack.ironic_nodes()
    assert sorted(nodes) == [devstack.node]
    node = nodes[devstack.node]
    assert node.driver == 'ipmi'
    assert node.provision_state == 'available', node.last_error
    assert node.resource_class == 'baremetal'
    assert node.traits == ['CUSTOM_GOLD']
    assert node.properties['memory_mb'] == 128
    assert node.properties['local_gb'] == 1
    assert node.properties['capabilities'] == 'boot_mode:uefi'
    assert node.driver_info['ipmi_address'] == '127.0.0.1'
    conn = devstack.ironic.conn()
    try:
        ports = list(conn.baremetal.ports(details=True, node_id=node.id))
    finally:
        conn.close()
    assert [p.address for p in ports] == devstack.domain_macs()
    assert [p.physical_network for p in ports] == ['mynetwork']
    return node


def test_deploy_phase_makes_and_enrols_the_nodes(devstack):
    result = devstack.stack()
    # tenks node list, run by the plugin, shows in DevStack's log
    assert devstack.node in result.stdout
    node = check_enrolled(devstack)
    # The Tenks bridge of the node's physnet is plugged into the VM bridge
    bridge = 'b%s0' % devstack.token[1:]
    links = json.loads(run(['ip', '-j', 'link', 'show', 'master',
                            devstack.vm_bridge]).stdout)
    assert ['p-%s-phy' % bridge] == [link['ifname'] for link in links]
    # Deploying again (a second stack.sh) changes nothing
    devstack.stack()
    assert devstack.ironic_nodes()[devstack.node].id == node.id
    # tenks removes what it made, from Ironic too
    devstack.tenks('teardown')
    assert devstack.ironic_nodes() == {}
    assert not devstack.domain_exists()
    assert not os.path.exists(devstack.state_file)


def test_unstack_then_clean(devstack):
    devstack.stack()
    check_enrolled(devstack)
    devstack.runner.unstack()
    # Ironic is already stopped when DevStack unstacks tenks (and its
    # database is made anew by the next stack.sh): the node is forgotten,
    # everything tenks made on the host is removed.
    assert not devstack.domain_exists()
    assert not os.path.exists(devstack.state_file)
    assert devstack.ironic.purge() == [devstack.node]
    devstack.runner.clean()
    assert not os.path.exists(devstack.runner.state_dir)
    assert not os.path.exists(devstack.runner.conf_file)
    assert not os.path.exists(os.path.join(devstack.runner.logdir, 'tenks'))
