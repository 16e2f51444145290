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

"""tenks' storage pool starts with libvirtd after a host reboot."""

import os
import types

import libvirt

from tenks.providers.libvirt import storage
from tests.unit import base


class PoolAutostartTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.conn = libvirt.open('test:///default')
        self.addCleanup(self.conn.close)
        self.storage = storage.Storage('hv0', 'autostart-test', None)
        self.name = 'autostart-%s' % os.path.basename(self.tmp)[-8:]
        self.record = types.SimpleNamespace(
            props={'name': self.name, 'path': self.tmp, 'type': 'dir'},
            outputs=None)

    def _cleanup(self, pool):
        if pool.isActive():
            pool.destroy()
        pool.undefine()

    def test_created_pool_autostarts(self):
        self.storage.ensure_pool(self.conn, self.record)
        pool = self.conn.storagePoolLookupByName(self.name)
        self.addCleanup(self._cleanup, pool)
        self.assertTrue(pool.isActive())
        self.assertEqual(1, pool.autostart())

    def test_pool_of_a_killed_run_autostarts(self):
        # A run killed right after the define left it inactive, without
        # autostart: the next run finishes the job.
        pool = self.conn.storagePoolDefineXML(storage.pool_xml(
            self.name, self.tmp, 'dir',
            storage.pool_uuid('autostart-test', 'hv0', self.name)), 0)
        self.addCleanup(self._cleanup, pool)
        self.assertEqual(0, pool.autostart())
        self.assertEqual({'created': True},
                         self.storage.ensure_pool(self.conn, self.record))
        self.assertTrue(pool.isActive())
        self.assertEqual(1, pool.autostart())

    def test_pool_of_someone_else_untouched(self):
        pool = self.conn.storagePoolDefineXML(storage.pool_xml(
            self.name, self.tmp, 'dir',
            '11111111-2222-3333-4444-555555555555'), 0)
        self.addCleanup(self._cleanup, pool)
        self.assertEqual({'created': False},
                         self.storage.ensure_pool(self.conn, self.record))
        self.assertEqual(0, pool.autostart())
