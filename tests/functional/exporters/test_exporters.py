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

"""``tenks export`` over a live cluster: every format's fields checked
against what really exists.

One small cluster is deployed for the module: an IPMI node enrolled in the
session's standalone Ironic, an IPMI node and a Redfish node that are not
enrolled, all tiny TCG domains with NICs on Linux bridges. Each export is
compared with ``tenks node list``, with libvirt (domain UUIDs, MACs,
memory, vCPUs), with the host's links (bridge MACs, veth ends), with
Ironic, and, through its real clients, with the BMCs: the exported
driver_info must reach them (ipmitool; the sushy Redfish client; Ironic
itself, after ``baremetal create`` read the ``ironic`` export with
python-ironicclient's own code).
"""

import json
import os
import stat
import subprocess
import xml.etree.ElementTree as ElementTree

from ironicclient import client as ironic_client
from ironicclient.v1 import create_resources
import pytest
import sushy

from tests.functional import env as env_mod
from tests.functional.ironic_fixture import ironic_server  # noqa: F401
from tests.functional import specs

SPEC = specs.text(
    {'ipmi': specs.node_type(volumes=[{'capacity': '64MiB'}],
                             physical_networks=['physnet1']),
     'redfish': specs.node_type(
         memory_mb=192, ironic_driver='redfish', boot_mode='bios',
         physical_networks=['physnet1', 'physnet2'])},
    [specs.entry('ipmi', 1,
                 ironic_config={'resource_class': 'tenks_export',
                                'traits': ['CUSTOM_EXPORT']}),
     specs.entry('ipmi', 1),
     specs.entry('redfish', 1)],
    physnet_mappings={'physnet1': None, 'physnet2': None},
    deploy_kernel='http://127.0.0.1:8088/ipa.kernel',
    deploy_ramdisk='http://127.0.0.1:8088/ipa.initramfs',
    wait_for_placement=False)


def run(argv):
    result = subprocess.run(argv, capture_output=True, text=True)
    assert result.returncode == 0, '%s: %s' % (' '.join(argv),
                                               result.stderr)
    return result.stdout


class Cluster(object):
    """The deployed cluster and what really exists of it."""

    def __init__(self, env, ironic):
        self.env = env
        self.ironic = ironic
        rows = env.tenks_json('node', 'list')
        self.order = [n['Name'] for n in rows]     # the state's order
        self.nodes = {n['Name']: n for n in rows}

    def export(self, fmt):
        return self.env.tenks('export', fmt)[1]

    def domain(self, name):
        """(uuid, memory MiB, vCPUs, [MACs]) of a libvirt domain."""
        xml = ElementTree.fromstring(run(['virsh', '-c', 'qemu:///system',
                                          'dumpxml', name]))
        memory = int(xml.find('memory').text)
        assert xml.find('memory').get('unit', 'KiB') == 'KiB'
        macs = [m.get('address') for m in xml.findall(
            './devices/interface/mac')]
        return (xml.find('uuid').text, memory // 1024,
                int(xml.find('vcpu').text), macs)

    @staticmethod
    def link(name):
        """``ip -j link show`` of one link."""
        return json.loads(run(['ip', '-j', 'link', 'show', 'dev', name]))[0]


@pytest.fixture(scope='module')
def cluster(tmp_path_factory, libvirtd, ironic_server):  # noqa: F811
    saved = os.environ.get('OS_CLIENT_CONFIG_FILE')
    os.environ['OS_CLIENT_CONFIG_FILE'] = ironic_server.clouds_yaml
    env = env_mod.TenksEnv(
        str(tmp_path_factory.mktemp('export')),
        extra_conf='\n[ironic]\ncloud = %s\nwait_timeout = 240\n'
                   % ironic_server.cloud_name)
    try:
        env.tenks('deploy', '--spec',
                  env.write_spec(SPEC))
        yield Cluster(env, ironic_server)
    finally:
        env.tenks('teardown', check=False)
        leaks = env_mod.sweep(env.token)
        left = ironic_server.purge()
        if saved is None:
            os.environ.pop('OS_CLIENT_CONFIG_FILE', None)
        else:
            os.environ['OS_CLIENT_CONFIG_FILE'] = saved
        assert not leaks, 'left behind: %s' % ', '.join(leaks)
        assert not left, 'Ironic nodes left behind: %s' % ', '.join(left)


def enrolled_name(cluster):
    """The node of the first spec entry, the one enrolled by tenks."""
    return '%s0' % cluster.env.prefix


def ipmi_power(info):
    return run(['ipmitool', '-I', 'lanplus', '-H', info['ipmi_address'],
                '-p', str(info['ipmi_port']), '-U', info['ipmi_username'],
                '-P', info['ipmi_password'], 'power', 'status']).strip()


def redfish_power(info):
    root = sushy.Sushy(info['redfish_address'] + '/redfish/v1',
                       username=info['redfish_username'],
                       password=info['redfish_password'])
    return root.get_system(info['redfish_system_id']).power_state.value


def test_bifrost(cluster):
    doc = json.loads(cluster.export('bifrost'))
    assert sorted(doc) == sorted(cluster.nodes)
    for name, host in doc.items():
        listed = cluster.nodes[name]
        uuid, memory, vcpus, macs = cluster.domain(name)
        assert host['name'] == name
        assert host['uuid'] == listed['UUID'] == uuid
        assert host['properties']['ram'] == str(memory)
        assert host['properties']['cpus'] == str(vcpus)
        assert host['properties']['cpu_arch'] == 'x86_64'
        assert [n['mac'] for n in host['nics']] == macs
        for nic in host['nics']:
            llc = nic['local_link_connection']
            assert cluster.link(llc['switch_info'])['address'] == \
                llc['switch_id']
            assert cluster.link(llc['port_id'])['master'] == \
                llc['switch_info']
        info = host['driver_info']
        if host['driver'] == 'ipmi':
            assert listed['BMC'].endswith(':%s' % info['ipmi_port'])
            assert ipmi_power(info) in ('Chassis Power is off',
                                        'Chassis Power is on')
        else:
            assert host['driver'] == 'redfish'
            assert info['redfish_system_id'].endswith(uuid)
            assert redfish_power(info) in ('On', 'Off')
        assert 'baremetal' in host['host_groups']
    redfish = [h for h in doc.values() if h['driver'] == 'redfish']
    assert [h['properties']['capabilities'] for h in redfish] == [
        'boot_mode:bios']


def test_ironic_matches_enrolled_node(cluster):
    doc = json.loads(cluster.export('ironic'))
    assert sorted(n['name'] for n in doc['nodes']) == sorted(cluster.nodes)
    name = enrolled_name(cluster)
    exported = [n for n in doc['nodes'] if n['name'] == name][0]
    conn = cluster.ironic.conn()
    try:
        node = conn.baremetal.get_node(name)
        ports = list(conn.baremetal.ports(details=True, node_id=node.id))
        traits = conn.baremetal.get_node(node.id).traits
    finally:
        conn.close()
    assert exported['uuid'] == node.id
    assert exported['driver'] == node.driver
    assert exported['resource_class'] == node.resource_class
    for key, value in exported['properties'].items():
        assert node.properties[key] == value, key  # Ironic adds 'vendor'
    assert sorted(exported['traits']) == sorted(traits)
    for key, value in node.driver_info.items():
        if 'password' not in key:      # Ironic masks them
            assert exported['driver_info'][key] == value
    assert ipmi_power(exported['driver_info']) in (
        'Chassis Power is off', 'Chassis Power is on')
    assert sorted((p['address'], p['physical_network'],
                   json.dumps(p['local_link_connection'], sort_keys=True))
                  for p in exported['ports']) == sorted(
        (p.address, p.physical_network,
         json.dumps(p.local_link_connection, sort_keys=True))
        for p in ports)


def test_ironic_file_enrols_with_baremetal_create(cluster, tmp_path):
    """``baremetal create`` enrols the nodes tenks did not enrol.

    python-ironicclient's own code reads the export; Ironic then reaches
    the nodes' BMCs and takes them to manageable.
    """
    doc = json.loads(cluster.export('ironic'))
    doc['nodes'] = [n for n in doc['nodes']
                    if n['name'] != enrolled_name(cluster)]
    assert {n['driver'] for n in doc['nodes']} == {'ipmi', 'redfish'}
    path = tmp_path / 'nodes.json'
    path.write_text(json.dumps(doc))
    client = ironic_client.get_client(
        '1', endpoint=cluster.ironic.endpoint, auth_type='none',
        os_ironic_api_version='latest')
    conn = cluster.ironic.conn()
    created = []
    try:
        create_resources.create_resources(client, [str(path)])
        for exported in doc['nodes']:
            node = conn.baremetal.get_node(exported['name'])
            created.append(node)
            assert node.id == exported['uuid']
            assert node.properties == exported['properties']
            assert sorted(p.address for p in conn.baremetal.ports(
                node_id=node.id)) == sorted(
                p['address'] for p in exported['ports'])
            node = conn.baremetal.set_node_provision_state(
                node, 'manage', wait=True, timeout=240)
            assert node.provision_state == 'manageable', node.last_error
            assert node.power_state in ('power on', 'power off')
    finally:
        for node in created:
            conn.baremetal.delete_node(node.id)
        conn.close()


def test_devstack(cluster):
    lines = cluster.export('devstack').splitlines()
    assert len(lines) == len(cluster.nodes)
    for name, line in zip(cluster.order, lines):
        nics, ipmi_port, switch_id, switch_info = line.split()
        _uuid, _memory, _vcpus, macs = cluster.domain(name)
        pairs = [nic.split(',') for nic in nics.split(';')]
        assert [mac for mac, _port in pairs] == macs
        for _mac, port in pairs:
            assert 'master' in cluster.link(port)
        assert cluster.link(pairs[0][1])['master'] == switch_info
        assert cluster.link(switch_info)['address'] == switch_id
        bmc = cluster.nodes[name]['BMC']
        if bmc.startswith('virtualbmc'):
            assert bmc.endswith(':%s' % ipmi_port)
        else:
            assert ipmi_port == '0'


def test_json_and_private_file(cluster, tmp_path):
    path = tmp_path / 'cluster.json'
    cluster.env.tenks('export', 'json', '--output', str(path))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    doc = json.loads(path.read_text())
    assert doc['cluster'] == cluster.env.token
    assert sorted(n['name'] for n in doc['nodes']) == sorted(cluster.nodes)
    for node in doc['nodes']:
        listed = cluster.nodes[node['name']]
        uuid, memory, vcpus, macs = cluster.domain(node['name'])
        assert node['uuid'] == uuid
        assert (node['memory_mb'], node['vcpus']) == (memory, vcpus)
        assert [n['mac'] for n in node['nics']] == macs
        assert node['hypervisor'] == listed['Hypervisor']
        assert node['enrolled'] == (node['name'] == enrolled_name(cluster))
        assert all(r['status'] == 'present' for r in node['resources'])
        assert listed['BMC'].split(' ', 1)[1] in node['bmc']['endpoint']
