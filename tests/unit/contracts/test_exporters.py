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

"""The exporter contract, for every installed exporter.

An exporter renders the one cluster view (:mod:`tenks.nodeview`) as text:
stable (the same cluster, the same bytes, so CI can diff it), complete
(every node's NICs reach the document) and never leaking
tenks' own ownership mark.
"""

import pytest

from tenks import conf as conf_mod
from tenks import nodeview
from tenks.state import model as state_model
from tests.unit.contracts import helpers

SPEC = '''
physnet_mappings: {physnet1: null}
node_types:
  ipmi:
    memory_mb: 1024
    vcpus: 1
    volumes: [{capacity: 4GiB}]
    physical_networks: [physnet1]
  redfish:
    memory_mb: 2048
    vcpus: 2
    ironic_driver: redfish
    physical_networks: [physnet1]
specs:
  - type: ipmi
    count: 2
    ironic_config: {resource_class: baremetal}
  - type: redfish
    count: 1
    ironic_config: {resource_class: baremetal}
'''


def _export(name, state):
    exporter = helpers.CATALOG.cls('tenks.exporters', name)(
        conf_mod.new_conf([]))
    view = nodeview.cluster_view(state, helpers.settings(), helpers.CATALOG)
    return exporter.export(view)


@pytest.mark.parametrize('name', helpers.implementations('tenks.exporters'))
def test_renders_every_node_stably(name):
    cls = helpers.CATALOG.cls('tenks.exporters', name)
    assert isinstance(cls.description, str) and cls.description
    _spec, state = helpers.deployed(SPEC)
    text = _export(name, state)
    assert isinstance(text, str) and text.endswith('\n')
    assert text == _export(name, state)
    for node in state.nodes.values():
        for nic in node['nics']:
            assert nic['mac'] in text, (node['name'], nic['mac'])
    assert 'tenks_cluster' not in text


@pytest.mark.parametrize('name', helpers.implementations('tenks.exporters'))
def test_an_empty_cluster_is_a_document(name):
    state = state_model.State(cluster='tenks', seed=helpers.planner_helpers
                              .SEED)
    text = _export(name, state)
    assert isinstance(text, str)
