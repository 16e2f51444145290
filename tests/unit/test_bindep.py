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

"""bindep.txt and tools/install-deps.sh name the same system packages.

OpenStack's Zuul jobs install ``bindep.txt``'s packages; developers and the
functional job run ``tools/install-deps.sh``. Both are read here as their
tools read them: bindep.txt by bindep's own parser (for Debian and for
Fedora/RHEL) and its ``bindep`` command, install-deps.sh by bash.
"""

import os
import subprocess
import sys

from bindep import depends

from tests.unit import base

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BINDEP = os.path.join(REPO, 'bindep.txt')
SCRIPT = os.path.join(REPO, 'tools', 'install-deps.sh')
#: What bindep reports for each platform family.
PLATFORMS = {
    'apt': ['platform:dpkg', 'platform:debian', 'platform:debian-12'],
    'dnf': ['platform:rpm', 'platform:redhat', 'platform:fedora'],
}
#: install-deps.sh's modes and the bindep profiles that give the same.
MODES = {'build': [], 'test': ['test', 'boot']}


def bindep_packages(family, profiles):
    with open(BINDEP) as f:
        deps = depends.Depends(f.read())
    rules = deps.active_rules(PLATFORMS[family] + profiles)
    return sorted(rule[0] for rule in rules)


def script_packages(family, mode):
    """The ``<family>_packages`` install-deps.sh installs in ``mode``.

    The script's own assignments run in bash, up to its first command.
    """
    with open(SCRIPT) as f:
        text = f.read()
    head = text[:text.index('\nsudo_cmd=')]
    result = subprocess.run(
        ['bash', '-c', '%s\necho $%s_packages' % (head, family),
         'install-deps.sh', mode],
        capture_output=True, text=True, check=True)
    return sorted(result.stdout.split())


class BindepTest(base.TestCase):

    def test_same_packages_as_install_deps(self):
        for family in PLATFORMS:
            for mode, profiles in MODES.items():
                self.assertEqual(
                    script_packages(family, mode),
                    bindep_packages(family, profiles),
                    '%s packages of "install-deps.sh %s" and of bindep.txt '
                    '%s differ' % (family, mode, profiles or '(no profile)'))

    def test_profiles(self):
        build = bindep_packages('apt', [])
        self.assertIn('libvirt-dev', build)
        unit = bindep_packages('apt', ['test'])
        self.assertIn('ipmitool', unit)
        self.assertNotIn('dnsmasq-base', unit)
        self.assertIn('dnsmasq-base', bindep_packages('apt', ['boot']))
        self.assertIn('libvirt-devel', bindep_packages('dnf', []))
        self.assertNotIn('libvirt-dev', bindep_packages('dnf', ['test']))

    def test_bindep_command_reads_it(self):
        # The command OpenStack's jobs run, on this machine's platform.
        bindep = os.path.join(os.path.dirname(sys.executable), 'bindep')
        profiles = subprocess.run(
            [bindep, '--file', BINDEP, '--profiles'], capture_output=True,
            text=True, check=True).stdout.split()
        for profile in ('test', 'boot'):
            self.assertIn(profile, profiles)
        family = 'apt' if 'platform:dpkg' in profiles else 'dnf'
        self.assertIn(PLATFORMS[family][0], profiles)
        result = subprocess.run(
            [bindep, '--file', BINDEP, '--list_all', 'newline', 'test',
             'boot'], capture_output=True, text=True, cwd=REPO)
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual(script_packages(family, 'test'),
                         sorted(result.stdout.split()))
