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

"""A Tenks (Ansible) set-up through the CLI: ``--inventory`` and
``tenks spec convert``, with the real ``ansible-inventory``.

The hosts are remote (reached over SSH): a fake ``ssh`` answers the
checks every planning command makes first, as in test_remote_hosts, so
that validate and deploy --dry-run plan nodes on both without a host.
"""

import os
import stat
import textwrap

import fixtures
import yaml

from tenks.spec import load
from tenks import version
from tests.unit import cli_base
from tests.unit import fakes
from tests.unit.hosts import test_sshsession

OVERRIDE = '''\
---
# The Tenks override file.
node_types:
  small:
    memory_mb: 64
    vcpus: 1
    physical_networks: [physnet1]   # one NIC
specs:
  - type: small
    count: 4
state_file_path: /opt/tenks/state.yml
'''

HOSTS = '''\
[hypervisors:children]
libvirt

[libvirt]
rack1 ansible_host=192.0.2.11 ansible_user=root
rack2 ansible_host=192.0.2.12 ansible_user=root ansible_port=2222

[hypervisors:vars]
bridge_type=linuxbridge
ansible_ssh_common_args=-o ControlMaster=auto -o ProxyJump=bastion
'''

GROUP_VARS = '''\
physnet_mappings:
  physnet1: eth1
system_requirements: [python3-libvirt]
'''

HOST_VARS = '''\
physnet_mappings:
  physnet1: breth1
ipmi_address: 192.0.2.12
'''


class TenksSetUpTestCase(cli_base.CLITestCase):

    def setUp(self):
        super().setUp()
        self.override = self.write('override.yml', OVERRIDE)
        self.inventory = self.put('ansible/inventory/hosts', HOSTS)
        self.put('ansible/inventory/group_vars/hypervisors', GROUP_VARS)
        self.put('ansible/inventory/host_vars/rack2', HOST_VARS)
        self.runner = test_sshsession.FakeRunner(self.reply)
        self.useFixture(fixtures.MonkeyPatch(
            'tenks.hosts.sshsession.run', self.runner))
        self.useFixture(test_sshsession.FakeChannel.patch(self.runner))

    def put(self, name, text):
        path = os.path.join(self.tmp, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(textwrap.dedent(text))
        return path

    def reply(self, argv, input):
        return 0, version.release_string() + '\n', ''


class InventoryOptionTest(TenksSetUpTestCase):

    def test_validate_plans_nodes_on_both_hosts(self):
        code, out, err = self.tenks('validate', '--spec', self.override,
                                    '--inventory', self.inventory,
                                    '-f', 'yaml')
        self.assertEqual(0, code, err)
        shown = yaml.safe_load(out)
        self.assertEqual(self.inventory, shown['inventory'])
        self.assertEqual({'rack1': 2, 'rack2': 2}, shown['hypervisors'])
        self.assertIn('%s: variables tenks has no use for, ignored: '
                      'system_requirements' % self.inventory,
                      shown['warnings'])
        # Both hosts were checked over SSH, as the inventory says.
        checked = {c[c.index('--') - 1] for c in self.runner.calls
                   if '--' in c}
        self.assertEqual({'192.0.2.11', '192.0.2.12'}, checked)

    def test_deploy_dry_run_plans_on_both_hosts(self):
        code, out, err = self.tenks('deploy', '--dry-run', '--spec',
                                    self.override, '--inventory',
                                    self.inventory, '-f', 'yaml')
        self.assertEqual(0, code, err)
        rows = yaml.safe_load(out)
        self.assertEqual({'rack1', 'rack2'},
                         {r['Hypervisor'] for r in rows
                          if r.get('Hypervisor')})
        self.assertEqual({}, fakes.WORLD.things)

    def test_spec_with_hypervisors_too(self):
        spec = self.write('spec.yml', OVERRIDE + 'hypervisors:\n  x: {}\n')
        code, _out, err = self.tenks('validate', '--spec', spec,
                                     '--inventory', self.inventory)
        self.assertEqual(1, code)
        self.assertEqual(
            '%s: line 13: hypervisors: hypervisors come from the inventory '
            '%s: drop this section, or --inventory' % (spec, self.inventory),
            err.strip().splitlines()[-1])

    def test_inventory_problem_names_file_host_and_variable(self):
        self.put('ansible/inventory/host_vars/rack1',
                 'bridge_type: openvswitch\n')
        code, _out, err = self.tenks('validate', '--spec', self.override,
                                     '--inventory', self.inventory)
        self.assertEqual(1, code)
        self.assertIn(
            "%s: host rack2: bridge_type: 'linuxbridge' here but "
            "'openvswitch' on host rack1" % self.inventory, err)
        self.assertEqual([], [c for c in self.runner.calls if '--' in c])


class SpecConvertTest(TenksSetUpTestCase):

    def test_prints_the_override_then_the_hypervisors(self):
        code, out, err = self.tenks('spec', 'convert', '--inventory',
                                    self.inventory, '--spec', self.override)
        self.assertEqual(0, code, err)
        # The override as written, comments and all, then the inventory.
        self.assertIn(OVERRIDE.strip(), out)
        self.assertTrue(out.startswith('# tenks spec written by tenks spec '
                                       'convert from\n'), out)
        data = yaml.safe_load(out)
        self.assertEqual({
            'rack1': {'host': '192.0.2.11',
                      'ssh': {'user': 'root',
                              'options': {'ProxyJump': 'bastion'}},
                      'physnet_mappings': {'physnet1': 'eth1'}},
            'rack2': {'host': '192.0.2.12',
                      'ssh': {'port': 2222, 'user': 'root',
                              'options': {'ProxyJump': 'bastion'}},
                      'physnet_mappings': {'physnet1': 'breth1'},
                      'ipmi_address': '192.0.2.12'},
        }, data['hypervisors'])
        self.assertEqual('linuxbridge', data['bridge_type'])
        self.assertIn('ControlMaster left out', err)
        # The converted spec alone is the same cluster.
        converted = self.write('converted.yml', out)
        settings = self.default_settings()
        alone = load.load_spec(converted, settings)
        both = load.load_spec(load.Sources(self.override, self.inventory),
                              settings)
        self.assertEqual(both.hypervisors, alone.hypervisors)
        self.assertEqual(both.settings.bridge_type,
                         alone.settings.bridge_type)

    def test_output_file_is_private(self):
        path = os.path.join(self.tmp, 'cluster.yml')
        code, out, err = self.tenks('spec', 'convert', '--inventory',
                                    self.inventory, '-o', path)
        self.assertEqual(0, code, err)
        self.assertEqual('', out)
        self.assertEqual(0o600, stat.S_IMODE(os.stat(path).st_mode))
        with open(path) as f:
            data = yaml.safe_load(f)
        self.assertEqual(['rack1', 'rack2'], list(data['hypervisors']))
        self.assertNotIn('node_types', data)

    def test_flow_style_override_is_written_whole(self):
        spec = self.write('flow.yml', '{node_types: {}, specs: []}\n')
        code, out, err = self.tenks('spec', 'convert', '--inventory',
                                    self.inventory, '--spec', spec)
        self.assertEqual(0, code, err)
        self.assertIn("# (the override file's comments are not kept)", out)
        data = yaml.safe_load(out)
        self.assertEqual({'node_types', 'specs', 'hypervisors',
                          'bridge_type'}, set(data))

    def test_problems_are_reported_not_printed(self):
        self.put('ansible/inventory/host_vars/rack1',
                 'physnet_mappings: {physnet1: "no/such"}\n')
        code, out, err = self.tenks('spec', 'convert', '--inventory',
                                    self.inventory, '--spec', self.override)
        self.assertEqual(1, code)
        self.assertEqual('', out)
        self.assertIn("%s: host rack1: physnet_mappings.physnet1: 'no/such' "
                      "is not an interface" % self.inventory, err)
        # No host is contacted.
        self.assertEqual([], self.runner.calls)

    def test_inventory_is_required(self):
        code, _out, err = self.tenks('spec', 'convert', '--spec',
                                     self.override)
        self.assertEqual(2, code)
        self.assertIn('--inventory', err)
