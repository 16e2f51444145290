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

import importlib
import os
import subprocess

from tenks.hosts import base

# Only functions in these packages may be called through an agent.
ALLOWED_PREFIXES = ('tenks.networks.', 'tenks.bmc.', 'tenks.providers.',
                    'tenks.hosts.')


def resolve(function):
    """Import and return the host-side function at path ``function``.

    Anything outside tenks' host-side packages is refused.
    """
    if not function.startswith(ALLOWED_PREFIXES):
        raise ValueError('refusing to call %s on a host' % function)
    module, _, attr = function.rpartition('.')
    return getattr(importlib.import_module(module), attr)


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
                                  env=full_env, timeout=timeout)
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
        return resolve(function)(**kwargs)
