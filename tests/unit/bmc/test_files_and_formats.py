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

"""Files the emulators read: vbmc configs, sushy config, htpasswd."""

import ast
import configparser
import os
import threading
import time

from tenks.bmc import files
from tenks.bmc import htpasswd
from tenks.bmc import sushy_config
from tenks.bmc import vbmc_embedded
from tenks.bmc import vbmcd
from tests.unit import base

UUID1 = '11111111-2222-3333-4444-555555555555'
UUID2 = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'


class VbmcFilesTest(base.TestCase):

    def test_conf_text(self):
        parser = configparser.ConfigParser()
        parser.read_string(vbmcd.conf_text('/r', 50900, '/l/vbmcd.log'))
        self.assertEqual({'config_dir': '/r/conf',
                          'pid_file': '/r/vbmcd.pid',
                          'server_port': '50900',
                          'show_passwords': 'false'},
                         dict(parser['default']))
        self.assertEqual('/l/vbmcd.log', parser['log']['logfile'])

    def test_entry_round_trip(self):
        path = self.write('config', vbmcd.entry_text(
            'tk0', '127.0.0.1', 6230, 'admin', 'pa%ss', 'qemu:///system'))
        self.assertEqual({'username': 'admin', 'password': 'pa%ss',
                          'address': '127.0.0.1', 'port': 6230,
                          'domain_name': 'tk0',
                          'libvirt_uri': 'qemu:///system',
                          'libvirt_sasl_username': None,
                          'libvirt_sasl_password': None},
                         vbmc_embedded.read_entry(path))

    def test_entry_is_what_vbmc_reads(self):
        os.makedirs(os.path.join(self.tmp, 'conf', 'tk0'))
        path = self.write('conf/tk0/config', vbmcd.entry_text(
            'tk0', '::', 6230, 'admin', '100%', 'qemu:///system'))
        parser = configparser.ConfigParser()
        parser.read(path)
        self.assertEqual('100%', parser['VirtualBMC']['password'])
        self.assertEqual('100%', vbmcd._read_entry(self.tmp,
                                                   'tk0')['password'])
        self.assertEqual('100%', vbmc_embedded.read_entry(path)['password'])
        self.assertIsNone(vbmcd._read_entry(self.tmp, 'other'))

    def test_inactive_entry_is_not_served(self):
        path = self.write('config', '[VirtualBMC]\ndomain_name = x\n'
                          'username = u\npassword = p\nport = 1\n'
                          'active = False\n')
        self.assertIsNone(vbmc_embedded.read_entry(path))

    def test_same_entry(self):
        wanted = vbmcd.entry_values('tk0', '::', 6230, 'u', 'p', 'qemu:///x')
        self.assertTrue(vbmcd._same_entry(dict(wanted), wanted))
        self.assertFalse(vbmcd._same_entry(dict(wanted, active='False'),
                                           wanted))
        self.assertFalse(vbmcd._same_entry(dict(wanted, password='q'),
                                           wanted))
        self.assertFalse(vbmcd._same_entry(None, wanted))

    def test_service_args(self):
        props = {'run_dir': '/r', 'server_port': 1, 'log_file': '/l',
                 'managed': False, 'domain': 'ignored'}
        self.assertEqual({'run_dir': '/r', 'server_port': 1,
                          'log_file': '/l', 'mode': 'embedded',
                          'managed': False},
                         vbmcd.service_args(props, 'embedded'))


class VbmcOwnershipTest(base.TestCase):
    """Who may delete a vbmc entry (no daemon runs in these tests)."""

    def setUp(self):
        super().setUp()
        self.run_dir = os.path.join(self.tmp, 'vbmc')
        self.service = {'run_dir': self.run_dir, 'server_port': 1,
                        'log_file': os.path.join(self.tmp, 'vbmcd.log'),
                        'mode': 'embedded', 'managed': True}
        files.makedirs(self.run_dir)

    def entry(self, domain, owner=None, config=True):
        entry_dir = os.path.join(self.run_dir, 'conf', domain)
        files.makedirs(entry_dir)
        if owner:
            files.write_private(os.path.join(entry_dir, vbmcd.OWNER_FILE),
                                owner + '\n')
        if config:
            files.write_private(os.path.join(entry_dir, 'config'),
                                vbmcd.entry_text(domain, '::', 6230, 'u',
                                                 'p', 'qemu:///system'))
        return entry_dir

    def test_unmarked_entry_is_refused_unless_adopting(self):
        entry_dir = self.entry('tk0')
        out = vbmcd.delete_bmc(self.service, 'c1', 'tk0')
        self.assertIn('carries no tenks mark, so tenks cannot tell',
                      out['conflict'])
        self.assertTrue(os.path.exists(os.path.join(entry_dir, 'config')))
        # A run killed between making (or removing) it and its mark left
        # it; the journal says so, and the next run adopts it.
        out = vbmcd.delete_bmc(self.service, 'c1', 'tk0', adopt=True)
        self.assertEqual({'deleted': True, 'kept': None, 'stopped': False},
                         out)
        self.assertFalse(os.path.exists(self.run_dir))

    def test_mark_left_by_a_cut_short_delete_is_enough(self):
        self.entry('tk0', owner='c1', config=False)
        out = vbmcd.delete_bmc(self.service, 'c1', 'tk0')
        self.assertTrue(out['deleted'])
        self.assertFalse(os.path.exists(self.run_dir))

    def test_another_clusters_entry_is_never_touched(self):
        entry_dir = self.entry('tk0', owner='c2')
        for adopt in (False, True):
            out = vbmcd.delete_bmc(self.service, 'c1', 'tk0', adopt=adopt)
            self.assertIn('belongs to tenks cluster c2', out['conflict'])
        self.assertTrue(os.path.exists(os.path.join(entry_dir, 'config')))

    def test_stop_service_refuses_to_leave_this_clusters_entries(self):
        self.entry('tk0', owner='c2')
        self.assertEqual(
            {'stopped': False,
             'kept': 'BMC entries remain: tk0 (cluster c2)'},
            vbmcd.stop_service(self.service, 'c1'))
        self.entry('tk1')
        out = vbmcd.stop_service(self.service, 'c1')
        self.assertIn('tk0 (cluster c2), tk1 (no tenks mark)',
                      out['conflict'])
        self.assertTrue(os.path.isdir(self.run_dir))


class PrivateFilesTest(base.TestCase):

    def test_stamp(self):
        conf = os.path.join(self.tmp, 'daemon.conf')
        files.write_private(conf, 'a')
        digest = files.digest([conf])
        self.assertFalse(files.stamped(self.tmp, 42, digest))
        files.write_stamp(self.tmp, 42, digest)
        self.assertTrue(files.stamped(self.tmp, 42, digest))
        self.assertFalse(files.stamped(self.tmp, 43, digest))
        # A config rewritten after the daemon started no longer matches.
        files.write_private(conf, 'b')
        self.assertFalse(files.stamped(self.tmp, 42, files.digest([conf])))
        self.assertNotEqual(files.digest([conf]),
                            files.digest([conf, conf + '.missing']))
        files.drop_stamp(self.tmp)
        self.assertFalse(files.stamped(self.tmp, 42, digest))

    def test_leftovers(self):
        directory = os.path.join(self.tmp, 'svc')
        self.assertEqual([], files.leftovers(directory))
        with files.locked(directory):
            self.assertEqual([], files.leftovers(directory))
            files.write_private(os.path.join(directory, 'b'), 'x')
            self.assertEqual(['b'], files.leftovers(directory))

    def test_write_private(self):
        path = os.path.join(self.tmp, 'f')
        self.assertTrue(files.write_private(path, 'a'))
        self.assertEqual(0o600, os.stat(path).st_mode & 0o777)
        self.assertFalse(files.write_private(path, 'a'))
        os.chmod(path, 0o644)
        self.assertFalse(files.write_private(path, 'a'))
        self.assertEqual(0o600, os.stat(path).st_mode & 0o777)
        self.assertTrue(files.write_private(path, 'b'))
        with open(path) as f:
            self.assertEqual('b', f.read())

    def test_lock_serialises_threads(self):
        directory = os.path.join(self.tmp, 'svc')
        inside = []
        overlaps = []

        def work():
            with files.locked(directory):
                inside.append(1)
                if len(inside) > 1:
                    overlaps.append(1)
                time.sleep(0.02)
                inside.pop()

        threads = [threading.Thread(target=work) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual([], overlaps)
        self.assertEqual(0o700, os.stat(directory).st_mode & 0o777)

    def test_lock_without_creating(self):
        directory = os.path.join(self.tmp, 'gone')
        with files.locked(directory, create=False) as held:
            self.assertFalse(held)
        self.assertFalse(os.path.exists(directory))
        with files.locked(directory) as held:
            self.assertTrue(held)
        with files.locked(directory, create=False) as held:
            self.assertTrue(held)

    def test_remove_locked_dir(self):
        directory = os.path.join(self.tmp, 'svc')
        with files.locked(directory):
            os.makedirs(os.path.join(directory, 'conf', 'tk0'))
            files.write_private(os.path.join(directory, 'a'), 'x')
            files.remove_locked_dir(directory)
        self.assertFalse(os.path.exists(directory))


class SushyConfigTest(base.TestCase):

    PROPS = {'address': '127.0.0.1', 'port': 8123,
             'libvirt_uri': "qemu:///system?socket=/x/'s",
             'tls_cert': None, 'tls_key': None,
             'instances': [UUID2, UUID1],
             'disks': {UUID1: [4096, None], UUID2: []}}
    FIRMWARE = {'uefi_loader': '/fw/code.fd', 'nvram': '/fw/vars.fd',
                'secure_nvram': '/fw/ms.fd', 'aarch64_loader': None}

    def settings(self, text):
        """The config as sushy-tools sees it, checking it is literals."""
        values = {}
        for node in ast.parse(text).body:
            self.assertIsInstance(node, ast.Assign)
            values[node.targets[0].id] = ast.literal_eval(node.value)
        return values

    def test_render(self):
        values = self.settings(sushy_config.render(self.PROPS, '/r',
                                                   self.FIRMWARE))
        self.assertEqual('127.0.0.1', values['SUSHY_EMULATOR_LISTEN_IP'])
        self.assertEqual(8123, values['SUSHY_EMULATOR_LISTEN_PORT'])
        self.assertEqual("qemu:///system?socket=/x/'s",
                         values['SUSHY_EMULATOR_LIBVIRT_URI'])
        self.assertEqual([UUID1, UUID2],
                         values['SUSHY_EMULATOR_ALLOWED_INSTANCES'])
        self.assertEqual('/r/htpasswd', values['SUSHY_EMULATOR_AUTH_FILE'])
        self.assertEqual('/r/state', values['SUSHY_EMULATOR_STATE_DIR'])
        self.assertIsNone(values['SUSHY_EMULATOR_SSL_CERT'])
        self.assertEqual({'UEFI': {'x86_64': '/fw/code.fd',
                                   'aarch64': None},
                          'Legacy': {'x86_64': None, 'aarch64': None}},
                         values['SUSHY_EMULATOR_BOOT_LOADER_MAP'])
        self.assertEqual('/fw/ms.fd',
                         values['SUSHY_EMULATOR_SECURE_BOOT_ENABLED_NVRAM'])
        storage = values['SUSHY_EMULATOR_STORAGE']
        self.assertEqual(['11111111-0', '11111111-1'],
                         storage[UUID1][0]['Drives'])
        self.assertEqual([], storage[UUID2])
        drives = values['SUSHY_EMULATOR_DRIVES'][(UUID1, '1')]
        self.assertEqual([4096, 0], [d['CapacityBytes'] for d in drives])
        self.assertEqual({(UUID1, '1')}, set(values['SUSHY_EMULATOR_DRIVES']))
        self.assertEqual({(UUID1, '1'): []},
                         values['SUSHY_EMULATOR_VOLUMES'])

    def test_without_storage_and_firmware(self):
        values = self.settings(sushy_config.render(
            dict(self.PROPS, tls_cert='/c', tls_key='/k'), '/r',
            {'uefi_loader': None}, feature_set='minimum',
            emulate_storage=False))
        self.assertNotIn('SUSHY_EMULATOR_STORAGE', values)
        self.assertNotIn('SUSHY_EMULATOR_SECURE_BOOT_ENABLED_NVRAM', values)
        self.assertEqual('minimum', values['SUSHY_EMULATOR_FEATURE_SET'])
        self.assertEqual('/c', values['SUSHY_EMULATOR_SSL_CERT'])

    def test_find_firmware(self):
        present = {'/usr/share/OVMF/OVMF_CODE.secboot.fd',
                   '/usr/share/OVMF/OVMF_VARS.fd',
                   '/usr/share/AAVMF/AAVMF_CODE.fd'}
        found = sushy_config.find_firmware(exists=present.__contains__)
        self.assertEqual({'uefi_loader':
                          '/usr/share/OVMF/OVMF_CODE.secboot.fd',
                          'nvram': '/usr/share/OVMF/OVMF_VARS.fd',
                          'secure_nvram': None,
                          'aarch64_loader': '/usr/share/AAVMF/AAVMF_CODE.fd'},
                         found)
        self.assertEqual({'uefi_loader': None, 'nvram': None,
                          'secure_nvram': None, 'aarch64_loader': None},
                         sushy_config.find_firmware(exists=lambda p: False))


class HtpasswdTest(base.TestCase):

    def test_render_and_match(self):
        users = [('admin', 'pw'), ('rf', 'other'), ('admin', 'ignored')]
        path = self.write('htpasswd', htpasswd.render(users, rounds=4))
        with open(path) as f:
            lines = f.read().splitlines()
        self.assertEqual(['admin', 'rf'],
                         [line.split(':')[0] for line in lines])
        self.assertTrue(all(line.split(':', 1)[1].startswith('$2b$04$')
                            for line in lines))
        self.assertTrue(htpasswd.matches(path, users))
        self.assertFalse(htpasswd.matches(path, [('admin', 'pw')]))
        self.assertFalse(htpasswd.matches(path, [('admin', 'x'),
                                                 ('rf', 'other')]))
        self.assertFalse(htpasswd.matches(path + '.missing', users))

    def test_bad_name(self):
        self.assertRaises(ValueError, htpasswd.render, [('a:b', 'x')])
