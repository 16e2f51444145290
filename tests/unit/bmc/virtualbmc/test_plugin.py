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

"""The virtualbmc plugin's impure half, with a recording host agent."""

from tenks.bmc.virtualbmc import plugin as virtualbmc
from tenks import exception
from tenks.hosts import context
from tests.unit import base
from tests.unit.bmc import helpers

_record = helpers.record

IPMI_PROPS = {'domain': 'tk0', 'uuid': 'u0', 'libvirt_uri': 'qemu:///system',
              'address': '127.0.0.1', 'port': 6230, 'username': 'admin',
              'password': 'pw', 'managed': True, 'server_port': 50891,
              'run_dir': '/r/vbmc', 'log_file': '/l/vbmcd.log'}
SERVICE_PROPS = {'managed': True, 'server_port': 50891,
                 'run_dir': '/r/vbmc', 'log_file': '/l/vbmcd.log'}


class VirtualBMCTest(base.TestCase):

    def driver(self, answers, conf=''):
        self.agent = helpers.RecordingAgent(answers)
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
        driver = self.driver({'ensure_bmc': exception.ResourceConflict(
            'not ours')})
        record = _record('bmc', 'tk0', 'virtualbmc', IPMI_PROPS)
        error = self.assertRaises(exception.ResourceConflict,
                                  driver.create, 'bmc', record)
        self.assertIn('not ours', str(error))

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
        driver = self.driver({'delete_bmc': exception.ResourceConflict(
            'no tenks mark')})
        record = _record('bmc', 'tk0', 'virtualbmc', IPMI_PROPS)
        error = self.assertRaises(exception.ResourceConflict,
                                  driver.delete, 'bmc', record)
        self.assertIn('no tenks mark', str(error))
        self.assertEqual('delete_bmc', self.agent.calls[0][0])
        self.assertFalse(self.agent.calls[0][1]['adopt'])

    def test_delete_adopts_what_a_killed_run_left(self):
        driver = self.driver({'delete_bmc': {'deleted': True, 'kept': None,
                                             'stopped': True}})
        record = _record('bmc', 'tk0', 'virtualbmc', IPMI_PROPS)
        record.adopt = True
        self.assertIsNone(driver.delete('bmc', record))
        self.assertTrue(self.agent.calls[0][1]['adopt'])
