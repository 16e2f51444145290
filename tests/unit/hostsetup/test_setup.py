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

"""Host setup step logic, on a simulated host (see :mod:`fake_host`)."""

from tenks import exception
from tenks.hostsetup import platform
from tenks.hostsetup import setup
from tenks.hostsetup import steps
from tenks import plugins
from tenks import settings as settings_mod
from tests.unit import base
from tests.unit.hostsetup import fake_host

APT_ALL = platform.APT.packages(['x86_64'], openvswitch=True)
DNF_ALL = platform.DNF.packages(['x86_64'], openvswitch=True)
NEEDS = platform.Needs(openvswitch=False)
NEEDS_OVS = platform.Needs(openvswitch=True)


def statuses(results):
    return {r.step: r.status for r in results}


def no_sleep(_seconds):
    pass


class FreshHostTest(base.TestCase):

    def run_setup(self, host, needs=NEEDS, dry_run=False):
        return setup.setup_host(host, needs, dry_run=dry_run,
                                sleep=no_sleep)

    def test_fresh_apt_host_without_systemd(self):
        host = fake_host.FakeHost()
        results = self.run_setup(host, NEEDS_OVS)
        self.assertEqual({'platform': 'ok', 'packages': 'done',
                          'kvm device': 'done', 'virtlogd': 'done',
                          'libvirtd': 'done', 'openvswitch': 'done',
                          'libvirt': 'ok'}, statuses(results))
        self.assertEqual(set(APT_ALL), host.installed)
        self.assertEqual(('kvm', '660'), host.kvm)
        self.assertEqual({'virtlogd', 'libvirtd', 'openvswitch'},
                         host.running)
        # Order matters: packages, then /dev/kvm, then virtlogd before
        # libvirtd (which logs through it).
        changes = [' '.join(c) for c in host.changes()]
        self.assertEqual('apt-get update', changes[0])
        self.assertTrue(changes[1].startswith('apt-get install -y '
                                              '--no-install-recommends'))
        self.assertEqual(['chgrp kvm /dev/kvm', 'chmod 0660 /dev/kvm',
                          'virtlogd -d', 'libvirtd -d'], changes[2:6])
        self.assertIn('ovs-ctl start', changes[6])

    def test_second_run_changes_nothing(self):
        host = fake_host.FakeHost()
        self.run_setup(host, NEEDS_OVS)
        host.commands = []
        results = self.run_setup(host, NEEDS_OVS)
        self.assertEqual({'ok'}, set(statuses(results).values()))
        self.assertEqual([], host.changes())

    def test_dry_run_only_checks(self):
        host = fake_host.FakeHost()
        results = self.run_setup(host, NEEDS, dry_run=True)
        self.assertEqual([], host.changes())
        self.assertEqual(set(), host.installed)
        by_step = {r.step: r for r in results}
        self.assertEqual('would run', by_step['packages'].status)
        self.assertIn('apt-get install -y --no-install-recommends '
                      'libvirt-daemon-system', by_step['packages'].detail)
        self.assertEqual('would run', by_step['libvirtd'].status)
        self.assertEqual('libvirtd -d', by_step['libvirtd'].detail)

    def test_only_missing_packages_installed(self):
        host = fake_host.FakeHost(installed=set(APT_ALL) - {'ovmf'},
                                  kvm=('kvm', '660'),
                                  running={'virtlogd', 'libvirtd'})
        results = self.run_setup(host)
        self.assertEqual(['apt-get update',
                          'apt-get install -y --no-install-recommends ovmf'],
                         [' '.join(c) for c in host.changes()])
        self.assertEqual('done', statuses(results)['packages'])

    def test_systemd_host(self):
        host = fake_host.FakeHost(systemd=True, installed=APT_ALL,
                                  kvm=('kvm', '660'))
        self.run_setup(host, NEEDS_OVS)
        self.assertEqual([['systemctl', 'enable', '--now', 'virtlogd'],
                          ['systemctl', 'enable', '--now', 'libvirtd'],
                          ['systemctl', 'enable', '--now',
                           'openvswitch-switch']], host.changes())

    def test_dnf_host(self):
        host = fake_host.FakeHost(manager='dnf', systemd=True)
        self.run_setup(host, NEEDS_OVS)
        self.assertEqual(set(DNF_ALL), host.installed)
        self.assertIn(['dnf', 'install', '-y'] + DNF_ALL, host.changes())
        self.assertIn(['systemctl', 'enable', '--now', 'openvswitch'],
                      host.changes())

    def test_not_root_uses_sudo(self):
        host = fake_host.FakeHost(root=False)
        results = self.run_setup(host)
        self.assertEqual('ok', statuses(results)['libvirt'])
        for argv in host.changes():
            self.assertEqual(['sudo', '-n'], argv[:2], argv)

    def test_missing_kvm_group_created(self):
        host = fake_host.FakeHost(installed=APT_ALL, kvm_group=False,
                                  running={'virtlogd', 'libvirtd'})
        self.run_setup(host)
        self.assertEqual([['groupadd', '--system', 'kvm'],
                          ['chgrp', 'kvm', '/dev/kvm'],
                          ['chmod', '0660', '/dev/kvm']], host.changes())

    def test_no_kvm_device(self):
        host = fake_host.FakeHost(installed=APT_ALL, kvm=None,
                                  running={'virtlogd', 'libvirtd'})
        results = self.run_setup(host)
        self.assertEqual('ok', statuses(results)['kvm device'])
        self.assertIn('does not exist', results[2].detail)

    def test_failed_install_stops_setup(self):
        host = fake_host.FakeHost(broken={'ovmf'})
        exc = self.assertRaises(steps.StepFailed, self.run_setup, host)
        self.assertIn('packages', str(exc))
        self.assertNotIn(['libvirtd', '-d'], host.commands)

    def test_failed_step_reported_before_the_error(self):
        host = fake_host.FakeHost(broken={'ovmf'})
        reported = []
        self.assertRaises(steps.StepFailed, setup.setup_host, host, NEEDS,
                          sleep=no_sleep, report=reported.append)
        self.assertEqual([('platform', 'ok'), ('packages', 'failed')],
                         [(r.step, r.status) for r in reported])
        self.assertIn('apt-get exited 100', reported[-1].detail)

    def test_daemon_that_does_not_come_up(self):
        host = fake_host.FakeHost(installed=APT_ALL, kvm=('kvm', '660'),
                                  running={'virtlogd'})
        original = host._answer

        def never_starts(argv, env):
            if argv == ['libvirtd', '-d']:
                return 0, '', ''
            return original(argv, env)

        host._answer = never_starts
        exc = self.assertRaises(steps.StepFailed, self.run_setup, host)
        self.assertIn('libvirtd did not start', str(exc))

    def test_no_package_manager(self):
        host = fake_host.FakeHost(manager='zypper')
        exc = self.assertRaises(exception.TenksError, self.run_setup, host)
        self.assertIn('neither apt-get nor dnf', str(exc))


class SwtpmCaTest(base.TestCase):
    """The owner of swtpm's local CA state, checked and given back."""

    NEEDS_TPM = platform.Needs(openvswitch=False, tpm=True)
    READY = dict(installed=APT_ALL + ['swtpm', 'swtpm-tools'],
                 kvm=('kvm', '660'), running={'virtlogd', 'libvirtd'})

    def run_setup(self, host, needs=NEEDS_TPM, dry_run=False):
        return {r.step: r for r in setup.setup_host(
            host, needs, dry_run=dry_run, sleep=no_sleep)}

    def test_no_swtpm_no_step(self):
        host = fake_host.FakeHost(installed=APT_ALL, kvm=('kvm', '660'),
                                  running={'virtlogd', 'libvirtd'})
        self.assertNotIn('swtpm CA', self.run_setup(host, NEEDS))

    def test_fresh_install_belongs_to_the_swtpm_user(self):
        host = fake_host.FakeHost()
        result = self.run_setup(host)['swtpm CA']
        self.assertEqual(('ok', '/var/lib/swtpm-localca belongs to tss'),
                         (result.status, result.detail))
        self.assertNotIn('chown', [c[0] for c in host.changes()])

    def test_state_made_by_root_given_back(self):
        # swtpm ran as root once (libvirtd started before its user
        # existed): the swtpm user may no longer take the CA's lock.
        host = fake_host.FakeHost(swtpm_owner='root', **self.READY)
        result = self.run_setup(host)['swtpm CA']
        self.assertEqual('done', result.status)
        self.assertEqual([['chown', '-R', 'tss', '/var/lib/swtpm-localca']],
                         host.changes())
        host.commands = []
        self.assertEqual('ok', self.run_setup(host)['swtpm CA'].status)
        self.assertEqual([], host.changes())

    def test_checked_without_a_tpm_node_when_installed(self):
        host = fake_host.FakeHost(swtpm_owner='root', **self.READY)
        self.assertEqual('done', self.run_setup(host, NEEDS)['swtpm CA']
                         .status)

    def test_dry_run_lists_the_change(self):
        host = fake_host.FakeHost(swtpm_owner='root', **self.READY)
        result = self.run_setup(host, dry_run=True)['swtpm CA']
        self.assertEqual(('would run', 'chown -R tss /var/lib/swtpm-localca'),
                         (result.status, result.detail))
        self.assertEqual([], host.changes())

    def test_swtpm_user_from_qemu_conf(self):
        host = fake_host.FakeHost(swtpm_owner='tss', swtpm_user='root',
                                  **self.READY)
        self.assertEqual('done', self.run_setup(host)['swtpm CA'].status)
        self.assertEqual('root', host.swtpm_owner)

    def test_swtpm_user_missing(self):
        host = fake_host.FakeHost(swtpm_user='swtpm', **self.READY)
        result = self.run_setup(host)['swtpm CA']
        self.assertEqual('ok', result.status)
        self.assertIn('no user swtpm', result.detail)
        self.assertEqual([], host.changes())

    def test_wanted_before_the_package_is_there(self):
        host = fake_host.FakeHost()
        result = self.run_setup(host, dry_run=True)['swtpm CA']
        self.assertEqual('ok', result.status)
        self.assertIn('not there yet', result.detail)


class NeedsTest(base.TestCase):

    def test_from_conf(self):
        conf = self.make_conf('''\
            [DEFAULT]
            bridge_type = linuxbridge
            ''')
        self.assertEqual({None: platform.Needs(openvswitch=False,
                                               arches=('x86_64',))},
                         dict(setup.needs_from_settings(
                             settings_mod.Settings.from_conf(conf),
                             plugins.Catalog())))

    def test_from_spec_groups_hypervisors_by_host(self):
        spec = self.spec('''
            node_types:
              a: {memory_mb: 128, vcpus: 1}
              b: {memory_mb: 128, vcpus: 1, arch: aarch64}
            specs: [{type: a, count: 1}]
            bridge_type: openvswitch
            hypervisors:
              hv0: {}
              hv1:
                libvirt_uri: qemu+unix:///system?socket=/tmp/s/libvirt-sock
                bridge_prefix: brhv1
              far:
                host: root@far.example.com
            ''')
        needs = setup.needs_from_spec(spec, plugins.Catalog())
        self.assertEqual([None, 'root@far.example.com'], list(needs))
        self.assertEqual(('hv0', 'hv1'), needs[None].hypervisors)
        self.assertTrue(needs[None].openvswitch)
        self.assertEqual(('aarch64', 'x86_64'), needs[None].arches)
        self.assertEqual((False, True), (needs[None].agent,
                                         needs['root@far.example.com'].agent))
        self.assertFalse(needs[None].tpm)

    def test_packages_per_arch_and_switch(self):
        self.assertEqual(['libvirt-daemon-system',
                          'libvirt-daemon-driver-qemu', 'libvirt-clients',
                          'qemu-utils', 'ipmitool', 'qemu-system-x86',
                          'ovmf'],
                         platform.APT.packages(['x86_64'], False))
        self.assertIn('qemu-efi-aarch64',
                      platform.APT.packages(['aarch64'], False))
        self.assertIn('openvswitch', platform.DNF.packages(['x86_64'],
                                                           True))
        self.assertRaises(exception.TenksError, platform.DNF.packages,
                          ['s390x'], False)

    def test_packages_of_remote_hosts_and_tpms(self):
        base_list = platform.APT.packages(['x86_64'], False)
        self.assertEqual(base_list + ['swtpm', 'swtpm-tools', 'python3',
                                      'python3-venv'],
                         platform.APT.packages(['x86_64'], False,
                                               agent=True, tpm=True))
        self.assertEqual(['swtpm', 'swtpm-tools'], platform.DNF.packages(
            ['x86_64'], False, tpm=True)[-2:])
