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

from tenks.spec import units
from tests.unit import base


class ParseSizeTest(base.TestCase):

    def test_binary_and_decimal(self):
        self.assertEqual(2 * 1024 ** 3, units.parse_size('2GiB'))
        self.assertEqual(2 * 1000 ** 3, units.parse_size('2GB'))
        self.assertEqual(2 * 1000 ** 3, units.parse_size('2 G'))
        self.assertEqual(512 * 1024 ** 2, units.parse_size('512 MiB'))
        self.assertEqual(1536 * 1024 ** 2, units.parse_size('1.5GiB'))

    def test_unitless_is_mib(self):
        self.assertEqual(2048 * 1024 ** 2, units.parse_size(2048))
        self.assertEqual(2048 * 1024 ** 2, units.parse_size('2048'))

    def test_nonsense(self):
        for bad in ('lots', '2 parsecs', '-1GiB', '1e3GB', '', True, None,
                    [], '4 G iB'):
            self.assertRaises(ValueError, units.parse_size, bad)

    def test_conversions(self):
        self.assertEqual(4, units.to_gib_floor(4 * 1024 ** 3 + 5))
        self.assertEqual(5, units.to_gb_ceil(4 * 1024 ** 3))
        self.assertEqual(2, units.to_mib(1024 ** 2 + 1))
        self.assertEqual('4GiB', units.format_size(4 * 1024 ** 3))
        self.assertEqual('1536MiB', units.format_size(1536 * 1024 ** 2))
        self.assertEqual('7B', units.format_size(7))
