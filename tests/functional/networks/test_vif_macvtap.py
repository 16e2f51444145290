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

"""A VM NIC on a vif's node end, the way tenks wires nodes (issue 3).

A tiny TCG domain, defined here with libvirt-python, has an
``<interface type='direct'>`` in passthrough mode on the node end of a vif
the network plugin made: libvirt puts a macvtap device on the veth, and
the switch port (the bridge end) stays in the Tenks bridge whether the VM
runs or not.
"""

import contextlib
import textwrap

import libvirt
import pytest

from tests.functional.networks import helpers as nh

DOMAIN = textwrap.dedent('''\
    <domain type='qemu'>
      <name>{name}</name>
      <memory unit='MiB'>128</memory>
      <vcpu>1</vcpu>
      <os><type arch='x86_64'>hvm</type></os>
      <devices>
        <interface type='direct'>
          <mac address='{mac}'/>
          <source dev='{dev}' mode='passthrough'/>
          <model type='virtio'/>
        </interface>
        <serial type='pty'/>
      </devices>
    </domain>
    ''')


@contextlib.contextmanager
def domain(uri, xml, name):
    """A defined domain, destroyed and undefined at the end.

    Pass or fail.
    """
    conn = libvirt.open(uri)
    dom = None
    try:
        dom = conn.defineXML(xml)
        yield dom
    finally:
        try:
            dom = dom or conn.lookupByName(name)
            if dom.isActive():
                dom.destroy()
            dom.undefine()
        except libvirt.libvirtError:
            pass
        conn.close()


def macvtaps_on(link):
    return [name for name, entry in nh.links().items()
            if (entry.get('linkinfo') or {}).get('info_kind') == 'macvtap'
            and entry.get('link') == link]


@pytest.fixture(params=['linuxbridge', 'openvswitch'])
def lab(request, tenks_env):
    if request.param == 'openvswitch':
        request.getfixturevalue('ovs')
    yield from nh.lab_fixture(tenks_env, request.param)


def test_vm_nic_is_macvtap_on_node_end(lab, libvirtd):
    br = lab.bridge_record(0)
    lab.create(br)
    vif = lab.vif_record(0)
    lab.create(vif)
    node_end = vif.props['node_end']
    bridge_end = vif.props['bridge_end']
    token = lab.token
    name = '%s-macvtap' % token
    mac = '52:54:00:%s:%s:01' % (token[1:3], token[3:5])
    xml = DOMAIN.format(name=name, mac=mac, dev=node_end)
    with domain(libvirtd, xml, name) as dom:
        assert macvtaps_on(node_end) == []
        dom.create()
        assert dom.isActive()
        taps = macvtaps_on(node_end)
        assert len(taps) == 1, nh.links()
        assert nh.links()[taps[0]]['address'] == mac
        # The switch port stays where it was, and tenks still sees its
        # vif as its own and healthy.
        assert lab.port_of(bridge_end) == br.props['name']
        obs = lab.observe(vif)[vif.key]
        assert (obs.exists, obs.owned, obs.healthy) == (True, True, True)
        dom.destroy()
        assert macvtaps_on(node_end) == []
    # With the VM off the port still exists, and is healthy.
    assert lab.port_of(bridge_end) == br.props['name']
    obs = lab.observe(vif)[vif.key]
    assert (obs.exists, obs.owned, obs.healthy) == (True, True, True)
    lab.delete(vif)
    lab.delete(br)
    assert not {node_end, bridge_end} & set(nh.links())
