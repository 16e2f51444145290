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

"""The wheels made from this environment, checked against pip itself."""

import base64
import csv
import hashlib
import importlib.metadata
import io
import os
import subprocess
import sys
import types
import zipfile

import fixtures

from tenks.hostsetup import wheelhouse
from tests.unit import base


def names(dists):
    return [wheelhouse.canonical(d.metadata['Name']) for d in dists]


class ClosureTest(base.TestCase):

    def test_tenks_first_then_what_it_needs_at_run_time(self):
        found = names(wheelhouse.closure())
        self.assertEqual('tenks', found[0])
        for needed in ('pbr', 'pyroute2', 'libvirt-python', 'virtualbmc',
                       'sushy-tools', 'pyghmi', 'flask', 'openstacksdk'):
            self.assertIn(needed, found)
        # Test requirements are not tenks' own.
        for test_only in ('pytest', 'fixtures', 'testtools', 'hacking'):
            self.assertNotIn(test_only, found)
        self.assertEqual(len(found), len(set(found)))

    def test_markers_and_extras_are_followed(self):
        # requests' "socks" extra (PySocks) is not asked for.
        self.assertNotIn('pysocks', names(wheelhouse.closure('requests')))

    def test_a_missing_requirement_names_who_needs_it(self):
        dist = types.SimpleNamespace(
            metadata={'Name': 'x'}, requires=['no-such-dist-here>=1'])
        real = importlib.metadata.distribution

        def distribution(name):
            return dist if name == 'x' else real(name)
        self.useFixture(fixtures.MonkeyPatch(
            'importlib.metadata.distribution', distribution))
        exc = self.assertRaises(wheelhouse.WheelhouseError,
                                wheelhouse.closure, 'x')
        self.assertEqual('x needs no-such-dist-here, which is not installed '
                         'here', str(exc))

    def test_compiled_wheels_are_named(self):
        found = wheelhouse.compiled(wheelhouse.closure())
        self.assertIn('libvirt-python', found)
        self.assertNotIn('pbr', found)
        self.assertNotIn('tenks', found)


class RepackTest(base.TestCase):

    def repack(self, name):
        return wheelhouse.repack(importlib.metadata.distribution(name),
                                 self.tmp)

    def test_record_matches_every_member(self):
        path = self.repack('pbr')
        self.assertEqual('pbr-%s-py2.py3-none-any.whl'
                         % importlib.metadata.version('pbr'),
                         os.path.basename(path))
        with zipfile.ZipFile(path) as wheel:
            members = wheel.namelist()
            info = [m for m in members if m.endswith('.dist-info/RECORD')]
            self.assertEqual(1, len(info))
            rows = list(csv.reader(io.StringIO(
                wheel.read(info[0]).decode())))
            self.assertEqual(sorted(members), sorted(r[0] for r in rows))
            for name, digest, size in rows:
                if name == info[0]:
                    self.assertEqual(('', ''), (digest, size))
                    continue
                data = wheel.read(name)
                self.assertEqual(str(len(data)), size)
                self.assertEqual('sha256=' + base64.urlsafe_b64encode(
                    hashlib.sha256(data).digest()).decode().rstrip('='),
                    digest)
        for member in members:
            self.assertFalse(member.endswith('.pyc'), member)
            self.assertFalse(member.endswith(('/INSTALLER', '/REQUESTED',
                                              'direct_url.json')), member)

    def test_scripts_are_kept_and_console_scripts_made_again(self):
        path = self.repack('jsonpointer')
        with zipfile.ZipFile(path) as wheel:
            scripts = [m for m in wheel.namelist() if '.data/scripts/' in m]
            self.assertEqual(1, len(scripts), scripts)
            self.assertTrue(wheel.read(scripts[0]).startswith(b'#!python\n'))
        path = self.repack('pbr')
        with zipfile.ZipFile(path) as wheel:
            self.assertEqual([], [m for m in wheel.namelist()
                                  if '.data/' in m])

    def test_pip_installs_what_it_makes(self):
        path = self.repack('jsonpointer')
        target = os.path.join(self.tmp, 'target')
        proc = subprocess.run(
            [sys.executable, '-m', 'pip', 'install', '--quiet', '--no-index',
             '--no-deps', '--no-cache-dir', '--target', target, path],
            capture_output=True, text=True)
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertTrue(os.path.exists(os.path.join(target,
                                                    'jsonpointer.py')))
        with open(os.path.join(target, 'bin', 'jsonpointer')) as f:
            self.assertIn('python', f.readline())

    def test_a_distribution_not_installed_from_a_wheel_is_refused(self):
        dist = types.SimpleNamespace(
            metadata={'Name': 'old'}, version='1.0',
            read_text=lambda name: None)
        exc = self.assertRaises(wheelhouse.WheelhouseError,
                                wheelhouse.repack, dist, self.tmp)
        self.assertIn('old 1.0 was not installed from a wheel', str(exc))

    def test_tags_are_compressed_as_wheel_names_say(self):
        self.assertEqual('py2.py3-none-any', wheelhouse._compressed(
            ['py2-none-any', 'py3-none-any']))
        self.assertEqual(
            'cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64',
            wheelhouse._compressed(['cp311-cp311-manylinux_2_17_x86_64',
                                    'cp311-cp311-manylinux2014_x86_64']))


class BuildTest(base.TestCase):

    def tree(self):
        """A source tree with what a copy leaves out, too."""
        tree = os.path.join(self.tmp, 'src')
        for sub in ('tenks', '.git', '.tox', 'tenks.egg-info', 'tests'):
            os.makedirs(os.path.join(tree, sub))
        with open(os.path.join(tree, 'setup.py'), 'w') as f:
            f.write('')
        return tree

    def test_tenks_own_wheel_is_built_from_a_copy_of_its_tree(self):
        tree = os.path.dirname(os.path.dirname(wheelhouse.__file__))
        tree = os.path.dirname(tree)
        info = os.path.join(tree, 'tenks.egg-info', 'PKG-INFO')
        before = os.stat(info).st_mtime_ns if os.path.exists(info) else None
        path = wheelhouse.build_source(tree, self.tmp, '9.8.7.dev1')
        self.assertEqual('tenks-9.8.7.dev1-py3-none-any.whl',
                         os.path.basename(path))
        with zipfile.ZipFile(path) as wheel:
            members = wheel.namelist()
        # Package data as well as code, without git's help.
        self.assertIn('tenks/providers/libvirt/templates/domain.xml.j2',
                      members)
        self.assertIn('tenks/hosts/agent_main.py', members)
        self.assertFalse([m for m in members if m.startswith('tests/')])
        # The tree itself is untouched: its metadata says what it said.
        self.assertEqual(before, os.stat(info).st_mtime_ns
                         if os.path.exists(info) else None)

    def test_the_source_wheel_carries_the_running_version(self):
        seen = {}

        def runner(argv, env, **kwargs):
            seen.update(argv=argv, version=env['PBR_VERSION'],
                        copied=sorted(os.listdir(argv[-1])))
            self.write('tenks-9.8.7-py3-none-any.whl', '')
            return subprocess.CompletedProcess(argv, 0, '', '')
        tree = self.tree()
        path = wheelhouse.build_source(tree, self.tmp, '9.8.7', runner)
        self.assertEqual('9.8.7', seen['version'])
        self.assertIn('--no-index', seen['argv'])
        self.assertNotEqual(tree, seen['argv'][-1])
        self.assertEqual(['setup.py', 'tenks'], seen['copied'])
        self.assertEqual(os.path.join(self.tmp,
                                      'tenks-9.8.7-py3-none-any.whl'), path)

    def test_a_failed_build_says_pip_last_words(self):
        def runner(argv, **kwargs):
            return subprocess.CompletedProcess(argv, 1, '', 'a\nno git\n')
        tree = self.tree()
        exc = self.assertRaises(wheelhouse.WheelhouseError,
                                wheelhouse.build_source, tree, self.tmp,
                                '9.8.7', runner)
        self.assertEqual('cannot build the tenks wheel from %s: no git'
                         % tree, str(exc))

    def test_wheels_are_made_once_and_removed(self):
        built = []

        def build(directory, version, dists):
            built.append(directory)
        wheels = wheelhouse.Wheels('1.0', [], build=build)
        first = wheels()
        self.assertEqual(first, wheels())
        self.assertEqual([first], built)
        self.assertTrue(os.path.isdir(first))
        wheels.close()
        self.assertFalse(os.path.exists(first))
