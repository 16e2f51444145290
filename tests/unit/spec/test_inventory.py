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

"""A Tenks (Ansible) inventory as the spec's hypervisors.

The first tests run the real ``ansible-inventory`` (ansible-core, in the
test environment) on inventories written here, in the forms Tenks users
have: an INI file with host_vars and group_vars beside it, a YAML file,
a directory. The others feed :func:`inventory.convert` what
``ansible-inventory --list`` prints, to check the mapping without it.
"""

import os
import textwrap

import fixtures

from tenks import exception
from tenks.spec import inventory
from tenks.spec import inventory_vars
from tenks.spec import load
from tests.unit import base

OVERRIDE = '''\
node_types:
  t: {memory_mb: 64, vcpus: 1, physical_networks: [physnet1]}
specs:
  - {type: t, count: 4}
'''


def listing(hostvars, groups=None):
    """What ``ansible-inventory --list`` prints.

    All hosts of ``hostvars`` are in the ``libvirt`` child of
    ``hypervisors`` unless ``groups`` say otherwise.
    """
    data = {'_meta': {'hostvars': hostvars},
            'all': {'children': ['ungrouped', 'hypervisors']}}
    data.update(groups or {'hypervisors': {'children': ['libvirt']},
                           'libvirt': {'hosts': list(hostvars)}})
    return data


class InventoryTestCase(base.TestCase):

    def tree(self, files):
        """Write ``{relative path: text}`` under the temporary directory."""
        for name, text in files.items():
            path = os.path.join(self.tmp, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w') as f:
                f.write(textwrap.dedent(text))
        return self.tmp

    def hypervisors(self, found, data=None):
        merged = inventory.merge(data or {}, found)
        self.assertEqual([], [str(p) for p in merged.problems])
        return merged.data['hypervisors']

    def problems(self, found, data=None):
        return [str(p) for p in inventory.merge(data or {}, found).problems]


class AnsibleInventoryTest(InventoryTestCase):
    """The real ansible-inventory reads the files."""

    def test_ini_with_host_vars_and_group_vars(self):
        self.tree({
            'hosts': '''\
                [hypervisors:children]
                libvirt

                [libvirt]
                localhost ansible_connection=local
                hv1 ansible_host=192.0.2.11 ansible_user=stack
                hv2 ansible_host=192.0.2.12 ansible_port=2222

                [hypervisors:vars]
                ipmi_port_range_start=6230
                ipmi_port_range_end=6240
                ''',
            'group_vars/hypervisors': '''\
                physnet_mappings:
                  physnet1: eth1
                bridge_type: linuxbridge
                ''',
            # Per-host mappings win over the group's, as in Ansible.
            'host_vars/hv2': '''\
                physnet_mappings:
                  physnet1: breth1
                ''',
            'host_vars/hv1.yml': '''\
                ipmi_address: 192.0.2.11
                libvirt_pool_name: tenks2
                libvirt_pool_path: /srv/tenks_pool/
                ''',
        })
        found = inventory.read(os.path.join(self.tmp, 'hosts'))
        merged = inventory.merge({}, found)
        self.assertEqual([], merged.problems)
        self.assertEqual({
            'localhost': {'physnet_mappings': {'physnet1': 'eth1'},
                          'ipmi_port_range_start': 6230,
                          'ipmi_port_range_end': 6240},
            'hv1': {'host': '192.0.2.11', 'ssh': {'user': 'stack'},
                    'physnet_mappings': {'physnet1': 'eth1'},
                    'ipmi_address': '192.0.2.11',
                    # Tenks' range is inclusive, as tenks' is.
                    'ipmi_port_range_start': 6230,
                    'ipmi_port_range_end': 6240,
                    'pool_name': 'tenks2', 'pool_path': '/srv/tenks_pool/'},
            'hv2': {'host': '192.0.2.12', 'ssh': {'port': 2222},
                    'physnet_mappings': {'physnet1': 'breth1'},
                    'ipmi_port_range_start': 6230,
                    'ipmi_port_range_end': 6240},
        }, merged.data['hypervisors'])
        self.assertEqual(['localhost', 'hv1', 'hv2'],
                         list(merged.data['hypervisors']))
        self.assertEqual('linuxbridge', merged.data['bridge_type'])

    def test_yaml_inventory_with_nested_children(self):
        self.tree({
            'inventory.yml': '''\
                all:
                  children:
                    hypervisors:
                      vars:
                        physnet_mappings: {physnet1: eth1}
                      children:
                        libvirt:
                          children:
                            rack1:
                              hosts:
                                hv1: {ansible_host: 192.0.2.11}
                            rack2:
                              hosts:
                                hv2:
                                  ansible_host: 192.0.2.12
                                  physnet_mappings: {physnet1: eth2}
                    controllers:
                      hosts:
                        ctl1: {}
                ''',
        })
        found = inventory.read(os.path.join(self.tmp, 'inventory.yml'))
        self.assertEqual({
            'hv1': {'host': '192.0.2.11',
                    'physnet_mappings': {'physnet1': 'eth1'}},
            'hv2': {'host': '192.0.2.12',
                    'physnet_mappings': {'physnet1': 'eth2'}},
        }, self.hypervisors(found))

    def test_tenks_inventory_directory(self):
        # Tenks' own layout: ansible/inventory/{groups,hosts}, per-host
        # physnet_mappings in ansible/inventory/host_vars/<host>.
        root = self.tree({
            'inventory/groups': '''\
                [hypervisors:children]
                libvirt

                [libvirt]
                ''',
            'inventory/hosts': '''\
                [libvirt]
                localhost ansible_connection=local
                ''',
            'inventory/host_vars/localhost': '''\
                physnet_mappings:
                  physnet1: breth1
                ''',
        })
        found = inventory.read(os.path.join(root, 'inventory'))
        self.assertEqual(
            {'localhost': {'physnet_mappings': {'physnet1': 'breth1'}}},
            self.hypervisors(found))
        self.assertTrue(found.hosts[0].local)

    def test_spec_and_inventory_load_together(self):
        self.tree({'hosts': '''\
            [hypervisors]
            hv1 ansible_host=192.0.2.11 ansible_user=root
            hv2 ansible_host=192.0.2.12 ansible_user=root bridge_prefix=brb
            [hypervisors:vars]
            physnet_mappings={'physnet1': 'eth1'}
            '''})
        spec_path = self.write('override.yml', OVERRIDE)
        spec = load.load_spec(load.Sources(
            spec_path, os.path.join(self.tmp, 'hosts')),
            self.default_settings())
        self.assertEqual(['hv1', 'hv2'], [hv.name for hv in spec.hypervisors])
        hv2 = spec.hypervisor('hv2')
        self.assertEqual(('192.0.2.12', 'qemu+ssh://192.0.2.12/system',
                          'brb', {'physnet1': 'eth1'}),
                         (hv2.host, hv2.libvirt_uri, hv2.bridge_prefix,
                          dict(hv2.physnet_mappings)))
        self.assertEqual({'user': 'root'}, dict(hv2.ssh))

    def test_inventory_ansible_cannot_read(self):
        path = self.write('bad.ini', '[hypervisors\nhv1\n')
        exc = self.assertRaises(exception.SpecError, inventory.read, path)
        self.assertTrue(str(exc).startswith(
            '%s: Ansible cannot read it: ' % path), str(exc))

    def test_no_hypervisors_group(self):
        path = self.write('hosts', '[libvirt]\nhv1\n[other]\nhv2\n')
        exc = self.assertRaises(exception.SpecError, inventory.read, path)
        self.assertEqual(
            '%s: no hypervisors group: Tenks puts its hypervisors in the '
            'hypervisors group (or a child group of it, such as libvirt); '
            'groups found: libvirt, other' % path,
            str(exc))


class CommandTest(InventoryTestCase):
    """Running ansible-inventory, without running it."""

    def test_missing_command_says_what_to_install(self):
        path = self.write('hosts', '[hypervisors]\nhv1\n')
        self.useFixture(fixtures.MonkeyPatch(
            'tenks.spec.inventory.COMMAND', 'tenks-test-no-such-command'))
        exc = self.assertRaises(exception.SpecError, inventory.read, path)
        self.assertEqual(
            '%s: tenks-test-no-such-command not found: tenks reads an '
            'Ansible inventory with it, as Ansible does; install '
            'ansible-core (pip install ansible-core) beside tenks, or '
            'convert the inventory where Ansible is (tenks spec convert)'
            % path, str(exc))

    def test_missing_inventory(self):
        path = os.path.join(self.tmp, 'nowhere')
        exc = self.assertRaises(exception.SpecError, inventory.read, path)
        self.assertEqual('%s: no such file or directory' % path, str(exc))

    def test_found_beside_python_when_not_in_path(self):
        self.useFixture(fixtures.EnvironmentVariable('PATH', '/nonexistent'))
        self.useFixture(fixtures.MonkeyPatch(
            'sys.executable', os.path.join(self.tmp, 'bin', 'python')))
        os.makedirs(os.path.join(self.tmp, 'bin'))
        tool = self.write('bin/ansible-inventory', '#!/bin/sh\n')
        os.chmod(tool, 0o755)
        self.assertEqual(tool, inventory.command_path())

    def test_runs_list_and_refuses_unparsed_sources(self):
        path = self.write('hosts', '')
        calls = []

        def run(argv, **kwargs):
            calls.append((argv, kwargs['env']))

            class Done(object):
                returncode = 0
                stdout = '{"hypervisors": {"hosts": ["hv1"]}}'
                stderr = ''
            return Done()
        found = inventory.read(path, run=run)
        self.assertEqual(['hv1'], [h.name for h in found.hosts])
        argv, env = calls[0]
        self.assertEqual(['-i', path, '--list'], argv[1:])
        self.assertEqual('true', env['ANSIBLE_INVENTORY_UNPARSED_FAILED'])


class MappingTest(InventoryTestCase):
    """Each Tenks variable, from what ansible-inventory prints."""

    def found(self, hostvars, groups=None, cwd='/work'):
        return inventory.convert('inv', listing(hostvars, groups), cwd=cwd)

    def test_remote_host_ssh_variables(self):
        found = self.found({'hv1': {
            'ansible_host': '192.0.2.11', 'ansible_user': 'stack',
            'ansible_port': '2222',
            'ansible_ssh_private_key_file': 'keys/id_ed25519',
            'ansible_ssh_timeout': 7,
            'ansible_ssh_common_args': '-o ProxyJump=bastion '
                                       '-o "ServerAliveInterval 5" -C',
            'ansible_host_key_checking': 'False',
        }})
        self.assertEqual({'hv1': {
            'host': '192.0.2.11',
            'ssh': {'connect_timeout': 7,
                    'identity_file': '/work/keys/id_ed25519',
                    'port': 2222, 'user': 'stack',
                    'options': {'Compression': 'yes',
                                'ProxyJump': 'bastion',
                                'ServerAliveInterval': '5',
                                'StrictHostKeyChecking': 'no'}}}},
            self.hypervisors(found))

    def test_host_name_without_ansible_host_and_ipv6(self):
        found = self.found({'hv1.example.com': {},
                            'hv2': {'ansible_host': 'fd00::12'}})
        hvs = self.hypervisors(found)
        self.assertEqual('hv1.example.com', hvs['hv1.example.com']['host'])
        self.assertEqual('[fd00::12]', hvs['hv2']['host'])

    def test_local_hypervisors(self):
        found = self.found({
            'localhost': {'ansible_user': 'me'},
            'here': {'ansible_connection': 'local',
                     'ansible_password': 'not used locally'},
            'loop': {'ansible_host': '127.0.0.1', 'bridge_prefix': 'brl'},
            'ssh-self': {'ansible_host': 'localhost',
                         'ansible_connection': 'ssh'},
        })
        merged = inventory.merge({}, found)
        self.assertEqual([], merged.problems)
        hvs = merged.data['hypervisors']
        self.assertEqual({}, hvs['localhost'])
        self.assertEqual({}, hvs['here'])
        self.assertEqual({'bridge_prefix': 'brl'}, hvs['loop'])
        self.assertEqual({'host': 'localhost'}, hvs['ssh-self'])
        self.assertIn('inv: variables tenks has no use for, ignored: '
                      'ansible_host (host loop), ansible_password (host '
                      'here), ansible_user (host localhost)',
                      merged.warnings)

    def test_unused_variables_in_one_warning(self):
        found = self.found({
            'hv1': {'system_requirements': ['python3-libvirt'],
                    'veth_prefix': 'p-', 'ansible_python_interpreter': 'p3',
                    'log_directory': '/var/log/tenks/'},
            'hv2': {'system_requirements': ['python3-libvirt'],
                    'kayobe_thing': 1},
        })
        merged = inventory.merge({}, found)
        self.assertEqual(
            ['inv: variables tenks has no use for, ignored: '
             'ansible_python_interpreter (host hv1), kayobe_thing (host '
             'hv2), log_directory (host hv1), system_requirements, '
             'veth_prefix (host hv1)'], merged.warnings)

    def test_bmc_and_pool_variables(self):
        found = self.found({'hv1': {
            'ipmi_address': '192.0.2.11', 'ipmi_port_range_start': 7000,
            'ipmi_port_range_end': 7010, 'redfish_address': '192.0.2.11',
            'libvirt_pool_name': 'p', 'libvirt_pool_path': '/srv/p',
            'bridge_prefix': 'brx'}})
        self.assertEqual({
            'host': 'hv1', 'bridge_prefix': 'brx',
            'ipmi_address': '192.0.2.11', 'ipmi_port_range_start': 7000,
            'ipmi_port_range_end': 7010, 'redfish_address': '192.0.2.11',
            'pool_name': 'p', 'pool_path': '/srv/p'},
            self.hypervisors(found)['hv1'])

    def test_shared_settings_become_top_level_keys(self):
        found = self.found({
            'hv1': {'bridge_type': 'linuxbridge', 'ipmi_username': 'admin',
                    'ipmi_password': 'pw', 'libvirt_vm_engine': 'qemu'},
            'hv2': {'bridge_type': 'linuxbridge', 'ipmi_username': 'admin',
                    'ipmi_password': 'pw', 'libvirt_vm_engine': 'qemu'},
        })
        merged = inventory.merge({}, found)
        self.assertEqual([], merged.problems)
        self.assertEqual({'bridge_type': 'linuxbridge',
                          'ipmi_username': 'admin', 'ipmi_password': 'pw',
                          'libvirt_vm_engine': 'qemu'},
                         {k: v for k, v in merged.added.items()
                          if k != 'hypervisors'})

    def test_disagreeing_bridge_types(self):
        found = self.found({'hv1': {'bridge_type': 'linuxbridge'},
                            'hv2': {'bridge_type': 'openvswitch'}})
        self.assertEqual(
            ["inv: host hv2: bridge_type: 'openvswitch' here but "
             "'linuxbridge' on host hv1: tenks has one bridge_type for "
             "every hypervisor; give all the same value (in "
             "group_vars/hypervisors) or set it in the spec"],
            self.problems(found))

    def test_unset_means_tenks_default(self):
        found = self.found({'hv1': {'bridge_type': 'openvswitch'},
                            'hv2': {}})
        self.assertEqual([], self.problems(found))
        found = self.found({'hv1': {'bridge_type': 'linuxbridge'},
                            'hv2': {}})
        self.assertEqual(
            ["inv: host hv2: bridge_type: not set (Tenks' default: "
             "'openvswitch') here but 'linuxbridge' on host hv1: tenks has "
             "one bridge_type for every hypervisor; give all the same "
             "value (in group_vars/hypervisors) or set it in the spec"],
            self.problems(found))

    def test_the_spec_wins_as_extra_vars_did(self):
        found = self.found({
            'hv1': {'physnet_mappings': {'physnet1': 'eth1'},
                    'bridge_type': 'linuxbridge'},
            'hv2': {'physnet_mappings': {'physnet1': 'eth2'},
                    'bridge_type': 'openvswitch'}})
        spec = {'physnet_mappings': {'physnet1': 'eth1'},
                'bridge_type': 'openvswitch'}
        merged = inventory.merge(spec, found)
        self.assertEqual([], merged.problems)
        self.assertEqual({'hv1': {'host': 'hv1'}, 'hv2': {'host': 'hv2'}},
                         merged.data['hypervisors'])
        self.assertEqual('openvswitch', merged.data['bridge_type'])
        self.assertEqual(
            ["inv: the spec's bridge_type wins over the one of host hv1, "
             "as the override file (-e @FILE) did in Tenks",
             "inv: the spec's physnet_mappings wins over the one of host "
             "hv2, as the override file (-e @FILE) did in Tenks"],
            merged.warnings)

    def test_cluster_settings_from_localhost(self):
        found = self.found(
            {'hv1': {'deploy_kernel': 'ignored-here'},
             'localhost': {'deploy_kernel': 'http://x/k',
                           'wait_for_placement': 'false'}},
            groups={'hypervisors': {'hosts': ['hv1']}})
        merged = inventory.merge({'deploy_ramdisk': 'r'}, found)
        self.assertEqual('http://x/k', merged.data['deploy_kernel'])
        self.assertIs(False, merged.data['wait_for_placement'])
        self.assertEqual(['inv: variables tenks has no use for, ignored: '
                          'deploy_kernel'], merged.warnings)

    def test_refused_variables_name_host_and_variable(self):
        found = self.found({
            'hv1': {'ansible_password': 'x', 'ansible_become_pass': 'y',
                    'ansible_ssh_executable': '/opt/ssh'},
            'hv2': {'ansible_connection': 'community.docker.docker'},
            'hv3': {'physnet_mappings': {'physnet1': '{{ iface }}'},
                    'ansible_ssh_common_args': '-F my_config',
                    'ansible_user': 'a', 'ansible_ssh_user': 'b'},
        })
        self.assertEqual([
            'inv: host hv1: ansible_become_pass: tenks cannot answer a '
            'password prompt: log in as root, or give the user passwordless '
            'sudo',
            'inv: host hv1: ansible_password: tenks logs in with a key only '
            '(BatchMode): use ansible_ssh_private_key_file or an SSH agent',
            'inv: host hv1: ansible_ssh_executable: tenks runs the ssh found '
            'in its PATH; drop it, or put that ssh first in the PATH',
            "inv: host hv2: ansible_connection: 'community.docker.docker' "
            "is not a connection tenks has: it reaches a remote hypervisor "
            "over SSH (ssh) or works here (local)",
            "inv: host hv3: ansible_ssh_user: 'b' disagrees with "
            "ansible_user ('a'); say it once",
            'inv: host hv3: ansible_ssh_common_args: -F has no place in a '
            'tenks ssh configuration (only -o options and -4 -6 -A -B -C '
            '-J -T -a -b -c -i -l -m -o -p -q -x)',
            'inv: host hv3: ansible_ssh_common_args: my_config has no place '
            'in a tenks ssh configuration (only -o options and -4 -6 -A -B '
            '-C -J -T -a -b -c -i -l -m -o -p -q -x)',
            "inv: host hv3: physnet_mappings: is a Jinja template "
            "({'physnet1': '{{ iface }}'}), which tenks does not evaluate: "
            "write its value",
        ], self.problems(found))

    def test_vaulted_value(self):
        found = self.found({'hv1': {'ipmi_password': {
            '__ansible_vault': '$ANSIBLE_VAULT;1.1;AES256\n3133'}}})
        self.assertEqual(
            ['inv: host hv1: ipmi_password: is encrypted with '
             'ansible-vault, which tenks does not decrypt: write its value '
             'in the spec'], self.problems(found))

    def test_ssh_arguments_conflicting_with_variables(self):
        found = self.found({'hv1': {
            'ansible_port': 22,
            'ansible_ssh_extra_args': '-p 2222 -o ControlPersist=60s '
                                      '-o UserKnownHostsFile=/dev/null'}})
        merged = inventory.merge({}, found)
        self.assertEqual(
            ["inv: host hv1: ansible_ssh_extra_args: sets port 2222 but "
             "ansible_port says 22; say it once"],
            [str(p) for p in merged.problems])
        self.assertEqual([
            'inv: host hv1: ansible_ssh_extra_args: ControlPersist left '
            'out: tenks sets it (one master connection per host, no '
            'prompts)',
            'inv: host hv1: ansible_ssh_extra_args: UserKnownHostsFile '
            '/dev/null left out: host keys go to ~/.ssh/known_hosts '
            'instead'], merged.warnings)

    def test_custom_libvirt_socket(self):
        found = self.found({
            'localhost': {'ansible_connection': 'local',
                          'libvirt_custom_socket_path': '/run/tenks-lv'},
            'hv1': {'ansible_host': '192.0.2.11',
                    'libvirt_local_uri':
                        'qemu+unix:///system?socket=/run/lv/libvirt-sock'},
            'hv2': {'libvirt_custom_socket_path': '',
                    'libvirt_local_uri': ''},
        })
        hvs = self.hypervisors(found)
        self.assertEqual('qemu+unix:///system?socket=/run/tenks-lv/'
                         'libvirt-sock', hvs['localhost']['libvirt_uri'])
        self.assertEqual('qemu+ssh://192.0.2.11/system?socket=/run/lv/'
                         'libvirt-sock', hvs['hv1']['libvirt_uri'])
        self.assertNotIn('libvirt_uri', hvs['hv2'])

    def test_no_host_in_the_group(self):
        exc = self.assertRaises(
            exception.SpecError, inventory.convert, 'inv',
            listing({}, {'hypervisors': {'children': ['libvirt']},
                         'libvirt': {}}))
        self.assertEqual('inv: the hypervisors group has no host, itself or '
                         'in its child groups', str(exc))

    def test_every_tenks_variable_is_a_spec_key(self):
        # The names stay those tenks' spec reads.
        from tenks import plugins
        from tenks.spec import schema
        top = schema.spec_schema(plugins.Catalog())['properties']
        hv = top['hypervisors']['additionalProperties']['properties']
        for variable, key in inventory_vars.HYPERVISOR_KEYS.items():
            self.assertIn(key, hv)
            self.assertIn(variable, top)
        for variable in (list(inventory_vars.SHARED) +
                         list(inventory_vars.CLUSTER)):
            self.assertIn(variable, top)


class LoadTest(InventoryTestCase):
    """Problems of what the inventory gave name its host and variable."""

    def load(self, hostvars, spec=OVERRIDE, groups=None):
        found = inventory.convert('inv', listing(hostvars, groups))
        return load.parse_spec(spec, self.default_settings(),
                               source='override.yml', inventory=found)

    def test_bad_physnet_mapping(self):
        exc = self.assertRaises(exception.SpecError, self.load, {
            'hv1': {'physnet_mappings': {'physnet1': 'bad/name'}},
            'hv2': {'physnet_mappings': 'eth1'}})
        self.assertEqual(
            "inv: 2 problems found\n"
            "  host hv1: physnet_mappings.physnet1: 'bad/name' is not an "
            "interface or bridge name (1-15 letters, digits, _ . : -); use "
            "null for an isolated network\n"
            "  host hv2: physnet_mappings: expected a mapping, got string "
            "'eth1'", str(exc))

    def test_ssh_option_and_key_file(self):
        exc = self.assertRaises(exception.SpecError, self.load, {'hv1': {
            'physnet_mappings': {'physnet1': 'eth1'},
            'ansible_ssh_private_key_file': '/nonexistent/key',
            'ansible_ssh_common_args': '-o Bad_Name=1'}})
        self.assertEqual(
            'inv: 2 problems found\n'
            '  host hv1: ansible_ssh_common_args: -o Bad_Name=1 is not '
            'Name=value\n'
            '  host hv1: ansible_ssh_private_key_file: no such file: '
            '/nonexistent/key', str(exc))

    def test_spec_and_inventory_problems_together(self):
        exc = self.assertRaises(
            exception.SpecError, self.load,
            {'hv1': {'physnet_mappings': {'physnet1': 'bad/name'}}},
            spec=OVERRIDE.replace('count: 4', 'count: -1'))
        self.assertEqual(
            "override.yml: 2 problems found\n"
            "  inv: host hv1: physnet_mappings.physnet1: 'bad/name' is not "
            "an interface or bridge name (1-15 letters, digits, _ . : -); "
            "use null for an isolated network\n"
            "  line 4: specs[0].count: must be at least 0; got -1",
            str(exc))

    def test_shared_setting_problem_names_its_hosts(self):
        exc = self.assertRaises(exception.SpecError, self.load, {
            'hv1': {'physnet_mappings': {'physnet1': 'eth1'},
                    'bridge_type': 'nosuch'},
            'hv2': {'physnet_mappings': {'physnet1': 'eth1'},
                    'bridge_type': 'nosuch'}})
        self.assertEqual('inv: hosts hv1, hv2: bridge_type: must be one of '
                         'linuxbridge, openvswitch; got \'nosuch\'',
                         str(exc))

    def test_spec_with_hypervisors_and_an_inventory(self):
        spec = OVERRIDE + 'hypervisors:\n  here: {}\n'
        exc = self.assertRaises(exception.SpecError, self.load,
                                {'hv1': {}}, spec=spec)
        self.assertEqual('override.yml: line 6: hypervisors: hypervisors '
                         'come from the inventory inv: drop this section, '
                         'or --inventory', str(exc))

    def test_nodes_reach_every_host(self):
        spec = self.load({
            'hv1': {'physnet_mappings': {'physnet1': 'eth1'}},
            'hv2': {'physnet_mappings': {'physnet1': 'eth1'},
                    'bridge_prefix': 'brb'}})
        self.assertEqual(['hv1', 'hv2'], [h.name for h in spec.hypervisors])

    def test_inventory_alone(self):
        path = self.tree({'hosts': '[hypervisors]\nhv1\n'})
        spec = load.load_spec(load.Sources(
            inventory=os.path.join(path, 'hosts')), self.default_settings())
        self.assertEqual(0, spec.node_count)
        self.assertEqual([('hv1', 'hv1')],
                         [(h.name, h.host) for h in spec.hypervisors])
