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

"""The ``tenks`` cliff application.

Commands come from the ``tenks.cli`` entry points; each is a small class
whose ``take_action`` calls into :mod:`tenks.workflow`. Errors are one
line on standard error and a non-zero exit; ``--debug`` adds the
traceback, and a permission error says that the command needs root
(:mod:`tenks.cli.errors`). Logging: :mod:`tenks.cli.logs`.
"""

import logging
import sys

from cliff import app
from cliff import commandmanager

from tenks.cli import errors
from tenks.cli import logs

LOG = logging.getLogger(__name__)


class _ErrorLog(logging.LoggerAdapter):
    """cliff reports a failed command with ``LOG.error(exc)``.

    This says what the error means to the user (:func:`errors.describe`),
    wherever it was raised: in the configuration, a command or clean-up.
    The line is tenks' own words, secrets already masked where a value
    is quoted, so the free-text masking of other records is not applied:
    it would garble file names such as ``password-long.yaml``.
    """

    def process(self, msg, kwargs):
        if isinstance(msg, BaseException):
            msg = errors.describe(msg)
            kwargs.setdefault('extra', {})[logs.DESCRIBED] = True
        return msg, kwargs


class TenksApp(app.App):
    """The tenks application.

    :param plugin_classes: optional ``{(namespace, name): class}`` used
        instead of entry points (tests).
    """

    NAME = 'tenks'
    LOG = _ErrorLog(LOG, {})

    def __init__(self, plugin_classes=None):
        from tenks import version
        super().__init__(
            description='Virtual bare-metal clusters for OpenStack '
                        'development and CI.',
            version=version.release_string(),
            command_manager=commandmanager.CommandManager('tenks.cli'),
            deferred_help=True)
        self.context = None
        self._plugin_classes = plugin_classes
        self._version = version.release_string()

    def build_option_parser(self, description, version, argparse_kwargs=None):
        parser = super().build_option_parser(description, version,
                                             argparse_kwargs)
        for action in parser._actions:
            if '--version' in action.option_strings:
                # cliff names the program after sys.argv[0].
                action.version = '%s %s' % (self.NAME, version)
            elif '--debug' in action.option_strings:
                action.help = ('Show tracebacks on errors and debug '
                               'messages (like "debug = true" in '
                               'tenks.conf); with -vvv, other libraries\' '
                               'debug messages too.')
            elif '--verbose' in action.option_strings:
                action.help = ('Show tenks\' debug messages, among them '
                               'the configuration files read (-vv: the '
                               'same).')
            elif '--log-file' in action.option_strings:
                action.help = ('Log to this file (replaces tenks.conf\'s '
                               'log_file).')
        parser.add_argument(
            '--config-file', action='append', metavar='FILE',
            dest='config_files',
            help='tenks configuration file; may be given more than once, '
                 'later files win. Default: the first tenks.conf found in '
                 '~/.tenks/, ~/, /etc/tenks/, /etc/.')
        parser.add_argument(
            '--config-dir', action='append', metavar='DIR',
            dest='config_dirs',
            help='Directory of configuration files: its files ending in '
                 '.conf are read after the --config-file files, in name '
                 'order; may be given more than once. Default: the first '
                 'tenks.conf.d found in the same places, unless '
                 '--config-file is given.')
        return parser

    def configure_logging(self):
        """cliff's console (and --log-file), until tenks.conf is read."""
        logs.make_parent(self.options.log_file)
        root = logging.getLogger()
        before = list(root.handlers)
        super().configure_logging()
        self._console = logs.setup_console(root, before, self.options)

    def initialize_app(self, argv):
        from oslo_config import cfg

        from tenks import conf as conf_mod
        from tenks.conf import checks
        from tenks.conf import names
        from tenks import context
        from tenks import exception
        try:
            conf = conf_mod.new_conf(self.options.config_files,
                                     config_dirs=self.options.config_dirs)
            files = conf_mod.files_read(conf)
            names.check(files)
        except cfg.Error as exc:
            raise exception.ConfigError(str(exc))
        checks.check(conf)
        logs.configure(conf, self.options, self._console, self._version)
        if conf.debug:
            self.options.debug = True   # tracebacks, as with --debug
        LOG.debug('tenks %s; configuration read from: %s', self._version,
                  ', '.join(files) or 'no file (defaults)')
        self.context = context.AppContext(conf, self._plugin_classes)
        checks.check_plugins(conf, self.context.catalog)
        from tenks import progress
        # Debug messages would break a live line: plain lines then.
        self.context.progress = progress.Progress.for_console(
            max(self.options.verbose_level, 2) if self.options.debug
            else self.options.verbose_level, self.stderr)

    def clean_up(self, cmd, result, err):
        if self.context is not None:
            self.context.close()


def main(argv=None, plugin_classes=None):
    if argv is None:
        argv = sys.argv[1:]
    return TenksApp(plugin_classes).run(argv)


if __name__ == '__main__':
    sys.exit(main())
