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

import copy

from tenks.bmc.virtualbmc import plugin as virtualbmc
from tenks import exception
from tenks.planner import allocate
from tenks.planner import naming
from tenks.state import tenks_format
from tests.unit import base
from tests.unit.planner import helpers

GIB = 1024 ** 3

#: The small nodes are Redfish's rather than IPMI's.
_SMALL_REDFISH = helpers.SPEC.replace(
    'vcpus: 1\n', 'vcpus: 1\n    ironic_driver: redfish\n', 1)


class _Recorder(object):
    """A scheduler with nothing but ``schedule``.

    It puts every new node on the last host and records what it was
    given: the requests, the hosts and their usage when it was asked.
    """

    __slots__ = ('calls',)

    def __init__(self):
        self.calls = []

    def schedule(self, requests, hosts):
        usage = [(h.name, h.used_memory_mb, h.used_vcpus, h.used_disk_bytes,
                  h.node_count) for h in hosts]
        self.calls.append((list(requests), list(hosts), usage))
        for request in requests:
            hosts[-1].consume(request)


class _TwoPorts(virtualbmc.VirtualBMC):
    """IPMI with two ports in all, shared by every hypervisor."""

    @classmethod
    def port_range(cls, site):
        return range(9100, 9102)

    @classmethod
    def port_pool(cls, hypervisor, site):
        return 'everywhere'


def _identity(node):
    return (node['uuid'], node['hypervisor'], node['bmc'].get('port'),
            [(n['physnet'], n['index'], n['mac']) for n in node['nics']])


class AllocateTest(base.TestCase):
    """allocate() on its own."""

    def setUp(self):
        super().setUp()
        self.state = self.empty_state()

    def allocate(self, text=helpers.SPEC, **kwargs):
        return helpers.allocate(self.spec(text), self.state, **kwargs)

    def record(self, text=helpers.SPEC, **kwargs):
        allocation = self.allocate(text, **kwargs)
        helpers.record(self.state, allocation)
        return allocation

    def test_new_nodes(self):
        allocation = self.allocate()
        nodes = allocation.nodes
        self.assertEqual(['big0', 'tk0', 'tk1'], list(nodes))
        self.assertEqual([], allocation.removed)
        for name, node in nodes.items():
            self.assertEqual(naming.node_uuid(base.SEED, name), node['uuid'])
            self.assertEqual('localhost', node['hypervisor'])
        self.assertEqual([('small', 0, 'tk', 0), ('small', 0, 'tk', 1),
                          ('big', 1, 'big', 0)],
                         [(nodes[n]['type'], nodes[n]['spec'],
                           nodes[n]['prefix'], nodes[n]['index'])
                          for n in ('tk0', 'tk1', 'big0')])
        self.assertEqual([('physnet1', 0), ('physnet2', 1)],
                         [(n['physnet'], n['index'])
                          for n in nodes['big0']['nics']])
        macs = [n['mac'] for node in nodes.values() for n in node['nics']]
        self.assertEqual(4, len(set(macs)))
        self.assertTrue(all(m.startswith('52:54:00:') for m in macs))
        self.assertEqual({'localhost': {
            'physnet_indices': {'physnet1': 0, 'physnet2': 1},
            'libvirt_uri': 'qemu:///system', 'host': None,
            'pool_name': 'tenks'}}, allocation.hypervisors)

    def test_node_shape(self):
        node = self.allocate().nodes['big0']
        self.assertEqual((2048, 2, ['physnet1', 'physnet2'], 'redfish',
                          None), (node['memory_mb'], node['vcpus'],
                                  node['physical_networks'],
                                  node['ironic_driver'],
                                  node['ironic_config']))
        self.assertEqual([('big0vol0', 8 * GIB), ('big0vol1', GIB)],
                         [(v['name'], v['capacity'])
                          for v in node['volumes']])
        self.assertEqual({'emulator': 'sushy_tools', 'address': '127.0.0.1',
                          'port': 8000, 'username': 'admin',
                          'password': 'password'}, node['bmc'])

    def test_replan_keeps_recorded_identity(self):
        first = self.record()
        # What the state records is kept, not derived again.
        tk0 = self.state.nodes['tk0']
        tk0['uuid'] = 'u-kept'
        tk0['nics'][0]['mac'] = '52:54:00:00:00:01'
        tk0['bmc']['port'] = 6240
        second = self.allocate()
        self.assertEqual(('u-kept', 'localhost', 6240,
                          [('physnet1', 0, '52:54:00:00:00:01')]),
                         _identity(second.nodes['tk0']))
        for name in ('tk1', 'big0'):
            self.assertEqual(_identity(first.nodes[name]),
                             _identity(second.nodes[name]))
        self.assertEqual(self.state.nodes, dict(second.nodes))
        self.assertEqual([], second.removed)

    def test_state_is_not_modified(self):
        self.record()
        before = copy.deepcopy(self.state.to_dict())
        self.allocate(helpers.SPEC.replace('count: 2', 'count: 4').replace(
            'memory_mb: 1024', 'memory_mb: 512'))
        self.allocate(helpers.SPEC.replace('count: 2', 'count: 0'))
        self.assertEqual(before, self.state.to_dict())

    def test_shrinking_removes_the_highest(self):
        self.record(helpers.SPEC.replace('count: 2', 'count: 4'))
        allocation = self.allocate(helpers.SPEC.replace('count: 2',
                                                        'count: 1'))
        self.assertEqual(['big0', 'tk0'], list(allocation.nodes))
        self.assertEqual(['tk1', 'tk2', 'tk3'], allocation.removed)

    def test_lowest_free_index_is_reused(self):
        self.record(helpers.SPEC.replace('count: 2', 'count: 3'))
        del self.state.nodes['tk1']
        allocation = self.allocate(helpers.SPEC.replace('count: 2',
                                                        'count: 3'))
        self.assertEqual(['big0', 'tk0', 'tk1', 'tk2'], list(allocation.nodes))
        self.assertEqual(naming.node_uuid(base.SEED, 'tk1'),
                         allocation.nodes['tk1']['uuid'])

    def test_no_seed(self):
        spec = self.spec(helpers.SPEC)
        err = self.assertRaises(exception.PlanError, allocate.allocate,
                                spec, self.state, '', _Recorder(),
                                helpers.spec_emulators(spec))
        self.assertEqual('the cluster has no seed', str(err))

    def test_nodes_keep_their_ironic_config(self):
        # Two entries of one type and prefix swap places: each node stays
        # with the entry that has its Ironic configuration.
        text = '''
node_types:
  small:
    memory_mb: 1024
    vcpus: 1
    physical_networks: [physnet1]
specs:
  - type: small
    count: 1
    ironic_config: {resource_class: rc-a}
  - type: small
    count: 1
    ironic_config: {resource_class: rc-b}
physnet_mappings:
  physnet1: eth1
'''
        self.record(text)
        swapped = (text.replace('rc-a', 'rc-x').replace('rc-b', 'rc-a')
                   .replace('rc-x', 'rc-b'))
        nodes = self.allocate(swapped).nodes
        self.assertEqual([('tk0', 'rc-a', 1), ('tk1', 'rc-b', 0)],
                         [(n['name'], n['ironic_config']['resource_class'],
                           n['spec']) for n in nodes.values()])

    def test_physnet_indices_are_kept(self):
        self.state.hypervisors = {
            'localhost': {'physnet_indices': {'physnet2': 0}}}
        allocation = self.allocate()
        self.assertEqual({'physnet2': 0, 'physnet1': 1},
                         allocation.hypervisors['localhost'][
                             'physnet_indices'])
        self.assertEqual([('physnet1', 1)],
                         [(n['physnet'], n['index'])
                          for n in allocation.nodes['tk0']['nics']])

    def test_clashing_recorded_macs_are_picked_again(self):
        self.record()
        mac = self.state.nodes['tk0']['nics'][0]['mac']
        self.state.nodes['tk1']['nics'][0]['mac'] = mac
        nodes = self.allocate().nodes
        self.assertEqual(mac, nodes['tk0']['nics'][0]['mac'])
        macs = [n['mac'] for node in nodes.values() for n in node['nics']]
        self.assertEqual(4, len(set(macs)))


class _FromEmptyState(base.TestCase):
    """Allocates spec texts over an empty state."""

    def setUp(self):
        super().setUp()
        self.state = self.empty_state()

    def allocate(self, text, **kwargs):
        return helpers.allocate(self.spec(text), self.state, **kwargs)


class PortTest(_FromEmptyState):
    """BMC ports come from the pools the emulator plugins declare."""

    def ports(self, allocation):
        return [(n['name'], n['hypervisor'], n['bmc'].get('port'))
                for n in allocation.nodes.values()]

    def test_lowest_free_port_of_each_site(self):
        text = helpers.SPEC.replace('count: 2', 'count: 4') + '''
hypervisors:
  hv1:
    physnet_mappings: {physnet1: eth1, physnet2: null}
    ipmi_port_range_start: 7000
    ipmi_port_range_end: 7009
  hv2:
    physnet_mappings: {physnet1: eth2, physnet2: null}
    bridge_prefix: brb
    redfish_port: 8001
    ipmi_address: 127.0.0.2
'''
        allocation = self.allocate(text)
        self.assertEqual([('big0', 'hv1', 8000), ('tk0', 'hv1', 7000),
                          ('tk1', 'hv2', 6230), ('tk2', 'hv1', 7001),
                          ('tk3', 'hv2', 6231)], self.ports(allocation))
        self.assertEqual('127.0.0.2',
                         allocation.nodes['tk1']['bmc']['address'])

    def test_hypervisors_of_one_site_share_its_ports(self):
        allocation = self.allocate(
            helpers.TWO_HYPERVISORS.replace('count: 2', 'count: 4'))
        self.assertEqual([('big0', 'hv1', 8000), ('tk0', 'hv1', 6230),
                          ('tk1', 'hv2', 6231), ('tk2', 'hv1', 6232),
                          ('tk3', 'hv2', 6233)], self.ports(allocation))

    def test_pools_are_the_emulator_classes(self):
        spec = self.spec(helpers.SPEC)
        emulators = dict(helpers.spec_emulators(spec),
                         virtualbmc=_TwoPorts)
        allocation = self.allocate(helpers.SPEC, emulators=emulators)
        self.assertEqual([('big0', 'localhost', 8000),
                          ('tk0', 'localhost', 9100),
                          ('tk1', 'localhost', 9101)],
                         self.ports(allocation))
        err = self.assertRaises(
            exception.SchedulingError, self.allocate,
            helpers.SPEC.replace('count: 2', 'count: 3'),
            emulators=emulators)
        self.assertEqual('tk2', err.node)
        self.assertEqual({'localhost': 'no free IPMI port in 9100-9101'},
                         err.reasons)

    def test_kept_ports_are_reserved(self):
        spec = self.spec(helpers.SPEC)
        emulators = dict(helpers.spec_emulators(spec),
                         virtualbmc=_TwoPorts)
        helpers.record(self.state, self.allocate(
            helpers.SPEC.replace('count: 2', 'count: 1'),
            emulators=emulators))
        self.assertEqual(9100, self.state.nodes['tk0']['bmc']['port'])
        allocation = self.allocate(helpers.SPEC, emulators=emulators)
        self.assertEqual([('big0', 'localhost', 8000),
                          ('tk0', 'localhost', 9100),
                          ('tk1', 'localhost', 9101)],
                         self.ports(allocation))

    def test_kept_node_gets_a_port_when_its_emulator_needs_one(self):
        helpers.record(self.state, self.allocate(_SMALL_REDFISH))
        tk0 = self.state.nodes['tk0']
        self.assertEqual(('sushy_tools', 8000),
                         (tk0['bmc']['emulator'], tk0['bmc']['port']))
        # No new node: the scheduler is not asked.
        allocation = self.allocate(helpers.SPEC, scheduler=object())
        self.assertEqual([('big0', 'localhost', 8000),
                          ('tk0', 'localhost', 6230),
                          ('tk1', 'localhost', 6231)],
                         self.ports(allocation))
        self.assertEqual(tk0['uuid'], allocation.nodes['tk0']['uuid'])
        self.assertEqual('virtualbmc',
                         allocation.nodes['tk0']['bmc']['emulator'])

    def test_kept_node_without_a_free_port(self):
        text = _SMALL_REDFISH.replace('count: 2', 'count: 3')
        helpers.record(self.state, self.allocate(text))
        spec = self.spec(helpers.SPEC)
        emulators = dict(helpers.spec_emulators(spec),
                         virtualbmc=_TwoPorts)
        err = self.assertRaises(
            exception.SchedulingError, self.allocate,
            helpers.SPEC.replace('count: 2', 'count: 3'),
            emulators=emulators)
        self.assertEqual('tk2', err.node)
        self.assertEqual({'localhost': 'no free IPMI port in 9100-9101'},
                         err.reasons)


class SchedulerTest(_FromEmptyState):
    """allocate() asks the scheduler it is given, with the facts given."""

    def test_the_given_scheduler_places_new_nodes(self):
        scheduler = _Recorder()
        allocation = self.allocate(helpers.TWO_HYPERVISORS,
                                   scheduler=scheduler)
        self.assertEqual({'hv2'}, {n['hypervisor']
                                   for n in allocation.nodes.values()})
        (requests, _hosts, usage), = scheduler.calls
        self.assertEqual([('hv1', 0, 0, 0, 0), ('hv2', 0, 0, 0, 0)], usage)
        self.assertEqual(
            [('tk0', 1024, 1, 4 * GIB, {'physnet1'}, 'virtualbmc'),
             ('tk1', 1024, 1, 4 * GIB, {'physnet1'}, 'virtualbmc'),
             ('big0', 2048, 2, 9 * GIB, {'physnet1', 'physnet2'}, None)],
            [(r.name, r.memory_mb, r.vcpus, r.disk_bytes, set(r.physnets),
              r.port_from) for r in requests])
        # IPMI ports from the pool, Redfish's from hv2's site.
        self.assertEqual([6230, 6231, 8001],
                         [allocation.nodes[n]['bmc']['port']
                          for n in ('tk0', 'tk1', 'big0')])

    def test_only_new_nodes_on_charged_hosts(self):
        helpers.record(self.state, self.allocate(helpers.SPEC))
        scheduler = _Recorder()
        allocation = self.allocate(
            helpers.SPEC.replace('count: 2', 'count: 3'),
            scheduler=scheduler)
        (requests, _hosts, usage), = scheduler.calls
        self.assertEqual(['tk2'], [r.name for r in requests])
        # The three nodes that exist are charged before it is asked.
        self.assertEqual([('localhost', 2 * 1024 + 2048, 2 * 1 + 2,
                           2 * 4 * GIB + 9 * GIB, 3)], usage)
        self.assertEqual(6232, allocation.nodes['tk2']['bmc']['port'])

    def test_capacity_from_facts_unless_the_spec_sets_it(self):
        text = helpers.TWO_HYPERVISORS.replace(
            '    bridge_prefix: brb\n',
            '    bridge_prefix: brb\n    capacity: {memory_mb: 16384}\n')
        facts = {'hv1': {'memory_mb': 4096, 'vcpus': 8,
                         'disk_bytes': 100 * GIB},
                 'hv2': {'memory_mb': 8192, 'vcpus': 4},
                 'elsewhere': {'memory_mb': 1}}
        scheduler = _Recorder()
        self.allocate(text, scheduler=scheduler, facts=facts)
        (_requests, hosts, _usage), = scheduler.calls
        self.assertEqual([('hv1', 4096, 8, 100 * GIB),
                          ('hv2', 16384, 4, None)],
                         [(h.name, h.memory_mb, h.vcpus, h.disk_bytes)
                          for h in hosts])
        self.assertEqual([{'physnet1', 'physnet2'}] * 2,
                         [set(h.physnets) for h in hosts])
        self.assertEqual([['virtualbmc']] * 2,
                         [sorted(h.port_pools) for h in hosts])
        self.assertIs(hosts[0].port_pools['virtualbmc'],
                      hosts[1].port_pools['virtualbmc'])

    def test_unknown_capacity_without_facts(self):
        scheduler = _Recorder()
        self.allocate(helpers.TWO_HYPERVISORS, scheduler=scheduler)
        (_requests, hosts, _usage), = scheduler.calls
        self.assertEqual([(None, None, None)] * 2,
                         [(h.memory_mb, h.vcpus, h.disk_bytes)
                          for h in hosts])

    def test_nothing_to_place_needs_neither_scheduler_nor_facts(self):
        first = self.allocate(helpers.SPEC)
        helpers.record(self.state, first)
        # ``object()`` has no ``schedule``: asking it would fail.
        again = self.allocate(helpers.SPEC, scheduler=object())
        self.assertEqual(dict(first.nodes), dict(again.nodes))
        fewer = self.allocate(helpers.SPEC.replace('count: 2', 'count: 1'),
                              scheduler=object())
        self.assertEqual(['big0', 'tk0'], list(fewer.nodes))


class NeedsPlacementTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.state = self.empty_state()

    def needs(self, text=helpers.SPEC):
        return allocate.needs_placement(self.spec(text), self.state)

    def test_new_cluster(self):
        self.assertTrue(self.needs())
        self.assertFalse(self.needs(helpers.SPEC.replace(
            'count: 2', 'count: 0').replace('count: 1', 'count: 0')))

    def test_existing_cluster(self):
        helpers.record(self.state, helpers.allocate(
            self.spec(helpers.SPEC), self.state))
        self.assertFalse(self.needs())
        self.assertFalse(self.needs(helpers.SPEC.replace('count: 2',
                                                         'count: 1')))
        self.assertTrue(self.needs(helpers.SPEC.replace('count: 2',
                                                        'count: 3')))

    def test_changes_that_keep_the_nodes(self):
        helpers.record(self.state, helpers.allocate(
            self.spec(helpers.SPEC), self.state))
        self.assertFalse(self.needs(helpers.SPEC.replace(
            'resource_class: rc-small',
            'resource_class: rc-small\n      traits: [CUSTOM_X]', 1)))
        self.assertFalse(self.needs(helpers.SPEC.replace(
            'memory_mb: 1024', 'memory_mb: 4096')))

    def test_a_new_prefix_places_new_nodes(self):
        helpers.record(self.state, helpers.allocate(
            self.spec(helpers.SPEC), self.state))
        self.assertTrue(self.needs(helpers.SPEC.replace(
            'node_name_prefix: big', 'node_name_prefix: large')))


class DeployAllocationTest(helpers.DeployTestCase):
    """How nodes are allocated across deploys."""

    def test_scale_up_keeps_identity(self):
        _d, first = self.deploy()
        before = {n: (v['uuid'], v['bmc'].get('port'),
                      [x['mac'] for x in v['nics']])
                  for n, v in first.nodes.items()}
        _d, plan = self.deploy(helpers.SPEC.replace('count: 2', 'count: 4'))
        for name, ident in before.items():
            node = plan.nodes[name]
            self.assertEqual(ident, (node['uuid'], node['bmc'].get('port'),
                                     [x['mac'] for x in node['nics']]))
        self.assertEqual(6232, plan.nodes['tk2']['bmc']['port'])
        created = {(a.kind, a.name) for a in plan.actions}
        self.assertIn(('domain', 'tk2'), created)
        self.assertIn(('domain', 'tk3'), created)
        self.assertNotIn(('domain', 'tk0'), created)
        # Only the placement wait changes among existing resources.
        updates = [(a.kind, a.name) for a in plan.actions
                   if a.op == 'update']
        self.assertEqual([('placement_wait', 'placement')], updates)

    def test_scale_down_removes_highest(self):
        self.deploy(helpers.SPEC.replace('count: 2', 'count: 4'))
        _d, plan = self.deploy(helpers.SPEC.replace('count: 2', 'count: 1'))
        self.assertEqual(['big0', 'tk0'], sorted(plan.nodes))
        deleted = sorted({a.name for a in plan.actions
                          if a.op == 'delete' and a.kind == 'domain'})
        self.assertEqual(['tk1', 'tk2', 'tk3'], deleted)
        # Deletions come first, dependants before what they need.
        order = [(a.kind, a.name) for a in plan.actions if a.op == 'delete']
        self.assertLess(order.index(('ironic_node', 'tk1')),
                        order.index(('bmc', 'tk1')))
        self.assertLess(order.index(('bmc', 'tk1')),
                        order.index(('domain', 'tk1')))
        self.assertLess(order.index(('domain', 'tk1')),
                        order.index(('volume', 'localhost/tenks/tk1vol0')))
        # The freed port is reused by the next new node.
        _d, plan = self.deploy(helpers.SPEC)
        self.assertEqual(6231, plan.nodes['tk1']['bmc']['port'])

    def test_boot_mode_from_capabilities(self):
        text = helpers.SPEC.replace(
            'resource_class: rc-small',
            'resource_class: rc-small\n      properties:\n'
            '        capabilities: "boot_mode:bios,foo:bar"', 1)
        desired, _plan = self.deploy(text)
        domain = desired.resources['domain:tk0'].props
        self.assertEqual('bios', domain['boot_mode'])
        props = desired.resources['ironic_node:tk0'].props['properties']
        self.assertEqual('boot_mode:bios,foo:bar', props['capabilities'])
        self.assertEqual('uefi',
                         desired.resources['domain:big0'].props['boot_mode'])

    def test_scheduling_failure_names_each_host(self):
        text = helpers.SPEC + '''
hypervisors:
  hv1:
    physnet_mappings: {physnet1: eth1}
    capacity: {memory_mb: 4096}
    bridge_prefix: bra
  hv2:
    physnet_mappings: {physnet1: eth2, physnet2: null}
    capacity: {memory_mb: 512}
    bridge_prefix: brb
    redfish_port: 8001
'''
        spec = self.spec(text)
        err = self.assertRaises(exception.SchedulingError, helpers.plan,
                                spec, self.state)
        self.assertEqual(
            'no hypervisor can host node big0 (hv1: physical network '
            'physnet2 not mapped; hv2: not enough RAM: 512 MiB free, 2048 '
            'MiB needed)', str(err))


class TenksAdoptionTest(base.TestCase):

    def test_imported_nodes_kept_and_adopted(self):
        state = tenks_format.convert({'localhost': {
            'physnet_indices': {'physnet1': 3},
            'nodes': [{'name': 'tk0', 'uuid': 'u-0', 'type': 'small',
                       'ipmi_port': 6235, 'ironic_driver': 'ipmi',
                       'physical_networks': ['physnet1'],
                       'ironic_config': {'resource_class': 'rc-small'}}]}},
            'state.yml')
        state.seed = base.SEED
        text = helpers.SPEC.replace('count: 2', 'count: 1')
        desired, plan = helpers.plan(self.spec(text), state)
        node = plan.nodes['tk0']
        self.assertEqual(('u-0', 6235), (node['uuid'], node['bmc']['port']))
        self.assertEqual(3, node['nics'][0]['index'])
        domain = desired.resources['domain:tk0']
        self.assertTrue(domain.adopt)
        self.assertIn('localhost/p-tk0-3-tap',
                      [r.name for r in desired.resources.values()])
