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

"""A hypervisor's ``ssh`` key: one identity per remote host."""

import os

import fixtures

from tenks import exception
from tenks.planner import allocate
from tests.unit import base

HEAD = '''
node_types: {t: {memory_mb: 64, vcpus: 1}}
specs: [{type: t, count: 1}]
hypervisors:
'''


class SSHKeysTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.key = self.write('keys/id ed25519', 'key')
        self.known = self.write('keys/known_hosts', 'known')

    def write(self, name, text):
        os.makedirs(os.path.join(self.tmp, os.path.dirname(name)),
                    exist_ok=True)
        return super().write(name, text)

    def hypervisors(self, body):
        return self.spec(HEAD + body).hypervisors

    def problems(self, body):
        err = self.assertRaises(exception.SpecError, self.spec, HEAD + body)
        return str(err)

    def test_every_key(self):
        hv, = self.hypervisors('''
          hv1:
            host: hv1.example.com
            ssh:
              user: stack
              port: 2222
              identity_file: "keys/id ed25519"
              known_hosts_file: keys/known_hosts
              connect_timeout: 5
              options: {ProxyJump: bastion, Compression: true,
                        ServerAliveInterval: 2}
              agent_command: /opt/tenks-venv/bin/tenks-host-agent
        ''')
        self.assertEqual({
            'user': 'stack', 'port': 2222, 'identity_file': self.key,
            'known_hosts_file': self.known, 'connect_timeout': 5,
            'options': {'ProxyJump': 'bastion', 'Compression': True,
                        'ServerAliveInterval': 2},
            'agent_command': '/opt/tenks-venv/bin/tenks-host-agent',
        }, dict(hv.ssh))
        self.assertEqual('hv1.example.com', hv.host)
        self.assertEqual('qemu+ssh://hv1.example.com/system',
                         hv.libvirt_uri)

    def test_absolute_and_home_paths(self):
        hv, = self.hypervisors('''
          hv1:
            host: hv1
            ssh: {identity_file: %s}
        ''' % self.key)
        self.assertEqual(self.key, hv.ssh['identity_file'])
        self.useFixture(fixtures.EnvironmentVariable(
            'HOME', os.path.join(self.tmp, 'keys')))
        hv, = self.hypervisors('''
          hv1:
            host: hv1
            ssh: {known_hosts_file: ~/known_hosts}
        ''')
        self.assertEqual(self.known, hv.ssh['known_hosts_file'])

    def test_reach_and_allocation_record_ssh_only_when_given(self):
        spec = self.spec(HEAD + '''
          local: {}
          plain: {host: hv1}
          keyed:
            host: hv2
            ssh: {user: root, agent_command: /v/bin/tenks-host-agent}
        ''')
        local, plain, keyed = spec.hypervisors
        self.assertEqual({'libvirt_uri', 'host', 'pool_name'},
                         set(local.reach))
        self.assertEqual({'libvirt_uri', 'host', 'pool_name'},
                         set(plain.reach))
        self.assertEqual({'user': 'root',
                          'agent_command': '/v/bin/tenks-host-agent'},
                         keyed.reach['ssh'])
        allocations = allocate._hypervisor_allocations(
            spec, self.empty_state())
        self.assertNotIn('ssh', allocations['local'])
        self.assertNotIn('ssh', allocations['plain'])
        self.assertEqual(keyed.reach['ssh'], allocations['keyed']['ssh'])

    def test_host_from_a_uri_with_a_port(self):
        hv, = self.hypervisors('''
          hv1: {libvirt_uri: "qemu+ssh://root@hv1:2222/system"}
        ''')
        # The destination is user@host; the port is the URI's.
        self.assertEqual('root@hv1', hv.host)

    def test_remote_bmcs_listen_on_the_hosts_address(self):
        # The default loopback address would be out of reach of this
        # host and Ironic, and the same as the local BMCs'.
        local, plain, user, own = self.hypervisors('''
          local: {}
          plain: {host: 10.0.0.2}
          user: {libvirt_uri: "qemu+ssh://root@hv3:2222/system"}
          own: {host: hv4, ipmi_address: 127.0.0.1, redfish_address: "::1"}
        ''')
        sites = {hv.name: (hv.bmc_sites['virtualbmc']['address'],
                           hv.bmc_sites['sushy_tools']['address'])
                 for hv in (local, plain, user, own)}
        self.assertEqual({'local': ('127.0.0.1', '127.0.0.1'),
                          'plain': ('10.0.0.2', '10.0.0.2'),
                          'user': ('hv3', 'hv3'),
                          'own': ('127.0.0.1', '::1')}, sites)

    def test_local_hypervisor_has_no_ssh(self):
        self.assertIn('line 7: hypervisors.hv1.ssh: applies to a remote '
                      'hypervisor only', self.problems('''
          hv1:
            ssh: {user: root}
        '''))

    def test_unknown_and_bad_keys(self):
        found = self.problems('''
          hv1:
            host: hv1
            ssh:
              usr: root
              port: 0
              connect_timeout: 0
              identity_file: 'a"b'
              known_hosts_file: "${HOME}/k"
              agent_command: "a\\nb"
        ''')
        for expected in (
                "hypervisors.hv1.ssh.usr: unknown key 'usr' (did you mean "
                "'user'?)",
                'hypervisors.hv1.ssh.port: must be at least 1',
                'hypervisors.hv1.ssh.connect_timeout: must be at least 1',
                'hypervisors.hv1.ssh.identity_file: \'a"b\' is not a file '
                'path OpenSSH can read',
                'hypervisors.hv1.ssh.known_hosts_file: \'${HOME}/k\' is '
                'not a file path',
                'hypervisors.hv1.ssh.agent_command: \'a\\nb\' must not '
                'hold control characters'):
            self.assertIn(expected, found)

    def test_missing_files(self):
        found = self.problems('''
          hv1:
            host: hv1
            ssh: {identity_file: nope, known_hosts_file: /no/known}
        ''')
        self.assertIn('hypervisors.hv1.ssh.identity_file: no such file: %s'
                      % os.path.join(self.tmp, 'nope'), found)
        self.assertIn('hypervisors.hv1.ssh.known_hosts_file: no such file: '
                      '/no/known', found)

    def test_options(self):
        found = self.problems('''
          hv1:
            host: hv1
            ssh:
              options:
                ControlPath: /x
                IdentityFile: /k
                Proxy-Jump: b
                ProxyCommand: "nc \\"x\\""
        ''')
        for expected in (
                'hypervisors.hv1.ssh.options.ControlPath: cannot be set '
                'here: tenks sets it',
                'hypervisors.hv1.ssh.options.IdentityFile: cannot be set '
                'here: set ssh.identity_file instead',
                'hypervisors.hv1.ssh.options.Proxy-Jump: is not an OpenSSH '
                'option name',
                'hypervisors.hv1.ssh.options.ProxyCommand: value must not '
                'hold double quotes'):
            self.assertIn(expected, found)
        self.assertIn('hypervisors.hv1.ssh.options.Ciphers: expected a '
                      'string or an integer or true or false, got a list',
                      self.problems('''
          hv1:
            host: hv1
            ssh: {options: {Ciphers: [a, b]}}
        '''))

    def test_destination_uri_and_keys_say_one_thing(self):
        found = self.problems('''
          hv1:
            host: stack@hv1
            libvirt_uri: "qemu+ssh://root@hv1:2222/system?keyfile=/k/a"
            ssh: {port: 22, identity_file: %s}
        ''' % self.key)
        self.assertIn('hypervisors.hv1.libvirt_uri: logs in as root but '
                      'host logs in as stack', found)
        self.assertIn('hypervisors.hv1.ssh.port: 22 disagrees with '
                      'libvirt_uri (2222)', found)
        self.assertIn('hypervisors.hv1.ssh.identity_file: %r disagrees '
                      'with libvirt_uri (\'/k/a\')' % self.key, found)

    def test_hypervisors_on_one_host_agree(self):
        found = self.problems('''
          hv1:
            host: hv1
            ssh: {user: root}
          hv2:
            host: hv1
            bridge_prefix: brb
            ssh: {user: root, port: 2222}
        ''')
        self.assertIn('hypervisors.hv2.ssh: hypervisor hv2 shares host hv1 '
                      'with hypervisor hv1 but not its ssh settings', found)
        self.hypervisors('''
          hv1:
            host: hv1
            ssh: {port: 2222}
          hv2:
            libvirt_uri: "qemu+ssh://hv1:2222/session"
            bridge_prefix: brb
        ''')
