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

from cliff import command

from tenks.cli import base
from tenks import exception
from tenks import fileio
from tenks import plugins

NAMESPACE = 'tenks.exporters'


def write_private(path, text):
    """Write ``text`` to ``path`` atomically, readable by its owner only.

    The exported documents hold BMC passwords: the file is written with
    :func:`tenks.fileio.write_atomic`, mode 0600, flushed to disk, and
    replaces an existing file whole.

    :raises TenksError: when the directory does not exist or cannot be
        written.
    """
    path = os.path.abspath(path)
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        raise exception.TenksError('cannot write %s: directory %s does not '
                                   'exist' % (path, directory))
    try:
        fileio.write_atomic(path, text)
    except OSError as exc:
        raise exception.TenksError('cannot write %s: %s' % (path, exc))


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
        text = workflow.export(self.app.context, parsed_args.format)
        if parsed_args.output:
            write_private(parsed_args.output, text)
        else:
            self.app.stdout.write(text)
        return 0
