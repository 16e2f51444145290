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

"""IPMI BMCs from VirtualBMC.

One IPMI daemon per BMC site (host and address) serves every IPMI node of
the hypervisors there; each node is a vbmc entry bound to its own UDP
port. tenks runs and supervises that daemon itself (``[vbmc]
manage_daemon``), as vbmcd or as its single-process ``embedded`` server
(``[vbmc] mode``), or uses a vbmcd someone else runs. The host-side work
is in :mod:`.host`; the protocol client in :mod:`.ipmi`.

Resource props (built by the pure class methods below)::

    bmc_service  {managed, server_port, run_dir, log_file}
    bmc          {domain, uuid, libvirt_uri, address, port, username,
                  password, managed, server_port, run_dir, log_file}

A ``bmc`` carries where its daemon is, so that creating one can (re)start
the daemon, and deleting the last one stops it: the daemon runs exactly
while it has BMCs to serve.
"""

from oslo_log import log as logging

from tenks.bmc import base
from tenks.bmc.virtualbmc import daemon
from tenks.bmc.virtualbmc import host
from tenks.bmc.virtualbmc import ipmi
from tenks.hosts import context as hv_context
from tenks import observation

LOG = logging.getLogger(__name__)


def _service_location(props):
    return (props.get('run_dir'), props.get('server_port'),
            props.get('managed', True))


class VirtualBMC(base.BMCEmulator):
    """IPMI through VirtualBMC (``vbmc``/``vbmcd``)."""

    service_scope = 'site'

    # -- pure half ------------------------------------------------------

    @classmethod
    def _daemon_props(cls, settings):
        props = {
            'managed': settings.vbmc_manage_daemon,
            'server_port': settings.vbmc_server_port,
            'run_dir': '%s/vbmc' % settings.run_dir.rstrip('/'),
            'log_file': '%s/vbmcd.log' % settings.log_dir.rstrip('/'),
            'mode': settings.vbmc_mode,
        }
        return props

    @classmethod
    def service_props(cls, hypervisor, nodes, settings):
        return cls._daemon_props(settings)

    @classmethod
    def bmc_props(cls, node, hypervisor, settings):
        bmc = node['bmc']
        props = {
            'domain': node['name'],
            'uuid': node['uuid'],
            'libvirt_uri': hv_context.uri_on_host(hypervisor.libvirt_uri,
                                                  hypervisor.host),
            'address': bmc['address'],
            'port': bmc['port'],
            'username': bmc['username'],
            'password': bmc['password'],
        }
        props.update(cls._daemon_props(settings))
        return props

    @classmethod
    def driver_info(cls, props):
        return {
            'ipmi_address': props['address'],
            'ipmi_port': props['port'],
            'ipmi_username': props['username'],
            'ipmi_password': props['password'],
        }

    @classmethod
    def endpoint(cls, props):
        return 'ipmi://%s:%s' % (props['address'], props['port'])

    # -- impure half ----------------------------------------------------

    def _service(self, props):
        mode = props.get('mode') or self.conf.vbmc.mode
        return daemon.service_args(props, mode)

    def create_bmc_service(self, record):
        service = self._service(record.props)
        result = self._call(host.ensure_service, service=service)
        return {'pid': result.get('pid'), 'mode': service['mode']}

    def update_bmc_service(self, old, record):
        outputs = self.create_bmc_service(record)
        if _service_location(old.props) != _service_location(record.props):
            # Its BMCs move when their own records are updated; the old
            # daemon stops with the last of them.
            self._call(host.stop_service, service=self._service(old.props))
        return outputs

    def delete_bmc_service(self, record):
        result = self._call(host.stop_service,
                            service=self._service(record.props),
                            cluster=self.conf.cluster_name)
        if result.get('kept'):
            LOG.info('IPMI daemon %s left running: %s', record.name,
                     result['kept'])

    def observe_bmc_service(self, records):
        out = {}
        for record in records:
            status = self._call(host.service_status,
                                service=self._service(record.props))
            owned = True if record.props.get('managed', True) else None
            out[record.key] = base.service_observation(status, owned)
        return out

    def create_bmc(self, record):
        props = record.props
        service = self._service(props)
        result = self._call(
            host.ensure_bmc, service=service, cluster=self.conf.cluster_name,
            domain=props['domain'], address=props['address'],
            port=props['port'], username=props['username'],
            password=props['password'], libvirt_uri=props['libvirt_uri'],
            adopt=bool(record.adopt))
        return {'daemon_pid': result.get('pid'), 'mode': service['mode']}

    def update_bmc(self, old, record):
        if _service_location(old.props) != _service_location(record.props):
            self.delete_bmc(old)
        return self.create_bmc(record)

    def delete_bmc(self, record):
        result = self._call(
            host.delete_bmc, service=self._service(record.props),
            cluster=self.conf.cluster_name, domain=record.props['domain'],
            adopt=bool(record.adopt))
        if result.get('kept'):
            LOG.info('IPMI daemon of BMC %s left running: %s', record.name,
                     result['kept'])

    def observe_bmc(self, records):
        groups = {}
        for record in records:
            location = _service_location(record.props)
            groups.setdefault(location, []).append(record)
        out = {}
        cluster = self.conf.cluster_name
        for group in groups.values():
            entries = self._call(host.list_bmcs,
                                 service=self._service(group[0].props))
            for record in group:
                out[record.key] = self._observed(
                    record, entries.get(record.props['domain']), cluster)
        return out

    @staticmethod
    def _observed(record, entry, cluster):
        if entry is None:
            return observation.ABSENT
        managed = record.props.get('managed', True)
        if managed and entry['owner'] != cluster:
            if entry['owner'] is None:
                return observation.foreign('vbmc entry without a tenks mark',
                                           unmarked=True)
            return observation.foreign('vbmc entry made by cluster %s'
                                       % entry['owner'])
        owned = True if managed else None
        if not entry['served']:
            return observation.Observation(
                True, owned, 'nothing listens on UDP %s:%s' % (
                    entry['address'], entry['port']), healthy=False)
        return observation.Observation(True, owned)

    def power(self, props, action):
        return ipmi.power(props['address'], props['port'],
                          props['username'], props['password'], action)
