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

"""``tenks export FORMAT [--output FILE]``: the cluster in a format another
tool reads (the exporters registered in ``tenks.exporters``)."""

import os
import tempfile

from cliff import command

from tenks.cli import base
from tenks import exception
from tenks import plugins

NAMESPACE = 'tenks.exporters'


def write_private(path, text):
    """Write ``text`` to ``path`` atomically, readable by its owner only.

    The exported documents hold BMC passwords. The text goes to a
    temporary file (mode 0600) beside ``path``, is flushed to disk and
    renamed over ``path``, so a reader never sees half a file and an
    existing file is replaced whole, with mode 0600.

    :raises TenksError: when the directory does not exist or cannot be
        written.
    """
    path = os.path.abspath(path)
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        raise exception.TenksError('cannot write %s: directory %s does not '
                                   'exist' % (path, directory))
    try:
        fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path),
                                   dir=directory)
    except OSError as exc:
        raise exception.TenksError('cannot write %s: %s' % (path, exc))
    try:
        with os.fdopen(fd, 'w') as f:
            os.fchmod(f.fileno(), 0o600)
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _describe(name):
    """``name (description)`` of an exporter, for --help."""
    try:
        description = plugins.load_class(NAMESPACE, name).description
    except exception.PluginError:
        description = ''
    return '%s (%s)' % (name, description) if description else name


class Export(base.TenksCommand, command.Command):
    """Write the cluster in a format another tool reads.

    The output holds BMC passwords: a file given with --output is created
    readable by its owner only.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        names = plugins.available(NAMESPACE)
        parser.add_argument(
            'format', metavar='FORMAT', choices=names,
            help='Output format: %s.' % '; '.join(
                _describe(name) for name in names))
        parser.add_argument(
            '--output', '-o', metavar='FILE',
            help='Write to FILE (replaced atomically, mode 0600) instead '
                 'of standard output.')
        return parser

    def take_action(self, parsed_args):
        from tenks import workflow
        state = workflow.require_state(self.app.context)
        exporter = self.app.context.plugins.exporter(parsed_args.format)
        text = exporter.export(state)
        if parsed_args.output:
            write_private(parsed_args.output, text)
        else:
            self.app.stdout.write(text)
        return 0
