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
from tenks.spec import schema

LOG = logging.getLogger(__name__)


def _service_location(props):
    return (props.get('run_dir'), props.get('server_port'),
            props.get('managed', True))


class VirtualBMC(base.BMCEmulator):
    """IPMI through VirtualBMC (``vbmc``/``vbmcd``)."""

    options_group = 'vbmc'
    spec_options = {'ipmi_address': 'address',
                    'ipmi_port_range_start': 'port_range_start',
                    'ipmi_port_range_end': 'port_range_end',
                    'ipmi_username': 'username',
                    'ipmi_password': 'password'}
    hypervisor_options = {'ipmi_address': 'address',
                          'ipmi_port_range_start': 'port_range_start',
                          'ipmi_port_range_end': 'port_range_end'}
    key_schema = {'ipmi_address': schema.ADDRESS,
                  'ipmi_port_range_start': schema.PORT,
                  'ipmi_port_range_end': schema.PORT,
                  'ipmi_username': schema.BMC_USERNAME,
                  'ipmi_password': schema.BMC_PASSWORD}
    port_label = 'IPMI'

    # -- pure half ------------------------------------------------------

    @classmethod
    def port_range(cls, site):
        return range(site['port_range_start'], site['port_range_end'] + 1)

    @classmethod
    def port_pool(cls, hypervisor, site):
        # One IPMI daemon per host and address serves the hypervisors
        # there: they share its ports.
        return (hypervisor.host, site['address'])

    @classmethod
    def service_scope(cls, hypervisor, site):
        return '%s/%s' % (hypervisor.host or 'local', site['address'])

    @classmethod
    def bmc_fields(cls, node_type, site, port=None):
        return {'address': site['address'], 'port': port,
                'username': node_type.bmc_username or site['username'],
                'password': node_type.bmc_password or site['password']}

    @classmethod
    def boot_problem(cls, boot_interface, site):
        if boot_interface in base.VIRTUAL_MEDIA_BOOT:
            return ('boot_interface %s boots from virtual media, which an '
                    'IPMI BMC lacks: use ironic_driver redfish, or a '
                    'network boot interface (ipxe, pxe)' % boot_interface)
        return None

    @classmethod
    def check_sites(cls, sites, used, problems):
        pools = {}
        for hv, site, overrides in sites:
            path = ('hypervisors', hv.name)
            start, end = site['port_range_start'], site['port_range_end']
            if start > end:
                key = 'ipmi_port_range_end'
                problems.add(path + (key,) if key in overrides else (key,),
                             'IPMI port range end %d is below its start %d'
                             % (end, start))
                continue
            other = pools.setdefault(cls.port_pool(hv, site), (hv, site))
            if other[0] is hv:
                continue
            o_start = other[1]['port_range_start']
            o_end = other[1]['port_range_end']
            if ((o_start, o_end) != (start, end) and
                    max(o_start, start) <= min(o_end, end)):
                problems.add(path + ('ipmi_port_range_start',),
                             'IPMI port range %d-%d overlaps the range '
                             '%d-%d of hypervisor %s on the same BMC '
                             'address %s; use the same range or disjoint '
                             'ones' % (start, end, o_start, o_end,
                                       other[0].name, site['address']))

    @classmethod
    def _daemon_props(cls, site, settings):
        return {
            'managed': site['manage_daemon'],
            'server_port': site['server_port'],
            'run_dir': '%s/vbmc' % settings.run_dir.rstrip('/'),
            'log_file': '%s/vbmcd.log' % settings.log_dir.rstrip('/'),
            'mode': site['mode'],
        }

    @classmethod
    def service_props(cls, hypervisor, site, nodes, settings):
        return cls._daemon_props(site, settings)

    @classmethod
    def bmc_props(cls, node, hypervisor, site, settings):
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
        props.update(cls._daemon_props(site, settings))
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
                    entry['address'], entry['port']), healthy=False,
                marked=managed)
        return observation.Observation(True, owned, marked=managed)

    def power(self, props, action):
        return ipmi.power(props['address'], props['port'],
                          props['username'], props['password'], action)
