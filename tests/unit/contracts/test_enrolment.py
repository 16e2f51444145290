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

"""The enrolment contract, for every installed enrolment driver.

Enrolment drivers serve the cloud, not a hypervisor: their resources are
planned with no hypervisor, and they are built with none. (The ownership
rules are :mod:`tests.contracts.ownership`.)
"""

import pytest

from tenks import conf as conf_mod
from tests.unit.contracts import helpers

SPEC = '''
node_types:
  t:
    memory_mb: 1024
    vcpus: 1
    volumes: [{capacity: 4GiB}]
specs:
  - type: t
    count: 2
    ironic_config: {resource_class: rc-contract}
nova_flavors:
  - resource_class: rc-contract
    node_type: t
'''


@pytest.mark.parametrize('name', helpers.implementations('tenks.enrolment'))
def test_serves_the_cloud(name):
    cls = helpers.CATALOG.cls('tenks.enrolment', name)
    driver = cls(conf_mod.new_conf([]), None)
    assert driver.hypervisor is None
    _spec, state = helpers.deployed(SPEC)
    own = [r for r in state.resources.values() if r.driver == name]
    assert {r.kind for r in own} == set(cls.kinds)
    for record in own:
        assert record.hypervisor is None
        assert helpers.json_native(record.props)
