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

"""systemd units of the BMC emulators: rendered, checked by systemd.

Every unit tenks writes is checked with the real ``systemd-analyze
verify``; a unit systemd would reject or warn about fails the test. The
install, stop and remove steps run a recording ``systemctl`` from
``PATH``, on unit files in a temporary root.
"""

import os
import shlex
import subprocess
import sys

import fixtures

from tenks.bmc.sushy import host as sushy_host
from tenks.bmc.virtualbmc import daemon
from tenks import exception
from tenks.hosts import units
from tests.unit import base

RECORDER = '''#!/bin/sh
echo "$*" >> "%s"
'''


def verify(path):
    """``systemd-analyze verify`` of one unit: ``(status, output)``.

    systemd reports many mistakes (an unknown key, a bad value) as
    warnings and exits 0: any output counts as a failure too.
    """
    done = subprocess.run(
        ['systemd-analyze', 'verify', '--man=no', path],
        capture_output=True, text=True,
        env=dict(os.environ, SYSTEMD_LOG_COLOR='0'))
    return done.returncode, (done.stdout + done.stderr).strip()


class UnitsBase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.tmp, 'root')
        self.useFixture(fixtures.EnvironmentVariable(
            units.ROOT_ENV, self.root))
        os.makedirs(os.path.join(self.root, units.BOOTED_DIR))
        self.run_dir = os.path.join(self.tmp, 'run')
        self.log_dir = os.path.join(self.tmp, 'log')

    def vbmc_unit(self, mode):
        service = {'run_dir': os.path.join(self.run_dir, 'vbmc'),
                   'server_port': 50891,
                   'log_file': os.path.join(self.log_dir, 'vbmcd.log'),
                   'mode': mode, 'managed': True}
        return daemon.for_service(service)._launcher().unit

    def sushy_unit(self, hypervisor='hv-1'):
        run_dir = os.path.join(self.run_dir, 'sushy-%s' % hypervisor)
        log = os.path.join(self.log_dir, 'sushy-%s.log' % hypervisor)
        return sushy_host._launcher(run_dir, log).unit

    def all_units(self):
        return [self.vbmc_unit('embedded'), self.vbmc_unit('vbmcd'),
                self.sushy_unit()]

    def check(self, unit, directory):
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, unit.name)
        with open(path, 'w') as f:
            f.write(unit.text())
        return verify(path)


class RenderTest(UnitsBase):

    def test_every_unit_passes_systemd_analyze_verify(self):
        for unit in self.all_units():
            code, output = self.check(unit, os.path.join(self.tmp, 'check'))
            self.assertEqual((0, ''), (code, output), unit.text())

    def test_exec_start_is_the_spawned_command_line(self):
        embedded, vbmcd, sushy = self.all_units()
        conf = os.path.join(self.run_dir, 'vbmc', 'virtualbmc.conf')
        self.assertEqual((sys.executable, '-m', 'tenks.bmc.virtualbmc.server',
                          '--config', conf), embedded.argv)
        self.assertEqual('tenks.bmc.virtualbmc.run_vbmcd', vbmcd.argv[2])
        self.assertEqual(
            (sys.executable, '-m', 'tenks.bmc.sushy.emulator', '--config',
             os.path.join(self.run_dir, 'sushy-hv-1', 'emulator.conf')),
            sushy.argv)
        text = embedded.text()
        self.assertEqual(units.MARK + conf, text.splitlines()[0])
        self.assertIn('\nExecStart=%s\n' % ' '.join(embedded.argv), text)
        self.assertIn('\nRestart=on-failure\n', text)
        self.assertIn('\nWantedBy=multi-user.target\n', text)
        self.assertIn('\nAfter=network-online.target libvirtd.service',
                      text)
        self.assertIn('\nStandardOutput=append:%s\n'
                      % os.path.join(self.log_dir, 'vbmcd.log'), text)
        self.assertIn('Description=tenks IPMI BMCs of %s (embedded '
                      'VirtualBMC server)' % os.path.join(self.run_dir,
                                                          'vbmc'), text)

    def test_names(self):
        embedded, vbmcd, sushy = self.all_units()
        self.assertEqual(embedded.name, vbmcd.name)
        suffix = units.unit_name(self.run_dir + '/x')[-len('-12345678'
                                                           '.service'):]
        self.assertRegex(embedded.name, r'^tenks-vbmc-[0-9a-f]{8}\.service$')
        self.assertEqual('tenks-sushy-hv-1' + suffix, sushy.name)
        self.assertNotEqual(embedded.name,
                            units.unit_name('/elsewhere/run/vbmc'))
        self.assertEqual('tenks-a_b-', units.unit_name('/x/a b')[:10])

    def test_awkward_paths_quoted(self):
        self.run_dir = os.path.join(self.tmp, 'run 100% $HOME "q"')
        self.log_dir = os.path.join(self.tmp, 'log 50%')
        unit = self.vbmc_unit('embedded')
        code, output = self.check(unit, os.path.join(self.tmp, 'check'))
        self.assertEqual((0, ''), (code, output), unit.text())
        exec_start = [line for line in unit.text().splitlines()
                      if line.startswith('ExecStart=')][0]
        # Unescaped, as systemd does ('%%' and '$$'), the shell-like
        # quoting gives the arguments back.
        back = shlex.split(exec_start[len('ExecStart='):].replace(
            '%%', '%').replace('$$', '$'))
        self.assertEqual(list(unit.argv), back)
        self.assertRaises(ValueError, units.quote, 'a\nb')

    def test_verify_catches_a_broken_unit(self):
        unit = self.sushy_unit()
        broken = os.path.join(self.tmp, 'broken')
        os.makedirs(broken)
        for bad in (unit.text().replace('Restart=on-failure',
                                        'Restart=sometimes'),
                    unit.text().replace('UMask=0077', 'Umask=0077'),
                    unit.text().replace(sys.executable,
                                        '/nonexistent/python')):
            path = os.path.join(broken, unit.name)
            with open(path, 'w') as f:
                f.write(bad)
            self.assertNotEqual((0, ''), verify(path), bad)

    def test_no_unit_without_systemd(self):
        os.rmdir(os.path.join(self.root, units.BOOTED_DIR))
        self.assertFalse(units.booted())
        self.assertIsNone(self.vbmc_unit('embedded'))
        self.assertIsNone(self.sushy_unit())


class LifecycleTest(UnitsBase):
    """install, stop and remove, with a recording systemctl."""

    def setUp(self):
        super().setUp()
        bin_dir = os.path.join(self.tmp, 'bin')
        os.makedirs(bin_dir)
        self.log = os.path.join(self.tmp, 'systemctl.log')
        with open(os.path.join(bin_dir, 'systemctl'), 'w') as f:
            f.write(RECORDER % self.log)
        os.chmod(os.path.join(bin_dir, 'systemctl'), 0o755)
        self.useFixture(fixtures.EnvironmentVariable(
            'PATH', bin_dir + os.pathsep + os.environ['PATH']))
        self.unit = self.sushy_unit()

    def calls(self):
        try:
            with open(self.log) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def link(self):
        os.makedirs(os.path.dirname(self.unit.wants_link), exist_ok=True)
        os.symlink(self.unit.path, self.unit.wants_link)

    def test_start_installs_once(self):
        self.assertIn('not installed', units.problem(self.unit))
        units.start(self.unit)
        name = self.unit.name
        self.assertEqual(['daemon-reload', 'enable --now %s' % name],
                         self.calls())
        with open(self.unit.path) as f:
            self.assertEqual(self.unit.text(), f.read())
        self.assertEqual(0o644, os.stat(self.unit.path).st_mode & 0o777)
        self.assertIn('not enabled', units.problem(self.unit))
        self.link()     # what systemctl enable does
        self.assertIsNone(units.problem(self.unit))
        # Unchanged: no reload.
        units.start(self.unit)
        self.assertEqual(['daemon-reload', 'enable --now %s' % name,
                          'enable --now %s' % name], self.calls())
        units.stop(self.unit)
        self.assertEqual('stop %s' % name, self.calls()[-1])

    def test_changed_unit_is_rewritten(self):
        units.start(self.unit)
        self.link()
        moved = self.sushy_unit()
        moved = units.Unit(moved.run_dir, moved.config, moved.argv,
                           '/var/log/other.log', moved.description)
        self.assertIn('out of date', units.problem(moved))
        units.start(moved)
        self.assertEqual(['daemon-reload', 'enable --now %s' % moved.name],
                         self.calls()[-2:])
        self.assertIsNone(units.problem(moved))

    def test_remove(self):
        units.start(self.unit)
        self.link()
        self.assertTrue(units.remove(self.unit))
        self.assertEqual(['daemon-reload', 'enable --now %s' % self.unit.name,
                          'disable --now %s' % self.unit.name,
                          'daemon-reload'], self.calls())
        self.assertFalse(os.path.exists(self.unit.path))
        self.assertFalse(units.remove(self.unit))
        self.assertEqual(4, len(self.calls()))

    def test_foreign_unit_left_alone(self):
        os.makedirs(units.unit_dir())
        with open(self.unit.path, 'w') as f:
            f.write('[Service]\nExecStart=/bin/true\n')
        self.assertIn('not written by tenks', units.problem(self.unit))
        self.assertRaises(exception.ResourceConflict, units.start,
                          self.unit)
        units.stop(self.unit)
        self.assertFalse(units.remove(self.unit))
        self.assertEqual([], self.calls())
        with open(self.unit.path) as f:
            self.assertEqual('[Service]\nExecStart=/bin/true\n', f.read())

    def test_systemctl_failure_reported(self):
        with open(os.path.join(self.tmp, 'bin', 'systemctl'), 'w') as f:
            f.write('#!/bin/sh\necho "Unit is masked." >&2\nexit 1\n')
        error = self.assertRaises(units.UnitError, units.start, self.unit)
        self.assertIn('systemctl daemon-reload failed (exit status 1): '
                      'Unit is masked.', str(error))
        # Not left for the next run to take as loaded.
        self.assertFalse(os.path.exists(self.unit.path))
