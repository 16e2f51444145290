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

"""``[vbmc] manage_daemon = false``: a vbmcd someone else runs.

tenks only speaks to it over its control port (:mod:`.vbmcd_client`): it
never starts or stops it and touches none of its files. Its entries carry
no tenks mark, so the state file alone says which are tenks'.
"""

import time

from tenks.bmc.virtualbmc import daemon
from tenks.bmc.virtualbmc import managed
from tenks.bmc.virtualbmc import vbmcd_client
from tenks.hosts import procs


class ExternalVbmcd(daemon.Daemon):
    """A vbmcd on ``server_port`` that tenks does not manage."""

    def _pid(self):
        owners = procs.port_owners('tcp', self.server_port, '127.0.0.1')
        return owners[0] if owners else None

    def ensure(self):
        if vbmcd_client.ping(self.server_port):
            return {'pid': self._pid(), 'started': False, 'managed': False}
        raise daemon.BMCHostError(
            'no vbmcd answers on 127.0.0.1:%d ([vbmc] manage_daemon is '
            'false, so tenks uses an existing vbmcd: start it, or let '
            'tenks run its own)' % self.server_port)

    def status(self):
        up = vbmcd_client.ping(self.server_port)
        return {'state': 'running' if up else 'stopped',
                'detail': '' if up else 'no vbmcd answers on port %d'
                % self.server_port,
                'pid': self._pid(), 'entries': [], 'files': False}

    def stop(self, cluster=None, force=False):
        return {'stopped': False, 'kept': 'not managed by tenks'}

    def add(self, domain, address, port, username, password, libvirt_uri,
            cluster, adopt=False):
        port = int(port)
        listing = vbmcd_client.entries(self.server_port)
        if domain in listing:
            shown = vbmcd_client.show(self.server_port, domain)
            same = (str(shown.get('port')) == str(port) and
                    shown.get('address') == address and
                    shown.get('username') == username and
                    shown.get('libvirt_uri') == libvirt_uri)
            if same and listing[domain]['status'] == 'running':
                return {'changed': False, 'pid': None}
            vbmcd_client.delete(self.server_port, domain)
        vbmcd_client.add(self.server_port, domain, address, port, username,
                         password, libvirt_uri)
        vbmcd_client.start(self.server_port, domain)
        deadline = time.monotonic() + managed.SERVE_TIMEOUT
        state = {}
        while time.monotonic() < deadline:
            state = vbmcd_client.entries(self.server_port).get(domain) or {}
            if (state.get('status') == 'running' and
                    procs.port_owners('udp', port, address)):
                return {'changed': True, 'pid': None}
            time.sleep(0.2)
        raise daemon.BMCHostError(
            'the BMC of %s did not start listening on UDP %s:%s (vbmcd on '
            'port %d reports %s)' % (domain, address, port, self.server_port,
                                     state.get('status', 'no entry')))

    def remove(self, domain, cluster, adopt=False):
        if domain in vbmcd_client.entries(self.server_port):
            vbmcd_client.delete(self.server_port, domain)
            return {'deleted': True, 'kept': None, 'stopped': False}
        return {'deleted': False, 'kept': None, 'stopped': False}

    def entries(self):
        return {domain: {'owner': None, 'port': e['port'],
                         'address': e['address'],
                         'served': e['status'] == 'running'}
                for domain, e in vbmcd_client.entries(
                    self.server_port).items()}
