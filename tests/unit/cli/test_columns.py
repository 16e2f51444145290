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

"""Text for people from nested values, never a Python repr."""

from tenks.cli import columns
from tests.unit import base


class TextTest(base.TestCase):

    def test_scalars(self):
        self.assertEqual('', columns.text(None))
        self.assertEqual('true', columns.text(True))
        self.assertEqual('false', columns.text(False))
        self.assertEqual('3', columns.text(3))
        self.assertEqual('x', columns.text('x'))

    def test_flat_and_deep(self):
        self.assertEqual('a=1, b=', columns.text({'b': None, 'a': 1}))
        self.assertEqual('a, b', columns.text(['a', 'b']))
        deep = {'properties': {'capabilities': 'boot_mode:uefi',
                               'cpu_arch': 'x86_64'},
                'traits': ['CUSTOM_A', 'CUSTOM_B'], 'resource_class': 'rc'}
        self.assertEqual('properties={capabilities=boot_mode:uefi, '
                         'cpu_arch=x86_64}\n'
                         'resource_class=rc\n'
                         'traits=[CUSTOM_A, CUSTOM_B]', columns.text(deep))
        self.assertEqual('mac=m0, physnet=p1\nmac=m1, physnet=p2',
                         columns.text([{'physnet': 'p1', 'mac': 'm0'},
                                       {'physnet': 'p2', 'mac': 'm1'}]))
        self.assertEqual('disks=[{bus=virtio, pool=p}], secure=true',
                         columns.text({'disks': [{'pool': 'p',
                                                  'bus': 'virtio'}],
                                       'secure': True}).replace('\n', ', '))

    def test_columns(self):
        self.assertEqual('a=1, b=2',
                         columns.DictColumn({'a': 1, 'b': 2})
                         .human_readable())
        self.assertEqual('a=1\nb=2', columns.DictLinesColumn(
            {'b': 2, 'a': 1}).human_readable())
        self.assertEqual({'a': [1]}, columns.DictLinesColumn(
            {'a': [1]}).machine_readable())
        self.assertEqual('x, y', columns.ListColumn(['x', 'y'])
                         .human_readable())

    def test_for_format(self):
        row = (1, 'a', None, False, columns.ListColumn(['x']), {'k': 'v'})
        self.assertEqual(row, columns.for_format(row, 'json'))
        self.assertEqual((1, 'a', '', 'false', 'x', 'k=v'),
                         columns.for_format(row, 'table'))
        self.assertEqual((1, 'a', '', 'false', 'x', 'k=v'),
                         columns.for_format(row, 'value'))
