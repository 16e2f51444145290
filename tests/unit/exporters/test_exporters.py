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

"""The exporters, against states planned the way ``tenks deploy`` plans.

Each format is checked against what its reader requires:

* ``ironic``: python-ironicclient's own ``baremetal create`` code reads
  the document (its schema, its node and port creation attributes), with
  only the HTTP layer replaced by a recorder;
* ``bifrost``: the facts Bifrost's inventory script and enrolment role
  rely on (a mapping by node name; ``driver``; properties limited to what
  the ``openstack.cloud.baremetal_node`` module accepts; ``mac`` in every
  NIC);
* ``devstack``: the fields Ironic's DevStack ``enroll_nodes`` reads from
  each line (whitespace-separated; NICs split on ``;`` and ``,``).
"""

import json

from ironicclient.v1 import create_resources
from ironicclient.v1 import node as ic_node
from ironicclient.v1 import port as ic_port
from ironicclient.v1 import portgroup as ic_portgroup

from tenks.bmc.sushy import plugin as sushy_tools
from tenks.bmc.virtualbmc import plugin as virtualbmc
from tenks.exporters import base as exporters_base
from tenks.exporters import bifrost
from tenks.exporters import devstack
from tenks.exporters import ironic
from tenks.exporters import json_export
from tenks import nodeview
from tests.unit import base
from tests.unit.planner import helpers

SPEC = '''
node_types:
  ipmi2:
    memory_mb: 1024
    vcpus: 1
    volumes: [{capacity: 4GiB}]
    physical_networks: [physnet1, physnet2]
  redfish:
    memory_mb: 2048
    vcpus: 2
    ironic_driver: redfish
    boot_mode: bios
    volumes: [{capacity: 8GiB}]
    physical_networks: [physnet1]
specs:
  - type: ipmi2
    count: 2
    ironic_config:
      resource_class: baremetal
      traits: [CUSTOM_GOLD]
      properties: {capabilities: 'iscsi_boot:true', vendor: tenks}
      deploy_interface: direct
      conductor_group: cg1
      extra: {rack: r1}
  - type: redfish
    count: 1
    node_name_prefix: rf
deploy_kernel: http://images/ipa.kernel
deploy_ramdisk: http://images/ipa.initramfs
physnet_mappings: {physnet1: null, physnet2: null}
bridge_type: linuxbridge
'''

NO_NIC_SPEC = '''
node_types:
  bare:
    memory_mb: 512
    vcpus: 1
specs:
  - type: bare
    count: 1
'''

# What the openstack.cloud.baremetal_node module accepts as properties
# (its argument spec, with aliases), which Bifrost's enrolment calls.
BIFROST_PROPERTIES = {'cpu_arch', 'cpus', 'memory_mb', 'ram', 'local_gb',
                      'disk_size', 'capabilities', 'root_device'}


class ExporterTestCase(base.TestCase):

    def deployed(self, text=SPEC):
        """A state as a successful ``tenks deploy`` of ``text`` leaves."""
        spec = self.spec(text)
        state = self.empty_state()
        _desired, plan = helpers.plan(spec, state)
        return helpers.apply(state, plan)

    def setUp(self):
        super().setUp()
        self.state = self.deployed()

    def record(self, kind, name):
        return self.state.resources['%s:%s' % (kind, name)]

    def view(self, state=None, conf=''):
        """The cluster view the exporters get."""
        return nodeview.cluster_view(
            self.state if state is None else state,
            self.default_settings(conf), helpers.CATALOG)

    def node_view(self, name, conf=''):
        return nodeview.node_view(self.state, self.state.nodes[name],
                                  self.default_settings(conf),
                                  helpers.CATALOG)

    def bridge(self, hv, name):
        return self.record('bridge', '%s/%s' % (hv, name))


class NodeViewTest(ExporterTestCase):

    def test_enrolled_node_is_what_ironic_was_told(self):
        view = self.node_view('tk0')
        props = self.record('ironic_node', 'tk0').props
        self.assertTrue(view.enrolled)
        self.assertEqual(props['driver_info'], view.driver_info)
        self.assertEqual(props['properties'], view.properties)
        self.assertEqual(props['ports'], view.ports)
        self.assertEqual('baremetal', view.resource_class)
        self.assertEqual(['CUSTOM_GOLD'], view.traits)
        self.assertEqual({'deploy_interface': 'direct'}, view.interfaces)
        self.assertEqual({'conductor_group': 'cg1'}, view.fields)
        # tenks' own ownership mark stays out of exported documents.
        self.assertEqual({'rack': 'r1'}, view.extra)
        self.assertIn('tenks_cluster', props['extra'])

    def test_node_not_enrolled_gets_driver_info_from_its_bmc(self):
        view = self.node_view(
            'rf0', '[ironic]\ndeploy_kernel = http://conf/ipa.kernel\n')
        bmc = self.record('bmc', 'rf0')
        self.assertFalse(view.enrolled)
        expected = sushy_tools.SushyTools.driver_info(bmc.props)
        expected['deploy_kernel'] = 'http://conf/ipa.kernel'
        self.assertEqual(expected, view.driver_info)
        self.assertEqual(
            '/redfish/v1/Systems/%s' % self.state.nodes['rf0']['uuid'],
            view.driver_info['redfish_system_id'])
        self.assertEqual({'cpus': 2, 'memory_mb': 2048, 'cpu_arch': 'x86_64',
                          'local_gb': 8, 'capabilities': 'boot_mode:bios'},
                         view.properties)
        self.assertIsNone(view.own_bmc_port)

    def test_nics_joined_with_links_and_bridges(self):
        view = self.node_view('tk1')
        node = self.state.nodes['tk1']
        self.assertEqual([n['mac'] for n in node['nics']],
                         [n.mac for n in view.nics])
        for nic in view.nics:
            vif = self.record('vif', 'localhost/%s' % nic.node_link)
            self.assertEqual(nic.bridge, vif.props['bridge'])
            self.assertEqual(nic.bridge_link, vif.props['bridge_end'])
            self.assertEqual(self.bridge('localhost', nic.bridge).props['mac'],
                             nic.bridge_mac)
            self.assertEqual({'switch_id': nic.bridge_mac,
                              'switch_info': nic.bridge,
                              'port_id': nic.bridge_link},
                             nic.local_link_connection)
        bmc = self.record('bmc', 'tk1').props
        self.assertEqual(bmc['port'], view.own_bmc_port)
        self.assertEqual('ipmi://127.0.0.1:%s' % bmc['port'],
                         view.bmc['endpoint'])

    def test_missing_records_leave_gaps_not_guesses(self):
        for key in [k for k in self.state.resources
                    if k.startswith(('vif:', 'bmc:', 'bridge:'))]:
            del self.state.resources[key]
        view = self.node_view('rf0')
        self.assertEqual({}, view.driver_info)
        self.assertIsNone(view.bmc)
        self.assertIsNone(view.nics[0].local_link_connection)
        self.assertEqual([{'address': view.nics[0].mac,
                           'physical_network': 'physnet1'}], view.ports)


class BifrostTest(ExporterTestCase):

    def export(self):
        return json.loads(bifrost.BifrostExporter(None).export(self.view()))

    def test_keyed_by_node_name(self):
        doc = self.export()
        self.assertEqual(sorted(self.state.nodes), sorted(doc))
        for name, host in doc.items():
            self.assertEqual(name, host['name'])
            self.assertEqual(self.state.nodes[name]['uuid'], host['uuid'])

    def test_what_bifrost_enrolment_reads(self):
        for name, host in self.export().items():
            node = self.state.nodes[name]
            self.assertEqual(node['ironic_driver'], host['driver'])
            self.assertLessEqual(set(host['properties']), BIFROST_PROPERTIES)
            for value in host['properties'].values():
                self.assertIsInstance(value, str)
            self.assertEqual([n['mac'] for n in node['nics']],
                             [n['mac'] for n in host['nics']])
            self.assertIn('baremetal', host['host_groups'])
            self.assertIn('tenks_%s' % node['type'], host['host_groups'])
            self.assertNotIn('ipv4_address', host)

    def test_properties_and_driver_info(self):
        doc = self.export()
        tk0 = doc['tk0']
        self.assertEqual({'cpu_arch': 'x86_64', 'cpus': '1', 'ram': '1024',
                          'disk_size': '4',
                          'capabilities': 'iscsi_boot:true,boot_mode:uefi'},
                         tk0['properties'])
        bmc = self.record('bmc', 'tk0').props
        expected = virtualbmc.VirtualBMC.driver_info(bmc)
        expected.update(deploy_kernel='http://images/ipa.kernel',
                        deploy_ramdisk='http://images/ipa.initramfs')
        self.assertEqual(expected, tk0['driver_info'])
        self.assertEqual('2048', doc['rf0']['properties']['ram'])
        self.assertEqual('boot_mode:bios',
                         doc['rf0']['properties']['capabilities'])

    def test_nics_carry_link_of_their_port(self):
        nic = self.export()['tk0']['nics'][1]
        port = self.record('ironic_node', 'tk0').props['ports'][1]
        self.assertEqual(port['address'], nic['mac'])
        self.assertEqual(port['local_link_connection'],
                         nic['local_link_connection'])
        self.assertEqual('physnet2', nic['physical_network'])

    def test_group_names_are_ansible_safe(self):
        self.assertEqual('tenks_a_b_c', bifrost.host_group('a-b.c'))


class _RecordingAPI(object):
    """Stands in for ironicclient's HTTP layer.

    It records each request and answers as Ironic would: the posted body
    and a UUID.
    """

    def __init__(self):
        self.requests = []

    def json_request(self, method, url, body=None, headers=None, **kw):
        self.requests.append((method, url, body))
        answer = dict(body or {})
        answer.setdefault('uuid', 'uuid-%d' % len(self.requests))
        return None, answer

    def raw_request(self, method, url, **kwargs):
        self.requests.append((method, url, kwargs.get('body')))
        return None


class _Client(object):

    def __init__(self, api):
        self.node = ic_node.NodeManager(api)
        self.port = ic_port.PortManager(api)
        self.portgroup = ic_portgroup.PortgroupManager(api)


class IronicTest(ExporterTestCase):

    def export(self):
        return ironic.IronicExporter(None).export(self.view())

    def test_baremetal_create_reads_it(self):
        path = self.write('nodes.json', self.export())
        api = _RecordingAPI()
        create_resources.create_resources(_Client(api), [path])
        nodes = [body for method, url, body in api.requests
                 if method == 'POST' and url.endswith('/nodes')]
        ports = [body for method, url, body in api.requests
                 if method == 'POST' and url.endswith('/ports')]
        self.assertEqual(['rf0', 'tk0', 'tk1'], [n['name'] for n in nodes])
        tk0 = nodes[1]
        record = self.record('ironic_node', 'tk0').props
        for key in ('uuid', 'driver', 'driver_info', 'properties',
                    'resource_class', 'conductor_group'):
            self.assertEqual(record[key], tk0[key], key)
        self.assertEqual('direct', tk0['deploy_interface'])
        self.assertEqual({'rack': 'r1'}, tk0['extra'])
        macs = [n['mac'] for name in ('rf0', 'tk0', 'tk1')
                for n in self.state.nodes[name]['nics']]
        self.assertEqual(macs, [p['address'] for p in ports])
        self.assertEqual(record['ports'][0]['local_link_connection'],
                         ports[1]['local_link_connection'])
        traits = [(url, body) for method, url, body in api.requests
                  if method == 'PUT']
        self.assertEqual(2, len(traits))
        self.assertEqual({'traits': ['CUSTOM_GOLD']}, traits[0][1])

    def test_only_creation_attributes(self):
        doc = json.loads(self.export())
        self.assertEqual(['nodes'], list(doc))
        node_keys = set(ic_node.NodeManager._creation_attributes) | {
            'ports', 'portgroups', 'traits'}
        for node in doc['nodes']:
            self.assertLessEqual(set(node), node_keys)
            for port in node['ports']:
                self.assertLessEqual(
                    set(port), set(ic_port.PortManager._creation_attributes))


class DevstackTest(ExporterTestCase):

    def lines(self):
        text = devstack.DevstackExporter(None).export(self.view())
        self.assertTrue(text.endswith('\n'))
        return text.splitlines()

    def test_fields_as_ironic_enroll_nodes_reads_them(self):
        lines = self.lines()
        self.assertEqual(list(self.state.nodes), ['rf0', 'tk0', 'tk1'])
        self.assertEqual(3, len(lines))
        for name, line in zip(self.state.nodes, lines):
            node = self.state.nodes[name]
            fields = line.split()
            self.assertEqual(4, len(fields))
            interfaces = [i.split(',') for i in fields[0].split(';')]
            by_physnet = {r.props['physnet']: r
                          for r in self.state.resources.values()
                          if r.kind == 'vif' and r.props['node'] == name}
            self.assertEqual(
                [[n['mac'], by_physnet[n['physnet']].props['bridge_end']]
                 for n in node['nics']], interfaces)
            bmc = self.record('bmc', name)
            port = bmc.props['port'] if bmc.driver == 'virtualbmc' else 0
            self.assertEqual(str(port), fields[1])
            first = by_physnet[node['nics'][0]['physnet']]
            bridge = self.bridge('localhost', first.props['bridge'])
            self.assertEqual(bridge.props['mac'], fields[2])
            self.assertEqual(bridge.props['name'], fields[3])

    def test_node_without_nic_is_refused(self):
        self.state = self.deployed(NO_NIC_SPEC)
        exc = self.assertRaises(exporters_base.ExportError,
                                devstack.DevstackExporter(None).export,
                                self.view())
        self.assertIn('tk0 has no NIC', str(exc))

    def test_unknown_link_is_refused(self):
        del self.state.resources['vif:localhost/p-tk1-1-tap']
        exc = self.assertRaises(exporters_base.ExportError,
                                devstack.DevstackExporter(None).export,
                                self.view())
        self.assertIn('tk1', str(exc))
        self.assertIn('physnet2', str(exc))


class JsonTest(ExporterTestCase):

    def test_full_view(self):
        doc = json.loads(json_export.JsonExporter(None).export(self.view()))
        self.assertEqual('tenks', doc['cluster'])
        self.assertEqual(self.state.hypervisors, doc['hypervisors'])
        self.assertEqual(['rf0', 'tk0', 'tk1'],
                         [n['name'] for n in doc['nodes']])
        tk0 = doc['nodes'][1]
        node = self.state.nodes['tk0']
        for key in ('uuid', 'type', 'hypervisor', 'memory_mb', 'vcpus',
                    'boot_mode', 'arch'):
            self.assertEqual(node[key], tk0[key], key)
        self.assertEqual('password', tk0['bmc']['password'])
        self.assertEqual(node['volumes'], tk0['volumes'])
        self.assertTrue(tk0['enrolled'])
        self.assertFalse(doc['nodes'][0]['enrolled'])
        self.assertEqual(
            {'switch_id': self.bridge('localhost', 'brtenks0').props['mac'],
             'switch_info': 'brtenks0', 'port_id': 'p-tk0-0-br'},
            tk0['nics'][0]['local_link_connection'])
        self.assertEqual({('domain', 'present'), ('bmc', 'present'),
                          ('ironic_node', 'present')},
                         {(r['kind'], r['status']) for r in tk0['resources']})

    def test_empty_cluster(self):
        doc = json.loads(json_export.JsonExporter(None).export(
            self.view(self.empty_state())))
        self.assertEqual([], doc['nodes'])
