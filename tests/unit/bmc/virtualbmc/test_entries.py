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

"""VirtualBMC's files: what tenks writes is what vbmc reads."""

import configparser
import os

from tenks.bmc.virtualbmc import daemon
from tenks.bmc.virtualbmc import entries
from tenks.bmc.virtualbmc import server
from tests.unit import base


class VbmcFilesTest(base.TestCase):

    def test_conf_text(self):
        parser = configparser.ConfigParser()
        parser.read_string(entries.conf_text('/r', 50900, '/l/vbmcd.log'))
        self.assertEqual({'config_dir': '/r/conf',
                          'pid_file': '/r/vbmcd.pid',
                          'server_port': '50900',
                          'show_passwords': 'false'},
                         dict(parser['default']))
        self.assertEqual('/l/vbmcd.log', parser['log']['logfile'])

    def test_entry_round_trip(self):
        path = self.write('config', entries.entry_text(
            'tk0', '127.0.0.1', 6230, 'admin', 'pa%ss', 'qemu:///system'))
        self.assertEqual({'username': 'admin', 'password': 'pa%ss',
                          'address': '127.0.0.1', 'port': 6230,
                          'domain_name': 'tk0',
                          'libvirt_uri': 'qemu:///system',
                          'libvirt_sasl_username': None,
                          'libvirt_sasl_password': None},
                         server.read_entry(path))

    def test_entry_is_what_vbmc_reads(self):
        os.makedirs(os.path.join(self.tmp, 'conf', 'tk0'))
        path = self.write('conf/tk0/config', entries.entry_text(
            'tk0', '::', 6230, 'admin', '100%', 'qemu:///system'))
        parser = configparser.ConfigParser()
        parser.read(path)
        self.assertEqual('100%', parser['VirtualBMC']['password'])
        self.assertEqual('100%', entries.read_entry(self.tmp,
                                                    'tk0')['password'])
        self.assertEqual('100%', server.read_entry(path)['password'])
        self.assertIsNone(entries.read_entry(self.tmp, 'other'))

    def test_inactive_entry_is_not_served(self):
        path = self.write('config', '[VirtualBMC]\ndomain_name = x\n'
                          'username = u\npassword = p\nport = 1\n'
                          'active = False\n')
        self.assertIsNone(server.read_entry(path))

    def test_same_entry(self):
        wanted = entries.entry_values('tk0', '::', 6230, 'u', 'p', 'qemu:///x')
        self.assertTrue(entries.same_entry(dict(wanted), wanted))
        self.assertFalse(entries.same_entry(dict(wanted, active='False'),
                                            wanted))
        self.assertFalse(entries.same_entry(dict(wanted, password='q'),
                                            wanted))
        self.assertFalse(entries.same_entry(None, wanted))

    def test_service_args(self):
        props = {'run_dir': '/r', 'server_port': 1, 'log_file': '/l',
                 'managed': False, 'domain': 'ignored'}
        self.assertEqual({'run_dir': '/r', 'server_port': 1,
                          'log_file': '/l', 'mode': 'embedded',
                          'managed': False},
                         daemon.service_args(props, 'embedded'))
