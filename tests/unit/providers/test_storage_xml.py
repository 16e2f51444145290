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

"""Pool and volume XML, the pool mark, and volumes being allocated."""

import libvirt

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


class BuildingError(libvirt.libvirtError):
    """What libvirtd says of a volume it is still allocating."""

    def __init__(self, name):
        super().__init__("Requested operation is not valid: volume '%s' is "
                         "still being allocated." % name)

    def get_error_code(self):
        return libvirt.VIR_ERR_OPERATION_INVALID


class WhenBuiltTest(base.TestCase):
    """A run killed while libvirtd allocated a volume leaves it building."""

    def setUp(self):
        super().setUp()
        self.patch(storage.time, 'sleep', lambda seconds: None)

    def test_waits_until_libvirtd_is_done(self):
        answers = [BuildingError('tk0vol0'), BuildingError('tk0vol0'), 'ok']

        def resize(capacity, flags):
            answer = answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return (answer, capacity)
        self.assertEqual(('ok', 42), storage.when_built(resize, 42, 0))
        self.assertEqual([], answers)

    def test_other_errors_and_a_volume_that_never_finishes(self):
        def refused(flags):
            raise libvirt.libvirtError('no space left')
        self.assertRaises(libvirt.libvirtError, storage.when_built, refused,
                          0)
        self.patch(storage, 'BUILD_WAIT', 0)

        def building(flags):
            raise BuildingError('tk0vol0')
        self.assertRaises(BuildingError, storage.when_built, building, 0)
