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

"""The provider contract, for every installed provider.

What the planner asks a provider (pure class methods over the run's
settings) and what the executor gets back from one that needs no host
daemon. (The ownership rules are :mod:`tests.contracts.ownership`.)
"""

import pytest

from tests.unit.contracts import helpers

HYPERVISOR_FIELDS = {'libvirt_uri', 'pool_name', 'pool_path'}
NODE_FIELDS = {'cpu_mode', 'cpu_model', 'arch', 'machine', 'disk_bus',
               'nic_model', 'arch_machines'}

SPEC = '''
hypervisors:
  localhost: {provider: %(provider)s}
node_types:
  t:
    memory_mb: 64
    vcpus: 1
    volumes: [{capacity: 1GiB}]
specs:
  - type: t
    count: 2
'''


def _cls(name):
    return helpers.CATALOG.cls('tenks.providers', name)


@pytest.mark.parametrize('name', helpers.implementations('tenks.providers'))
def test_declares_hypervisor_and_node_defaults(name):
    cls = _cls(name)
    settings = helpers.settings()
    hv = cls.hypervisor_defaults(settings)
    assert set(hv) == HYPERVISOR_FIELDS
    assert set(cls.node_defaults(settings)) == NODE_FIELDS
    for props in (hv, cls.pool_props(settings), cls.domain_props(settings)):
        assert helpers.json_native(props)


@pytest.mark.parametrize('name', helpers.implementations('tenks.providers'))
def test_its_props_reach_its_resources(name):
    cls = _cls(name)
    settings = helpers.settings()
    _spec, state = helpers.deployed(SPEC % {'provider': name})
    own = [r for r in state.resources.values() if r.driver == name]
    assert {r.kind for r in own} == set(cls.kinds)
    for record in own:
        assert helpers.json_native(record.props)
        if record.kind == 'pool':
            assert cls.pool_props(settings).items() <= record.props.items()
        if record.kind == 'domain':
            assert cls.domain_props(settings).items() <= (
                record.props.items())
