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

"""Bonded NICs: two NICs of a node on one physnet and their Ironic
portgroup, through the CLI, as a real standalone Ironic and the host see
them.

The node's domain has both NICs, each a veth pair plugged into the
physnet's bridge; Ironic has a portgroup with the bond's mode and
properties and both ports in it. A changed mode patches the portgroup in
place; dropping the bond keeps the NICs and their ports and deletes the
portgroup; teardown leaves neither links nor Ironic nodes.
"""

import json
import os

from ironicclient import client as ironic_client
from ironicclient.v1 import create_resources
import pytest

from tests.functional.ironic_fixture import ironic  # noqa: F401
from tests.functional.ironic_fixture import ironic_server  # noqa: F401
from tests.functional.networks import helpers as nh
from tests.functional.providers import libvirt_checks as lv
from tests.functional import specs

pytestmark = pytest.mark.hardware


def _spec(env, nic):
    return env.write_spec(specs.text(
        {'b': specs.node_type(ironic_driver='fake-hardware',
                              physical_networks=['physnet1', nic])},
        [specs.entry('b', 1, ironic_config={'resource_class': 'bonded'})],
        physnet_mappings={'physnet1': None, 'physnet2': None},
        wait_for_placement=False))


def _ironic(conn, name):
    """``(portgroups by name, {port MAC: its portgroup's name})``."""
    node = conn.baremetal.get_node(name)
    groups = {g.id: g for g in conn.baremetal.port_groups(
        node=node.id, details=True)}
    ports = {p.address: (groups[p.port_group_id].name
                         if p.port_group_id else None)
             for p in conn.baremetal.ports(node=node.id, details=True)}
    return {g.name: g for g in groups.values()}, ports


def test_bonded_nics_and_their_portgroup(tenks_env, ironic,  # noqa: F811
                                         monkeypatch):
    env = tenks_env
    clouds = os.path.join(env.root, 'clouds.yaml')
    ironic.write_clouds_yaml(clouds, {ironic.cloud_name:
                                      ironic.cloud_entry()})
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', clouds)
    monkeypatch.setenv('OS_CLOUD', ironic.cloud_name)
    conn = ironic.conn()
    name = '%s0' % env.token
    group = '%s-physnet2' % name
    bond = {'name': 'physnet2', 'nics': 2,
            'bond': {'mode': 'active-backup',
                     'properties': {'miimon': 100}}}
    try:
        env.tenks('deploy', '--spec', _spec(env, bond))
        nics = env.tenks_json('node', 'show', name)['nic_details']
        macs = [n['mac'] for n in nics]
        assert [n['physnet'] for n in nics] == ['physnet1', 'physnet2',
                                                'physnet2']
        assert [n.get('portgroup') for n in nics] == [None, group, group]

        # The host: both NICs of the bond are veth pairs on one bridge.
        links = nh.links()
        masters = nh.bridge_ports()
        ends = [n['local_link_connection']['port_id'] for n in nics]
        assert masters[ends[1]] == masters[ends[2]] != masters[ends[0]]
        assert [links[e]['link'] for e in ends[1:]] == [
            'p-%s-1-tap' % name, 'p-%s-1b-tap' % name]
        domain = lv.inactive_xml(lv.connect().lookupByName(name))
        assert [i.find('mac').get('address') for i in
                domain.findall('devices/interface')] == macs

        # Ironic: one portgroup, the bond's, with both its ports.
        groups, ports = _ironic(conn, name)
        assert list(groups) == [group]
        assert groups[group].mode == 'active-backup'
        assert groups[group].properties == {'miimon': 100}
        assert groups[group].address == macs[1]
        assert ports == {macs[0]: None, macs[1]: group, macs[2]: group}

        _code, _out, err = env.tenks('deploy', '--spec', _spec(env, bond))
        assert 'No changes' in err, err

        # A changed mode: the portgroup is patched, nothing else moves.
        bond['bond'] = {'mode': 'balance-alb'}
        env.tenks('deploy', '--spec', _spec(env, bond))
        groups, ports = _ironic(conn, name)
        assert (groups[group].mode, groups[group].properties) == (
            'balance-alb', {})
        assert [n['mac'] for n in env.tenks_json(
            'node', 'show', name)['nic_details']] == macs

        # No bond: the NICs and their ports stay, the portgroup goes.
        del bond['bond']
        env.tenks('deploy', '--spec', _spec(env, bond))
        groups, ports = _ironic(conn, name)
        assert groups == {}
        assert ports == {macs[0]: None, macs[1]: None, macs[2]: None}
        assert set(ends) <= set(nh.links())

        env.tenks('teardown')
        assert not set(ends) & set(nh.links())
        assert list(conn.baremetal.nodes()) == []
    finally:
        env.tenks('teardown', check=False)
        conn.close()


def test_exported_bond_enrols_with_baremetal_create(tenks_env, ironic,  # noqa
                                                    tmp_path):
    """python-ironicclient's ``baremetal create`` reads the bond.

    The node is not enrolled by tenks; the ``ironic`` export gives its
    portgroup with the ports in it, and Ironic gets exactly that.
    """
    env = tenks_env
    name = '%s0' % env.token
    spec = env.write_spec(specs.text(
        {'b': specs.node_type(ironic_driver='fake-hardware',
                              physical_networks=[{
                                  'name': 'physnet1', 'nics': 3,
                                  'bond': {'mode': '802.3ad',
                                           'properties': {'miimon': 100}}}])},
        [specs.entry('b', 1)], physnet_mappings={'physnet1': None}))
    conn = ironic.conn()
    try:
        env.tenks('deploy', '--spec', spec)
        macs = [n['mac'] for n in env.tenks_json(
            'node', 'show', name)['nic_details']]
        _code, out, _err = env.tenks('export', 'ironic')
        path = tmp_path / 'nodes.json'
        path.write_text(out)
        doc = json.loads(out)
        assert doc['nodes'][0]['ports'] == []
        client = ironic_client.get_client(
            '1', endpoint=ironic.endpoint, auth_type='none',
            os_ironic_api_version='latest')
        create_resources.create_resources(client, [str(path)])
        groups, ports = _ironic(conn, name)
        group = '%s-physnet1' % name
        assert list(groups) == [group]
        assert (groups[group].mode, groups[group].properties,
                groups[group].address) == ('802.3ad', {'miimon': 100},
                                           macs[0])
        assert ports == {mac: group for mac in macs}
    finally:
        for node in conn.baremetal.nodes():
            conn.baremetal.delete_node(node.id)
        conn.close()
        env.tenks('teardown', check=False)
