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

"""The application: logging, configuration checks, errors, version."""

import argparse
import io
import logging
import os

import fixtures

from tenks.cli import app
from tenks.cli import errors
from tenks.cli import logs
from tenks import exception
from tenks import version
from tests.unit import cli_base


def _options(verbose_level=1, debug=False, log_file=None):
    return argparse.Namespace(verbose_level=verbose_level, debug=debug,
                              log_file=log_file)


class _Root(fixtures.Fixture):
    """Keep the root logger's handlers and level as they were."""

    def _setUp(self):
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level

        def restore():
            for handler in list(root.handlers):
                root.removeHandler(handler)
                if handler not in handlers:
                    handler.close()
            for handler in handlers:
                root.addHandler(handler)
            root.setLevel(level)
        self.addCleanup(restore)


class AppTest(cli_base.CLITestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(_Root())

    def test_version_is_pbr_release_string(self):
        out = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', out))
        self.assertRaises(SystemExit, app.main, ['--version'])
        self.assertEqual('tenks %s\n' % version.version_info.release_string(),
                         out.getvalue())

    def validate(self, *options):
        return self.run_app(*(list(options) + ['validate', '--spec',
                                               self.spec_path]))

    def add_conf(self, text):
        with open(self.conf, 'a') as f:
            f.write(text)

    def test_verbose_logs_files_read_not_libraries(self):
        code, _out, err = self.validate('-v')
        self.assertEqual(0, code, err)
        self.assertIn('configuration read from: %s' % self.conf, err)
        logging.getLogger('pyroute2.netlink').debug('NETLINK DUMP')
        logging.getLogger('tenks.x').debug('OWN DEBUG')
        logging.getLogger('pyroute2.netlink').warning('NETLINK WARNING')
        err = self.app_stderr.getvalue()
        self.assertNotIn('NETLINK DUMP', err)
        self.assertIn('OWN DEBUG', err)
        self.assertIn('NETLINK WARNING', err)

    def run_app(self, *args):
        self.app_stderr = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', self.app_stderr))
        application = app.TenksApp(self.plugin_classes)
        application.stdout = io.StringIO()
        application.stderr = self.app_stderr
        code = application.run(['--config-file', self.conf] + list(args))
        return code, application.stdout.getvalue(), self.app_stderr.getvalue()

    def test_runs_in_one_process_do_not_pile_up_handlers(self):
        foreign = logging.NullHandler()
        logging.getLogger().addHandler(foreign)
        self.validate('--log-file', os.path.join(self.tmp, 'a.log'))
        first = self.app_stderr
        self.validate()
        mine = [h for h in logging.getLogger().handlers
                if getattr(h, 'tenks_handler', False)]
        self.assertEqual(1, len(mine))
        self.assertIn(foreign, logging.getLogger().handlers)
        logging.getLogger('tenks.x').warning('ONCE')
        self.assertIn('ONCE', self.app_stderr.getvalue())
        self.assertNotIn('ONCE', first.getvalue())

    def test_default_hides_debug(self):
        code, _out, err = self.validate()
        self.assertEqual(0, code, err)
        self.assertNotIn('configuration read from', err)
        logging.getLogger('tenks.x').debug('OWN DEBUG')
        self.assertNotIn('OWN DEBUG', self.app_stderr.getvalue())

    def test_debug_and_vvv_open_libraries(self):
        code, _out, err = self.validate('--debug', '-vvv')
        self.assertEqual(0, code, err)
        logging.getLogger('pyroute2.netlink').debug('NETLINK DUMP')
        self.assertIn('NETLINK DUMP', self.app_stderr.getvalue())

    def test_vvv_without_debug_keeps_libraries_quiet(self):
        self.validate('-vvv')
        logging.getLogger('pyroute2.netlink').debug('NETLINK DUMP')
        self.assertNotIn('NETLINK DUMP', self.app_stderr.getvalue())

    def test_log_file_from_command_line(self):
        path = os.path.join(self.tmp, 'cli.log')
        code, _out, err = self.run_app('--log-file', path, 'deploy',
                                       '--spec', self.spec_path)
        self.assertEqual(0, code, err)
        with open(path) as f:
            text = f.read()
        self.assertIn('INFO tenks.', text)
        self.assertNotIn('DEBUG', text)

    def test_log_file_and_debug_from_tenks_conf(self):
        self.add_conf('[DEFAULT]\ndebug = true\nlog_file = tenks.log\n')
        code, _out, err = self.validate()
        self.assertEqual(0, code, err)
        with open(os.path.join(self.tmp, 'log', 'tenks.log')) as f:
            text = f.read()
        self.assertIn('DEBUG tenks.cli.app', text)
        self.assertIn('configuration read from', text)
        # debug = true is --debug: debug messages on the console too.
        self.assertIn('configuration read from', err)

    def test_command_line_log_file_wins(self):
        self.add_conf('[DEFAULT]\nlog_file = conf.log\n')
        path = os.path.join(self.tmp, 'cli.log')
        self.validate('--log-file', path)
        self.assertTrue(os.path.exists(path))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'log',
                                                     'conf.log')))

    def test_no_log_file_by_default(self):
        self.validate()
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'log',
                                                     'tenks.log')))

    def test_use_stderr_shows_the_log_in_its_format(self):
        self.add_conf('[DEFAULT]\nuse_stderr = true\n')
        code, out, err = self.run_app('deploy', '--spec', self.spec_path)
        self.assertEqual(0, code, err)
        self.assertRegex(err, r'\d+ INFO tenks\.')
        self.assertNotIn('INFO tenks.', out)

    def test_log_config_append_keeps_the_console(self):
        log = os.path.join(self.tmp, 'appended.log')
        ini = self.write('logging.ini', """\
            [loggers]
            keys=root
            [handlers]
            keys=f
            [formatters]
            keys=plain
            [logger_root]
            level=DEBUG
            handlers=f
            [handler_f]
            class=FileHandler
            args=(%r,)
            formatter=plain
            [formatter_plain]
            format=APPENDED %%(levelname)s %%(message)s
            """ % log)
        self.add_conf('[DEFAULT]\nlog_config_append = %s\n' % ini)
        code, _out, err = self.run_app('-v', 'node', 'show', 'nope')
        self.assertEqual(1, code)
        self.assertIn('no cluster', err)     # the error, on the console
        with open(log) as f:
            self.assertIn('APPENDED DEBUG tenks ', f.read())

    def test_unknown_option_refused_before_anything(self):
        self.add_conf('[libvirt]\nuri_typo = x\n')
        code, _out, err = self.run_app('deploy', '--spec', self.spec_path)
        self.assertEqual(1, code)
        self.assertEqual('%s: [libvirt] uri_typo: unknown option\n'
                         % self.conf, err)
        self.assertFalse(os.path.exists(self.state_path))

    def test_error_line_keeps_file_names_whole(self):
        # Free-text password masking would turn this name into
        # "password-x******"; the error line is tenks' own words.
        spec = os.path.join(self.tmp, 'password-x.yaml')
        code, _out, err = self.run_app('validate', '--spec', spec)
        self.assertEqual(1, code)
        self.assertIn(spec, err)

    def test_unknown_section_refused(self):
        self.add_conf('[libvrt]\nuri = x\n')
        code, _out, err = self.validate()
        self.assertEqual(1, code)
        self.assertIn('%s: [libvrt]: unknown section' % self.conf, err)

    def test_config_dir(self):
        directory = os.path.join(self.tmp, 'conf.d')
        os.mkdir(directory)
        extra = self.write('conf.d/50-extra.conf', '[DEFAULT]\n'
                                                   'cluster_name = fromdir\n')
        code, out, err = self.run_app('--config-dir', directory, '-v',
                                      'deploy', '--spec', self.spec_path,
                                      '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertIn('configuration read from: %s, %s' % (self.conf, extra),
                      err)
        with open(self.state_path) as f:
            self.assertIn('fromdir', f.read())

    def test_permission_error_says_needs_root(self):
        self.useFixture(fixtures.MockPatchObject(errors, 'is_root',
                                                 return_value=False))
        denied = PermissionError(13, 'Permission denied', '/var/log/x.log')
        self.useFixture(fixtures.MockPatchObject(logs, 'configure',
                                                 side_effect=denied))
        code, _out, err = self.validate()
        self.assertEqual(1, code)
        self.assertIn("Permission denied: '/var/log/x.log'", err)
        self.assertIn(errors.NEEDS_ROOT, err)
        self.assertNotIn('Traceback', err)


class LevelsTest(cli_base.CLITestCase):

    def test_console_levels(self):
        self.assertEqual(logging.WARNING, logs.console_level(_options(0)))
        self.assertEqual(logging.INFO, logs.console_level(_options(1)))
        self.assertEqual(logging.DEBUG, logs.console_level(_options(2)))
        self.assertEqual(logging.DEBUG,
                         logs.console_level(_options(1, debug=True)))
        # -q wins over --debug.
        self.assertEqual(logging.WARNING,
                         logs.console_level(_options(0, debug=True)))

    def test_own_records_filter(self):
        def record(name, level):
            return logging.LogRecord(name, level, __file__, 1, 'm', (), None)

        quiet, everything = logs.OwnRecords(), logs.OwnRecords(True)
        self.assertTrue(quiet.filter(record('tenks', logging.DEBUG)))
        self.assertTrue(quiet.filter(record('tenks.workflow',
                                            logging.DEBUG)))
        self.assertFalse(quiet.filter(record('tenksish', logging.DEBUG)))
        self.assertFalse(quiet.filter(record('pyroute2', logging.INFO)))
        self.assertTrue(quiet.filter(record('pyroute2', logging.WARNING)))
        self.assertTrue(everything.filter(record('pyroute2', logging.DEBUG)))


class ErrorsTest(cli_base.CLITestCase):

    def test_permission_error_found_in_chain(self):
        try:
            try:
                raise PermissionError(13, 'Permission denied')
            except OSError as exc:
                raise exception.StateError('cannot open lock: %s'
                                           % exc.strerror)
        except exception.StateError as exc:
            wrapped = exc
        self.assertTrue(errors.permission_denied(wrapped))
        self.assertFalse(errors.permission_denied(
            exception.StateError('x')))

    def test_libvirt_and_netlink_denials(self):
        class libvirtError(Exception):
            def get_error_code(self):
                return 38

        class NetlinkError(Exception):
            code = 1

        self.assertTrue(errors.permission_denied(libvirtError(
            "Failed to connect socket to '/run/libvirt/libvirt-sock': "
            "Permission denied")))
        self.assertFalse(errors.permission_denied(libvirtError('no')))
        self.assertTrue(errors.permission_denied(NetlinkError()))

    def test_root_gets_the_plain_message(self):
        self.useFixture(fixtures.MockPatchObject(errors, 'is_root',
                                                 return_value=True))
        exc = PermissionError(13, 'Permission denied')
        self.assertEqual(str(exc), errors.describe(exc))

    def test_is_root_reads_effective_capabilities(self):
        status = self.write('status', 'Name:\tx\nCapEff:\t0000000000000000\n')
        self.useFixture(fixtures.MockPatch('os.geteuid', return_value=0))
        self.assertFalse(errors.is_root(status))
        status = self.write('status', 'CapEff:\t000001ffffffffff\n')
        self.assertTrue(errors.is_root(status))
        self.useFixture(fixtures.MockPatch('os.geteuid', return_value=1000))
        self.assertFalse(errors.is_root(status))
