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

import glob
import os

from tenks import exception
from tenks.spec import load
from tests.unit import base
from tests.unit.spec import bad_specs

HERE = os.path.dirname(__file__)
EXAMPLES = os.path.join(HERE, '..', '..', '..', 'etc', 'tenks', 'examples')


class GoodSpecTest(base.TestCase):

    def test_examples_validate(self):
        paths = sorted(glob.glob(os.path.join(EXAMPLES, '*.yaml')))
        self.assertIn('all-in-one.yaml', [os.path.basename(p)
                                          for p in paths])
        for path in paths:
            spec = load.load_spec(path, self.default_settings())
            self.assertGreater(spec.node_count, 0, path)

    def test_tenks_override_files_validate_unchanged(self):
        paths = sorted(glob.glob(os.path.join(HERE, 'tenks_files', '*')))
        self.assertEqual(3, len(paths))
        for path in paths:
            load.load_spec(path, self.default_settings())

    def test_tenks_example_maps_settings(self):
        spec = load.load_spec(
            os.path.join(HERE, 'tenks_files', 'tenks-example.yml'),
            self.default_settings())
        s = spec.settings
        self.assertEqual('192.168.33.4', s.option('vbmc', 'address'))
        self.assertEqual((6230, 6240),
                         (s.option('vbmc', 'port_range_start'),
                          s.option('vbmc', 'port_range_end')))
        self.assertEqual('sushy_tools', s.bmc_emulators['redfish'])
        self.assertEqual('openvswitch', s.bridge_type)
        self.assertEqual('http://images.example.org/ipa.kernel',
                         s.option('ironic', 'deploy_kernel'))
        self.assertIn('state_file_path', spec.warnings[0])
        entry = spec.specs[0]
        self.assertEqual(('bm', 'disk'), (entry.node_name_prefix,
                                          entry.vol_name_prefix))
        self.assertEqual('cg1', entry.ironic_config.conductor_group)
        self.assertEqual('ipxe',
                         entry.ironic_config.interfaces['boot_interface'])
        self.assertEqual({'boot_mode': 'bios'},
                         entry.ironic_config.capabilities)
        t0 = spec.node_types['type0']
        self.assertEqual(2 * 1000 ** 3, t0.volumes[0].capacity)
        self.assertEqual(1024 ** 3, t0.volumes[1].capacity)
        self.assertEqual('virtualbmc', t0.bmc_emulator)
        self.assertEqual('sushy_tools',
                         spec.node_types['type1'].bmc_emulator)
        flavor = spec.flavors[0]
        self.assertEqual(('gold', ('CUSTOM_GOLD',), ('CUSTOM_SILVER',)),
                         (flavor.name, flavor.required_traits,
                          flavor.forbidden_traits))

    def test_null_cpu_mode_means_unset(self):
        spec = load.load_spec(
            os.path.join(HERE, 'tenks_files', 'kayobe-overcloud.yml'),
            self.default_settings('[libvirt]\ncpu_mode = host-model\n'))
        self.assertEqual('host-model', spec.node_types['type0'].cpu_mode)
        self.assertEqual('controller', spec.specs[0].node_name_prefix)
        self.assertFalse(spec.settings.option('nova', 'wait_for_placement'))
        self.assertEqual('qemu', spec.settings.option('libvirt',
                                                      'domain_type'))

    def test_default_hypervisor(self):
        spec = self.spec('''
            node_types: {t: {memory_mb: 64, vcpus: 1}}
            specs: [{type: t, count: 1}]
            ''', conf='[libvirt]\nuri = qemu:///session\n')
        hv, = spec.hypervisors
        self.assertEqual(('localhost', 'qemu:///session', None),
                         (hv.name, hv.libvirt_uri, hv.host))

    def test_remote_hypervisor_host_from_uri(self):
        spec = self.spec('''
            node_types: {t: {memory_mb: 64, vcpus: 1}}
            specs: [{type: t, count: 1}]
            hypervisors:
              a: {libvirt_uri: "qemu+ssh://root@hv1/system"}
              b: {host: "stack@hv2", bridge_prefix: brb}
              c: {libvirt_uri: "qemu+unix:///system?socket=/x/s",
                  bridge_prefix: brc, redfish_port: 8001}
            ''')
        a, b, c = spec.hypervisors
        self.assertEqual('root@hv1', a.host)
        self.assertEqual(('stack@hv2', 'qemu+ssh://stack@hv2/system'),
                         (b.host, b.libvirt_uri))
        self.assertIsNone(c.host)

    def test_sizes(self):
        spec = self.spec('''
            node_types:
              t:
                memory_mb: 2GiB
                vcpus: 1
                volumes:
                  - capacity: 2048
                  - capacity: 2GB
                  - image: /srv/images/cirros.qcow2
                  - image: cirros.img
                    capacity: 1GiB
                    format: raw
                  - existing: "{node}-data"
                    pool: default
            specs: [{type: t, count: 2}]
            ''')
        t = spec.node_types['t']
        self.assertEqual(2048, t.memory_mb)
        caps = [v.capacity for v in t.volumes]
        self.assertEqual([2 * 1024 ** 3, 2 * 1000 ** 3, None, 1024 ** 3,
                          None], caps)
        self.assertEqual(os.path.join(self.tmp, 'cirros.img'),
                         t.volumes[3].image)
        self.assertEqual(['blank', 'blank', 'image', 'image', 'existing'],
                         [v.kind for v in t.volumes])

    def test_all_problems_reported_at_once_with_lines(self):
        path = self.write('bad.yaml', '''\
            node_types:
              type0:
                memory_mb: 64
                vcpus: 0
            specs:
              - type: tpye0
                count: -1
            bogus: 1
            ''')
        err = self.assertRaises(exception.SpecError, load.load_spec, path,
                                self.default_settings())
        text = str(err)
        self.assertIn('%s: 4 problems found' % path, text)
        self.assertIn('line 4: node_types.type0.vcpus: must be at least 1',
                      text)
        self.assertIn("line 6: specs[0].type: unknown node type 'tpye0' "
                      "(did you mean 'type0'?)", text)
        self.assertIn('line 7: specs[0].count: must be at least 0', text)
        self.assertIn("line 8: bogus: unknown key 'bogus'", text)

    def test_missing_file(self):
        err = self.assertRaises(exception.SpecError, load.load_spec,
                                '/nonexistent/spec.yaml',
                                self.default_settings())
        self.assertIn('/nonexistent/spec.yaml', str(err))
        self.assertIn('cannot read spec', str(err))

    def test_binary_file(self):
        path = os.path.join(self.tmp, 'bin.yaml')
        with open(path, 'wb') as f:
            f.write(b'\xff\xfe\x00\x01')
        err = self.assertRaises(exception.SpecError, load.load_spec, path,
                                self.default_settings())
        self.assertIn('not UTF-8', str(err))

    def test_alias_bomb(self):
        lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]']
        for i in range(1, 9):
            lines.append('a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, '
                         '*a%d, *a%d, *a%d, *a%d]' % ((i, i) + (i - 1,) * 10))
        err = self.assertRaises(exception.SpecError, self.spec,
                                '\n'.join(lines) + '\n')
        self.assertIn('alias bomb', str(err))


class BadSpecTest(base.TestCase):
    """One test per malformed spec in :mod:`bad_specs`."""

    def _check(self, text, where, what):
        err = self.assertRaises(exception.SpecError, self.spec, text)
        message = str(err)
        self.assertIn('spec.yaml', message)
        self.assertIn(where, message)
        self.assertIn(what, message)


def _make_test(text, where, what):
    def test(self):
        self._check(text, where, what)
    return test


for _name, _text, _where, _what in bad_specs.BAD_SPECS:
    setattr(BadSpecTest, 'test_%s' % _name.replace('-', '_'),
            _make_test(_text, _where, _what))


class SecretInErrorTest(base.TestCase):

    def test_bad_password_is_not_echoed(self):
        text = dict((b[0], b[1]) for b in bad_specs.BAD_SPECS)[
            'bmc-password-long']
        message = str(self.assertRaises(exception.SpecError, self.spec,
                                        text))
        self.assertIn("node_types.t0.bmc.password: '******' must be 1-20",
                      message)
        self.assertNotIn('pppp', message)


class BadSpecCountTest(base.TestCase):

    def test_at_least_fifty(self):
        self.assertGreaterEqual(len(bad_specs.BAD_SPECS), 50)


class UnbootableTest(base.TestCase):
    """What keeps Ironic from booting a node is a spec error."""

    SPEC = '''
        node_types:
          rf:
            memory_mb: 256
            vcpus: 1
            ironic_driver: redfish
        specs:
          - type: rf
            count: 1
            ironic_config:
              resource_class: rc
              boot_interface: %s
        '''

    def test_virtual_media_needs_an_emulator_that_has_it(self):
        err = self.assertRaises(
            exception.SpecError, self.spec,
            self.SPEC % 'redfish-virtual-media',
            conf='[redfish]\nfeature_set = minimum\n')
        self.assertIn('specs[0].ironic_config.boot_interface', str(err))
        self.assertIn('[redfish] feature_set minimum', str(err))
        # The same node boots with the emulator's default features, and
        # from the network with none.
        self.assertEqual(1, self.spec(
            self.SPEC % 'redfish-virtual-media').node_count)
        err = self.assertRaises(exception.SpecError, self.spec,
                                self.SPEC % 'ipxe')
        self.assertIn('has no NIC', str(err))
