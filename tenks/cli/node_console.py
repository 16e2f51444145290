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

"""``tenks node console NAME``: a node's serial console."""

import subprocess
import time

from cliff import command

from tenks.cli import base

#: How often a followed console log is read again.
FOLLOW_INTERVAL = 0.5


class NodeConsole(base.TenksCommand, command.Command):
    """Follow a node's serial console.

    Prints the node's console log (``console_log_enabled: true`` in its
    node type; ``tenks node show`` names the file) and follows what is
    appended until interrupted, or attaches this terminal to the live
    console with --attach (leave it with Ctrl-]).
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='NAME', help='Node name.')
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument('--attach', action='store_true',
                          help='Attach to the live console (virsh console) '
                               'instead of reading the log.')
        mode.add_argument('--no-follow', dest='follow', action='store_false',
                          help='Print the log as it is and exit.')
        return parser

    def take_action(self, parsed_args):
        from tenks import workflow
        with workflow.console(self.app.context, parsed_args.name) as (
                driver, record):
            if parsed_args.attach:
                return subprocess.call(driver.console_argv(record))
            try:
                self._follow(driver, record, parsed_args.follow)
            except KeyboardInterrupt:
                pass
        return 0

    def _follow(self, driver, record, follow):
        offset = 0
        while True:
            chunk = driver.console_log(record, offset)
            if chunk['data']:
                self.app.stdout.write(chunk['data'])
                self.app.stdout.flush()
            offset = chunk['offset']
            if offset < chunk['size']:
                continue                # more to read now
            if not follow:
                return
            time.sleep(FOLLOW_INTERVAL)
