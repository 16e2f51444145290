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

"""Where the configuration comes from: files, directories, search path."""

import os

import fixtures

from tenks import conf as conf_mod
from tenks import exception
from tests.unit import base


class SourcesTest(base.TestCase):

    def test_config_dir_read_after_files_in_name_order(self):
        main = self.write('tenks.conf', '[DEFAULT]\ncluster_name = a\n'
                                        'run_dir = /r\n')
        os.mkdir(os.path.join(self.tmp, 'd'))
        second = self.write('d/20-b.conf', '[DEFAULT]\ncluster_name = b\n')
        first = self.write('d/10-a.conf', '[DEFAULT]\ncluster_name = x\n'
                                          'run_dir = /from-dir\n')
        self.write('d/ignored.txt', '[DEFAULT]\ncluster_name = no\n')
        conf = conf_mod.new_conf([main], config_dirs=[
            os.path.join(self.tmp, 'd')])
        self.assertEqual('b', conf.cluster_name)
        self.assertEqual('/from-dir', conf.run_dir)
        self.assertEqual([main, first, second], conf_mod.files_read(conf))

    def test_missing_config_dir_refused(self):
        exc = self.assertRaises(exception.ConfigError, conf_mod.new_conf,
                                [], config_dirs=[self.tmp + '/nope'])
        self.assertIn(self.tmp + '/nope', str(exc))

    def test_search_path_is_tenks_conf_whatever_the_program(self):
        home = os.path.join(self.tmp, 'home')
        os.makedirs(os.path.join(home, '.tenks', 'tenks.conf.d'))
        found = self.write('home/.tenks/tenks.conf',
                           '[DEFAULT]\ncluster_name = home\n')
        self.write('home/.tenks/tenks.conf.d/1.conf',
                   '[DEFAULT]\nrun_dir = /home-run\n')
        # A test runner (or python -m) is not "tenks": no pytest.conf.
        self.write('home/.tenks/pytest.conf', '[DEFAULT]\nbad\n')
        self.useFixture(fixtures.EnvironmentVariable('HOME', home))
        files, dirs = conf_mod.search_path()
        self.assertEqual(found, files[0])
        self.assertEqual(1, files.count(found))
        self.assertEqual(os.path.join(home, '.tenks', 'tenks.conf.d'),
                         dirs[0])
        conf = conf_mod.new_conf()
        self.assertEqual('home', conf.cluster_name)
        self.assertEqual('/home-run', conf.run_dir)

    def test_explicit_files_skip_the_search(self):
        home = os.path.join(self.tmp, 'home')
        os.mkdir(home)
        self.write('home/tenks.conf', '[DEFAULT]\ncluster_name = home\n')
        self.useFixture(fixtures.EnvironmentVariable('HOME', home))
        conf = conf_mod.new_conf([])
        self.assertEqual('tenks', conf.cluster_name)
        self.assertEqual([], conf_mod.files_read(conf))


class LogOptionsTest(base.TestCase):

    def test_oslo_log_options_with_tenks_log_dir(self):
        conf = conf_mod.new_conf([])
        self.assertEqual('/var/log/tenks', conf.log_dir)
        self.assertFalse(conf.debug)
        self.assertIsNone(conf.log_file)
        conf = self.make_conf('debug = true\nlog_file = t.log\n'
                              'use_stderr = true\n')
        self.assertTrue(conf.debug)
        self.assertEqual(self.tmp + '/log', conf.log_dir)
        self.assertTrue(conf.use_stderr)

    def test_bad_log_value_named(self):
        from tenks.conf import checks
        conf = self.make_conf('log_rotation_type = weekly\n')
        exc = self.assertRaises(exception.ConfigError, checks.check, conf)
        self.assertIn('[DEFAULT] log_rotation_type', str(exc))

    def test_generator_lists_oslo_log_with_tenks_default(self):
        from oslo_config import generator
        from tenks.conf import log
        self.addCleanup(_reset_log_dir_default)
        log.set_defaults()
        opts = dict((o.dest, o) for _group, opts in generator._list_opts(
            ['oslo.log'])[0][1] for o in opts)
        self.assertEqual('/var/log/tenks', opts['log_dir'].default)


def _reset_log_dir_default():
    from oslo_config import cfg
    from oslo_log import _options
    cfg.set_defaults(_options.logging_cli_opts, log_dir=None)
