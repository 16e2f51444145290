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

"""The linuxbridge network plugin on the real kernel (issue 3, item 4).

The plugin is driven directly with resource records, on this host, and
checked with ``ip -j link``, ``bridge -j link`` and pings between network
namespaces across the Tenks bridge.
"""

import pytest

from tenks import exception
from tests.functional.networks import helpers as nh
from tests.functional.networks import scenarios


@pytest.fixture
def lab(tenks_env):
    yield from nh.lab_fixture(tenks_env, 'linuxbridge')


@pytest.fixture
def lab_ovs(tenks_env, ovs):
    """A lab where Open vSwitch runs too (for OVS bridge uplinks)."""
    yield from nh.lab_fixture(tenks_env, 'linuxbridge')


def test_isolated_bridge_two_nodes(lab):
    scenarios.isolated(lab)


def test_interface_uplink(lab):
    scenarios.interface_uplink(lab)


def test_linux_bridge_uplink(lab):
    scenarios.linux_bridge_uplink(lab)


def test_ovs_bridge_uplink(lab_ovs):
    scenarios.ovs_bridge_uplink(lab_ovs)


def test_two_physnets(lab):
    scenarios.two_physnets(lab)


def test_link_conflicts(lab):
    scenarios.link_conflicts(lab)


def test_mtu(lab):
    scenarios.mtu(lab)


def test_uplink_change(lab_ovs):
    scenarios.uplink_change(lab_ovs)


def test_drift_repair(lab):
    scenarios.drift_repair(lab)


def test_foreign_bridge_refused_then_adopted(lab):
    name = lab.add_link(lab.bridge_name(0), 'type', 'bridge')
    br = lab.bridge_record(0)
    obs = lab.observe(br)[br.key]
    assert (obs.exists, obs.owned) == (True, False)
    assert 'no tenks mark' in obs.detail
    before = scenarios.host_state(lab)
    with pytest.raises(exception.ResourceConflict, match=name):
        lab.create(br)
    assert scenarios.host_state(lab) == before
    # Deleting never touches a bridge tenks did not create, and says so.
    with pytest.raises(exception.ResourceConflict, match='no tenks mark'):
        lab.delete(br)
    assert scenarios.host_state(lab) == before

    # A bridge of another tenks cluster is someone else's too.
    nh.run('ip', 'link', 'set', name, 'alias', 'tenks:other')
    with pytest.raises(exception.ResourceConflict, match='cluster other'):
        lab.create(br)

    # Adopting (a Tenks import, or an interrupted create) takes it over.
    adopted = lab.bridge_record(0, adopt=True)
    lab.create(adopted)
    scenarios.assert_bridge(lab, adopted)


def test_node_link_of_wrong_kind_refused_even_adopting(lab):
    lab.create(lab.bridge_record(0))
    vif = lab.vif_record(0, adopt=True)
    nh.run('ip', 'tuntap', 'add', 'dev', vif.props['bridge_end'], 'mode',
           'tap')
    lab._links.append(vif.props['bridge_end'])
    before = scenarios.host_state(lab)
    with pytest.raises(exception.ResourceConflict,
                       match='is a tap device, not a veth link'):
        lab.create(vif)
    assert scenarios.host_state(lab) == before
