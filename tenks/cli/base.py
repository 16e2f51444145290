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

"""What every tenks command shares."""

import logging

from tenks import exception

LOG = logging.getLogger(__name__)


class TenksCommand(object):
    """Mixin for tenks' cliff commands (put it first in the bases).

    It lets a command exit non-zero after printing its output
    (:attr:`exit_status`), and skips a costly lookup: cliff names the
    distribution that provides a command in its help epilog, and to find
    it scans every installed distribution: about 0.2 s on each run, for a
    line that would only ever say "tenks".

    A run stopped by a signal (:class:`tenks.exception.Interrupted`)
    prints its recap and exits with the signal's conventional status
    (130 for SIGINT, 143 for SIGTERM).
    """

    #: What the command exits with after printing its output; a command
    #: sets it in ``take_action`` to report failures it still shows (a BMC
    #: that did not answer, drift found).
    exit_status = 0

    def get_epilog(self):
        return self._epilog or ''

    def run(self, parsed_args):
        self.exit_status = 0
        try:
            result = super().run(parsed_args)
        except exception.Interrupted as exc:
            LOG.error('%s', exc)
            return exc.exit_code
        return result or self.exit_status
