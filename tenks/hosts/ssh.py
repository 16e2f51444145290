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

"""Running work on a remote hypervisor host over SSH.

Commands are quoted with :func:`shlex.join` for the remote shell, so an
argument list stays an argument list. Host-side functions run through the
``tenks-host-agent`` command installed with tenks on the remote host, with
JSON on standard input and output.
"""

import json
import shlex
import subprocess

from tenks.hosts import base
from tenks.hosts import calls

SSH = ('ssh', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10')


class SSHAgent(base.HostAgent):

    def __init__(self, destination):
        self.destination = destination

    @property
    def name(self):
        return self.destination

    def _ssh(self, remote_argv, input=None, timeout=120):
        argv = list(SSH) + [self.destination, '--', shlex.join(remote_argv)]
        try:
            # Its own session: a Ctrl-C at the terminal leaves a remote
            # call to finish (see tenks.interrupts).
            return subprocess.run(argv, input=input, capture_output=True,
                                  text=True, timeout=timeout,
                                  start_new_session=True)
        except subprocess.TimeoutExpired:
            raise base.CommandError(remote_argv, -1, '', 'timed out on %s'
                                    % self.destination)

    def run(self, argv, input=None, check=True, env=None, timeout=120):
        remote = list(argv)
        if env:
            remote = ['env'] + ['%s=%s' % kv for kv in env.items()] + remote
        proc = self._ssh(remote, input=input, timeout=timeout)
        if check and proc.returncode != 0:
            raise base.CommandError(argv, proc.returncode, proc.stdout,
                                    proc.stderr)
        return proc.returncode, proc.stdout, proc.stderr

    def call(self, function, **kwargs):
        name = calls.name_of(function)
        request = json.dumps({'function': name, 'kwargs': kwargs})
        proc = self._ssh(['tenks-host-agent'], input=request)
        try:
            reply = json.loads(proc.stdout or '')
        except ValueError:
            reply = None
        if not isinstance(reply, dict):
            raise base.CommandError(['tenks-host-agent', name],
                                    proc.returncode, proc.stdout,
                                    proc.stderr)
        if 'error' in reply:
            calls.raise_error(reply, self.destination)
        return reply.get('result')
