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

"""Ironic enrolment against a real standalone Ironic, with real BMCs.

The records come from the real planner; the domains are tiny TCG VMs
behind a real vbmcd/vbmc (IPMI) and sushy-emulator (Redfish), so Ironic's
own power calls reach libvirt. Nova and Placement, out of reach here, are
tested against a loopback server (:mod:`tests.functional.enrolment.cloud_stub`)
through the whole openstacksdk stack, checking the exact requests.
"""

import copy
import os
import time

import pytest

from tenks.enrolment import cloud as cloud_mod
from tenks.enrolment import ironic as ironic_mod
from tenks.enrolment import nova as nova_mod
from tenks.enrolment import states
from tenks import exception
from tenks.planner import diff as diff_mod
from tenks.state import model as state_model

from tests.functional.enrolment import cloud_stub
from tests.functional.enrolment import ironic_bmcs
from tests.functional.enrolment import planning
from tests.functional import env as env_mod
from tests.functional.ironic_fixture import ironic  # noqa: F401
from tests.functional.ironic_fixture import ironic_server  # noqa: F401
from tests.functional.ironic_fixture import IronicServer
from tests.functional import specs


def ironic_spec(ipmi_nets, redfish_nets, rc, trait):
    """An IPMI and a Redfish node, with every ``ironic_config`` key."""
    return specs.text(
        {'ipmi': specs.node_type(memory_mb=128, physical_networks=ipmi_nets),
         'redfish': specs.node_type(memory_mb=128, ironic_driver='redfish',
                                    physical_networks=redfish_nets)},
        [specs.entry('ipmi', 1, ironic_config={
            'resource_class': rc,
            'traits': [trait],
            'properties': {'capabilities': 'disk_label:gpt'},
            'shard': 'shard1',
            'lessee': 'team-a',
            'description': 'a tenks test node',
            'extra': {'purpose': 'functional test'}}),
         specs.entry('redfish', 1, ironic_config={
             'resource_class': 'tenks_test',
             'management_interface': 'redfish'})],
        physnet_mappings={'physnet1': None, 'physnet2': None},
        deploy_kernel='http://127.0.0.1:8088/ipa.kernel',
        deploy_ramdisk='http://127.0.0.1:8088/ipa.initramfs',
        wait_for_placement=False)


#: The ``ironic_config`` of fake-hardware nodes: nothing to answer.
FAKE_IRONIC_CONFIG = {'resource_class': 'tenks_fake',
                      'deploy_interface': 'fake',
                      'boot_interface': 'fake',
                      'management_interface': 'fake',
                      'power_interface': 'fake'}


def fake_spec(count):
    return specs.text(
        {'fake': specs.node_type(ironic_driver='fake-hardware',
                                 physical_networks=['physnet1'])},
        [specs.entry('fake', count, ironic_config=FAKE_IRONIC_CONFIG)],
        physnet_mappings={'physnet1': None}, wait_for_placement=False)


@pytest.fixture
def clouds(ironic, monkeypatch):  # noqa: F811
    """openstacksdk reads the fixture's clouds.yaml; no OS_CLOUD."""
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', ironic.clouds_yaml)
    monkeypatch.delenv('OS_CLOUD', raising=False)
    return ironic


@pytest.fixture
def enrol(tmp_path, clouds, libvirtd):
    """(EnrolmentEnv, Lab) for the session's Ironic.

    A tenks config and a lab for domains and BMCs; swept for leaks
    afterwards.
    """
    env = planning.EnrolmentEnv(str(tmp_path), clouds.cloud_name)
    lab = ironic_bmcs.Lab(env.token, str(tmp_path / 'lab'))
    lab.ironic = clouds
    try:
        yield env, lab
    finally:
        lab.close()
        env.close()
        leaks = env_mod.sweep(env.token)
        assert not leaks, 'left behind: %s' % ', '.join(leaks)


def _changes(calls):
    """The requests of ``calls`` that change something."""
    return [c for c in calls if c[0] != 'GET']


def _node(conn, uuid):
    return conn.baremetal.get_node(uuid)


def _ports(conn, uuid):
    return {p.address: p for p in conn.baremetal.ports(details=True,
                                                       node_id=uuid)}


def _power(conn, lab, record, target, libvirt_state):
    uuid = record.props['uuid']
    conn.baremetal.set_node_power_state(uuid, target, wait=True,
                                        timeout=180)
    deadline = time.monotonic() + 60
    while lab.domains.state(record.name) != libvirt_state:
        assert time.monotonic() < deadline, (
            'domain %s is %s after Ironic set %s' % (
                record.name, lab.domains.state(record.name), target))
        time.sleep(0.5)


def test_ipmi_and_redfish_nodes_enrolled_power_update_delete(enrol):
    env, lab = enrol
    env.write_spec(ironic_spec(ipmi_nets=['physnet1'],
                               redfish_nets=['physnet1', 'physnet2'],
                               rc='tenks_test', trait='CUSTOM_TENKS_A'))
    state, plan = env.plan()
    records = env.records(plan)
    assert sorted(records) == ['%s0' % env.token, '%s1' % env.token]
    ipmi_rec = records['%s0' % env.token]
    redfish_rec = records['%s1' % env.token]
    assert ipmi_rec.props['driver'] == 'ipmi'
    assert redfish_rec.props['driver'] == 'redfish'
    lab.serve(records.values())

    results = env.apply(state, plan)
    assert [r.status for r in results] == ['done', 'done']
    conn = ironic_conn(env)

    # Both nodes are available, with every field the planner asked for.
    for record in (ipmi_rec, redfish_rec):
        node = _node(conn, record.props['uuid'])
        assert node.name == record.name
        assert node.provision_state == 'available'
        assert not node.is_maintenance
        assert node.driver == record.props['driver']
        assert node.resource_class == 'tenks_test'
        assert node.extra['tenks_cluster'] == env.token
        assert node.properties['cpus'] == 1
        assert node.properties['memory_mb'] == 128
        assert node.properties['cpu_arch'] == 'x86_64'
        assert node.driver_info['deploy_kernel'] == (
            'http://127.0.0.1:8088/ipa.kernel')
        ports = _ports(conn, node.id)
        assert sorted(ports) == sorted(
            p['address'] for p in record.props['ports'])
        for port in record.props['ports']:
            got = ports[port['address']]
            assert got.physical_network == port['physical_network']
            assert got.local_link_connection == port[
                'local_link_connection']
            assert got.local_link_connection['port_id'].endswith('-br')
    node = _node(conn, ipmi_rec.props['uuid'])
    assert node.driver_info['ipmi_port'] == ipmi_rec.props['driver_info'][
        'ipmi_port']
    assert node.traits == ['CUSTOM_TENKS_A']
    assert node.properties['capabilities'] == (
        'disk_label:gpt,boot_mode:uefi')
    assert (node.shard, node.lessee, node.description) == (
        'shard1', 'team-a', 'a tenks test node')
    assert node.extra['purpose'] == 'functional test'
    node = _node(conn, redfish_rec.props['uuid'])
    assert node.driver_info['redfish_system_id'] == (
        '/redfish/v1/Systems/%s' % redfish_rec.props['uuid'])
    assert node.management_interface == 'redfish'

    # Ironic's own power calls reach vbmc and sushy-tools and change the
    # libvirt domains.
    for record in (ipmi_rec, redfish_rec):
        assert lab.domains.state(record.name) == 'shut off'
        _power(conn, lab, record, 'power on', 'running')
        _power(conn, lab, record, 'power off', 'shut off')

    # A re-run plans nothing; converging an unchanged node sends Ironic
    # no change at all; an ensure-create makes nothing new.
    state, plan = env.plan()
    assert plan.empty
    driver = ironic_mod.IronicDriver(env.conf)
    try:
        mark = lab.ironic.log_offset()
        driver.update_ironic_node(ipmi_rec, ipmi_rec)
        assert _changes(lab.ironic.api_calls(mark)) == []
        mark = lab.ironic.log_offset()
        driver.create_ironic_node(redfish_rec)
        assert [c for c in _changes(lab.ironic.api_calls(mark))
                if c[0] != 'PATCH'] == []
    finally:
        driver.close()

    # Drift behind tenks' back, and a user's own extra key.
    conn.baremetal.patch_node(ipmi_rec.props['uuid'], [
        {'op': 'replace', 'path': '/resource_class', 'value': 'drifted'},
        {'op': 'add', 'path': '/extra/user_key', 'value': 'keep me'},
        {'op': 'replace', 'path': '/properties/cpus', 'value': 64}])
    created_at = {r.name: _node(conn, r.props['uuid']).created_at
                  for r in (ipmi_rec, redfish_rec)}

    # Reconfigure: the IPMI type gains physnet2 (a port added), the
    # Redfish type loses it (a port removed), traits change.
    env.write_spec(ironic_spec(ipmi_nets=['physnet1', 'physnet2'],
                               redfish_nets=['physnet1'],
                               rc='tenks_changed', trait='CUSTOM_TENKS_B'))
    state, plan = env.plan()
    assert sorted((a.op, a.name) for a in plan.actions) == [
        ('update', ipmi_rec.name), ('update', redfish_rec.name)]
    new = env.records(plan)
    mark = lab.ironic.log_offset()
    env.apply(state, plan)
    changes = _changes(lab.ironic.api_calls(mark))
    assert not [c for c in changes if c[0] == 'POST' and
                c[1] == '/v1/nodes'], 'a node was recreated'
    assert not [c for c in changes if 'maintenance' in c[1]]
    assert ('PATCH', '/v1/nodes/%s' % ipmi_rec.props['uuid'], 200) in changes
    node = _node(conn, ipmi_rec.props['uuid'])
    assert node.created_at == created_at[ipmi_rec.name]   # not recreated
    assert node.resource_class == 'tenks_changed'
    assert node.properties['cpus'] == 1
    assert node.extra['user_key'] == 'keep me'
    assert node.traits == ['CUSTOM_TENKS_B']
    assert node.provision_state == 'available'
    assert not node.is_maintenance
    assert sorted(_ports(conn, node.id)) == sorted(
        p['address'] for p in new[ipmi_rec.name].props['ports'])
    assert len(new[ipmi_rec.name].props['ports']) == 2
    node = _node(conn, redfish_rec.props['uuid'])
    assert node.created_at == created_at[redfish_rec.name]
    assert not node.is_maintenance
    assert sorted(_ports(conn, node.id)) == [
        new[redfish_rec.name].props['ports'][0]['address']]

    # Teardown deletes the nodes and their ports.
    state, plan = env.teardown_plan()
    assert sorted((a.op, a.name) for a in plan.actions) == [
        ('delete', ipmi_rec.name), ('delete', redfish_rec.name)]
    env.apply(state, plan)
    assert list(conn.baremetal.nodes()) == []
    assert list(conn.baremetal.ports()) == []


def ironic_conn(env):
    """A separate openstacksdk connection to the tenks env's Ironic."""
    import openstack
    return openstack.connect(cloud=env.conf.ironic.cloud)


def test_foreign_name_and_mac_are_refused(enrol):
    env, _lab = enrol
    env.write_spec(fake_spec(2))
    _state, plan = env.plan()
    records = env.records(plan)
    first = records['%s0' % env.token]
    second = records['%s1' % env.token]
    conn = ironic_conn(env)
    foreign = conn.baremetal.create_node(name=first.name,
                                         driver='fake-hardware',
                                         extra={'owner': 'someone else'})
    other = conn.baremetal.create_node(name='other-%s' % env.token,
                                       driver='fake-hardware')
    mac = second.props['ports'][0]['address']
    conn.baremetal.create_port(node_id=other.id, address=mac)
    driver = ironic_mod.IronicDriver(env.conf)
    try:
        seen = driver.observe_ironic_node([first, second])
        assert seen[first.key].exists and seen[first.key].owned is False
        assert foreign.id in seen[first.key].detail
        assert seen[second.key].exists and seen[second.key].owned is False
        assert mac in seen[second.key].detail

        with pytest.raises(exception.ResourceConflict) as err:
            driver.create_ironic_node(first)
        assert first.name in str(err.value)
        with pytest.raises(exception.ResourceConflict) as err:
            driver.create_ironic_node(second)
        assert mac in str(err.value) and other.name in str(err.value)
        # Nothing was changed or made.
        assert conn.baremetal.get_node(foreign.id).extra == {
            'owner': 'someone else'}
        assert sorted(n.name for n in conn.baremetal.nodes()) == sorted(
            [first.name, other.name])

        # Planned with a refresh, the whole plan is refused up front,
        # naming both collisions.
        desired = {r.key: r for r in (first, second)}
        with pytest.raises(exception.PlanError) as err:
            diff_mod.diff(desired, state_model.State(cluster=env.token),
                          driver.observe_ironic_node([first, second]))
        assert first.name in str(err.value)
        assert second.name in str(err.value)

        # A node of tenks' UUID without the mark is not deleted.
        unmarked = copy.deepcopy(first)
        unmarked.props['uuid'] = foreign.id
        with pytest.raises(exception.ResourceConflict):
            driver.delete_ironic_node(unmarked)
        assert conn.baremetal.get_node(foreign.id).name == first.name
    finally:
        driver.close()
        conn.baremetal.delete_node(foreign.id)
        conn.baremetal.delete_node(other.id)


def test_failed_node_is_named_others_continue_rerun_converges(enrol):
    env, lab = enrol
    env.write_spec(specs.text(
        {'ipmi': specs.node_type(physical_networks=['physnet1']),
         'fake': specs.node_type(ironic_driver='fake-hardware')},
        [specs.entry('ipmi', 2,
                     ironic_config={'resource_class': 'tenks_test'}),
         specs.entry('fake', 1, ironic_config=FAKE_IRONIC_CONFIG)],
        physnet_mappings={'physnet1': None}, wait_for_placement=False))
    state, plan = env.plan()
    records = env.records(plan)
    good, bad = records['%s0' % env.token], records['%s1' % env.token]
    lab.serve([good])
    lab.serve([bad], with_bmc=False)      # no BMC answers for this one
    with pytest.raises(exception.ExecutionError) as err:
        env.apply(state, plan)
    text = str(err.value)
    assert '1 action failed' in text
    assert 'create ironic_node %s' % bad.name in text
    assert 'did not reach manageable' in text
    assert 'last error' in text
    conn = ironic_conn(env)
    assert _node(conn, good.props['uuid']).provision_state == 'available'
    assert _node(conn, records['%s2' % env.token].props['uuid']
                 ).provision_state == 'available'
    failed = _node(conn, bad.props['uuid'])
    assert failed.provision_state == 'enroll' and failed.last_error

    # The state records the failed node as half made; once its BMC
    # answers, a re-run converges.
    recorded = env.ctx.store.load(cluster=env.token).resources
    assert recorded['ironic_node:%s' % bad.name].status == (
        state_model.CREATING)
    lab.add_ipmi(bad)
    state, plan = env.plan()
    assert [(a.op, a.name, a.reason) for a in plan.actions] == [
        ('create', bad.name, 'resume interrupted create')]
    env.apply(state, plan)
    assert _node(conn, bad.props['uuid']).provision_state == 'available'

    state, plan = env.teardown_plan()
    env.apply(state, plan)
    assert list(conn.baremetal.nodes()) == []


def test_unreachable_ironic_one_clear_error_state_true_rerun(enrol, tmp_path,
                                                             clouds):
    env, _lab = enrol
    dead_port = env_mod.free_tcp_port()
    path = str(tmp_path / 'dead-clouds.yaml')
    clouds.write_clouds_yaml(path, {
        'dead': {'auth_type': 'none',
                 'baremetal_endpoint_override':
                     'http://127.0.0.1:%d' % dead_port},
        clouds.cloud_name: clouds.cloud_entry()})
    os.environ['OS_CLIENT_CONFIG_FILE'] = path
    env.set_option('ironic', 'cloud', 'dead')
    env.write_spec(fake_spec(3))
    records = env.records(env.plan()[1])

    driver = ironic_mod.IronicDriver(env.conf)
    try:
        with pytest.raises(cloud_mod.CloudUnreachable) as err:
            driver.observe_ironic_node(list(records.values()))
        message = str(err.value)
        assert "cloud 'dead'" in message
        assert 'http://127.0.0.1:%d' % dead_port in message
        assert 'Connection refused' in message
        assert '\n' not in message
        # Later calls fail with the same error, without trying again.
        with pytest.raises(cloud_mod.CloudUnreachable) as again:
            driver.create_ironic_node(records['%s0' % env.token])
        assert again.value is err.value
    finally:
        driver.close()

    state, plan = env.plan()
    with pytest.raises(exception.ExecutionError) as err:
        env.apply(state, plan)
    assert str(err.value).count('cannot reach Ironic at http://127.0.0.1:'
                                '%d' % dead_port) == 3
    recorded = env.ctx.store.load(cluster=env.token).resources
    assert {r.status for r in recorded.values()} == {state_model.CREATING}

    # The cloud comes back: the re-run converges.
    env.set_option('ironic', 'cloud', clouds.cloud_name)
    state, plan = env.plan()
    assert {a.reason for a in plan.actions} == {'resume interrupted create'}
    env.apply(state, plan)
    conn = ironic_conn(env)
    assert sorted(n.provision_state for n in conn.baremetal.nodes()) == [
        'available'] * 3
    state, plan = env.teardown_plan()
    env.apply(state, plan)


@pytest.fixture(scope='module')
def bifrost_ironic(tmp_path_factory):
    """A second Ironic with HTTP basic authentication, like Bifrost's."""
    server = IronicServer(str(tmp_path_factory.mktemp('bifrost-ironic')),
                          auth_strategy='http_basic',
                          users={'bifrost_user': 'b1fr0st'})
    try:
        server.start()
    except Exception as exc:
        server.stop()
        pytest.fail('cannot start an http_basic Ironic: %s' % exc)
    yield server
    server.stop()


def test_bifrost_clouds_yaml_and_auth_failure(tmp_path, bifrost_ironic,
                                              monkeypatch):
    # Bifrost's clouds.yaml: cloud "bifrost", http_basic, endpoint in auth.
    path = bifrost_ironic.write_clouds_yaml(str(tmp_path / 'clouds.yaml'), {
        'bifrost': bifrost_ironic.cloud_entry(),
        'bifrost-wrong': bifrost_ironic.cloud_entry('bifrost_user',
                                                    'wrong')})
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', path)
    monkeypatch.setenv('OS_CLOUD', 'bifrost')     # OS_CLOUD alone
    env = planning.EnrolmentEnv(str(tmp_path), 'bifrost')
    try:
        with open(env.env.config_file) as f:
            text = f.read()
        with open(env.env.config_file, 'w') as f:
            f.write(text.replace('cloud = bifrost\n', ''))
        env.reload()
        assert env.conf.ironic.cloud is None
        env.write_spec(fake_spec(1))
        state = env.deploy()
        conn = bifrost_ironic.conn()
        nodes = list(conn.baremetal.nodes(details=True))
        assert [(n.name, n.provision_state) for n in nodes] == [
            ('%s0' % env.token, 'available')]
        assert nodes[0].extra['tenks_cluster'] == env.token

        env.set_option('ironic', 'cloud', 'bifrost-wrong')
        driver = ironic_mod.IronicDriver(env.conf)
        record = next(iter(state.resources.values()))
        try:
            with pytest.raises(cloud_mod.CloudAuthError) as err:
                driver.delete_ironic_node(record)
        finally:
            driver.close()
        message = str(err.value)
        assert 'authentication failed' in message
        assert bifrost_ironic.endpoint in message
        assert "cloud 'bifrost-wrong'" in message
        assert [n.id for n in conn.baremetal.nodes()] == [nodes[0].id]

        env.set_option('ironic', 'cloud', 'bifrost')
        state, plan = env.teardown_plan()
        env.apply(state, plan)
        assert list(conn.baremetal.nodes()) == []
    finally:
        env.close()


def test_keystone_cloud_reaches_ironic_through_catalog(tmp_path, clouds,
                                                       monkeypatch):
    stub = cloud_stub.CloudStub(baremetal=clouds.endpoint)
    try:
        path = clouds.write_clouds_yaml(str(tmp_path / 'clouds.yaml'), {
            'keystone': stub.cloud_entry()})
        monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', path)
        env = planning.EnrolmentEnv(str(tmp_path), 'keystone')
        try:
            env.write_spec(fake_spec(1))
            env.deploy()
            assert stub.tokens >= 1
            conn = clouds.conn()
            assert [n.provision_state for n in conn.baremetal.nodes()] == [
                'available']
            state, plan = env.teardown_plan()
            env.apply(state, plan)
        finally:
            env.close()
    finally:
        stub.close()


# -- Nova flavors and Placement (loopback stub) ---------------------------

def nova_spec(name, forbidden_traits=('CUSTOM_BAD',),
              cpu_policy='dedicated', is_public=None, **top):
    """Two nodes and a Nova flavor ``name`` for them.

    :param is_public: the flavor's ``is_public``, if given.
    :param top: other top-level keys of the spec.
    """
    flavor = {'name': name,
              'resource_class': 'tenks_rc',
              'node_type': 'small',
              'required_traits': ['CUSTOM_GOLD']}
    if forbidden_traits:
        flavor['forbidden_traits'] = list(forbidden_traits)
    if is_public is not None:
        flavor['is_public'] = is_public
    flavor['custom_specs'] = {'hw:cpu_policy': cpu_policy}
    return specs.text(
        {'small': specs.node_type(memory_mb=128,
                                  ironic_driver='fake-hardware',
                                  volumes=[{'capacity': '4GiB'}])},
        [specs.entry('small', 2,
                     ironic_config={'resource_class': 'tenks_rc',
                                    'traits': ['CUSTOM_GOLD']})],
        nova_flavors=[flavor], **top)


@pytest.fixture
def nova(tmp_path, monkeypatch):
    """(EnrolmentEnv, CloudStub) with [nova] cloud on the stub."""
    stub = cloud_stub.CloudStub()
    path = str(tmp_path / 'clouds.yaml')
    import yaml
    with open(path, 'w') as f:
        yaml.safe_dump({'clouds': {
            'stub': stub.cloud_entry(),
            'stub-wrong': stub.cloud_entry(password='nope')}}, f)
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', path)
    monkeypatch.delenv('OS_CLOUD', raising=False)
    env = planning.EnrolmentEnv(
        str(tmp_path), 'unused', extra_conf='\n[nova]\ncloud = stub\n'
        'placement_poll_interval = 0.1\nplacement_timeout = 30\n')
    try:
        yield env, stub
    finally:
        env.close()
        stub.close()


def _flavor_record(env, name='tk-flavor'):
    env.write_spec(nova_spec(name))
    state, plan = env.plan(kinds=('flavor',))
    return state, plan, env.records(plan, 'flavor')[name]


def test_flavor_create_exact_requests_idempotent_update_delete(nova):
    env, stub = nova
    state, plan, record = _flavor_record(env)
    assert record.props['disk'] == 5
    env.apply(state, plan)
    posts = stub.calls('compute', 'POST')
    assert [(r.path.split('/v2.1')[1], r.body) for r in posts] == [
        ('/flavors', {'flavor': {
            'name': 'tk-flavor', 'ram': 128, 'vcpus': 1, 'disk': 5,
            'os-flavor-access:is_public': True}}),
        ('/flavors/%s/os-extra_specs' % next(iter(stub.flavors)),
         {'extra_specs': {
             'resources:CUSTOM_TENKS_RC': '1',
             'resources:VCPU': '0', 'resources:MEMORY_MB': '0',
             'resources:DISK_GB': '0',
             'trait:CUSTOM_GOLD': 'required',
             'trait:CUSTOM_BAD': 'forbidden',
             'hw:cpu_policy': 'dedicated',
             'tenks:cluster': env.token}})]
    assert all(r.microversion == '2.61' for r in stub.calls('compute'))
    flavor = next(iter(stub.flavors.values()))

    # Ensure again: one list, no change.
    stub.clear()
    driver = nova_mod.NovaDriver(env.conf)
    try:
        assert driver.create_flavor(record) == {'id': flavor['id']}
        assert [(r.method, r.path.split('/v2.1')[1], r.query)
                for r in stub.calls('compute')] == [
            ('GET', '/flavors/detail', {'is_public': 'None'})]
        seen = driver.observe_flavor([record])
        assert seen[record.key].exists and seen[record.key].owned
    finally:
        driver.close()

    # Change the spec's extra specs: updated in place, key by key.
    stub.clear()
    env.write_spec(nova_spec('tk-flavor', forbidden_traits=(),
                             cpu_policy='shared'))
    state, plan = env.plan(kinds=('flavor',))
    assert [(a.op, a.name) for a in plan.actions] == [
        ('update', 'tk-flavor')]
    env.apply(state, plan)
    assert [(r.method, r.path.split('/v2.1')[1], r.body)
            for r in stub.calls('compute') if r.method != 'GET'] == [
        ('PUT', '/flavors/%s/os-extra_specs/hw:cpu_policy' % flavor['id'],
         {'hw:cpu_policy': 'shared'}),
        ('DELETE', '/flavors/%s/os-extra_specs/trait:CUSTOM_BAD'
         % flavor['id'], None)]
    assert flavor['extra_specs']['tenks:cluster'] == env.token

    # Teardown deletes it.
    stub.clear()
    state, plan = env.teardown_plan(kinds=('flavor',))
    env.apply(state, plan)
    assert [(r.method, r.path.split('/v2.1')[1])
            for r in stub.calls('compute') if r.method != 'GET'] == [
        ('DELETE', '/flavors/%s' % flavor['id'])]
    assert stub.flavors == {}


def test_foreign_flavor_is_refused_and_kept(nova):
    env, stub = nova
    foreign = stub.add_flavor('tk-flavor', extra_specs={'x': 'y'})
    other = stub.add_flavor('theirs', extra_specs={'tenks:cluster': 'else'})
    _state, _plan, record = _flavor_record(env)
    driver = nova_mod.NovaDriver(env.conf)
    try:
        seen = driver.observe_flavor([record])
        assert seen[record.key].exists and seen[record.key].owned is False
        with pytest.raises(exception.ResourceConflict) as err:
            driver.create_flavor(record)
        assert 'tk-flavor' in str(err.value)
        with pytest.raises(exception.ResourceConflict):
            driver.delete_flavor(record)
        theirs = copy.deepcopy(record)
        theirs.props['name'] = 'theirs'
        with pytest.raises(exception.ResourceConflict) as err:
            driver.delete_flavor(theirs)
        assert "tenks cluster 'else'" in str(err.value)
    finally:
        driver.close()
    assert stub.calls('compute', 'POST') == []
    assert stub.calls('compute', 'DELETE') == []
    assert stub.calls('compute', 'PUT') == []
    assert sorted(stub.flavors) == sorted([foreign['id'], other['id']])


def test_nova_auth_failure_is_one_clear_error(nova):
    env, stub = nova
    env.set_option('nova', 'cloud', 'stub-wrong')
    _state, _plan, record = _flavor_record(env)
    driver = nova_mod.NovaDriver(env.conf)
    try:
        with pytest.raises(cloud_mod.CloudAuthError) as err:
            driver.create_flavor(record)
        assert "cloud 'stub-wrong'" in str(err.value)
        assert stub.base + '/identity/v3' in str(err.value)
        with pytest.raises(cloud_mod.CloudAuthError):
            driver.delete_flavor(record)
    finally:
        driver.close()
    assert stub.calls('compute') == []


def _wait_record(env):
    env.write_spec(nova_spec('f', is_public=False, wait_for_placement=True))
    state, plan = env.plan(kinds=('placement_wait',))
    return state, plan, env.records(plan, 'placement_wait')['placement']


def test_placement_wait_until_inventory_shows(nova):
    env, stub = nova
    state, plan, record = _wait_record(env)
    assert record.props['expected'] == [{
        'resource_class': 'CUSTOM_TENKS_RC', 'traits': ['CUSTOM_GOLD'],
        'amount': 2}]
    stub.add_provider('CUSTOM_OTHER')
    stub.add_provider('CUSTOM_TENKS_RC', traits=['CUSTOM_GOLD'])

    added = []

    def nova_compute_catches_up(server, req):
        # The second node shows up after a few looks, as nova-compute's
        # resource tracker would add it.
        if (not added and req.path.endswith('/resource_providers') and
                len(server.calls('placement')) >= 5):
            added.append(server.add_provider(
                'CUSTOM_TENKS_RC', traits=['CUSTOM_GOLD', 'COMPUTE_X']))
    stub.on_request = nova_compute_catches_up
    env.apply(state, plan)
    gets = stub.calls('placement', 'GET')
    first = gets[0]
    assert first.path == '/placement/resource_providers'
    assert first.query == {'resources': 'CUSTOM_TENKS_RC:1',
                           'required': 'CUSTOM_GOLD'}
    assert first.microversion == '1.18'
    assert gets[-1].query == first.query
    assert len([g for g in gets if g.query == first.query]) >= 3
    recorded = env.ctx.store.load(cluster=env.token).resources
    assert recorded['placement_wait:placement'].outputs == {
        'skipped': False, 'providers': {
            'CUSTOM_TENKS_RC with CUSTOM_GOLD': 2}}


def test_placement_counts_nodes_in_use_and_times_out_clearly(nova):
    env, stub = nova
    _state, _plan, record = _wait_record(env)
    stub.add_provider('CUSTOM_TENKS_RC', traits=['CUSTOM_GOLD'])
    busy = stub.add_provider('CUSTOM_TENKS_RC', traits=['CUSTOM_GOLD'],
                             used=1)
    driver = nova_mod.NovaDriver(env.conf)
    try:
        assert driver.create_placement_wait(record)['providers'] == {
            'CUSTOM_TENKS_RC with CUSTOM_GOLD': 2}
        assert any(r.path == '/placement/resource_providers/%s/inventories'
                   % busy for r in stub.calls('placement'))
        # A node being cleaned (reserved) does not count; time runs out.
        stub.providers[busy]['inventories']['CUSTOM_TENKS_RC'][
            'reserved'] = 1
        stub.providers[busy]['used'] = {}
        env.set_option('nova', 'placement_timeout', 1)
        slow = nova_mod.NovaDriver(env.conf)
        try:
            with pytest.raises(exception.TenksError) as err:
                slow.create_placement_wait(record)
        finally:
            slow.close()
        assert 'within 1s' in str(err.value)
        assert 'CUSTOM_TENKS_RC with CUSTOM_GOLD: 1 of 2' in str(err.value)
    finally:
        driver.close()


def test_placement_wait_skipped_without_placement(nova, tmp_path,
                                                  monkeypatch):
    env, stub = nova
    _state, _plan, record = _wait_record(env)
    stub.with_placement = False
    driver = nova_mod.NovaDriver(env.conf)
    try:
        assert driver.create_placement_wait(record) == {'skipped': True}
    finally:
        driver.close()
    assert stub.calls('placement') == []


def test_silent_bmc_fails_manage_with_last_error_then_delete(enrol):
    """A node whose BMC does not answer.

    Ironic's manage falls back to enroll with last_error, NodeFailed
    carries both, and the half-enrolled node can be deleted.
    """
    env, lab = enrol
    env.write_spec(specs.text(
        {'ipmi': specs.node_type()},
        [specs.entry('ipmi', 1,
                     ironic_config={'resource_class': 'tenks_test'})],
        wait_for_placement=False))
    _state, plan = env.plan()
    record = next(iter(env.records(plan).values()))
    lab.serve([record], with_bmc=False)
    driver = ironic_mod.IronicDriver(env.conf)
    try:
        with pytest.raises(states.NodeFailed) as err:
            driver.create_ironic_node(record)
        assert record.name in str(err.value)
        assert 'enroll' in str(err.value)
        driver.delete_ironic_node(record)
    finally:
        driver.close()
