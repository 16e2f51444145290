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

"""Running work on the host tenks runs on."""

import os
import subprocess

from tenks.hosts import base
from tenks.hosts import calls


class LocalAgent(base.HostAgent):

    local = True

    @property
    def name(self):
        return 'localhost'

    def run(self, argv, input=None, check=True, env=None, timeout=120):
        full_env = None
        if env:
            full_env = dict(os.environ)
            full_env.update(env)
        try:
            proc = subprocess.run(list(argv), input=input,
                                  capture_output=True, text=True,
                                  env=full_env, timeout=timeout,
                                  # Ctrl-C stops tenks from starting new
                                  # actions; a command already running
                                  # finishes (see tenks.interrupts).
                                  start_new_session=True)
        except FileNotFoundError:
            raise base.CommandError(argv, 127, '',
                                    '%s: command not found' % argv[0])
        except subprocess.TimeoutExpired:
            raise base.CommandError(argv, -1, '',
                                    'timed out after %ss' % timeout)
        if check and proc.returncode != 0:
            raise base.CommandError(argv, proc.returncode, proc.stdout,
                                    proc.stderr)
        return proc.returncode, proc.stdout, proc.stderr

    def call(self, function, **kwargs):
        # The same allow-list as over SSH: what works here works there.
        calls.name_of(function)
        return function(**kwargs)
