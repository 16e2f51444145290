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

"""Where the ``tenks`` command's log records go, and which.

* The console (standard error, cliff's handler) shows tenks' own messages:
  INFO by default, WARNING with ``-q``, DEBUG with ``-v`` (or more) and
  with debugging on (``--debug``, or ``debug = true`` in tenks.conf).
* The log is oslo.log's, as tenks.conf configures it: ``log_file``
  (relative to ``log_dir``), syslog, the journal, JSON, rotation, formats.
  ``--log-file`` replaces ``log_file``. It takes INFO, or DEBUG with
  debugging on or ``-v``. Without ``log_file`` there is no log file (where
  oslo.log would write ``<log_dir>/tenks.log``: ``log_dir`` always has a
  value in tenks, and commands that need no root must not fail on it).
  ``use_stderr = true`` shows the log on the console too, in its format.
* Other libraries' records (pyroute2 dumps every netlink message, libvirt,
  urllib3, stevedore...) pass only from WARNING, wherever they go, unless
  debugging is on with ``-vvv``: then ``default_log_levels`` rules them.
"""

import contextlib
import logging
import os

from oslo_log import handlers as oslo_handlers
from oslo_log import log as oslo_log

from tenks import secrets

OWN = 'tenks'
#: cliff's verbose_level at which other libraries' records pass too
#: (``-vvv``: cliff counts from 1), with debugging on.
OPEN_LEVEL = 4
#: Handlers that write to a terminal stream, not a file.
_STREAM_HANDLERS = (logging.StreamHandler, oslo_handlers.ColorHandler)


class OwnRecords(logging.Filter):
    """Let tenks' records pass, and the others from WARNING.

    A filter on the handlers, not a level on the loggers: pyroute2 sets its
    own logger's level when it is imported, after logging is set up.

    :param everything: let every record pass.
    """

    def __init__(self, everything=False):
        super().__init__()
        self.everything = everything

    def filter(self, record):
        return (self.everything or record.levelno >= logging.WARNING or
                record.name == OWN or record.name.startswith(OWN + '.'))


#: The attribute of a record holding the error line of a failed command.
DESCRIBED = 'tenks_described_error'


class MaskSecrets(logging.Filter):
    """Mask passwords in log records, whatever logged them.

    The error line of a failed command (marked :data:`DESCRIBED`) is left
    as it is: tenks masks secret values where it quotes them.
    """

    def filter(self, record):
        if getattr(record, DESCRIBED, False):
            return True
        if record.args:
            try:
                record.msg = record.getMessage()
                record.args = None
            except Exception:  # noqa - never break logging
                return True
        if isinstance(record.msg, str) and secrets.looks_secret(record.msg):
            record.msg = secrets.mask_text(record.msg)
        return True


def debugging(options, conf=None):
    """Whether ``--debug`` or tenks.conf's ``debug`` is on."""
    return bool(options.debug or (conf is not None and conf.debug))


def console_level(options, conf=None):
    """The level of the console, from ``-q``/``-v`` and debugging."""
    if options.verbose_level == 0:
        return logging.WARNING
    if options.verbose_level > 1 or debugging(options, conf):
        return logging.DEBUG
    return logging.INFO


def filter_handler(handler, options, conf=None):
    """Put tenks' filters on ``handler`` (once)."""
    everything = (debugging(options, conf) and
                  options.verbose_level >= OPEN_LEVEL)
    for old in list(handler.filters):
        if isinstance(old, (OwnRecords, MaskSecrets)):
            handler.removeFilter(old)
    # Drop other libraries' records before masking formats them.
    handler.addFilter(OwnRecords(everything))
    handler.addFilter(MaskSecrets())


def _mark(handler):
    handler.tenks_handler = True
    return handler


def _tenks_handlers(root):
    return [h for h in root.handlers if getattr(h, 'tenks_handler', False)]


def setup_console(root, before, options):
    """Take the handlers cliff just added: its console, its --log-file.

    Handlers a previous run in this process left are removed; others'
    (a test runner's) stay.

    :param before: the root handlers before cliff added its own.
    :returns: the console handler (the last cliff added).
    """
    for handler in _tenks_handlers(root):
        if handler in before:
            root.removeHandler(handler)
            handler.close()
    added = [_mark(h) for h in root.handlers if h not in before]
    console = added[-1]
    console.setLevel(console_level(options))
    filter_handler(console, options)
    return console


def make_parent(path):
    """Make the directory of log file ``path`` (like ``log_dir``)."""
    if path and os.path.dirname(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)


def log_file(options, conf):
    """The log file: ``--log-file``, else ``log_file`` under ``log_dir``."""
    if options.log_file:
        return os.path.abspath(options.log_file)
    if conf.log_file:
        return os.path.join(conf.log_dir or '', conf.log_file)
    return None


@contextlib.contextmanager
def _overridden(conf, **values):
    for name, value in values.items():
        conf.set_override(name, value)
    try:
        yield
    finally:
        for name in values:
            conf.clear_override(name)


def configure(conf, options, console, version):
    """Apply tenks.conf's logging settings, then the command line's.

    :param conf: the loaded configuration (oslo.log options registered).
    :param options: cliff's parsed global options.
    :param console: cliff's console handler.
    :param version: tenks' version, for oslo.log's formats.
    """
    root = logging.getLogger()
    debug = debugging(options, conf)
    if conf.log_config_append:
        # The file configures everything else (Python's fileConfig: it
        # replaces the root handlers); the console stays.
        oslo_log.setup(conf, OWN, version, fix_eventlet=False)
        console.setLevel(console_level(options, conf))
        filter_handler(console, options, conf)
        if console not in root.handlers:
            root.addHandler(console)
        return
    path = log_file(options, conf)
    make_parent(path)
    for handler in _tenks_handlers(root):
        # cliff's own --log-file handler: oslo.log's replaces it.
        if handler is not console:
            root.removeHandler(handler)
            handler.close()
    # oslo.log removes every root handler, and adds its own.
    others = [h for h in root.handlers if h is not console]
    with _overridden(conf, log_file=path, log_dir=None, debug=debug):
        oslo_log.setup(conf, OWN, version, fix_eventlet=False)
    for handler in root.handlers:
        _mark(handler)
    log_level = (logging.DEBUG if debug or options.verbose_level > 1
                 else logging.INFO)
    for handler in list(root.handlers):
        if type(handler) in _STREAM_HANDLERS:
            # oslo.log's standard error (use_stderr), or its fall-back to
            # standard output, which carries the command's output: the
            # console takes their place, in their format.
            root.removeHandler(handler)
            if conf.use_stderr:
                console.setFormatter(handler.formatter)
            continue
        handler.setLevel(log_level)
        filter_handler(handler, options, conf)
    level = console_level(options, conf)
    if conf.use_stderr and options.verbose_level:
        level = min(level, log_level)
    console.setLevel(level)
    filter_handler(console, options, conf)
    root.addHandler(console)
    root.setLevel(min(h.level for h in root.handlers))
    for handler in others:
        root.addHandler(handler)
