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

"""The DevStack plugin, phase by phase, with DevStack's functions stubbed
and a fake ``tenks`` that records how it is called.

What a phase leaves behind (the configuration file, the spec) is read back
with tenks' own configuration and spec loaders, so a setting the plugin
writes under a wrong name or in a wrong shape fails here.
"""

import configparser
import os

import yaml

from tenks import conf as conf_mod
from tenks import settings as settings_mod
from tenks.spec import load as spec_load
from tests.unit import base
from tests.unit.devstack import harness


class PluginTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.runner = harness.PluginRunner(self.tmp)

    def tenks_calls(self):
        """Calls of the fake tenks, without the --config-file option."""
        out = []
        for argv in self.runner.tenks_calls():
            self.assertEqual(['--config-file', self.runner.conf_file],
                             argv[:2])
            out.append(argv[2:])
        return out

    def died(self, result, *words):
        self.assertNotEqual(0, result.returncode)
        for word in words:
            self.assertIn(word, result.stderr)
        self.assertEqual([], self.runner.tenks_calls())
        self.assertEqual([], [c for c in self.runner.devstack_calls()
                              if c[0] in ('setup_develop', 'pip_install',
                                          'iniset', 'sudo')])


class SettingsTest(PluginTestCase):

    def test_defaults_follow_ironic_settings(self):
        values = self.runner.settings(
            'TENKS_NODE_RAM', 'TENKS_NODE_CPU', 'TENKS_NODE_DISK',
            'TENKS_IRONIC_DRIVER', 'TENKS_BOOT_MODE', 'TENKS_DOMAIN_TYPE',
            'TENKS_PHYSNET_MAPPINGS', 'TENKS_RESOURCE_CLASS', 'TENKS_TRAITS',
            'TENKS_NODE_COUNT', 'TENKS_STATE_FILE', 'TENKS_LOG_DIR',
            'TENKS_BMC_ADDRESS', 'TENKS_NODE_CONSOLE_LOG', 'ENABLED_SERVICES',
            env={'IRONIC_VM_SPECS_RAM': '4096', 'IRONIC_VM_SPECS_CPU': '2',
                 'IRONIC_VM_SPECS_DISK': '20',
                 'IRONIC_DEPLOY_DRIVER': 'redfish',
                 'IRONIC_BOOT_MODE': 'bios', 'IRONIC_VM_ENGINE': 'kvm',
                 'PHYSICAL_NETWORK': 'mynetwork',
                 'IRONIC_VM_NETWORK_BRIDGE': 'brvm',
                 'IRONIC_DEFAULT_RESOURCE_CLASS': 'gold',
                 'IRONIC_DEFAULT_TRAITS': 'CUSTOM_A CUSTOM_B',
                 'IRONIC_VM_LOG_CONSOLE': 'no'})
        data = self.runner.data_dir
        self.assertEqual({
            'TENKS_NODE_RAM': '4096', 'TENKS_NODE_CPU': '2',
            'TENKS_NODE_DISK': '20', 'TENKS_IRONIC_DRIVER': 'redfish',
            'TENKS_BOOT_MODE': 'bios', 'TENKS_DOMAIN_TYPE': 'kvm',
            'TENKS_PHYSNET_MAPPINGS': 'mynetwork:brvm',
            'TENKS_RESOURCE_CLASS': 'gold',
            'TENKS_TRAITS': 'CUSTOM_A CUSTOM_B', 'TENKS_NODE_COUNT': '1',
            'TENKS_STATE_FILE': os.path.join(data, 'tenks', 'state.yaml'),
            'TENKS_LOG_DIR': os.path.join(self.runner.logdir, 'tenks'),
            'TENKS_BMC_ADDRESS': '192.0.2.10',
            'TENKS_NODE_CONSOLE_LOG': 'False',
            'ENABLED_SERVICES': self.runner.env['ENABLED_SERVICES'] +
            ',tenks'}, values)

    def test_ironic_defaults_when_nothing_is_set(self):
        values = self.runner.settings(
            'TENKS_NODE_RAM', 'TENKS_NODE_CPU', 'TENKS_NODE_DISK',
            'TENKS_IRONIC_DRIVER', 'TENKS_BOOT_MODE', 'TENKS_DOMAIN_TYPE',
            'TENKS_PHYSNET_MAPPINGS', 'TENKS_TRAITS', 'TENKS_CONF_FILE',
            env={'TENKS_CONF_DIR': ''})
        self.assertEqual({
            'TENKS_NODE_RAM': '3072', 'TENKS_NODE_CPU': '1',
            'TENKS_NODE_DISK': '10', 'TENKS_IRONIC_DRIVER': 'ipmi',
            'TENKS_BOOT_MODE': 'uefi', 'TENKS_DOMAIN_TYPE': 'qemu',
            'TENKS_PHYSNET_MAPPINGS': 'physnet1:brbm',
            'TENKS_TRAITS': 'CUSTOM_GOLD',
            'TENKS_CONF_FILE': '/etc/tenks/tenks.conf'}, values)

    def test_empty_bridge_leaves_the_network_isolated(self):
        values = self.runner.settings('TENKS_PHYSNET_MAPPINGS',
                                      env={'TENKS_BRIDGE': ''})
        self.assertEqual('physnet1', values['TENKS_PHYSNET_MAPPINGS'])


class PreInstallTest(PluginTestCase):

    def test_good_settings_pass_quietly(self):
        self.runner.stack('pre-install')
        self.assertEqual([], self.runner.tenks_calls())
        self.assertEqual([], self.runner.devstack_calls())

    def test_ironic_would_make_its_own_vms(self):
        env = dict(self.runner.env)
        del env['IRONIC_VM_COUNT']
        self.runner.env = env
        self.died(self.runner.stack('pre-install', 'install', check=False),
                  'IRONIC_VM_COUNT=1', 'set IRONIC_VM_COUNT=0')

    def test_no_vms_from_ironic_without_basic_ops(self):
        self.runner.stack('pre-install', env={
            'IRONIC_VM_COUNT': '2', 'IRONIC_BAREMETAL_BASIC_OPS': 'False'})

    def test_ironic_enabled_after_tenks(self):
        result = self.runner.stack('pre-install', 'install', check=False,
                                   env={'DEVSTACK_PLUGINS': ',tenks,ironic'})
        self.died(result, "'enable_plugin ironic' must come before")

    def test_ironic_not_enabled(self):
        result = self.runner.stack(
            'pre-install', check=False,
            env={'DEVSTACK_PLUGINS': ',tenks,ironic-ui'})
        self.died(result, 'TENKS_ENROL=False')

    def test_no_ironic_needed_without_enrolment(self):
        self.runner.stack('pre-install', env={
            'DEVSTACK_PLUGINS': ',tenks', 'TENKS_ENROL': 'False'})

    def test_bad_count(self):
        self.died(self.runner.stack('pre-install', check=False,
                                    env={'TENKS_NODE_COUNT': 'two'}),
                  "TENKS_NODE_COUNT must be a number of nodes, not 'two'")

    def test_missing_spec_file(self):
        path = os.path.join(self.tmp, 'nope.yaml')
        self.died(self.runner.stack('pre-install', check=False,
                                    env={'TENKS_SPEC_FILE': path}),
                  'TENKS_SPEC_FILE %s does not exist' % path)


class InstallTest(PluginTestCase):

    def test_installs_from_the_checkout(self):
        self.runner.stack('pre-install', 'install')
        self.assertEqual([('echo_summary', 'Installing tenks'),
                          ('setup_develop', harness.REPO),
                          ('pip_install', 'virtualbmc', 'sushy-tools')],
                         self.runner.devstack_calls())
        self.assertEqual([], self.runner.tenks_calls())


class PostConfigTest(PluginTestCase):

    def configure(self, env=None):
        self.runner.stack('pre-install', 'install', 'post-config', env=env)
        return conf_mod.new_conf([self.runner.conf_file])

    def test_config_tenks_reads(self):
        conf = self.configure()
        state_dir = os.path.join(self.runner.data_dir, 'tenks')
        log_dir = os.path.join(self.runner.logdir, 'tenks')
        self.assertEqual('devstack', conf.cluster_name)
        self.assertEqual(os.path.join(state_dir, 'state.yaml'),
                         conf.state_file)
        self.assertEqual(log_dir, conf.log_dir)
        self.assertEqual(os.path.join(state_dir, 'run'), conf.run_dir)
        self.assertEqual('openvswitch', conf.bridge_type)
        self.assertEqual('tk', conf.node_name_prefix)
        self.assertEqual('qemu', conf.libvirt.domain_type)
        self.assertEqual('system', conf.network.ovs_datapath_type)
        self.assertIsNone(conf.network.mtu)
        self.assertEqual('192.0.2.10', conf.vbmc.address)
        self.assertEqual((6230, 6329), (conf.vbmc.port_range_start,
                                        conf.vbmc.port_range_end))
        self.assertEqual(50892, conf.vbmc.server_port)
        self.assertEqual('192.0.2.10', conf.redfish.address)
        self.assertEqual(9133, conf.redfish.port)
        self.assertEqual('devstack-system-admin', conf.ironic.cloud)
        self.assertEqual('devstack-admin', conf.nova.cloud)
        self.assertTrue(conf.nova.wait_for_placement)
        for path in (state_dir, log_dir):
            self.assertTrue(os.path.isdir(path), path)
        self.assertEqual([], self.runner.tenks_calls())

    def test_settings_change_the_config(self):
        conf = self.configure({
            'TENKS_CLUSTER_NAME': 'ci', 'TENKS_NODE_PREFIX': 'node-',
            'TENKS_BRIDGE_TYPE': 'linuxbridge', 'TENKS_MTU': '1400',
            'IRONIC_OS_CLOUD': 'devstack-admin', 'TENKS_VBMCD_PORT': '50900',
            'ENABLED_SERVICES': 'key,ir-api,ir-cond'})
        self.assertEqual('ci', conf.cluster_name)
        self.assertEqual('node-', conf.node_name_prefix)
        self.assertEqual('linuxbridge', conf.bridge_type)
        self.assertEqual(1400, conf.network.mtu)
        self.assertEqual('devstack-admin', conf.ironic.cloud)
        self.assertEqual(50900, conf.vbmc.server_port)
        # No Nova compute: nothing would ever show up in Placement.
        self.assertFalse(conf.nova.wait_for_placement)

    def test_local_conf_post_config_section_wins(self):
        # DevStack merges [[post-config|$TENKS_CONF_FILE]] right after the
        # post-config phase, with iniset; tenks reads the result.
        self.runner.stack('pre-install', 'post-config', post_config={
            'libvirt': {'cpu_mode': 'host-passthrough',
                        'domain_type': 'kvm'}})
        conf = conf_mod.new_conf([self.runner.conf_file])
        self.assertEqual('host-passthrough', conf.libvirt.cpu_mode)
        self.assertEqual('kvm', conf.libvirt.domain_type)
        parser = configparser.RawConfigParser()
        parser.read(self.runner.conf_file)
        self.assertEqual('devstack-system-admin', parser['ironic']['cloud'])


class ExtraTest(PluginTestCase):

    def spec_path(self):
        return os.path.join(self.runner.state_dir, 'devstack-spec.yaml')

    def load_spec(self, path):
        conf = conf_mod.new_conf([self.runner.conf_file])
        return spec_load.load_spec(path, settings_mod.Settings.from_conf(
            conf))

    def test_deploys_a_spec_built_from_the_settings(self):
        self.runner.stack('pre-install', 'install', 'post-config', 'extra',
                          env={'IRONIC_VM_SPECS_RAM': '2048',
                               'PHYSICAL_NETWORK': 'mynetwork',
                               'TENKS_NODE_COUNT': '3',
                               'TENKS_FLAVOR': 'baremetal-tenks'})
        path = self.spec_path()
        self.assertEqual([['deploy', '--spec', path], ['node', 'list']],
                         self.tenks_calls())
        sudo = [c[1] for c in self.runner.devstack_calls()
                if c[0] == 'sudo']
        self.assertEqual(2, sudo.count(os.path.join(
            self.runner.env['TENKS_TEST_BIN'], 'tenks')))
        spec = self.load_spec(path)
        node_type = spec.node_types['devstack']
        self.assertEqual((2048, 1, 'ipmi', 'uefi', 'x86_64', True),
                         (node_type.memory_mb, node_type.vcpus,
                          node_type.ironic_driver, node_type.boot_mode,
                          node_type.arch, node_type.console_log_enabled))
        self.assertEqual([10 * 1024 ** 3],
                         [v.capacity for v in node_type.volumes])
        self.assertEqual(('mynetwork',), node_type.physical_networks)
        self.assertEqual({'mynetwork': 'brbm'},
                         dict(spec.hypervisors[0].physnet_mappings))
        entry = spec.specs[0]
        self.assertEqual(3, entry.count)
        self.assertEqual('baremetal', entry.ironic_config.resource_class)
        self.assertEqual(('CUSTOM_GOLD',), entry.ironic_config.traits)
        self.assertEqual(['baremetal-tenks'], [f.name for f in spec.flavors])
        self.assertEqual(('CUSTOM_GOLD',), spec.flavors[0].required_traits)

    def test_without_enrolment(self):
        self.runner.stack('pre-install', 'install', 'post-config', 'extra',
                          env={'TENKS_ENROL': 'False',
                               'DEVSTACK_PLUGINS': ',tenks',
                               'TENKS_BRIDGE': '',
                               'TENKS_FLAVOR': 'ignored'})
        spec = self.load_spec(self.spec_path())
        self.assertIsNone(spec.specs[0].ironic_config)
        self.assertEqual((), spec.flavors)
        self.assertEqual({'physnet1': None},
                         dict(spec.hypervisors[0].physnet_mappings))

    def test_several_physical_networks(self):
        self.runner.stack('pre-install', 'post-config', 'extra', env={
            'TENKS_PHYSNET_MAPPINGS': 'prov:brbm,tenant',
            'TENKS_DEPLOY_KERNEL': 'http://images/k',
            'TENKS_DEPLOY_RAMDISK': 'http://images/r'})
        spec = self.load_spec(self.spec_path())
        self.assertEqual({'prov': 'brbm', 'tenant': None},
                         dict(spec.hypervisors[0].physnet_mappings))
        self.assertEqual(('prov', 'tenant'),
                         spec.node_types['devstack'].physical_networks)
        ironic = spec.settings.options('ironic')
        self.assertEqual('http://images/k', ironic['deploy_kernel'])
        self.assertEqual('http://images/r', ironic['deploy_ramdisk'])

    def test_spec_file_of_your_own(self):
        mine = self.write('mine.yaml', '''\
            node_types:
              t: {memory_mb: 512, vcpus: 1}
            specs:
              - {type: t, count: 1}
            ''')
        self.runner.stack(env={'TENKS_SPEC_FILE': mine})
        self.assertEqual([['deploy', '--spec', mine], ['node', 'list']],
                         self.tenks_calls())
        self.assertFalse(os.path.exists(self.spec_path()))

    def test_failed_deploy_stops_stack(self):
        result = self.runner.stack(check=False,
                                   env={'TENKS_FAKE_FAIL': 'deploy'})
        self.assertNotEqual(0, result.returncode)
        self.assertIn('tenks: deploy failed', result.stderr)
        self.assertEqual([['deploy', '--spec', self.spec_path()]],
                         self.tenks_calls())

    def test_nothing_happens_in_test_config(self):
        self.runner.stack('test-config')
        self.assertEqual([], self.runner.tenks_calls())


class UnstackCleanTest(PluginTestCase):

    def deployed(self):
        self.runner.stack()
        with open(os.path.join(self.runner.state_dir, 'state.yaml'),
                  'w') as f:
            f.write('{}\n')
        os.makedirs(os.path.join(self.runner.logdir, 'tenks', 'libvirt'))
        open(self.runner.tenks_log, 'w').close()

    def test_unstack_tears_down(self):
        self.deployed()
        self.runner.unstack()
        self.assertEqual([['teardown', '--forget-cloud']],
                         self.tenks_calls())

    def test_unstack_with_nothing_deployed(self):
        self.runner.stack('pre-install', 'install', 'post-config')
        self.runner.unstack()
        self.assertEqual([], self.runner.tenks_calls())

    def test_clean_removes_state_logs_and_config(self):
        self.deployed()
        other = os.path.join(self.runner.data_dir, 'ironic')
        os.makedirs(other)
        self.runner.clean()
        self.assertFalse(os.path.exists(self.runner.state_dir))
        self.assertFalse(os.path.exists(os.path.join(self.runner.logdir,
                                                     'tenks')))
        self.assertFalse(os.path.exists(self.runner.conf_file))
        self.assertTrue(os.path.isdir(other))
        self.assertEqual([], self.runner.tenks_calls())

    def test_disabled_plugin_does_nothing(self):
        env = {'DISABLED_SERVICES': 'tenks',
               'IRONIC_VM_COUNT': '3'}   # not checked: the plugin is off
        self.runner.stack(env=env)
        self.runner.unstack(env=env)
        self.runner.clean(env=env)
        self.assertEqual([], self.runner.tenks_calls())
        self.assertEqual([], self.runner.devstack_calls())


class SpecFileTest(PluginTestCase):

    def test_spec_is_yaml_with_a_header(self):
        self.runner.stack('pre-install', 'post-config', 'extra')
        path = os.path.join(self.runner.state_dir, 'devstack-spec.yaml')
        with open(path) as f:
            text = f.read()
        self.assertTrue(text.startswith('# Written by the tenks DevStack'))
        self.assertEqual(['node_types', 'specs', 'physnet_mappings'],
                         list(yaml.safe_load(text)))
