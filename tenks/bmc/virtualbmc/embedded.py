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

"""``[vbmc] mode = embedded``: tenks' own server serves every BMC.

tenks writes each entry (mark first, then vbmc's config file) and sends
the server (:mod:`.server`) SIGHUP to rescan; the server reports what it
serves, and why a BMC failed, in ``embedded.json``.
"""

import contextlib
import json
import os
import signal
import time

from tenks.bmc.virtualbmc import daemon
from tenks.bmc.virtualbmc import entries
from tenks.bmc.virtualbmc import managed
from tenks.bmc.virtualbmc import server
from tenks.hosts import files
from tenks.hosts import procs


class EmbeddedServer(managed.ManagedDaemon):
    """Every BMC of the site in one process (about 1 MB each)."""

    modules = ('tenks.bmc.virtualbmc.server', 'tenks.bmc.vbmc_embedded')
    title = 'embedded VirtualBMC server'

    def _status(self):
        try:
            with open(entries.path(self.run_dir, server.STATUS_FILE)) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def answers(self, pid):
        status = self._status()
        return bool(status) and status.get('pid') == pid

    def before_start(self):
        super().before_start()
        managed.remove_files(entries.path(self.run_dir, server.STATUS_FILE))

    def install(self, domain, values, existing, cluster):
        entries.write_owner(self.run_dir, domain, cluster)
        files.write_private(
            os.path.join(entries.entry_dir(self.run_dir, domain), 'config'),
            entries.entry_text(domain, values['address'], values['port'],
                               values['username'], values['password'],
                               values['libvirt_uri']))

    def uninstall(self, domain, pid):
        entries.remove(self.run_dir, domain)

    def after_change(self, pid):
        """Make the server rescan now; returns its status.

        A server restarted meanwhile (by a concurrent change) is asked in
        its place. When none runs any more (a concurrent delete stopped
        it, having no BMC left to serve) there is nothing to wait for:
        returns None.
        """
        since = time.time_ns()
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGHUP)
        deadline = time.monotonic() + managed.SERVE_TIMEOUT
        while time.monotonic() < deadline:
            status = self._status()
            if status and status.get('scanned_at', 0) >= since:
                return status
            if not procs.is_alive(pid):
                current = [p for p, mine in self.main_daemons().items()
                           if mine]
                if not current:
                    return None
                pid = current[0]
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGHUP)
            time.sleep(0.05)
        raise daemon.BMCHostError('the embedded VirtualBMC server of %s did '
                                  'not rescan its entries; see its log'
                                  % self.run_dir)

    def serve_problem(self, domain, seen):
        status = seen or self._status() or {}
        bmc = (status.get('bmcs') or {}).get(domain) or {}
        if bmc.get('status') == 'error':
            return bmc.get('error') or 'unknown error'
        return None
