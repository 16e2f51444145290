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

"""A simulated host for unit tests of host setup's step logic.

It answers the commands host setup runs (package queries and installs,
daemon checks and starts, ``/dev/kvm`` mode) from a small model of the
host, and records every command, so tests can check what was run and that
a second run changes nothing.
"""

from tenks.hosts import base

CHANGING = ('apt-get install', 'apt-get update', 'dnf install', 'chgrp',
            'chmod', 'groupadd', 'virtlogd -d', 'libvirtd -d',
            'systemctl enable', 'ovs-ctl', 'chown')


class FakeHost(base.HostAgent):

    def __init__(self, manager='apt', systemd=False, root=True,
                 installed=(), running=(), kvm=('root', '600'),
                 kvm_group=True, broken=(), swtpm_owner='tss',
                 swtpm_user=None):
        self.manager = manager
        self.systemd = systemd
        self.root = root
        self.installed = set(installed)
        self.running = set(running)
        self.kvm = kvm
        self.kvm_group = kvm_group
        self.broken = set(broken)       # packages whose install fails
        # Owner of the files of swtpm's local CA (once swtpm-tools is in).
        self.swtpm_owner = swtpm_owner
        self.swtpm_user = swtpm_user    # qemu.conf's swtpm_user, if set
        self.commands = []

    @property
    def name(self):
        return 'fakehost'

    def call(self, function, **kwargs):
        raise AssertionError('host setup must only run commands')

    def changes(self):
        return [c for c in self.commands
                if any(' '.join(c).find(p) >= 0 for p in CHANGING) and
                'is-active' not in c]

    def run(self, argv, input=None, check=True, env=None, timeout=120):
        argv = list(argv)
        self.commands.append(argv)
        if argv[:2] == ['sudo', '-n']:
            argv = argv[2:]
        elif not self.root and argv[0] not in (
                'apt-get', 'dnf', 'test', 'id', 'dpkg-query', 'rpm',
                'stat', 'getent', 'pgrep', 'systemctl'):
            rc, out, err = 1, '', 'permission denied'
            return self._result(argv, rc, out, err, check)
        rc, out, err = self._answer(argv, env)
        return self._result(argv, rc, out, err, check)

    @staticmethod
    def _result(argv, rc, out, err, check):
        if check and rc != 0:
            raise base.CommandError(argv, rc, out, err)
        return rc, out, err

    def _answer(self, argv, env):
        cmd = argv[0].rsplit('/', 1)[-1]
        if argv[:2] in (['apt-get', '--version'], ['dnf', '--version']):
            tool = {'apt': 'apt-get'}.get(self.manager, self.manager)
            return (0 if argv[0] == tool else 127), '', ''
        if argv[:2] == ['test', '-d']:
            return (0 if self.systemd else 1), '', ''
        if argv == ['id', '-u']:
            return 0, '0\n' if self.root else '1000\n', ''
        if cmd == 'dpkg-query':
            lines = ['%s ii ' % p for p in argv[4:] if p in self.installed]
            rc = 0 if len(lines) == len(argv) - 4 else 1
            return rc, '\n'.join(lines) + '\n', ''
        if argv[:3] == ['rpm', '-q', '--quiet']:
            return (0 if argv[3] in self.installed else 1), '', ''
        if argv == ['apt-get', 'update']:
            return 0, '', ''
        if argv[:2] == ['apt-get', 'install'] or argv[:2] == ['dnf',
                                                              'install']:
            if self.manager == 'apt':
                assert env == {'DEBIAN_FRONTEND': 'noninteractive'}, env
            wanted = [a for a in argv[2:] if not a.startswith('-')]
            if set(wanted) & self.broken:
                return 100, '', 'E: Unable to locate package'
            self.installed.update(wanted)
            return 0, '', ''
        if cmd == 'stat':
            if self.kvm is None:
                return 1, '', 'No such file'
            return 0, '%s %s\n' % self.kvm, ''
        if argv[:2] == ['getent', 'group']:
            return (0 if self.kvm_group else 2), '', ''
        if cmd == 'groupadd':
            self.kvm_group = True
            return 0, '', ''
        if cmd == 'chgrp':
            assert self.kvm_group
            self.kvm = (argv[1], self.kvm[1])
            return 0, '', ''
        if cmd == 'chmod':
            self.kvm = (self.kvm[0], argv[1].lstrip('0'))
            return 0, '', ''
        if cmd == 'pgrep':
            return (0 if argv[2] in self.running else 1), '', ''
        if argv in (['virtlogd', '-d'], ['libvirtd', '-d']):
            self.running.add(argv[0])
            return 0, '', ''
        if cmd == 'ovs-vsctl':
            return (0 if 'openvswitch' in self.running else 1), '', ''
        if cmd == 'ovs-ctl':
            self.running.add('openvswitch')
            return 0, '', ''
        if cmd == 'systemctl':
            unit = argv[-1]
            name = {'openvswitch-switch': 'openvswitch'}.get(unit, unit)
            if argv[1] == 'is-active':
                return (0 if name in self.running else 3), '', ''
            if argv[1:3] == ['enable', '--now']:
                self.running.add(name)
                return 0, '', ''
        if argv == ['cat', '/etc/swtpm-localca.conf']:
            if 'swtpm-tools' not in self.installed:
                return 1, '', 'No such file or directory'
            return 0, 'statedir = /var/lib/swtpm-localca\n', ''
        if argv == ['cat', '/etc/libvirt/qemu.conf']:
            return 0, ('#swtpm_user = "tss"\n' if self.swtpm_user is None
                       else 'swtpm_user = "%s"\n' % self.swtpm_user), ''
        if argv[:2] == ['getent', 'passwd']:
            return (0 if argv[2] in ('tss', 'root') else 2), '', ''
        if cmd == 'find':
            user = argv[argv.index('-user') + 1]
            return 0, ('' if self.swtpm_owner == user else
                       '%s/.lock.swtpm-localca\n' % argv[1]), ''
        if argv[:2] == ['chown', '-R']:
            self.swtpm_owner = argv[2]
            return 0, '', ''
        if cmd == 'virsh':
            return (0 if 'libvirtd' in self.running else 1), '', ''
        raise AssertionError('unexpected command %r' % argv)
