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

"""The host agent contract."""

import abc


class CommandError(Exception):
    """A host command failed.

    :ivar argv: the command.
    :ivar returncode: its exit status.
    :ivar stderr: what it printed on standard error.
    """

    def __init__(self, argv, returncode, stdout='', stderr=''):
        self.argv = list(argv)
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        detail = (stderr or stdout or '').strip().splitlines()
        super().__init__('%s exited %d%s' % (
            argv[0], returncode, (': %s' % detail[-1]) if detail else ''))


class HostAgent(object, metaclass=abc.ABCMeta):
    """Runs work on one host.

    Commands are argument lists, never shell strings: nothing a user wrote
    in a spec is ever interpreted by a shell.
    """

    #: True for the host tenks runs on.
    local = False

    @abc.abstractmethod
    def run(self, argv, input=None, check=True, env=None, timeout=120):
        """Run ``argv`` on the host.

        :returns: ``(returncode, stdout, stderr)`` as text.
        :raises CommandError: when ``check`` and the command fails.
        """

    @abc.abstractmethod
    def call(self, function, **kwargs):
        """Call a tenks host-side function on the host.

        :param function: the function itself, one exposed in a host-side
            module (:mod:`tenks.hosts.calls`), e.g.
            ``tenks.networks.linux.ensure_bridge``; its keyword arguments
            and result are JSON-serialisable.
        :raises ResourceConflict, PluginError, TenksError: as the function
            raised them on the host.
        """

    def close(self, wait=True):
        """Let go of what the agent holds open (the end of a run).

        :param wait: wait for it to end; without, only start ending it
            (call again with ``wait`` to reap it).
        """

    @property
    @abc.abstractmethod
    def name(self):
        """The host's name (for messages)."""
