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

"""Ironic portgroups (bonded NICs) against a real standalone Ironic.

The ``ironic_node`` record is planned the normal way (a fake-hardware
node with two NICs); its props are then given a bond of both NICs as the
planner gives them: both ports on one physical network, each naming the
portgroup, and the portgroup itself in ``portgroups``. What Ironic holds
is read back through openstacksdk, and the requests tenks sent are read
from Ironic's log.
"""

import copy

import pytest

from tenks.enrolment import ironic as ironic_mod
from tenks import exception

from tests.functional.enrolment import planning
from tests.functional.ironic_fixture import ironic  # noqa: F401
from tests.functional.ironic_fixture import ironic_server  # noqa: F401
from tests.functional import specs

pytestmark = pytest.mark.hardware

FAKE_IRONIC_CONFIG = {'resource_class': 'tenks_fake',
                      'deploy_interface': 'fake',
                      'boot_interface': 'fake',
                      'management_interface': 'fake',
                      'power_interface': 'fake'}

FOREIGN_MAC = '52:54:00:fe:00:01'


@pytest.fixture
def lab(tmp_path, ironic, libvirtd, monkeypatch):  # noqa: F811
    """(driver, conn, ironic, record): a planned node, not yet in Ironic.

    ``driver`` is tenks' Ironic driver, ``conn`` a separate openstacksdk
    connection.
    """
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', ironic.clouds_yaml)
    monkeypatch.delenv('OS_CLOUD', raising=False)
    env = planning.EnrolmentEnv(str(tmp_path), ironic.cloud_name)
    env.write_spec(specs.text(
        {'fake': specs.node_type(ironic_driver='fake-hardware',
                                 physical_networks=['physnet1',
                                                    'physnet2'])},
        [specs.entry('fake', 1, ironic_config=FAKE_IRONIC_CONFIG)],
        physnet_mappings={'physnet1': None, 'physnet2': None},
        wait_for_placement=False))
    record = env.records(env.plan()[1])['%s0' % env.token]
    driver = ironic_mod.IronicDriver(env.conf)
    conn = ironic.conn()
    try:
        yield driver, conn, ironic, record
    finally:
        driver.close()
        conn.close()
        env.close()


def bonded(record, physnet='physnet1', **bond):
    """``record`` with both NICs bonded on ``physnet``."""
    out = copy.deepcopy(record)
    name = '%s-%s' % (out.props['name'], physnet)
    for port in out.props['ports']:
        port['physical_network'] = physnet
        port['portgroup'] = name
    group = {'name': name, 'address': out.props['ports'][0]['address'],
             'mode': '802.3ad', 'properties': {'miimon': '100'}}
    group.update(bond)
    out.props['portgroups'] = [group]
    return out


def unbonded(record):
    """``record`` with its NICs in no bond."""
    out = copy.deepcopy(record)
    del out.props['portgroups']
    for port in out.props['ports']:
        del port['portgroup']
    return out


def changes(server, mark):
    """The requests after log offset ``mark`` that changed something."""
    return [c for c in server.api_calls(mark) if c[0] != 'GET']


def groups(conn, uuid):
    found = conn.baremetal.port_groups(details=True, node=uuid)
    return {g.name: g for g in found}


def ports(conn, uuid):
    found = conn.baremetal.ports(details=True, node_id=uuid)
    return {p.address: p for p in found}


def check_bond(conn, record, out):
    """Ironic has ``record``'s one bond, both ports in it; returns it."""
    uuid = record.props['uuid']
    want = record.props['portgroups'][0]
    group = groups(conn, uuid)[want['name']]
    assert (group.address, group.mode, group.properties) == (
        want['address'], want['mode'], want['properties'])
    have = ports(conn, uuid)
    assert sorted(have) == sorted(p['address']
                                  for p in record.props['ports'])
    assert {p.port_group_id for p in have.values()} == {group.id}
    assert {p.physical_network for p in have.values()} == {
        record.props['ports'][0]['physical_network']}
    assert out['portgroups'][want['name']] == group.id
    assert out['ports'] == {a: p.id for a, p in have.items()}
    node = conn.baremetal.get_node(uuid)
    assert (node.provision_state, node.is_maintenance) == ('available',
                                                           False)
    return group


def test_bond_made_kept_changed_repaired_removed_deleted(lab):
    driver, conn, server, planned = lab
    uuid = planned.props['uuid']
    record = bonded(planned)
    name = record.props['portgroups'][0]['name']

    # Create: the portgroup with its mode and properties, both ports in
    # it.
    out = driver.create_ironic_node(record)
    group = check_bond(conn, record, out)
    created_at = conn.baremetal.get_node(uuid).created_at

    # The same props again: nothing is sent that changes anything.
    mark = server.log_offset()
    assert driver.update_ironic_node(record, record) == out
    assert changes(server, mark) == []
    assert driver.observe_ironic_node([record])[record.key].healthy

    # Changed behind tenks' back: seen as drift, repaired by the next
    # update.
    first = record.props['ports'][0]['address']
    conn.baremetal.patch_port_group(group.id, [
        {'op': 'replace', 'path': '/mode', 'value': 'balance-rr'}])
    conn.baremetal.set_node_maintenance(uuid, 'test')
    conn.baremetal.patch_port(out['ports'][first], [
        {'op': 'replace', 'path': '/portgroup_uuid', 'value': None}])
    conn.baremetal.unset_node_maintenance(uuid)
    seen = driver.observe_ironic_node([record])[record.key]
    assert (seen.healthy, seen.detail) == (
        False, 'changed in Ironic: portgroup %s' % name)
    out = driver.update_ironic_node(record, record)
    assert check_bond(conn, record, out).id == group.id
    assert driver.observe_ironic_node([record])[record.key].healthy

    # Another mode and properties: the portgroup is patched in place,
    # the ports are left as they are.
    changed = bonded(planned, mode='balance-rr',
                     properties={'miimon': '200'})
    mark = server.log_offset()
    out = driver.update_ironic_node(record, changed)
    assert changes(server, mark) == [
        ('PATCH', '/v1/portgroups/%s' % group.id, 200)]
    assert check_bond(conn, changed, out).id == group.id

    # The bond moves to physnet2 while the node is manageable: a
    # portgroup of another name with the same address. The ports are
    # patched out of the old one, which goes, and into the new one.
    conn.baremetal.set_node_provision_state(uuid, 'manage', wait=True)
    moved = bonded(planned, physnet='physnet2', mode='balance-rr',
                   properties={'miimon': '200'})
    before, old_group = out['ports'], group.id
    mark = server.log_offset()
    out = driver.update_ironic_node(changed, moved)
    group = check_bond(conn, moved, out)
    assert out['ports'] == before
    sent = [c[:2] for c in changes(server, mark)]
    assert [c for c in sent if c[0] != 'PATCH'] == [
        ('DELETE', '/v1/portgroups/%s' % old_group),
        ('POST', '/v1/portgroups'),
        ('PUT', '/v1/nodes/%s/states/provision' % uuid)]
    assert sorted(groups(conn, uuid)) == [moved.props['portgroups'][0][
        'name']]

    # Someone else's portgroup on the node is never tenks'.
    foreign = conn.baremetal.create_port_group(
        node_id=uuid, name='user-%s' % planned.props['name'],
        address=FOREIGN_MAC, mode='active-backup')

    # No bond any more: the ports leave the portgroup, which goes; the
    # node stays (same node, available, not in maintenance).
    plain = unbonded(moved)
    out = driver.update_ironic_node(moved, plain)
    assert 'portgroups' not in out
    assert sorted(groups(conn, uuid)) == [foreign.name]
    assert {p.port_group_id for p in ports(conn, uuid).values()} == {None}
    assert sorted(out['ports']) == sorted(ports(conn, uuid))
    node = conn.baremetal.get_node(uuid)
    assert node.created_at == created_at
    assert (node.provision_state, node.is_maintenance) == ('available',
                                                           False)

    # The bond back on an existing available node; the foreign portgroup
    # is still left alone.
    out = driver.update_ironic_node(plain, record)
    check_bond(conn, record, out)
    assert sorted(groups(conn, uuid)) == sorted([foreign.name, name])

    # Deleting the node takes its ports and portgroups with it.
    driver.delete_ironic_node(record)
    assert list(conn.baremetal.nodes()) == []
    assert list(conn.baremetal.ports()) == []
    assert list(conn.baremetal.port_groups()) == []


def test_portgroup_of_another_node_is_refused(lab):
    driver, conn, server, planned = lab
    record = bonded(planned)
    name = record.props['portgroups'][0]['name']
    other = conn.baremetal.create_node(name='other-%s' % planned.name,
                                       driver='fake-hardware')
    try:
        conn.baremetal.create_port_group(node_id=other.id, name=name,
                                         address=FOREIGN_MAC)
        seen = driver.observe_ironic_node([record])[record.key]
        assert (seen.exists, seen.owned) == (True, False)
        assert seen.detail == 'portgroup %s is a portgroup of Ironic node ' \
            '%s' % (name, other.name)
        mark = server.log_offset()
        with pytest.raises(exception.ResourceConflict) as err:
            driver.create_ironic_node(record)
        assert str(err.value) == (
            'portgroup %s of Ironic node %s is already a portgroup of Ironic '
            'node %s (%s); tenks will not take it over' % (
                name, planned.name, other.name, other.id))
        assert changes(server, mark) == []
    finally:
        conn.baremetal.delete_node(other.id)
