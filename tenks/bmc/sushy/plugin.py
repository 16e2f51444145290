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

"""Redfish BMCs from sushy-tools.

One Redfish emulator per hypervisor (it serves one libvirt URI), exposing
only that hypervisor's Redfish nodes, at ``/redfish/v1/Systems/<uuid>``.
The host-side work is in :mod:`tenks.bmc.sushy.host`, the config file in
:mod:`tenks.bmc.sushy.config`, the protocol client in
:mod:`tenks.bmc.sushy.redfish`.

Resource props (built by the pure class methods below)::

    bmc_service  {hypervisor, address, port, libvirt_uri, storage_pool,
                  tls_cert, tls_key, instances [uuid],
                  disks {uuid: [bytes]}, users [{username, password}],
                  run_dir, log_file}
    bmc          {domain, uuid, address, port, username, password,
                  system_id, tls, run_dir, libvirt_uri, storage_pool}

The emulator is (re)started when its service props change (a node added
or removed, new credentials) and stopped when its service goes; a node's
``bmc`` is a check that the emulator serves its system. Virtual media
images the emulator uploads go to the hypervisor's storage pool; deleting
a node's ``bmc`` deletes them.
"""

from oslo_log import log as logging

from tenks.bmc import base
from tenks.bmc.sushy import config as sushy_config
from tenks.bmc.sushy import host
from tenks.bmc.sushy import redfish
from tenks import exception
from tenks.hosts import context as hv_context
from tenks import observation
from tenks.spec import schema

LOG = logging.getLogger(__name__)


def _scheme(props):
    return 'https' if props.get('tls') else 'http'


def _host(address):
    return '[%s]' % address if ':' in str(address) else address


def _libvirt_uri(hypervisor):
    return hv_context.uri_on_host(hypervisor.libvirt_uri, hypervisor.host)


def _run_dir(settings, hypervisor):
    return '%s/sushy-%s' % (settings.run_dir.rstrip('/'), hypervisor.name)


class SushyTools(base.BMCEmulator):
    """Redfish through sushy-tools' emulator (``sushy-emulator``)."""

    options_group = 'redfish'
    spec_options = {'redfish_address': 'address',
                    'redfish_username': 'username',
                    'redfish_password': 'password'}
    hypervisor_options = {'redfish_address': 'address',
                          'redfish_port': 'port'}
    key_schema = {'redfish_address': schema.ADDRESS,
                  'redfish_port': schema.PORT,
                  'redfish_username': schema.BMC_USERNAME,
                  'redfish_password': schema.BMC_PASSWORD}

    # -- pure half ------------------------------------------------------

    @classmethod
    def bmc_fields(cls, node_type, site, port=None):
        return {'address': site['address'], 'port': site['port'],
                'username': node_type.bmc_username or site['username'],
                'password': node_type.bmc_password or site['password']}

    @classmethod
    def check_sites(cls, sites, used, problems):
        """Each hypervisor needs its own emulator port on its host."""
        if not used:
            return
        taken = {}
        for hv, site, _overrides in sites:
            key = (hv.host, site['address'], site['port'])
            if key in taken:
                problems.add(('hypervisors', hv.name, 'redfish_port'),
                             'hypervisor %s would share Redfish emulator '
                             'port %s:%d with hypervisor %s; give each its '
                             'own redfish_port' % (hv.name, site['address'],
                                                   site['port'], taken[key]))
            taken.setdefault(key, hv.name)

    @classmethod
    def boot_problem(cls, boot_interface, site):
        if (boot_interface in base.VIRTUAL_MEDIA_BOOT and
                site.get('feature_set') == 'minimum'):
            return ('boot_interface %s inserts the boot ISO through the '
                    'BMC\'s virtual media, which the Redfish emulator '
                    'lacks with [redfish] feature_set minimum: use full or '
                    'vmedia' % boot_interface)
        return None

    @classmethod
    def service_props(cls, hypervisor, site, nodes, settings):
        users = sorted({(n['bmc']['username'], n['bmc']['password'])
                        for n in nodes})
        return {
            'hypervisor': hypervisor.name,
            'address': site['address'],
            'port': site['port'],
            'libvirt_uri': _libvirt_uri(hypervisor),
            'storage_pool': hypervisor.pool_name,
            'tls_cert': site['tls_cert'],
            'tls_key': site['tls_key'],
            'instances': sorted(n['uuid'] for n in nodes),
            'disks': {n['uuid']: [sushy_config.disk_entry(v)
                                  for v in n.get('volumes') or ()]
                      for n in nodes},
            'users': [{'username': u, 'password': p} for u, p in users],
            'run_dir': _run_dir(settings, hypervisor),
            'log_file': '%s/sushy-%s.log' % (settings.log_dir.rstrip('/'),
                                             hypervisor.name),
        }

    @classmethod
    def bmc_props(cls, node, hypervisor, site, settings):
        bmc = node['bmc']
        return {
            'domain': node['name'],
            'uuid': node['uuid'],
            'address': bmc['address'],
            'port': bmc['port'],
            'username': bmc['username'],
            'password': bmc['password'],
            'system_id': '/redfish/v1/Systems/%s' % node['uuid'],
            'tls': bool(site['tls_cert']),
            'run_dir': _run_dir(settings, hypervisor),
            'libvirt_uri': _libvirt_uri(hypervisor),
            'storage_pool': hypervisor.pool_name,
        }

    @classmethod
    def driver_info(cls, props):
        info = {
            'redfish_address': cls.base_url(props),
            'redfish_system_id': props['system_id'],
            'redfish_username': props['username'],
            'redfish_password': props['password'],
        }
        if props.get('tls'):
            info['redfish_verify_ca'] = False
        return info

    @classmethod
    def base_url(cls, props):
        return '%s://%s:%s' % (_scheme(props), _host(props['address']),
                               props['port'])

    @classmethod
    def endpoint(cls, props):
        return cls.base_url(props) + props['system_id']

    # -- impure half ----------------------------------------------------

    def _firmware(self):
        opts = self.conf.redfish
        found = {}
        if not (opts.uefi_loader and opts.uefi_nvram_template and
                opts.uefi_secure_nvram_template):
            found = self._call(host.firmware)
        for key, opt in (('uefi_loader', opts.uefi_loader),
                         ('nvram', opts.uefi_nvram_template),
                         ('secure_nvram', opts.uefi_secure_nvram_template)):
            if opt:
                found[key] = opt
        return found

    def create_bmc_service(self, record):
        props = record.props
        config = sushy_config.render(
            props, props['run_dir'], self._firmware(),
            feature_set=self.conf.redfish.feature_set,
            emulate_storage=self.conf.redfish.emulate_storage)
        result = self._call(
            host.ensure_emulator, run_dir=props['run_dir'],
            log_file=props['log_file'], config=config,
            users=props['users'])
        return {'pid': result['pid'], 'url': result['url']}

    def update_bmc_service(self, old, record):
        if old.props.get('run_dir') != record.props.get('run_dir'):
            self._call(host.stop_emulator, run_dir=old.props['run_dir'])
        return self.create_bmc_service(record)

    def delete_bmc_service(self, record):
        self._call(host.stop_emulator, run_dir=record.props['run_dir'])

    def observe_bmc_service(self, records):
        out = {}
        for record in records:
            props = record.props
            status = self._call(host.status, run_dir=props['run_dir'],
                                address=props['address'],
                                port=props['port'])
            out[record.key] = base.service_observation(status)
        return out

    def create_bmc(self, record):
        props = record.props
        result = self._call(host.ensure_running, run_dir=props['run_dir'])
        if result.get('missing'):
            raise exception.TenksError(
                'BMC %s: the Redfish emulator of hypervisor %s has no '
                'configuration in %s' % (record.name, record.hypervisor,
                                         props['run_dir']))
        self._call(host.check_system, run_dir=props['run_dir'],
                   system_id=props['system_id'],
                   username=props['username'], password=props['password'])
        return {'url': self.endpoint(props)}

    def update_bmc(self, old, record):
        return self.create_bmc(record)

    def delete_bmc(self, record):
        """Delete the virtual media images uploaded for the node.

        The emulator stops exposing the node's system when its service is
        updated without it, or deleted.
        """
        props = record.props
        if not props.get('storage_pool'):
            return      # recorded by a release that set no pool
        removed = self._call(host.remove_media,
                             libvirt_uri=props['libvirt_uri'],
                             pool=props['storage_pool'],
                             uuid=props['uuid'])['removed']
        if removed:
            LOG.info('BMC %s: deleted virtual media images %s',
                     record.name, ', '.join(removed))

    def observe_bmc(self, records):
        groups = {}
        for record in records:
            groups.setdefault(record.props['run_dir'], []).append(record)
        out = {}
        for run_dir, group in groups.items():
            first = group[0].props
            listed = self._call(host.systems, run_dir=run_dir,
                                username=first['username'],
                                password=first['password'])
            for record in group:
                if listed.get('error'):
                    out[record.key] = observation.Observation(
                        True, True, listed['error'], healthy=False)
                elif record.props['system_id'] in listed['systems']:
                    out[record.key] = observation.Observation(True, True)
                else:
                    out[record.key] = observation.Observation(
                        True, True, 'the emulator does not expose %s'
                        % record.props['system_id'], healthy=False)
        return out

    def _client(self, props):
        return redfish.Client(self.base_url(props), props['username'],
                              props['password'])

    def power(self, props, action):
        return self._client(props).power(props['system_id'], action)

    def verify(self, props):
        system = self._client(props).system(props['system_id'])
        uuid = str(system.get('UUID', '')).lower()
        if uuid != props['uuid'].lower():
            raise redfish.RedfishError(
                '%s serves UUID %s, not %s' % (self.endpoint(props),
                                               uuid or 'none', props['uuid']))
        return redfish.power_state_of(system)
