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

"""``[vbmc] mode = vbmcd``: VirtualBMC's own vbmcd, run by tenks.

vbmcd forks one process per BMC (about 30 MB each) and is driven over its
control port (:mod:`.vbmcd_client`), like the ``vbmc`` command does; it
writes and removes each entry's directory itself, so tenks' mark comes
after the entry. A run killed in between leaves an unmarked entry, which
the journal lets the next run take as tenks' own.
"""

from tenks.bmc.virtualbmc import entries
from tenks.bmc.virtualbmc import managed
from tenks.bmc.virtualbmc import vbmcd_client
from tenks.hosts import procs


class Vbmcd(managed.ManagedDaemon):
    """vbmcd, started by tenks with its own config and control port."""

    modules = ('tenks.bmc.virtualbmc.run_vbmcd', 'tenks.bmc.run_vbmcd')
    title = 'VirtualBMC vbmcd'

    def answers(self, pid):
        return (procs.listens(pid, 'tcp', self.server_port, '127.0.0.1') and
                vbmcd_client.ping(self.server_port))

    def foreign(self):
        family = self.family()
        for owner in procs.port_owners('tcp', self.server_port, '127.0.0.1'):
            if owner not in family:
                return ('vbmcd control port 127.0.0.1:%d is in use by %s, '
                        'which tenks did not start; set [vbmc] server_port '
                        'to a free port, or manage_daemon = false to use '
                        'that vbmcd' % (self.server_port,
                                        procs.describe(owner)))
        return None

    def _stop_strays(self, address, port):
        """Stop BMC processes still serving ``port`` whose entry went.

        vbmcd only stops the processes of entries it still lists, so one
        left by an interrupted delete would answer for the next node
        given that port.
        """
        if not port:
            return
        family = self.family()
        mains = self.main_daemons()
        strays = [p for p in procs.port_owners('udp', port, address)
                  if p in family and p not in mains]
        if strays:
            procs.terminate(strays)

    def install(self, domain, values, existing, cluster):
        if existing is not None:
            vbmcd_client.delete(self.server_port, domain)
            self._stop_strays(values['address'],
                              int(existing.get('port') or 0))
        self._stop_strays(values['address'], int(values['port']))
        vbmcd_client.add(self.server_port, domain, values['address'],
                         int(values['port']), values['username'],
                         values['password'], values['libvirt_uri'])
        entries.write_owner(self.run_dir, domain, cluster)
        vbmcd_client.start(self.server_port, domain)

    def uninstall(self, domain, pid):
        entry = entries.read_entry(self.run_dir, domain) or {}
        if pid is not None:
            # vbmcd stops the BMC and removes the whole directory.
            vbmcd_client.delete(self.server_port, domain)
        entries.remove(self.run_dir, domain)
        self._stop_strays(entry.get('address'), int(entry.get('port') or 0))
