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

"""Pool and volume XML, and the pool mark."""

from tenks.providers.libvirt import storage
from tests.unit import base
from tests.unit.providers import helpers

VOLUME_DESC = '''<volume type='file'>
  <name>tk0vol0</name>
  <capacity unit='bytes'>4294967296</capacity>
  <target>
    <path>/var/lib/libvirt/tenks_pool/tk0vol0</path>
    <format type='qcow2'/>
  </target>
</volume>'''


class StorageXMLTest(base.TestCase):

    def test_pool(self):
        xml = storage.pool_xml('tenks', '/var/lib/libvirt/tenks_pool',
                               'dir', storage.pool_uuid('tenks', 'localhost',
                                                        'tenks'))
        helpers.check_golden(self, 'pool.xml', xml)

    def test_volume(self):
        xml = storage.volume_xml('tk0vol0', 4 << 30, 'qcow2')
        helpers.check_golden(self, 'volume.xml', xml)

    def test_pool_uuid_is_stable_and_per_cluster(self):
        first = storage.pool_uuid('tenks', 'hv0', 'tenks')
        self.assertEqual(first, storage.pool_uuid('tenks', 'hv0', 'tenks'))
        self.assertNotEqual(first, storage.pool_uuid('other', 'hv0',
                                                     'tenks'))
        self.assertNotEqual(first, storage.pool_uuid('tenks', 'hv1',
                                                     'tenks'))

    def test_volume_format(self):
        self.assertEqual('qcow2', storage.volume_format(VOLUME_DESC))
        self.assertIsNone(storage.volume_format('<volume/>'))

    def test_upload_name(self):
        self.assertEqual('.tk0vol0.tenks-upload',
                         storage.upload_name('tk0vol0'))
