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

"""A tenks cluster across the controller and two real SSH hosts.

One cluster, spread by the round-robin scheduler over three hypervisors
(this machine and the two hosts of ``remote_hosts``), is deployed once and
checked on its real parts: the domains are on each host's own libvirtd;
the remote BMCs listen on their host's address and power the real domains
there (ipmitool, the sushy Redfish client and a standalone Ironic on the
controller); a re-deploy changes nothing; a reconfigure changes only what
differs; teardown leaves nothing anywhere. Then the failures (a wrong key
on one host changes nothing on any) and the Ansible Tenks inventory route.
"""

import json
import os
import time

import pytest
import sushy

from tests.functional.bmc import helpers as bmc_helpers
from tests.functional import env as env_mod
from tests.functional.ironic_fixture import ironic  # noqa: F401
from tests.functional.ironic_fixture import ironic_server  # noqa: F401
from tests.functional.multihost import cluster
from tests.functional import specs

pytestmark = pytest.mark.multihost


def _timed(what, function, *args, **kwargs):
    start = time.monotonic()
    result = function(*args, **kwargs)
    print('%s: %.2f s' % (what, time.monotonic() - start))
    return result


def _domstate(host, name):
    if host is None:
        return env_mod._run(['virsh', '-c', 'qemu:///system', 'domstate',
                             name]).stdout.strip()
    rc, out, err = host.virsh('domstate', name)
    assert rc == 0, err
    return out.strip()


def _wait_state(host, name, expected, what):
    bmc_helpers.wait_for(lambda: _domstate(host, name) == expected,
                         '%s: %s %s' % (what, name, expected), timeout=60)


def _node_facts(env):
    """``{name: (uuid, hypervisor, macs, bmc endpoint)}`` from the state."""
    return {name: (n['UUID'], n['Hypervisor'], tuple(n['NICs']), n['BMC'])
            for name, n in cluster.nodes(env).items()}


def _by_host(nodes, lab):
    """``{hypervisor: {driver: node name}}``."""
    hosts = {}
    for name, node in nodes.items():
        hosts.setdefault(node['Hypervisor'], {})[node['Type']] = name
    return hosts


def _ipmi(address, port, *command):
    return bmc_helpers.ipmitool(port, cluster.IPMI_USER,
                                cluster.IPMI_PASSWORD, *command,
                                address=address)


def _port(endpoint):
    return int(endpoint.rsplit(':', 1)[1].split('/')[0])


def test_cluster_across_three_hypervisors(
        env, remote_hosts, ironic, monkeypatch):  # noqa: F811
    lab = remote_hosts
    a, b = lab
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', ironic.clouds_yaml)
    monkeypatch.setenv('OS_CLOUD', ironic.cloud_name)
    config = {'resource_class': 'tenks_mh'}
    spec = env.write_spec(cluster.spec(env, lab, ironic_config=config))

    # Deploy: every hypervisor gets an IPMI and a Redfish node.
    rows = _timed('deploy over 3 hypervisors (6 nodes)', env.tenks_json,
                  'deploy', '--spec', spec)
    assert rows and all(r['Result'] == 'done' for r in rows), rows
    nodes = cluster.nodes(env)
    assert len(nodes) == 6
    placed = _by_host(nodes, lab)
    assert sorted(placed) == sorted([cluster.LOCAL, a.name, b.name])
    for hv in placed.values():
        assert sorted(hv) == ['ipmi', 'redfish']
    # The domains are on their own host's libvirtd, and nowhere else.
    for host in lab:
        assert cluster.domains(host, env) == sorted(placed[host.name].values())
    assert cluster.local_domains(env) == sorted(placed[cluster.LOCAL].values())
    # A remote BMC listens on its host's address.
    for host in lab:
        ipmi = nodes[placed[host.name]['ipmi']]['BMC']
        redfish = nodes[placed[host.name]['redfish']]['BMC']
        assert ipmi.startswith('virtualbmc ipmi://%s:' % host.address), ipmi
        assert redfish.startswith('sushy_tools http://%s:' % host.address)
        assert nodes[placed[host.name]['ipmi']]['Power'] == 'off'
    before = _node_facts(env)

    # A re-deploy changes nothing (its time is printed, not asserted).
    assert _timed('no-op deploy over 3 hypervisors', env.tenks_json,
                  'deploy', '--spec', spec) == []

    # tenks verify reaches every BMC, the remote ones included.
    code, out, err = env.tenks('verify', check=False)
    assert code == 0, out + err

    # ipmitool from the controller powers the real domain on its host.
    for host in lab:
        name = placed[host.name]['ipmi']
        port = _port(nodes[name]['BMC'])
        assert _domstate(host, name) == 'shut off'
        proc = _ipmi(host.address, port, 'power', 'on')
        assert proc.returncode == 0, proc.stderr
        _wait_state(host, name, 'running', 'ipmitool power on')
        proc = _ipmi(host.address, port, 'power', 'status')
        assert 'Chassis Power is on' in proc.stdout, proc.stdout
        # tenks node list shows the live power of a remote node.
        assert cluster.nodes(env)[name]['Power'] == 'on'
        proc = _ipmi(host.address, port, 'power', 'off')
        assert proc.returncode == 0, proc.stderr
        _wait_state(host, name, 'shut off', 'ipmitool power off')

    # So does a Redfish client (sushy).
    for host in lab:
        name = placed[host.name]['redfish']
        endpoint = nodes[name]['BMC'].split(None, 1)[1]
        root = endpoint.split('/redfish/v1/')[0] + '/redfish/v1'
        client = sushy.Sushy(root, username=cluster.REDFISH_USER,
                             password=cluster.REDFISH_PASSWORD)
        system = client.get_system('/redfish/v1/Systems/%s'
                                   % nodes[name]['UUID'])
        assert system.power_state == sushy.PowerState.OFF
        system.reset_system(sushy.ResetType.ON)
        _wait_state(host, name, 'running', 'Redfish On')
        assert cluster.nodes(env)[name]['Power'] == 'on'
        system.reset_system(sushy.ResetType.FORCE_OFF)
        _wait_state(host, name, 'shut off', 'Redfish ForceOff')

    # Ironic on the controller enrolled the nodes of every host, and
    # powers a remote node through IPMI and through Redfish.
    conn = ironic.conn()
    enrolled = {n.name: n for n in conn.baremetal.nodes(details=True)}
    assert sorted(enrolled) == sorted(nodes)
    for name, node in enrolled.items():
        assert node.provision_state == 'available', node.last_error
        assert node.driver == nodes[name]['Type']
    host = a
    for driver in ('ipmi', 'redfish'):
        name = placed[host.name][driver]
        if driver == 'ipmi':
            assert enrolled[name].driver_info['ipmi_address'] == host.address
        else:
            assert host.address in enrolled[name].driver_info[
                'redfish_address']
        for target, state in (('power on', 'running'),
                              ('power off', 'shut off')):
            conn.baremetal.set_node_power_state(enrolled[name].id, target,
                                                wait=True, timeout=180)
            _wait_state(host, name, state, 'Ironic %s' % target)

    # Reconfigure: one more IPMI node, more memory for the Redfish ones.
    spec = env.write_spec(cluster.spec(env, lab, ipmi=4,
                                       redfish_memory=192,
                                       ironic_config=config))
    rows = _timed('reconfigure', env.tenks_json, 'deploy', '--spec', spec)
    new = '%s6' % env.prefix
    changed = {(r['Action'], r['Kind'], r['Name']) for r in rows}
    redfish = sorted(n['Name'] for n in nodes.values()
                     if n['Type'] == 'redfish')
    assert {('update', 'domain', name) for name in redfish} <= changed
    touched = {name for _action, _kind, name in changed}
    assert not touched & {n for n in nodes if n not in redfish}, rows
    assert ('create', 'domain', new) in changed
    assert all(r['Action'] in ('create', 'update') for r in rows), rows
    after = _node_facts(env)
    for name, facts in before.items():
        assert after[name] == facts, name
    now = cluster.nodes(env)
    for name in redfish:
        assert now[name]['Memory MiB'] == 192
        hv = now[name]['Hypervisor']
        host = None if hv == cluster.LOCAL else {h.name: h for h in lab}[hv]
        xml = (host.virsh('dumpxml', '--inactive', name)[1] if host else
               env_mod._run(['virsh', '-c', 'qemu:///system', 'dumpxml',
                             '--inactive', name]).stdout)
        assert "<memory unit='KiB'>196608</memory>" in xml, xml
    for host in lab:
        assert cluster.domains(host, env) == sorted(
            n['Name'] for n in now.values() if n['Hypervisor'] == host.name)
    assert _timed('no-op deploy after reconfigure', env.tenks_json,
                  'deploy', '--spec', spec) == []

    # Teardown leaves nothing on any host, nor in Ironic.
    _timed('teardown over 3 hypervisors', env.tenks, 'teardown')
    assert lab.leaks(clean=False) == []
    for host in lab:
        assert cluster.domains(host, env) == []
    assert cluster.local_domains(env) == []
    assert list(conn.baremetal.nodes()) == []


def test_wrong_key_on_one_host_changes_nothing(env, remote_hosts):
    lab = remote_hosts
    a, b = lab
    good = env.write_spec(cluster.spec(env, lab, ipmi=2, redfish=1))
    wrong = {'ssh': dict(b.ssh_identity(), identity_file=a.identity_file)}
    bad = env.write_spec(cluster.spec(env, lab, ipmi=2, redfish=1,
                                      **{b.name: wrong}), name='bad.yaml')
    # This test's names only: other runs share this machine.
    mine = '%s|%s' % (env.token, env.bridge_prefix)
    local_before = env_mod.host_snapshot(pattern=mine)

    code, out, err = env.tenks('deploy', '--spec', bad, check=False)
    assert code == 1, (out, err)
    lines = [line for line in err.splitlines() if b.address in line]
    assert len(lines) == 1, err
    assert 'Permission denied' in lines[0], err
    assert a.address not in err, err
    # Nothing changed anywhere: no domain, pool, bridge or process.
    assert lab.leaks(clean=False) == []
    assert env_mod.host_snapshot(pattern=mine) == local_before
    assert not os.path.exists(env.state_file) or not cluster.nodes(env)

    # Fixed, the next deploy converges; the one after is a no-op.
    env.tenks('deploy', '--spec', good)
    assert len(cluster.nodes(env)) == 3
    assert env.tenks_json('deploy', '--spec', good) == []
    env.tenks('teardown')
    assert lab.leaks(clean=False) == []


def test_master_connection_killed_mid_run(env, remote_hosts):
    """A deploy whose SSH master to one host dies converges next time."""
    lab = remote_hosts
    a, _b = lab
    spec = env.write_spec(cluster.spec(env, lab, ipmi=3, redfish=0))
    proc = env_mod.subprocess.Popen(
        [env_mod.sys.executable, '-m', 'tenks.cli.app', '--config-file',
         env.config_file, 'deploy', '--spec', spec],
        stdout=env_mod.subprocess.PIPE, stderr=env_mod.subprocess.PIPE,
        text=True)
    # Once the run is past its preflight (its SSH master to host A is
    # up), kill every SSH session on host A, the master's among them.
    # (RemoteHost.pids_of leaves SSH sessions out: pkill on the host.)
    time.sleep(1.5)
    killed = proc.poll() is None
    if killed:
        a.ssh("pkill -9 -f '^sshd: root'")
    out, err = proc.communicate(timeout=300)
    print('killed: %s, exit %d\n%s' % (killed, proc.returncode, err[-2000:]))
    # Whatever the first run did, the next one converges, and the state
    # is true: a further run is a no-op.
    cluster.converges(env, spec, lab, 3, a)


INVENTORY = '''\
[hypervisors]
%(hosts)s

[hypervisors:vars]
ansible_user=root
'''


def test_ansible_tenks_inventory(env, remote_hosts):
    lab = remote_hosts
    lines = []
    host_vars = os.path.join(env.root, 'inventory', 'host_vars')
    os.makedirs(host_vars)
    for index, host in enumerate(lab, 1):
        lines.append(
            "h%d ansible_host=%s ansible_user=root "
            "ansible_ssh_private_key_file=%s "
            "ansible_ssh_common_args='-o UserKnownHostsFile=%s'" % (
                index, host.address, host.identity_file,
                host.known_hosts_file))
        with open(os.path.join(host_vars, 'h%d.yml' % index), 'w') as f:
            json.dump({'physnet_mappings': {'physnet1': None},
                       'libvirt_pool_path': '/tmp/pool-%s' % env.token}, f)
    inventory = os.path.join(env.root, 'inventory', 'hosts')
    with open(inventory, 'w') as f:
        f.write(INVENTORY % {'hosts': '\n'.join(lines)})
    spec = env.write_spec(specs.text(
        {'t': specs.node_type(physical_networks=['physnet1'])},
        [specs.entry('t', 4)]))

    env.tenks('validate', '--spec', spec, '--inventory', inventory)
    rows = env.tenks_json('deploy', '--spec', spec, '--inventory',
                          inventory, '--dry-run')
    domains = {r['Name']: r['Hypervisor'] for r in rows
               if r['Kind'] == 'domain'}
    assert len(domains) == 4, rows
    assert sorted(set(domains.values())) == ['h1', 'h2'], rows
    # A dry run changes nothing on the hosts.
    assert lab.leaks(clean=False) == []
