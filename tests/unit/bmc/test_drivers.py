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

"""The plugins' impure half, with a host agent that records the calls."""

import ast

from tenks.bmc import sushy_tools
from tenks.bmc import virtualbmc
from tenks import exception
from tenks.hosts import context
from tenks.state import model as state_model
from tests.unit import base


class RecordingAgent(object):
    """Answers host-side calls from a table; remembers them."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def call(self, function, **kwargs):
        self.calls.append((function.rsplit('.', 1)[1], kwargs))
        answer = self.answers[function.rsplit('.', 1)[1]]
        return answer(**kwargs) if callable(answer) else answer


def _record(kind, name, driver, props):
    return state_model.ResourceRecord(kind=kind, name=name, driver=driver,
                                      hypervisor='localhost', props=props)


IPMI_PROPS = {'domain': 'tk0', 'uuid': 'u0', 'libvirt_uri': 'qemu:///system',
              'address': '127.0.0.1', 'port': 6230, 'username': 'admin',
              'password': 'pw', 'managed': True, 'server_port': 50891,
              'run_dir': '/r/vbmc', 'log_file': '/l/vbmcd.log'}
SERVICE_PROPS = {'managed': True, 'server_port': 50891,
                 'run_dir': '/r/vbmc', 'log_file': '/l/vbmcd.log'}


class VirtualBMCTest(base.TestCase):

    def driver(self, answers, conf=''):
        self.agent = RecordingAgent(answers)
        hv = context.HypervisorContext('localhost', 'qemu:///system',
                                       agent=self.agent)
        return virtualbmc.VirtualBMC(self.make_conf(
            '[DEFAULT]\ncluster_name = c1\n' + conf), hv)

    def test_create_bmc(self):
        driver = self.driver({'ensure_bmc': {'changed': True, 'pid': 7}})
        record = _record('bmc', 'tk0', 'virtualbmc', IPMI_PROPS)
        self.assertEqual({'daemon_pid': 7, 'mode': 'embedded'},
                         driver.create('bmc', record))
        name, kwargs = self.agent.calls[0]
        self.assertEqual('ensure_bmc', name)
        self.assertEqual('c1', kwargs['cluster'])
        self.assertEqual({'run_dir': '/r/vbmc', 'server_port': 50891,
                          'log_file': '/l/vbmcd.log', 'mode': 'embedded',
                          'managed': True}, kwargs['service'])
        self.assertEqual(('tk0', 6230, 'pw'),
                         (kwargs['domain'], kwargs['port'],
                          kwargs['password']))

    def test_mode_from_config_or_props(self):
        driver = self.driver({'ensure_service': {'pid': 1}},
                             '[vbmc]\nmode = vbmcd\n')
        record = _record('bmc_service', 's', 'virtualbmc', SERVICE_PROPS)
        self.assertEqual('vbmcd', driver.create('bmc_service',
                                                record)['mode'])
        record.props = dict(SERVICE_PROPS, mode='embedded')
        self.assertEqual('embedded', driver.create('bmc_service',
                                                   record)['mode'])

    def test_conflict(self):
        driver = self.driver({'ensure_bmc': {'conflict': 'not ours'}})
        record = _record('bmc', 'tk0', 'virtualbmc', IPMI_PROPS)
        error = self.assertRaises(exception.ResourceConflict,
                                  driver.create, 'bmc', record)
        self.assertIn('BMC tk0: not ours', str(error))

    def test_update_moves_between_daemons(self):
        driver = self.driver({'ensure_bmc': {'pid': 2},
                              'delete_bmc': {'kept': None}})
        old = _record('bmc', 'tk0', 'virtualbmc', IPMI_PROPS)
        new = _record('bmc', 'tk0', 'virtualbmc',
                      dict(IPMI_PROPS, port=6231, password='new'))
        driver.update('bmc', old, new)
        self.assertEqual(['ensure_bmc'], [c[0] for c in self.agent.calls])
        self.agent.calls = []
        moved = _record('bmc', 'tk0', 'virtualbmc',
                        dict(IPMI_PROPS, run_dir='/elsewhere'))
        driver.update('bmc', old, moved)
        self.assertEqual(['delete_bmc', 'ensure_bmc'],
                         [c[0] for c in self.agent.calls])
        self.assertEqual('/r/vbmc',
                         self.agent.calls[0][1]['service']['run_dir'])

    def test_observe_service(self):
        states = iter([
            {'state': 'running', 'detail': '', 'entries': ['a'],
             'files': True},
            {'state': 'foreign', 'detail': 'pid 1', 'entries': [],
             'files': False},
            {'state': 'stopped', 'detail': 'daemon not running',
             'entries': ['a'], 'files': True},
            {'state': 'absent', 'detail': '', 'entries': [],
             'files': False},
        ])
        driver = self.driver({'service_status':
                              lambda service: next(states)})
        records = [_record('bmc_service', 's%d' % i, 'virtualbmc',
                           SERVICE_PROPS) for i in range(4)]
        seen = driver.observe('bmc_service', records)
        found = [(o.exists, o.owned, o.healthy)
                 for o in (seen[r.key] for r in records)]
        self.assertEqual([(True, True, True), (True, False, True),
                          (True, True, False), (False, None, True)], found)

    def test_observe_bmcs_in_bulk(self):
        entries = {
            'tk0': {'owner': 'c1', 'port': '6230', 'address': '127.0.0.1',
                    'served': True},
            'tk1': {'owner': 'c1', 'port': '6231', 'address': '127.0.0.1',
                    'served': False},
            'tk2': {'owner': 'other', 'port': '6232',
                    'address': '127.0.0.1', 'served': True},
        }
        driver = self.driver({'list_bmcs': entries})
        records = [_record('bmc', n, 'virtualbmc',
                           dict(IPMI_PROPS, domain=n))
                   for n in ('tk0', 'tk1', 'tk2', 'tk3')]
        seen = driver.observe('bmc', records)
        self.assertEqual(1, len(self.agent.calls))
        found = [(o.exists, o.owned, o.healthy)
                 for o in (seen[r.key] for r in records)]
        self.assertEqual([(True, True, True), (True, True, False),
                          (True, False, True), (False, None, True)], found)
        self.assertIn('cluster other', seen[records[2].key].detail)

    def test_delete_refuses_entries_not_provably_ours(self):
        driver = self.driver({'delete_bmc': {'conflict': 'no tenks mark'}})
        record = _record('bmc', 'tk0', 'virtualbmc', IPMI_PROPS)
        error = self.assertRaises(exception.ResourceConflict,
                                  driver.delete, 'bmc', record)
        self.assertIn('BMC tk0: no tenks mark', str(error))
        self.assertEqual('delete_bmc', self.agent.calls[0][0])
        self.assertFalse(self.agent.calls[0][1]['adopt'])

    def test_delete_adopts_what_a_killed_run_left(self):
        driver = self.driver({'delete_bmc': {'deleted': True, 'kept': None,
                                             'stopped': True}})
        record = _record('bmc', 'tk0', 'virtualbmc', IPMI_PROPS)
        record.adopt = True
        self.assertIsNone(driver.delete('bmc', record))
        self.assertTrue(self.agent.calls[0][1]['adopt'])


SUSHY_SERVICE = {
    'hypervisor': 'localhost', 'address': '127.0.0.1', 'port': 8000,
    'libvirt_uri': 'qemu:///system', 'tls_cert': None, 'tls_key': None,
    'instances': ['u1'], 'disks': {'u1': [1024]},
    'users': [{'username': 'admin', 'password': 'pw'}],
    'run_dir': '/r/sushy-localhost', 'log_file': '/l/sushy.log'}
SUSHY_BMC = {'domain': 'tk1', 'uuid': 'u1', 'address': '127.0.0.1',
             'port': 8000, 'username': 'admin', 'password': 'pw',
             'system_id': '/redfish/v1/Systems/u1', 'tls': False,
             'run_dir': '/r/sushy-localhost'}
FIRMWARE = {'uefi_loader': '/fw/a', 'nvram': '/fw/b', 'secure_nvram': None,
            'aarch64_loader': None}


class SushyToolsTest(base.TestCase):

    def driver(self, answers, conf=''):
        self.agent = RecordingAgent(answers)
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
        self.assertNotIn('SUSHY_EMULATOR_STORAGE', config)

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
