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

"""The sushy_tools plugin's impure half, with a recording host agent."""

import ast

from tenks.bmc.sushy import plugin as sushy_tools
from tenks import exception
from tenks.hosts import context
from tests.unit import base
from tests.unit.bmc import helpers

_record = helpers.record

SUSHY_SERVICE = {
    'hypervisor': 'localhost', 'address': '127.0.0.1', 'port': 8000,
    'libvirt_uri': 'qemu:///system', 'storage_pool': 'tenks',
    'tls_cert': None, 'tls_key': None, 'instances': ['u1'],
    'disks': {'u1': [1024]},
    'users': [{'username': 'admin', 'password': 'pw'}],
    'run_dir': '/r/sushy-localhost', 'log_file': '/l/sushy.log'}
SUSHY_BMC = {'domain': 'tk1', 'uuid': 'u1', 'address': '127.0.0.1',
             'port': 8000, 'username': 'admin', 'password': 'pw',
             'system_id': '/redfish/v1/Systems/u1', 'tls': False,
             'run_dir': '/r/sushy-localhost',
             'libvirt_uri': 'qemu:///system', 'storage_pool': 'tenks'}
FIRMWARE = {'uefi_loader': '/fw/a', 'nvram': '/fw/b', 'secure_nvram': None,
            'aarch64_loader': None}


class SushyToolsTest(base.TestCase):

    def driver(self, answers, conf=''):
        self.agent = helpers.RecordingAgent(answers)
        hv = context.HypervisorContext('localhost', 'qemu:///system',
                                       agent=self.agent)
        return sushy_tools.SushyTools(self.make_conf(conf), hv)

    def test_create_service_renders_config(self):
        driver = self.driver({'firmware': FIRMWARE,
                              'ensure_emulator': {'pid': 3, 'url': 'u'}})
        record = _record('bmc_service', 'localhost/sushy_tools',
                         'sushy_tools', SUSHY_SERVICE)
        self.assertEqual({'pid': 3, 'url': 'u'},
                         driver.create('bmc_service', record))
        kwargs = self.agent.calls[1][1]
        self.assertEqual(SUSHY_SERVICE['users'], kwargs['users'])
        config = {}
        for node in ast.parse(kwargs['config']).body:
            config[node.targets[0].id] = ast.literal_eval(node.value)
        self.assertEqual(['u1'], config['SUSHY_EMULATOR_ALLOWED_INSTANCES'])
        self.assertEqual('/fw/a', config['SUSHY_EMULATOR_BOOT_LOADER_MAP'][
            'UEFI']['x86_64'])
        self.assertNotIn('pw', kwargs['config'])

    def test_firmware_options_win(self):
        driver = self.driver(
            {'ensure_emulator': {'pid': 3, 'url': 'u'}},
            '[redfish]\nuefi_loader = /o/code\nuefi_nvram_template = /o/v\n'
            'uefi_secure_nvram_template = /o/s\nfeature_set = vmedia\n'
            'emulate_storage = false\n')
        record = _record('bmc_service', 's', 'sushy_tools', SUSHY_SERVICE)
        driver.create('bmc_service', record)
        self.assertEqual(['ensure_emulator'],
                         [c[0] for c in self.agent.calls])
        config = self.agent.calls[0][1]['config']
        self.assertIn("'x86_64': '/o/code'", config)
        self.assertIn("SUSHY_EMULATOR_FEATURE_SET = 'vmedia'", config)
        self.assertNotIn('SUSHY_EMULATOR_STORAGE =', config)

    def test_delete_bmc_removes_its_virtual_media(self):
        driver = self.driver({'remove_media': {'removed': ['boot-x-u1.img']}})
        driver.delete('bmc', _record('bmc', 'tk1', 'sushy_tools', SUSHY_BMC))
        self.assertEqual([('remove_media', {
            'libvirt_uri': 'qemu:///system', 'pool': 'tenks', 'uuid': 'u1'})],
            self.agent.calls)
        # A BMC recorded before the emulator had a pool has none to clean.
        self.agent.calls.clear()
        old = {k: v for k, v in SUSHY_BMC.items() if k != 'storage_pool'}
        driver.delete('bmc', _record('bmc', 'tk1', 'sushy_tools', old))
        self.assertEqual([], self.agent.calls)

    def test_create_bmc_checks_the_system(self):
        driver = self.driver({'ensure_running': {'pid': 3, 'url': 'u'},
                              'check_system': 'off'})
        record = _record('bmc', 'tk1', 'sushy_tools', SUSHY_BMC)
        self.assertEqual(
            {'url': 'http://127.0.0.1:8000/redfish/v1/Systems/u1'},
            driver.create('bmc', record))
        self.assertEqual('/redfish/v1/Systems/u1',
                         self.agent.calls[1][1]['system_id'])

    def test_create_bmc_without_service(self):
        driver = self.driver({'ensure_running': {'missing': True}})
        record = _record('bmc', 'tk1', 'sushy_tools', SUSHY_BMC)
        error = self.assertRaises(exception.TenksError, driver.create,
                                  'bmc', record)
        self.assertIn('has no configuration', str(error))

    def test_observe_bmcs(self):
        driver = self.driver({'systems': {'systems': [
            '/redfish/v1/Systems/u1']}})
        records = [_record('bmc', 'tk1', 'sushy_tools', SUSHY_BMC),
                   _record('bmc', 'tk2', 'sushy_tools', dict(
                       SUSHY_BMC, system_id='/redfish/v1/Systems/u2'))]
        seen = driver.observe('bmc', records)
        self.assertTrue(seen[records[0].key].healthy)
        self.assertFalse(seen[records[1].key].healthy)
        driver = self.driver({'systems': {'error': 'refused'}})
        seen = driver.observe('bmc', records)
        self.assertEqual(['refused', 'refused'],
                         [o.detail for o in seen.values()])
