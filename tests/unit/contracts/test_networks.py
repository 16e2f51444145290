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

"""The network plugin contract, for every installed network plugin.

What the planner asks a network plugin, checked by planning a cluster
with it as ``bridge_type``. (The ownership rules are
:mod:`tests.contracts.ownership`.)
"""

import pytest

from tenks.planner import naming
from tests.unit.contracts import helpers

SPEC = '''
bridge_type: %(network)s
physnet_mappings: {physnet1: null, physnet2: null}
node_types:
  t:
    memory_mb: 64
    vcpus: 1
    physical_networks: [physnet1, physnet2]
specs:
  - type: t
    count: 2
'''

#: What ``tenks host setup`` knows how to install.
HOST_SERVICES = {'openvswitch'}


def _cls(name):
    return helpers.CATALOG.cls('tenks.networks', name)


@pytest.mark.parametrize('name', helpers.implementations('tenks.networks'))
def test_declarations(name):
    cls = _cls(name)
    settings = helpers.settings()
    assert set(cls.hypervisor_defaults(settings)) == {'bridge_prefix'}
    assert helpers.json_native(cls.bridge_props(settings))
    assert set(cls.host_services) <= HOST_SERVICES
    # Its bridge end is never named like a node end or an uplink.
    assert cls.bridge_end_suffix not in (naming.NODE_END_SUFFIX,
                                         naming.UPLINK_SUFFIX)


@pytest.mark.parametrize('name', helpers.implementations('tenks.networks'))
def test_planned_links_are_its_own_and_fit_linux(name):
    cls = _cls(name)
    _spec, state = helpers.deployed(SPEC % {'network': name})
    bridges = [r for r in state.resources.values() if r.kind == 'bridge']
    vifs = [r for r in state.resources.values() if r.kind == 'vif']
    assert len(bridges) == 2 and len(vifs) == 4
    assert all(r.driver == name for r in bridges + vifs)
    props = cls.bridge_props(helpers.settings())
    for bridge in bridges:
        assert props.items() <= bridge.props.items()
    names = set()
    for vif in vifs:
        assert vif.props['bridge_end'].endswith(cls.bridge_end_suffix)
        for end in ('node_end', 'bridge_end'):
            assert len(vif.props[end]) <= naming.IFNAMSIZ
            names.add(vif.props[end])
    assert len(names) == 2 * len(vifs)
