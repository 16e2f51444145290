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

"""What the BMC plugins' pure class methods give the planner."""

import json

from tenks.bmc.sushy import plugin as sushy_tools
from tenks.bmc.virtualbmc import plugin as virtualbmc
from tenks import secrets
from tests.unit import base
from tests.unit.planner import helpers

SPEC = '''
node_types:
  ipmi:
    memory_mb: 128
    vcpus: 1
  ipmi_own:
    memory_mb: 128
    vcpus: 1
    bmc: {username: operator, password: own-ipmi-secret}
  redfish:
    memory_mb: 128
    vcpus: 1
    ironic_driver: redfish
    volumes:
      - capacity: 4GiB
      - capacity: 1GiB
  redfish_own:
    memory_mb: 128
    vcpus: 1
    ironic_driver: redfish
    bmc: {username: rf, password: own-rf-secret}
specs:
  - type: ipmi
    count: 2
  - type: ipmi_own
    count: 1
  - type: redfish
    count: 1
  - type: redfish_own
    count: 1
'''


class PropsTest(base.TestCase):

    def setUp(self):
        super().setUp()
        spec = self.spec(SPEC, run_dir='/run/t', log_dir='/log/t',
                         conf='[vbmc]\npassword = global-ipmi-secret\n'
                         '[redfish]\npassword = global-rf-secret\n'
                         'port = 8123\n')
        desired, _plan = helpers.plan(spec, self.empty_state())
        self.records = desired.resources
        self.nodes = desired.allocation.nodes

    def of(self, kind, driver):
        return [r for r in self.records.values()
                if r.kind == kind and r.driver == driver]

    def test_ipmi_bmcs(self):
        bmcs = self.of('bmc', 'virtualbmc')
        self.assertEqual(3, len(bmcs))
        ports = [b.props['port'] for b in bmcs]
        self.assertEqual(len(ports), len(set(ports)))
        self.assertTrue(all(6230 <= p <= 6329 for p in ports))
        by_name = {b.name: b.props for b in bmcs}
        own = [p for p in by_name.values() if p['username'] == 'operator']
        self.assertEqual(1, len(own))
        self.assertEqual('own-ipmi-secret', own[0]['password'])
        for props in by_name.values():
            self.assertEqual('/run/t/vbmc', props['run_dir'])
            self.assertEqual('/log/t/vbmcd.log', props['log_file'])
            self.assertEqual(50891, props['server_port'])
            self.assertTrue(props['managed'])
            self.assertEqual('qemu:///system', props['libvirt_uri'])
            self.assertEqual(props['domain'], self.nodes[
                props['domain']]['name'])
        service = self.of('bmc_service', 'virtualbmc')
        self.assertEqual(1, len(service))
        props = dict(service[0].props)
        # The mode is in the props once the settings carry it.
        self.assertIn(props.pop('mode', 'embedded'), ('embedded', 'vbmcd'))
        self.assertEqual({'managed': True, 'server_port': 50891,
                          'run_dir': '/run/t/vbmc',
                          'log_file': '/log/t/vbmcd.log'}, props)
        for bmc in bmcs:
            self.assertIn(service[0].key, bmc.requires)
            self.assertIn('domain:%s' % bmc.name, bmc.requires)

    def test_ipmi_driver_info_and_endpoint(self):
        props = self.of('bmc', 'virtualbmc')[0].props
        info = virtualbmc.VirtualBMC.driver_info(props)
        self.assertEqual({'ipmi_address': '127.0.0.1',
                          'ipmi_port': props['port'],
                          'ipmi_username': 'admin',
                          'ipmi_password': 'global-ipmi-secret'}, info)
        self.assertEqual('ipmi://127.0.0.1:%d' % props['port'],
                         virtualbmc.VirtualBMC.endpoint(props))

    def test_redfish_service(self):
        services = self.of('bmc_service', 'sushy_tools')
        self.assertEqual(1, len(services))
        props = services[0].props
        uuids = sorted(n['uuid'] for n in self.nodes.values()
                       if n['ironic_driver'] == 'redfish')
        self.assertEqual(uuids, props['instances'])
        self.assertEqual(8123, props['port'])
        self.assertEqual('/run/t/sushy-localhost', props['run_dir'])
        self.assertEqual('/log/t/sushy-localhost.log', props['log_file'])
        self.assertEqual(
            [{'username': 'admin', 'password': 'global-rf-secret'},
             {'username': 'rf', 'password': 'own-rf-secret'}],
            props['users'])
        disks = sorted(props['disks'].values(), key=len)
        self.assertEqual([[], [4 * 1024 ** 3, 1024 ** 3]],
                         [[d['capacity'] for d in disk] for disk in disks])
        # Each drive says what the domain's disk is.
        self.assertEqual([('virtio', True, None)] * 2,
                         [(d['bus'], d['serial'].startswith('TK'), d['wwn'])
                          for d in disks[1]])

    def test_passwords_are_masked_everywhere(self):
        for record in self.records.values():
            if not record.kind.startswith('bmc'):
                continue
            text = json.dumps(secrets.mask(record.props))
            for secret in ('global-ipmi-secret', 'own-ipmi-secret',
                           'global-rf-secret', 'own-rf-secret'):
                self.assertNotIn(secret, text)

    def test_redfish_bmc_and_driver_info(self):
        bmc = self.of('bmc', 'sushy_tools')[0]
        props = bmc.props
        uuid = self.nodes[bmc.name]['uuid']
        self.assertEqual('/redfish/v1/Systems/%s' % uuid, props['system_id'])
        self.assertEqual('/run/t/sushy-localhost', props['run_dir'])
        cls = sushy_tools.SushyTools
        self.assertEqual('http://127.0.0.1:8123/redfish/v1/Systems/%s'
                         % uuid, cls.endpoint(props))
        info = cls.driver_info(props)
        self.assertEqual('http://127.0.0.1:8123', info['redfish_address'])
        self.assertNotIn('redfish_verify_ca', info)
        tls = dict(props, tls=True, address='fd00::1')
        info = cls.driver_info(tls)
        self.assertEqual('https://[fd00::1]:8123', info['redfish_address'])
        self.assertIs(False, info['redfish_verify_ca'])

    def test_mode_from_settings_when_known(self):
        settings = self.default_settings(
            '[DEFAULT]\nrun_dir = /r/\nlog_dir = /l\n'
            '[vbmc]\nmanage_daemon = false\nserver_port = 1\n'
            'mode = vbmcd\n')
        cls = virtualbmc.VirtualBMC
        props = cls.service_props(None, cls.site(settings), [], settings)
        self.assertEqual({'managed': False, 'server_port': 1,
                          'run_dir': '/r/vbmc', 'log_file': '/l/vbmcd.log',
                          'mode': 'vbmcd'}, props)
