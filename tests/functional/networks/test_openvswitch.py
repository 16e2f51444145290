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

"""The openvswitch network plugin on the real kernel and Open vSwitch
(netdev datapath; issue 3, item 4).

The plugin is driven directly with resource records, on this host, and
checked with ``ovs-vsctl``, ``ip -j link`` and pings between network
namespaces across the Tenks bridge.
"""

import pytest

from tenks import exception
from tests.functional.networks import helpers as nh
from tests.functional.networks import scenarios


@pytest.fixture
def lab(tenks_env_ovs):
    yield from nh.lab_fixture(tenks_env_ovs, 'openvswitch')


def test_isolated_bridge_two_nodes(lab):
    scenarios.isolated(lab)


def test_interface_uplink(lab):
    scenarios.interface_uplink(lab)


def test_linux_bridge_uplink(lab):
    scenarios.linux_bridge_uplink(lab)


def test_ovs_bridge_uplink(lab):
    scenarios.ovs_bridge_uplink(lab)


def test_two_physnets(lab):
    scenarios.two_physnets(lab)


def test_link_conflicts(lab):
    scenarios.link_conflicts(lab)


def test_mtu(lab):
    scenarios.mtu(lab)


def test_uplink_change(lab):
    scenarios.uplink_change(lab)


def test_drift_repair(lab):
    scenarios.drift_repair(lab)


def test_foreign_ovs_bridge_refused_then_adopted(lab):
    name = lab.bridge_name(0)
    nh.vsctl('add-br', name, '--', 'set', 'Bridge', name,
             'datapath_type=netdev')
    lab._ovs.append(name)
    br = lab.bridge_record(0)
    obs = lab.observe(br)[br.key]
    assert (obs.exists, obs.owned) == (True, False)
    assert 'no tenks mark' in obs.detail
    before = scenarios.host_state(lab)
    with pytest.raises(exception.ResourceConflict, match=name):
        lab.create(br)
    assert scenarios.host_state(lab) == before
    with pytest.raises(exception.ResourceConflict, match='no tenks mark'):
        lab.delete(br)
    assert scenarios.host_state(lab) == before

    adopted = lab.bridge_record(0, adopt=True)
    lab.create(adopted)
    scenarios.assert_bridge(lab, adopted)


def test_linux_link_with_bridge_name_refused_even_adopting(lab):
    name = lab.add_link(lab.bridge_name(0), 'type', 'bridge')
    br = lab.bridge_record(0, adopt=True)
    obs = lab.observe(br)[br.key]
    assert (obs.exists, obs.owned) == (True, False)
    assert 'not an Open vSwitch bridge' in obs.detail
    before = scenarios.host_state(lab)
    with pytest.raises(exception.ResourceConflict,
                       match='%s .*not an Open vSwitch bridge' % name):
        lab.create(br)
    assert scenarios.host_state(lab) == before


def test_foreign_port_with_bridge_end_name_refused(lab):
    br = lab.bridge_record(0)
    lab.create(br)
    vif = lab.vif_record(0)
    # A port record of that name, made by someone else.
    nh.vsctl('add-port', br.props['name'], vif.props['bridge_end'])
    before = scenarios.host_state(lab)
    with pytest.raises(exception.ResourceConflict,
                       match=vif.props['bridge_end']):
        lab.create(vif)
    assert scenarios.host_state(lab) == before
    lab.delete(vif)
    assert scenarios.host_state(lab) == before
    nh.vsctl('del-port', vif.props['bridge_end'])
