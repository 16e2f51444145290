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

"""Unknown sections and options are named with their file."""

from tenks.conf import names
from tenks import exception
from tests.unit import base


class NamesTest(base.TestCase):

    def test_known_files_pass(self):
        path = self.write('ok.conf', '''\
            [DEFAULT]
            cluster_name = c1
            debug = true
            log_file = tenks.log
            logfile = old-name.log
            [libvirt]
            uri = test:///default
            [LIBVIRT]
            pool_name = p
            [filter_scheduler]
            ram_weight_multiplier = -1
            ''')
        self.assertEqual([], names.problems([path]))
        names.check([path])

    def test_unknown_option_and_section_named_with_file(self):
        first = self.write('a.conf', '[libvirt]\nuri_typo = x\n')
        second = self.write('b.conf', '[bogus]\nx = 1\n'
                                      '[DEFAULT]\nlog-file = x\n')
        self.assertEqual([
            '%s: [libvirt] uri_typo: unknown option' % first,
            '%s: [bogus]: unknown section' % second,
            # oslo.config reads log_file, never log-file, from files.
            '%s: [DEFAULT] log-file: unknown option' % second,
        ], names.problems([first, second]))

    def test_one_problem_one_line(self):
        path = self.write('a.conf', '[vbmc]\nport = 1\n')
        exc = self.assertRaises(exception.ConfigError, names.check, [path])
        self.assertEqual('%s: [vbmc] port: unknown option' % path, str(exc))

    def test_every_problem_at_once(self):
        path = self.write('a.conf', '[vbmc]\nport = 1\nhost = x\n')
        exc = self.assertRaises(exception.ConfigError, names.check, [path])
        lines = str(exc).splitlines()
        self.assertEqual('2 unknown names in the configuration:', lines[0])
        self.assertEqual(3, len(lines))

    def test_every_registered_option_is_known(self):
        conf = self.make_conf()
        known = names.known_names()
        for name in ('state_file', 'log_dir', 'debug', 'use_stderr',
                     'log_date_format', 'default_log_levels',
                     'fatal_deprecations'):
            self.assertIn(name, known['DEFAULT'])
            getattr(conf, name)
