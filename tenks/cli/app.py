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
traceback.
"""

import logging
import sys

from cliff import app
from cliff import commandmanager

from tenks import secrets

NOISY_LOGGERS = ('stevedore', 'urllib3', 'openstack', 'keystoneauth',
                 'iso8601', 'pyroute2', 'libvirt')


class _MaskSecrets(logging.Filter):
    """Mask passwords in log records, whatever logged them."""

    def filter(self, record):
        if record.args:
            try:
                record.msg = record.getMessage()
                record.args = None
            except Exception:  # noqa - never break logging
                return True
        if isinstance(record.msg, str) and secrets.looks_secret(record.msg):
            record.msg = secrets.mask_text(record.msg)
        return True


class TenksApp(app.App):
    """The tenks application.

    :param plugin_classes: optional ``{(namespace, name): class}`` used
        instead of entry points (tests).
    """

    NAME = 'tenks'

    def __init__(self, plugin_classes=None):
        from tenks import version
        super().__init__(
            description='Virtual bare-metal clusters for OpenStack '
                        'development and CI.',
            version=version.version_info.version_string(),
            command_manager=commandmanager.CommandManager('tenks.cli'),
            deferred_help=True)
        self.context = None
        self._plugin_classes = plugin_classes

    def build_option_parser(self, description, version, argparse_kwargs=None):
        parser = super().build_option_parser(description, version,
                                             argparse_kwargs)
        for action in parser._actions:
            if '--version' in action.option_strings:
                # cliff names the program after sys.argv[0].
                action.version = '%s %s' % (self.NAME, version)
        parser.add_argument(
            '--config-file', action='append', metavar='FILE',
            dest='config_files',
            help='tenks configuration file; may be given more than once, '
                 'later files win. Default: /etc/tenks/tenks.conf when it '
                 'exists.')
        return parser

    def configure_logging(self):
        super().configure_logging()
        root = logging.getLogger('')
        for handler in root.handlers:
            handler.addFilter(_MaskSecrets())
        if self.options.verbose_level < 3 and not self.options.debug:
            for name in NOISY_LOGGERS:
                logging.getLogger(name).setLevel(logging.WARNING)

    def initialize_app(self, argv):
        from oslo_config import cfg

        from tenks import conf as conf_mod
        from tenks.conf import checks
        from tenks import context
        from tenks import exception
        try:
            conf = conf_mod.new_conf(self.options.config_files)
        except (cfg.ConfigFilesNotFoundError, cfg.ConfigFileParseError,
                cfg.Error) as exc:
            raise exception.ConfigError(str(exc))
        checks.check(conf)
        self.context = context.AppContext(conf, self._plugin_classes)
        checks.check_plugins(conf, self.context.catalog)
        from tenks import progress
        self.context.progress = progress.Progress.for_console(
            self.options.verbose_level, self.stderr)

    def clean_up(self, cmd, result, err):
        if self.context is not None:
            self.context.close()


def main(argv=None, plugin_classes=None):
    if argv is None:
        argv = sys.argv[1:]
    return TenksApp(plugin_classes).run(argv)


if __name__ == '__main__':
    sys.exit(main())
