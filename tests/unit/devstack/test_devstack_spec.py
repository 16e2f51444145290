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

"""``python -m tenks.devstack_spec``: DevStack settings -> cluster spec."""

import io
import os

import fixtures
import yaml

from tenks import devstack_spec
from tenks.spec import load as spec_load
from tests.unit import base

BASE_ARGS = ['--count', '2', '--memory-mb', '3072', '--vcpus', '1',
             '--driver', 'ipmi', '--boot-mode', 'uefi']


class DevstackSpecTest(base.TestCase):

    def build(self, *args):
        path = os.path.join(self.tmp, 'spec.yaml')
        self.assertEqual(0, devstack_spec.main(
            ['--output', path] + BASE_ARGS + list(args)))
        self.assertEqual(['spec.yaml'], os.listdir(self.tmp))
        with open(path) as f:
            raw = yaml.safe_load(f)
        return raw, spec_load.load_spec(path, self.default_settings())

    def error(self, *args):
        err = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', err))
        self.assertRaises(SystemExit, devstack_spec.main,
                          ['--output', os.path.join(self.tmp, 's.yaml')] +
                          list(args))
        self.assertEqual([], os.listdir(self.tmp))
        return err.getvalue()

    def test_smallest(self):
        raw, spec = self.build()
        self.assertEqual({
            'node_types': {'devstack': {
                'memory_mb': 3072, 'vcpus': 1, 'ironic_driver': 'ipmi',
                'boot_mode': 'uefi', 'arch': 'x86_64',
                'console_log_enabled': False, 'physical_networks': []}},
            'specs': [{'type': 'devstack', 'count': 2}]}, raw)
        self.assertEqual(2, spec.specs[0].count)
        self.assertIsNone(spec.specs[0].ironic_config)
        self.assertEqual((), spec.node_types['devstack'].volumes)

    def test_everything(self):
        raw, spec = self.build(
            '--disk-gib', '10', '--volumes', '2', '--arch', 'aarch64',
            '--physnet', 'prov:brbm', '--physnet', 'tenant',
            '--resource-class', 'baremetal', '--trait', 'CUSTOM_GOLD',
            '--trait', 'CUSTOM_FAST', '--deploy-kernel', 'http://i/k',
            '--deploy-ramdisk', 'http://i/r', '--flavor', 'bm',
            '--console-log', '--node-type', 'vm')
        node_type = spec.node_types['vm']
        self.assertEqual([10 * 1024 ** 3] * 2,
                         [v.capacity for v in node_type.volumes])
        self.assertEqual('aarch64', node_type.arch)
        self.assertTrue(node_type.console_log_enabled)
        self.assertEqual(('prov', 'tenant'), node_type.physical_networks)
        self.assertEqual({'prov': 'brbm', 'tenant': None},
                         raw['physnet_mappings'])
        config = spec.specs[0].ironic_config
        self.assertEqual('baremetal', config.resource_class)
        self.assertEqual(('CUSTOM_GOLD', 'CUSTOM_FAST'), config.traits)
        ironic = spec.settings.options('ironic')
        self.assertEqual('http://i/k', ironic['deploy_kernel'])
        self.assertEqual('http://i/r', ironic['deploy_ramdisk'])
        flavor = spec.flavors[0]
        self.assertEqual(('bm', 'baremetal', 'vm'),
                         (flavor.name, flavor.resource_class,
                          flavor.node_type))
        self.assertEqual(('CUSTOM_GOLD', 'CUSTOM_FAST'),
                         flavor.required_traits)

    def test_physnet_syntax(self):
        for bad in ('', ':brbm', 'prov:'):
            err = self.error(*(BASE_ARGS + ['--physnet', bad]))
            self.assertIn('is not NAME or NAME:DEVICE', err)

    def test_flavor_needs_resource_class(self):
        err = self.error(*(BASE_ARGS + ['--flavor', 'bm']))
        self.assertIn('--flavor needs --resource-class', err)

    def test_count_is_a_number(self):
        err = self.error('--count', 'two', '--memory-mb', '1', '--vcpus',
                         '1', '--driver', 'ipmi', '--boot-mode', 'bios')
        self.assertIn("invalid int value: 'two'", err)

    def test_bad_values_are_left_to_tenks_validation(self):
        path = os.path.join(self.tmp, 'spec.yaml')
        devstack_spec.main(['--output', path, '--count', '1',
                            '--memory-mb', '512', '--vcpus', '1',
                            '--driver', 'ipmi', '--boot-mode', 'efi'])
        from tenks import exception
        exc = self.assertRaises(exception.SpecError, spec_load.load_spec,
                                path, self.default_settings())
        self.assertIn('efi', str(exc))
