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

import json

from tenks import exception
from tenks.planner import desired as desired_mod
from tenks.planner import kinds
from tenks.planner import naming
from tests.unit import base
from tests.unit.planner import helpers

#: Small nodes on hv1 only: hv2 maps no physical network they use.
_IDLE_HYPERVISOR = helpers.SPEC.replace(
    'count: 1\n    node_name_prefix: big',
    'count: 0\n    node_name_prefix: big') + '''
hypervisors:
  hv1:
    physnet_mappings: {physnet1: eth1, physnet2: null}
  hv2:
    physnet_mappings: {physnet2: null}
    bridge_prefix: brb
    redfish_port: 8001
'''


class BuildTest(base.TestCase):
    """desired.build() on allocations."""

    def build(self, text=helpers.SPEC, adopt=(), conf=''):
        spec = self.spec(text, conf=conf)
        state = self.empty_state()
        allocation = helpers.allocate(spec, state)
        for name in adopt:
            allocation.nodes[name]['adopt'] = True
        return desired_mod.build(spec, allocation, helpers.CATALOG,
                                 state.seed)

    def test_what_each_resource_requires(self):
        resources = self.build()
        requires = {k: r.requires for k, r in resources.items()}
        self.assertEqual(['pool:localhost/tenks',
                          'vif:localhost/p-tk0-0-tap',
                          'volume:localhost/tenks/tk0vol0'],
                         requires['domain:tk0'])
        self.assertEqual(['pool:localhost/tenks'],
                         requires['volume:localhost/tenks/tk0vol0'])
        self.assertEqual(['bridge:localhost/brtenks0'],
                         requires['vif:localhost/p-tk0-0-tap'])
        self.assertEqual(['bmc_service:local/127.0.0.1/virtualbmc',
                          'domain:tk0'], requires['bmc:tk0'])
        self.assertEqual(['bmc:tk0'], requires['ironic_node:tk0'])
        self.assertEqual(['flavor:rc-small', 'ironic_node:tk0',
                          'ironic_node:tk1'],
                         requires['placement_wait:placement'])
        for key in ('pool:localhost/tenks', 'bridge:localhost/brtenks0',
                    'flavor:rc-small'):
            self.assertEqual([], requires[key], key)

    def test_requires_only_lower_ranks_it_builds(self):
        resources = self.build()
        for key, record in resources.items():
            self.assertEqual(key, record.key)
            for dep in record.requires:
                self.assertIn(dep, resources, key)
                self.assertLess(kinds.rank(resources[dep].kind),
                                kinds.rank(record.kind), key)

    def test_where_and_by_whom(self):
        resources = self.build()
        self.assertEqual(('localhost', 'libvirt'),
                         (resources['domain:tk0'].hypervisor,
                          resources['domain:tk0'].driver))
        self.assertEqual(('localhost', 'openvswitch'),
                         (resources['bridge:localhost/brtenks0'].hypervisor,
                          resources['bridge:localhost/brtenks0'].driver))
        self.assertEqual(('localhost', 'sushy_tools'),
                         (resources['bmc:big0'].hypervisor,
                          resources['bmc:big0'].driver))
        for key in ('ironic_node:tk0', 'flavor:rc-small',
                    'placement_wait:placement'):
            record = resources[key]
            self.assertEqual((None, kinds.driver(record.kind)),
                             (record.hypervisor, record.driver), key)

    def test_only_used_hypervisors_and_physnets_get_resources(self):
        resources = self.build(_IDLE_HYPERVISOR)
        self.assertEqual(['pool:hv1/tenks', 'bridge:hv1/brtenks0'],
                         [k for k, r in resources.items()
                          if r.kind in ('pool', 'bridge')])
        self.assertEqual({'hv1', None},
                         {r.hypervisor for r in resources.values()})

    def test_nodes_without_ironic_config_are_not_enrolled(self):
        resources = self.build()
        self.assertIn('domain:big0', resources)
        self.assertIn('bmc:big0', resources)
        self.assertNotIn('ironic_node:big0', resources)
        self.assertEqual(['ironic_node:tk0', 'ironic_node:tk1'],
                         [k for k, r in resources.items()
                          if r.kind == 'ironic_node'])

    def test_bridge_and_domain_props(self):
        resources = self.build()
        bridge = resources['bridge:localhost/brtenks0'].props
        self.assertEqual('brtenks0', bridge['name'])
        self.assertEqual('physnet1', bridge['physnet'])
        self.assertEqual('eth1', bridge['uplink'])
        self.assertEqual(['p-brtenks0-phy', 'p-brtenks0-ovs'],
                         bridge['uplink_links'])
        self.assertEqual(naming.bridge_mac(base.SEED, 'localhost',
                                           'physnet1'), bridge['mac'])
        self.assertIsNone(resources['bridge:localhost/brtenks1']
                          .props['uplink'])
        domain = resources['domain:big0'].props
        self.assertEqual(['p-big0-0-tap', 'p-big0-1-tap'],
                         [n['dev'] for n in domain['nics']])
        self.assertEqual([('tenks', 'big0vol0'), ('tenks', 'big0vol1')],
                         [(d['pool'], d['volume']) for d in domain['disks']])
        self.assertIsNone(domain['console_log'])

    def test_existing_volume_needs_no_pool(self):
        text = helpers.SPEC.replace('      - capacity: 4GiB\n',
                                    '      - existing: "{node}-root"\n'
                                    '        pool: images\n', 1)
        resources = self.build(text)
        volume = resources['volume:localhost/images/tk0-root']
        self.assertEqual([], volume.requires)
        self.assertEqual({'name': 'tk0-root', 'node': 'tk0',
                          'pool': 'images', 'capacity': None,
                          'format': None, 'image': None, 'existing': True},
                         volume.props)
        self.assertIn(volume.key, resources['domain:tk0'].requires)

    def test_console_log(self):
        text = helpers.SPEC.replace('vcpus: 1\n', 'vcpus: 1\n'
                                    '    console_log_enabled: true\n', 1)
        resources = self.build(text, conf='log_dir = /srv/logs/\n')
        self.assertEqual('/srv/logs/libvirt/tk0-console.log',
                         resources['domain:tk0'].props['console_log'])
        self.assertIsNone(resources['domain:big0'].props['console_log'])

    def test_adopted_nodes_adopt_their_resources(self):
        resources = self.build(adopt=['tk0'])
        adopted = sorted(k for k, r in resources.items() if r.adopt)
        # A hypervisor with an adopted node adopts its pool and bridges.
        self.assertEqual(['bmc:tk0', 'bridge:localhost/brtenks0',
                          'bridge:localhost/brtenks1', 'domain:tk0',
                          'pool:localhost/tenks',
                          'vif:localhost/p-tk0-0-tap',
                          'volume:localhost/tenks/tk0vol0'], adopted)

    def test_same_allocation_same_resources(self):
        first = self.build()
        second = self.build()
        self.assertEqual(list(first), list(second))
        self.assertEqual([r.to_dict() for r in first.values()],
                         [r.to_dict() for r in second.values()])

    def test_two_resources_of_one_name_are_refused(self):
        text = helpers.SPEC.replace(
            '  - type: big\n    count: 1\n    node_name_prefix: big',
            '  - type: big\n    count: 1\n    node_name_prefix: computeA\n'
            '  - type: big\n    count: 1\n    node_name_prefix: computeB')
        err = self.assertRaises(naming.NamingError, self.build, text)
        self.assertIn('computeA0 and computeB0 would both use vif '
                      'localhost/p-compu0-0-tap; use shorter node name '
                      'prefixes (link names keep 6 characters of the node '
                      'name)', str(err))


class DesiredResourcesTest(helpers.DeployTestCase):
    """The resources of deployed specs."""

    def test_props_are_json_native(self):
        desired, _plan = self.deploy()
        for record in desired.resources.values():
            self.assertEqual(json.loads(json.dumps(record.props)),
                             record.props, record.key)

    def test_link_name_collision(self):
        text = helpers.SPEC.replace(
            '  - type: big\n    count: 1\n    node_name_prefix: big',
            '  - type: big\n    count: 1\n    node_name_prefix: computeA\n'
            '  - type: big\n    count: 1\n    node_name_prefix: computeB')
        err = self.assertRaises(exception.PlanError, helpers.plan,
                                self.spec(text), self.state)
        self.assertIn('computeA0 and computeB0 would both use vif', str(err))
        self.assertIn('localhost/p-compu0-0-tap', str(err))

    def test_ironic_props(self):
        desired, _plan = self.deploy(conf='[ironic]\n'
                                     'deploy_kernel = http://k\n'
                                     'deploy_ramdisk = http://r\n')
        props = desired.resources['ironic_node:tk0'].props
        self.assertEqual('ipmi', props['driver'])
        self.assertEqual({'ipmi_address': '127.0.0.1', 'ipmi_port': 6230,
                          'ipmi_username': 'admin',
                          'ipmi_password': 'password',
                          'deploy_kernel': 'http://k',
                          'deploy_ramdisk': 'http://r'},
                         props['driver_info'])
        self.assertEqual({'cpus': 1, 'memory_mb': 1024, 'local_gb': 4,
                          'cpu_arch': 'x86_64',
                          'capabilities': 'boot_mode:uefi'},
                         props['properties'])
        port, = props['ports']
        bridge = desired.resources['bridge:localhost/brtenks0'].props
        self.assertEqual({'switch_id': bridge['mac'],
                          'switch_info': 'brtenks0',
                          'port_id': 'p-tk0-0-ovs'},
                         port['local_link_connection'])
        self.assertEqual('physnet1', port['physical_network'])
        flavor = desired.resources['flavor:rc-small'].props
        self.assertEqual({'resources:CUSTOM_RC_SMALL': '1',
                          'resources:VCPU': '0', 'resources:MEMORY_MB': '0',
                          'resources:DISK_GB': '0'}, flavor['extra_specs'])
        self.assertEqual(5, flavor['disk'])     # 4GiB in decimal GB, up
        wait = desired.resources['placement_wait:placement'].props
        self.assertEqual([{'resource_class': 'CUSTOM_RC_SMALL',
                           'traits': [], 'amount': 2}], wait['expected'])
