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

"""The BMC emulator contract, for every installed emulator.

Each emulator is planned through the core the way ``tenks deploy`` plans
it (three nodes on two hypervisors, mapped from an Ironic driver of its
own), and what it declared is checked against what the planner, the
state file, Ironic and the exporters rely on.
"""

import pytest

from tests.unit.contracts import helpers

SPEC = '''
bmc_emulators: {contract-driver: %(emulator)s}
hypervisors:
  hv0: {host: 192.0.2.10}
  hv1: {host: 192.0.2.11}
node_types:
  t:
    memory_mb: 64
    vcpus: 1
    ironic_driver: contract-driver
specs:
  - type: t
    count: 3
    ironic_config: {resource_class: contract}
'''

BMC_FIELDS = {'address', 'port', 'username', 'password'}


def _planned(emulator):
    spec, state = helpers.deployed(SPEC % {'emulator': emulator})
    cls = helpers.CATALOG.cls('tenks.bmc', emulator)
    records = list(state.resources.values())
    hypervisors = {hv.name: hv for hv in spec.hypervisors}
    return cls, hypervisors, state, records


def _of(records, kind, emulator):
    return [r for r in records if r.kind == kind and r.driver == emulator]


@pytest.mark.parametrize('emulator', helpers.implementations('tenks.bmc'))
def test_bmcs_are_complete_and_json(emulator):
    cls, _spec, state, records = _planned(emulator)
    bmcs = _of(records, 'bmc', emulator)
    if 'bmc' not in cls.kinds:
        assert not bmcs
        return
    assert sorted(b.name for b in bmcs) == sorted(state.nodes)
    for record in bmcs:
        assert BMC_FIELDS <= set(record.props), record.props
        assert helpers.json_native(record.props)
        info = cls.driver_info(record.props)
        assert info and helpers.json_native(info)
        assert isinstance(cls.endpoint(record.props), str)


@pytest.mark.parametrize('emulator', helpers.implementations('tenks.bmc'))
def test_own_ports_are_unique_and_in_range(emulator):
    cls, hypervisors, _state, records = _planned(emulator)
    if cls.port_label is None:
        return
    by_site = {}
    for record in _of(records, 'bmc', emulator):
        hypervisor = hypervisors[record.hypervisor]
        site = hypervisor.bmc_sites[emulator]
        assert record.props['port'] in cls.port_range(site)
        pool = cls.port_pool(hypervisor, site)
        by_site.setdefault(pool, []).append(record.props['port'])
    for ports in by_site.values():
        assert len(ports) == len(set(ports))


@pytest.mark.parametrize('emulator', helpers.implementations('tenks.bmc'))
def test_services_serve_their_scope(emulator):
    cls, hypervisors, _state, records = _planned(emulator)
    services = _of(records, 'bmc_service', emulator)
    if 'bmc_service' not in cls.kinds:
        assert not services
        return
    scopes = {cls.service_scope(hv, hv.bmc_sites[emulator])
              for hv in hypervisors.values()}
    assert len(services) <= len(scopes)
    for record in services:
        assert helpers.json_native(record.props)
    for bmc in _of(records, 'bmc', emulator):
        # A node's BMC needs its service first.
        assert all(r.split(':')[0] != 'bmc_service' or
                   r in {s.key for s in services} for r in bmc.requires)


@pytest.mark.parametrize('emulator', helpers.implementations('tenks.bmc'))
def test_ironic_is_told_the_emulators_driver_info(emulator):
    cls, _spec, _state, records = _planned(emulator)
    nodes = {r.name: r for r in records if r.kind == 'ironic_node'}
    bmcs = _of(records, 'bmc', emulator)
    assert len(nodes) == 3
    for bmc in bmcs:
        node = nodes[bmc.name]
        assert node.props['driver'] == 'contract-driver'
        for key, value in cls.driver_info(bmc.props).items():
            assert node.props['driver_info'][key] == value


@pytest.mark.parametrize('emulator', helpers.implementations('tenks.bmc'))
def test_says_why_it_cannot_boot_a_node_or_nothing(emulator):
    cls, hypervisors, _state, _records = _planned(emulator)
    site = next(iter(hypervisors.values())).bmc_sites[emulator]
    for boot in ('pxe', 'ipxe', 'http', 'redfish-virtual-media',
                 'redfish-https', 'fake'):
        problem = cls.boot_problem(boot, site)
        assert problem is None or (isinstance(problem, str) and
                                   boot in problem), (boot, problem)
