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

"""One SSH identity per host: resolving it, the OpenSSH configuration,
libvirt's wrapper and URI.

The configuration is also read by OpenSSH itself (``ssh -G`` prints what
a host's connection would use, without connecting), to prove that the
file is valid and means what tenks intends.
"""

import os
import shutil
import stat
import subprocess
import unittest

from tenks.hosts import sshconfig
from tests.unit import base

TUNING = {'control_persist': 60, 'server_alive_interval': 10,
          'server_alive_count_max': 3}


def identity(**kwargs):
    fields = dict(host='root@hv1.example.com', names=('hv1.example.com',),
                  hostname='hv1.example.com')
    fields.update(kwargs)
    return sshconfig.Identity(**fields)


def block(text):
    """``{option: value}`` of the first Host block of ``text``."""
    out = {}
    inside = False
    for line in text.splitlines():
        if line.startswith('Host '):
            if inside:
                break
            inside = True
            out['Host'] = line.split(' ', 1)[1]
        elif inside and line.strip():
            name, value = line.strip().split(' ', 1)
            out[name] = value
    return out


class ResolveTest(base.TestCase):

    def test_destination_alone(self):
        found = sshconfig.resolve('stack@hv1', None, None,
                                  {'connect_timeout': 7,
                                   'agent_command': '/opt/a'})
        self.assertEqual(('hv1',), found.names)
        self.assertEqual(('hv1', 'stack', None, None, 7, '/opt/a'),
                         (found.hostname, found.user, found.port,
                          found.identity_file, found.connect_timeout,
                          found.agent_command))

    def test_key_user_and_port_of_the_libvirt_uri_serve_tenks_too(self):
        # A key given only in the URI used to reach libvirt only.
        found = sshconfig.resolve(
            'root@hv1', 'qemu+ssh://root@hv1:2222/system?keyfile=/k/id',
            None)
        self.assertEqual(('root', 2222, '/k/id'),
                         (found.user, found.port, found.identity_file))
        self.assertEqual('tenks-host-agent', found.agent_command)
        self.assertEqual(10, found.connect_timeout)

    def test_spec_keys_win_over_defaults(self):
        found = sshconfig.resolve('hv1', None, {
            'user': 'u', 'port': 22, 'connect_timeout': 3,
            'agent_command': '/v/bin/tenks-host-agent',
            'options': {'ProxyJump': 'bastion'}},
            {'connect_timeout': 10, 'agent_command': 'tenks-host-agent'})
        self.assertEqual(('u', 22, 3, '/v/bin/tenks-host-agent',
                          (('ProxyJump', 'bastion'),)),
                         (found.user, found.port, found.connect_timeout,
                          found.agent_command, found.options))

    def test_a_uri_naming_the_host_otherwise_adds_a_name(self):
        found = sshconfig.resolve('hv1.example.com',
                                  'qemu+ssh://hv1/system')
        self.assertEqual(('hv1.example.com', 'hv1'), found.names)
        self.assertEqual('hv1.example.com', found.alias)
        same = sshconfig.resolve('hv1.example.com',
                                 'qemu+ssh://hv1.example.com/system')
        self.assertEqual(('hv1.example.com',), same.names)
        self.assertEqual(found.settings(), same.settings())

    def test_tcp_uri_says_nothing_about_ssh(self):
        found = sshconfig.resolve('hv1', 'qemu+tcp://u@hv9:16509/system')
        self.assertEqual((('hv1',), None, None),
                         (found.names, found.user, found.port))

    def test_ipv6_destination(self):
        found = sshconfig.resolve('root@[fd00::1]',
                                  'qemu+ssh://root@[fd00::1]/system')
        self.assertEqual(('fd00::1', ('fd00::1',), 'root'),
                         (found.hostname, found.names, found.user))

    def test_a_uri_host_that_would_be_a_pattern_is_left_out(self):
        found = sshconfig.resolve('hv1', 'qemu+ssh://h*v/system')
        self.assertEqual(('hv1',), found.names)

    def test_ipv6_uri(self):
        parts = sshconfig.uri_parts('qemu+ssh://root@[fd00::1]:22/system')
        self.assertEqual(('root', 'fd00::1', '22', 'ssh'),
                         (parts['user'], parts['hostname'], parts['port'],
                          parts['transport']))

    def test_conflicts(self):
        self.assertEqual([], sshconfig.conflicts(
            'root@hv1', 'qemu+ssh://root@hv1:2222/system',
            {'user': 'root', 'port': 2222}))
        found = dict(sshconfig.conflicts(
            'stack@hv1', 'qemu+ssh://root@hv1:2222/system?keyfile=/a',
            {'port': 22, 'identity_file': '/b'}))
        self.assertIn('logs in as root but host logs in as stack',
                      found['libvirt_uri'])
        self.assertIn('22 disagrees with libvirt_uri (2222)', found['port'])
        self.assertIn("'/b' disagrees with libvirt_uri ('/a')",
                      found['identity_file'])
        found = dict(sshconfig.conflicts('stack@hv1', None,
                                         {'user': 'root'}))
        self.assertIn("'root' disagrees with host ('stack')", found['user'])

    def test_option_problems(self):
        self.assertIsNone(sshconfig.option_problem('ProxyJump', 'b'))
        self.assertIsNone(sshconfig.option_problem('Compression', True))
        self.assertIn('set ssh.identity_file instead',
                      sshconfig.option_problem('identityfile', '/x'))
        self.assertIn('tenks sets it',
                      sshconfig.option_problem('ControlPath', '/x'))
        self.assertIn('not an OpenSSH option name',
                      sshconfig.option_problem('Proxy-Jump', 'b'))
        self.assertIn('double quotes',
                      sshconfig.option_problem('ProxyCommand', 'a"b'))
        self.assertIn('control characters',
                      sshconfig.option_problem('ProxyCommand', 'a\nHost *'))


class RenderTest(base.TestCase):

    def test_every_field(self):
        text = sshconfig.render([identity(
            names=('hv1.example.com', 'hv1'), user='root', port=2222,
            identity_file='/keys/id', known_hosts_file='/keys/known',
            connect_timeout=7, options=(('Compression', True),
                                        ('ProxyJump', 'bastion')),
        )], '/tmp/tenks-ssh-x', TUNING)
        self.assertEqual({
            'Host': 'hv1.example.com hv1',
            'HostName': 'hv1.example.com',
            'User': 'root',
            'Port': '2222',
            'IdentityFile': '/keys/id',
            'UserKnownHostsFile': '/keys/known',
            'Compression': 'yes',
            'ProxyJump': 'bastion',
            'IdentitiesOnly': 'yes',
            'StrictHostKeyChecking': 'yes',
            'BatchMode': 'yes',
            'ConnectTimeout': '7',
            'ServerAliveInterval': '10',
            'ServerAliveCountMax': '3',
            'ControlMaster': 'auto',
            'ControlPath': '/tmp/tenks-ssh-x/%C',
            'ControlPersist': '60',
        }, block(text))
        names = [line.split()[0] for line in text.splitlines()
                 if line.startswith('    ')]
        # The user's options come before tenks' defaults: they win.
        self.assertLess(names.index('ProxyJump'),
                        names.index('StrictHostKeyChecking'))
        self.assertTrue(text.rstrip().endswith(
            'Host *\n    Include ~/.ssh/config\n'
            '    Include /etc/ssh/ssh_config'))

    def test_defaults_only(self):
        found = block(sshconfig.render([identity()], '/d', TUNING,
                                       includes=False))
        for absent in ('User', 'Port', 'IdentityFile', 'IdentitiesOnly',
                       'UserKnownHostsFile', 'StrictHostKeyChecking'):
            self.assertNotIn(absent, found)
        self.assertEqual(('yes', '10'), (found['BatchMode'],
                                         found['ConnectTimeout']))

    def test_paths_with_spaces_and_percent_are_quoted(self):
        found = block(sshconfig.render([identity(
            identity_file='/my keys/id 100%', known_hosts_file='/k h/f',
            options=(('ProxyCommand', 'nc -x proxy %h %p'),))],
            '/tmp/a dir', TUNING))
        self.assertEqual('"/my keys/id 100%%"', found['IdentityFile'])
        self.assertEqual('"/k h/f"', found['UserKnownHostsFile'])
        self.assertEqual('"/tmp/a dir/%C"', found['ControlPath'])
        # Tokens in the user's own options are theirs.
        self.assertEqual('"nc -x proxy %h %p"', found['ProxyCommand'])

    def test_refuses_what_cannot_be_written(self):
        self.assertRaises(ValueError, sshconfig.render, [identity(
            identity_file='/a"b')], '/d', TUNING)
        self.assertRaises(ValueError, sshconfig.render, [identity(
            options=(('ProxyJump', 'x\nHost *'),))], '/d', TUNING)

    def test_one_block_per_host(self):
        text = sshconfig.render([identity(), identity(
            host='hv2', names=('hv2',), hostname='hv2')], '/d', TUNING)
        self.assertEqual(['Host hv1.example.com', 'Host hv2', 'Host *'],
                         [line for line in text.splitlines()
                          if line.startswith('Host ')])


class LibvirtURITest(base.TestCase):

    WRAPPER = '/tmp/tenks-ssh-x/ssh'

    def test_command_added_to_ssh_uris(self):
        self.assertEqual(
            'qemu+ssh://root@hv1/system?command=/tmp/tenks-ssh-x/ssh',
            sshconfig.libvirt_uri('qemu+ssh://root@hv1/system',
                                  self.WRAPPER))

    def test_existing_parameters_kept_as_written(self):
        self.assertEqual(
            'qemu+ssh://hv1:2222/system?keyfile=/k%20x&netcat=/opt/nc+1'
            '&command=/tmp/a%20b/ssh',
            sshconfig.libvirt_uri(
                'qemu+ssh://hv1:2222/system?keyfile=/k%20x&netcat=/opt/nc+1',
                '/tmp/a b/ssh'))

    def test_other_uris_untouched(self):
        for uri in ('qemu:///system', 'qemu+unix:///system?socket=/x/s',
                    'test:///default', 'qemu+tcp://hv1/system',
                    'qemu+libssh2://hv1/system', 'qemu://hv1/system',
                    'qemu+ssh://hv1/system?command=/opt/my-ssh'):
            self.assertEqual(uri, sshconfig.libvirt_uri(uri, self.WRAPPER))


class WrapperTest(base.TestCase):

    def test_runs_ssh_with_the_config_and_every_argument(self):
        fake = self.write('fake ssh', '#!/bin/sh\nfor a in "$@"; do '
                                      'echo "[$a]"; done\n')
        os.chmod(fake, 0o700)
        script = self.write('wrapper', sshconfig.wrapper(
            fake, '/tmp/a dir/ssh_config'))
        os.chmod(script, stat.S_IRWXU)
        proc = subprocess.run(
            [script, '-p', '22', '-l', 'root', '-T', '-e', 'none', '--',
             'hv1', 'sh', '-c', "'nc' -U /run/x sock"],
            capture_output=True, text=True, check=True)
        self.assertEqual(['[-F]', '[/tmp/a dir/ssh_config]', '[-p]',
                          '[22]', '[-l]', '[root]', '[-T]', '[-e]',
                          '[none]', '[--]', '[hv1]', '[sh]', '[-c]',
                          "['nc' -U /run/x sock]"],
                         proc.stdout.splitlines())


@unittest.skipUnless(shutil.which('ssh'), 'needs the OpenSSH client')
class OpenSSHReadsItTest(base.TestCase):
    """``ssh -F FILE -G HOST``: OpenSSH's own reading of the file."""

    def effective(self, text, host, *extra):
        path = self.write('ssh config', text)
        os.chmod(path, 0o600)
        home = os.path.join(self.tmp, 'home')
        os.makedirs(home, exist_ok=True)
        proc = subprocess.run(
            ['ssh', '-F', path] + list(extra) + ['-G', host],
            capture_output=True, text=True, stdin=subprocess.DEVNULL,
            env=dict(os.environ, HOME=home))
        self.assertEqual(0, proc.returncode, proc.stderr)
        out = {}
        for line in proc.stdout.splitlines():
            name, _sep, value = line.partition(' ')
            out.setdefault(name, value)
        return out

    def test_a_host_block_means_what_tenks_intends(self):
        control = os.path.join(self.tmp, 'ctl dir')
        text = sshconfig.render([identity(
            names=('hv1.example.com', 'hv1'), user='stack', port=2222,
            identity_file=os.path.join(self.tmp, 'my key'),
            known_hosts_file=os.path.join(self.tmp, 'known hosts'),
            connect_timeout=7,
            options=(('ProxyJump', 'bastion.example.com'),
                     ('ServerAliveInterval', 2)))], control, TUNING)
        for name in ('hv1.example.com', 'hv1'):
            found = self.effective(text, name)
            self.assertEqual('hv1.example.com', found['hostname'])
            self.assertEqual('stack', found['user'])
            self.assertEqual('2222', found['port'])
            self.assertEqual(os.path.join(self.tmp, 'my key'),
                             found['identityfile'])
            self.assertEqual('yes', found['identitiesonly'])
            self.assertEqual(os.path.join(self.tmp, 'known hosts'),
                             found['userknownhostsfile'])
            self.assertEqual('true', found['stricthostkeychecking'])
            self.assertEqual('yes', found['batchmode'])
            self.assertEqual('7', found['connecttimeout'])
            # The user's option wins over tenks' default.
            self.assertEqual('2', found['serveraliveinterval'])
            self.assertEqual('3', found['serveralivecountmax'])
            self.assertEqual('bastion.example.com', found['proxyjump'])
            self.assertEqual('auto', found['controlmaster'])
            self.assertEqual('60', found['controlpersist'])
            self.assertTrue(found['controlpath'].startswith(control + '/'))
            self.assertRegex(found['controlpath'], r'/[0-9a-f]{40}$')

    def test_a_libvirt_user_on_the_command_line_gets_its_own_master(self):
        text = sshconfig.render([identity(user='root')], '/tmp/d', TUNING)
        mine = self.effective(text, 'hv1.example.com')
        other = self.effective(text, 'hv1.example.com', '-l', 'stack')
        self.assertEqual('stack', other['user'])
        self.assertNotEqual(mine['controlpath'], other['controlpath'])

    def test_other_hosts_keep_the_users_own_configuration(self):
        home = os.path.join(self.tmp, 'home', '.ssh')
        os.makedirs(home)
        with open(os.path.join(home, 'config'), 'w') as f:
            f.write('Host elsewhere\n    User someone\n'
                    'Host *\n    Port 2200\n')
        text = sshconfig.render([identity(port=22)], '/tmp/d', TUNING)
        found = self.effective(text, 'elsewhere')
        self.assertEqual(('someone', '2200', 'no'), (
            found['user'], found['port'], found['batchmode']))
        # tenks' own values stand over the user's Host * ones.
        self.assertEqual('22', self.effective(text, 'hv1.example.com')[
            'port'])

    def test_percent_in_a_path_is_literal(self):
        text = sshconfig.render([identity(
            identity_file='/k/100%key')], '/tmp/d', TUNING)
        found = self.effective(text, 'hv1.example.com')
        # ssh -G shows the value as written; OpenSSH expands %% to %.
        self.assertEqual('/k/100%%key', found['identityfile'])
