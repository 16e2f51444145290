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

from tenks.spec import ssh_args
from tests.unit import base


class ParseTest(base.TestCase):

    def test_option_forms(self):
        parsed = ssh_args.parse(
            '-o ProxyJump=bastion -oCiphers=aes256-ctr '
            '-o "ServerAliveInterval 5" '
            "-o 'ProxyCommand=ssh -W %h:%p -q jump@bastion' "
            '-o "SetEnv=\\"A=b\\""')
        self.assertEqual({'ProxyJump': 'bastion', 'Ciphers': 'aes256-ctr',
                          'ServerAliveInterval': '5',
                          'ProxyCommand': 'ssh -W %h:%p -q jump@bastion',
                          'SetEnv': 'A=b'}, parsed.options)
        self.assertEqual([], parsed.problems)

    def test_flags_and_keyed_options(self):
        parsed = ssh_args.parse('-C -4 -i ~/.ssh/k -p2222 -l stack -J b1 '
                                '-o ConnectTimeout=9 '
                                '-o UserKnownHostsFile=/etc/tenks/kh')
        self.assertEqual({'Compression': 'yes', 'AddressFamily': 'inet',
                          'ProxyJump': 'b1'}, parsed.options)
        self.assertEqual({'identity_file': '~/.ssh/k', 'port': 2222,
                          'user': 'stack', 'connect_timeout': 9,
                          'known_hosts_file': '/etc/tenks/kh'},
                         parsed.keys)

    def test_first_value_wins_as_in_ssh(self):
        parsed = ssh_args.parse('-o Ciphers=a -o Ciphers=b -c c')
        self.assertEqual({'Ciphers': 'a'}, parsed.options)

    def test_what_tenks_sets_is_left_out(self):
        parsed = ssh_args.parse('-o ControlMaster=auto '
                                '-o ControlPersist=60s -o BatchMode=no '
                                '-o UserKnownHostsFile=/dev/null '
                                '-o StrictHostKeyChecking=no')
        self.assertEqual({'StrictHostKeyChecking': 'no'}, parsed.options)
        self.assertEqual({}, parsed.keys)
        self.assertEqual(4, len(parsed.notes))
        self.assertEqual([], parsed.problems)

    def test_problems(self):
        parsed = ssh_args.parse('-v -o HostName=x -o Port=ssh -o "x" -i')
        self.assertEqual([
            '-v has no place in a tenks ssh configuration (only -o options '
            'and -4 -6 -A -B -C -J -T -a -b -c -i -l -m -o -p -q -x)',
            'HostName cannot be set here: use ansible_host',
            "Port 'ssh' is not a number",
            '-o x is not Name=value',
            '-i needs a value'], parsed.problems)
        self.assertEqual(['cannot be split into arguments: No closing '
                          'quotation'], ssh_args.parse('-o "x').problems)
