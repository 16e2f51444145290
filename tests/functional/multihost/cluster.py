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

"""A cluster over the controller and the remote hosts, for the tests.

Its spec (IPMI and Redfish nodes with one NIC each, placed round-robin
over the controller's hypervisor, ``local``, and one per remote host),
and what the tests read back: the nodes tenks lists, and the domains on
each host.
"""

from tests.functional import env as env_mod
from tests.functional import specs

IPMI_USER, IPMI_PASSWORD = 'admin', 'ipmi-secret'
REDFISH_USER, REDFISH_PASSWORD = 'admin', 'redfish-secret'
LOCAL = 'local'


def hypervisors(env, lab, **per_host):
    """The controller and the hosts of ``lab``, in that order."""
    out = {LOCAL: {}}
    for host in lab:
        entry = host.spec_entry(pool_path='/tmp/pool-%s' % env.token,
                                physnet_mappings={'physnet1': None})
        entry.update(per_host.get(host.name, {}))
        out[host.name] = entry
    return out


def spec(env, lab, ipmi=3, redfish=3, redfish_memory=specs.MEMORY_MB,
         ironic_config=None, **per_host):
    """IPMI and Redfish nodes, one NIC each, round-robin over 3 hosts."""
    entry_keys = {'ironic_config': ironic_config} if ironic_config else {}
    top = {}
    if ironic_config:
        top = dict(deploy_kernel='http://127.0.0.1:8088/ipa.kernel',
                   deploy_ramdisk='http://127.0.0.1:8088/ipa.initramfs',
                   wait_for_placement=False)
    return specs.text(
        {'ipmi': specs.node_type(ironic_driver='ipmi',
                                 physical_networks=['physnet1']),
         'redfish': specs.node_type(memory_mb=redfish_memory,
                                    ironic_driver='redfish',
                                    physical_networks=['physnet1'])},
        [specs.entry('ipmi', ipmi, **entry_keys),
         specs.entry('redfish', redfish, **entry_keys)],
        physnet_mappings={'physnet1': None},
        hypervisors=hypervisors(env, lab, **per_host),
        ipmi_username=IPMI_USER, ipmi_password=IPMI_PASSWORD,
        redfish_username=REDFISH_USER, redfish_password=REDFISH_PASSWORD,
        **top)


def domains(host, env):
    """The env's domains on remote ``host``, sorted."""
    rc, out, err = host.virsh('list', '--all', '--name')
    assert rc == 0, err
    return sorted(n for n in out.split() if env.token in n)


def local_domains(env):
    """The env's domains on the controller, sorted."""
    out = env_mod._run(['virsh', '-q', '-c', 'qemu:///system', 'list',
                        '--all', '--name']).stdout
    return sorted(n for n in out.split() if env.token in n)


def nodes(env):
    """``{name: row}`` of ``tenks node list``."""
    return {n['Name']: n for n in env.tenks_json('node', 'list')}


def converges(env, spec, lab, count, host):
    """Deploy ``spec`` after a failure; check it converged, tear down.

    ``count`` nodes, those on ``host`` defined in its libvirtd, a second
    deploy a no-op (the state is true), and teardown leaves nothing on
    the hosts of ``lab``.
    """
    env.tenks('deploy', '--spec', spec)
    found = nodes(env)
    assert len(found) == count
    assert domains(host, env) == sorted(
        n for n, v in found.items() if v['Hypervisor'] == host.name)
    assert env.tenks_json('deploy', '--spec', spec) == []
    env.tenks('teardown')
    assert lab.leaks(clean=False) == []
