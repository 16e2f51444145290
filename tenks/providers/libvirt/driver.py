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

"""The ``libvirt`` provider plugin: nodes as libvirt domains.

One instance serves one hypervisor, reached at its libvirt URI through a
single shared connection (see :mod:`.connection`); the executor calls it
from several threads at once. Domains are defined, never started by a
deploy: a bare-metal server waits for its BMC. Every domain carries the
tenks mark of its cluster (:mod:`.metadata`), which is what makes a
domain tenks' own to change or delete.

Outputs recorded in the state:

* pool: ``{'created': bool}``;
* volume: ``{'capacity': bytes, 'format': ..., ['existing': True]}``;
* domain: ``{'domain_type': 'kvm'|'qemu', 'firmware': 'uefi'|'bios',
  'secure_boot': bool}`` -- the domain type actually used, when the props
  said ``auto``.
"""

import os
import threading

from oslo_log import log as logging

from tenks import exception
from tenks.hosts import local as local_agent
from tenks import observation
from tenks.providers import base
from tenks.providers.libvirt import capabilities
from tenks.providers.libvirt import connection as conn_mod
from tenks.providers.libvirt import firmware
from tenks.providers.libvirt import hostside
from tenks.providers.libvirt import metadata
from tenks.providers.libvirt import power
from tenks.providers.libvirt import qemu_access
from tenks.spec import schema

LOG = logging.getLogger(__name__)


def _flags(*names):
    import libvirt
    flags = 0
    for name in names:
        flags |= getattr(libvirt, name, 0)
    return flags


def undefine(dom, keep_tpm=False):
    """Undefine ``dom`` with everything libvirt keeps for it.

    That is its NVRAM, managed save image, snapshot and checkpoint
    metadata and its emulated TPM's state, unless ``keep_tpm`` (the
    domain is defined again at once, and its TPM must stay). A driver
    that refuses some of these flags (libvirt's test driver) has none of
    those things to keep; it is asked again without them.
    """
    full = _flags('VIR_DOMAIN_UNDEFINE_NVRAM',
                  'VIR_DOMAIN_UNDEFINE_MANAGED_SAVE',
                  'VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA',
                  'VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA',
                  'VIR_DOMAIN_UNDEFINE_KEEP_TPM' if keep_tpm else
                  'VIR_DOMAIN_UNDEFINE_TPM')
    try:
        dom.undefineFlags(full)
    except Exception as exc:
        if not conn_mod.is_error(exc, 'VIR_ERR_INVALID_ARG',
                                 'VIR_ERR_NO_SUPPORT'):
            raise
        LOG.info('libvirt refused to undefine %s with its NVRAM and '
                 'metadata (%s); undefining it without', dom.name(), exc)
        dom.undefineFlags(_flags('VIR_DOMAIN_UNDEFINE_MANAGED_SAVE',
                                 'VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA'))


def lookup_domain(conn, name):
    """The libvirt domain called ``name``, or None."""
    import libvirt
    try:
        return conn.lookupByName(name)
    except libvirt.libvirtError as exc:
        if conn_mod.is_error(exc, 'VIR_ERR_NO_DOMAIN'):
            return None
        raise


class LibvirtProvider(base.Provider):
    """Nodes, volumes and pools on one libvirt hypervisor.

    :param conf: the tenks ConfigOpts.
    :param hypervisor: the :class:`tenks.hosts.context.HypervisorContext`
        served; its ``libvirt_uri`` is where libvirt is reached and its
        ``agent`` where host-level work runs.
    :param opener: optional callable opening a libvirt URI (tests).
    """

    options_group = 'libvirt'
    spec_options = {'libvirt_pool_name': 'pool_name',
                    'libvirt_pool_path': 'pool_path',
                    'libvirt_vm_arch': 'arch',
                    'libvirt_vm_engine': 'domain_type'}
    key_schema = {
        'libvirt_pool_name': {'type': 'string', 'pattern': schema.NAME},
        'libvirt_pool_path': {'type': 'string',
                              'pattern': r'^/[^\x00-\x1f\x7f]*$'},
        'libvirt_vm_arch': {'enum': ['x86_64', 'aarch64', 'ppc64le',
                                     's390x']},
        'libvirt_vm_engine': {'enum': ['kvm', 'qemu']},
    }

    def __init__(self, conf, hypervisor=None, opener=None):
        super().__init__(conf, hypervisor)
        uri = (hypervisor.libvirt_uri if hypervisor is not None and
               hypervisor.libvirt_uri else conf.libvirt.uri)
        self.name = hypervisor.name if hypervisor is not None else uri
        self.connection = conn_mod.Connection(
            uri, opener=opener, open_uri=getattr(hypervisor, 'connect_uri',
                                                 None))
        self.capabilities = capabilities.HostCapabilities(self.connection)
        self._cluster = conf.cluster_name
        self._images = None
        self._storage = None
        self._storage_lock = threading.Lock()
        self._dirs = set()
        self._dirs_lock = threading.Lock()
        self._bios_rom_path = None
        self._bios_rom_lock = threading.Lock()

    @property
    def uri(self):
        return self.connection.uri

    @property
    def storage(self):
        """Pools and volumes (made on first use, with the image cache).

        Power and listing need neither: read-only commands skip importing
        them (templates, image fetching), about 50 ms.
        """
        with self._storage_lock:
            if self._storage is None:
                from tenks.providers.libvirt import images
                from tenks.providers.libvirt import storage
                self._images = images.ImageCache()
                self._storage = storage.Storage(self.name, self._cluster,
                                                self._images)
            return self._storage

    def _call(self, func, *args):
        return self.connection.call(lambda conn: func(conn, *args))

    def close(self):
        if self._images is not None:
            self._images.close()
        self.connection.close()

    # -- pools ------------------------------------------------------------

    def create_pool(self, record):
        return self._call(self.storage.ensure_pool, record)

    def delete_pool(self, record):
        self._call(self.storage.delete_pool, record)

    def observe_pool(self, records):
        """Look at the pools, and whether QEMU can reach their directory.

        A pool QEMU's user cannot reach carries the problem that stops
        the plan (see :mod:`.qemu_access`).
        """
        out = self._call(self.storage.observe_pools, records)
        if not records:
            return out
        agent = self._agent()
        users = qemu_access.qemu_users(
            self._call(lambda conn: conn.getType()),
            self.capabilities.caps_xml(), agent)
        for record in records:
            pool_type, path = self._call(self.storage.pool_target,
                                         record.props)
            problem = qemu_access.pool_problem(agent, users, pool_type, path)
            if problem:
                out[record.key] = observation.with_problem(out[record.key],
                                                           problem)
        return out

    # -- volumes ----------------------------------------------------------

    def create_volume(self, record):
        return self._call(self.storage.ensure_volume, record)

    def update_volume(self, old, record):
        return self._call(self.storage.grow_volume, record)

    def delete_volume(self, record):
        self._call(self.storage.delete_volume, record)

    def observe_volume(self, records):
        return self._call(self.storage.observe_volumes, records)

    # -- domains ----------------------------------------------------------

    def _agent(self):
        agent = getattr(self.hypervisor, 'agent', None)
        return agent if agent is not None else local_agent.LocalAgent()

    def _ensure_log_dir(self, path):
        directory = os.path.dirname(path)
        with self._dirs_lock:
            if directory in self._dirs:
                return
        self._agent().call(hostside.ensure_directory, path=directory)
        with self._dirs_lock:
            self._dirs.add(directory)

    def _check_owner(self, dom, record, verb):
        """Raise ResourceConflict unless ``dom`` is the node of ``record``.

        It must have the record's UUID and carry this cluster's mark; when
        adopting, it may carry no mark at all (never another cluster's).
        """
        props = record.props
        cluster = metadata.read_cluster(dom)
        found = dom.UUIDString()
        if found != props['uuid']:
            raise exception.ResourceConflict(
                'domain %s on %s exists with UUID %s, not %s; refusing to '
                '%s it' % (props['name'], self.name, found, props['uuid'],
                           verb))
        adoptable = record.adopt and cluster is None
        if cluster != props['cluster'] and not adoptable:
            raise exception.ResourceConflict(
                'domain %s on %s exists and was not created by tenks '
                'cluster %s (%s); refusing to %s it' % (
                    props['name'], self.name, props['cluster'],
                    metadata.describe_owner(cluster), verb))

    def _resolve(self, props):
        """The domain type and firmware of ``props``, checked.

        Against what the hypervisor offers.

        :raises TenksError: it cannot run such a domain (the cause).
        """
        from tenks.providers.libvirt import domain_xml   # see storage
        arch = props.get('arch') or 'x86_64'
        self.capabilities.check_arch(arch)
        dtype = self.capabilities.domain_type(
            props.get('domain_type') or 'auto', arch)
        fw = firmware.from_props(props)
        machine = props.get('machine')
        self.capabilities.check_cpu_mode(
            dtype, arch, props.get('cpu_mode') or 'maximum', machine)
        if fw.mode == firmware.UEFI:
            self.capabilities.check_uefi(dtype, arch, machine)
        tpm = domain_xml.tpm(props)
        if tpm:
            self.capabilities.check_tpm(dtype, arch, tpm, machine)
        return dtype, fw

    def check_domain(self, records):
        out = []
        for record in records:
            try:
                self._resolve(record.props)
            except exception.TenksError as exc:
                out.append((record, str(exc)))
        return out

    def _prepare(self, conn, props):
        """Resolve everything a definition needs and render its XML."""
        try:
            dtype, fw = self._resolve(props)
        except exception.TenksError as exc:
            msg = str(exc)
            if not msg.startswith('domain '):
                msg = 'domain %s: %s' % (props['name'], msg)
            raise exception.TenksError(msg)
        unknown = [d for d in props.get('disks') or () if not d.get('format')]
        formats = self.storage.volume_formats(conn, unknown)
        bios_rom = self._bios_rom() if fw.mode == firmware.BIOS else None
        from tenks.providers.libvirt import domain_xml   # see storage
        xml = domain_xml.render(props, dtype, formats, bios_rom)
        return dtype, fw, xml

    def _bios_rom(self):
        """The hypervisor host's SeaBIOS ROM (looked up once), or ''."""
        with self._bios_rom_lock:
            if self._bios_rom_path is None:
                self._bios_rom_path = self._agent().call(
                    hostside.first_existing,
                    paths=list(firmware.BIOS_ROMS)) or ''
            return self._bios_rom_path

    def _define(self, conn, record):
        import libvirt
        props = record.props
        dtype, fw, xml = self._prepare(conn, props)
        if props.get('console_log'):
            self._ensure_log_dir(props['console_log'])
        dom = lookup_domain(conn, props['name'])
        if dom is not None:
            self._check_owner(dom, record, 'redefine')
            current = firmware.from_domain_xml(
                dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
            if firmware.needs_fresh_nvram(current, fw):
                LOG.info('Firmware of %s changes (%s -> %s): removing its '
                         'NVRAM', props['name'], _fw_name(current),
                         _fw_name(fw))
                if dom.isActive():
                    LOG.warning('%s is running: its new firmware and '
                                'NVRAM take effect once it is powered off',
                                props['name'])
                undefine(dom, keep_tpm=True)
        conn.defineXML(xml)
        return {'domain_type': dtype, 'firmware': fw.mode,
                'secure_boot': fw.secure_boot}

    def create_domain(self, record):
        return self._call(self._define, record)

    def update_domain(self, old, record):
        return self._call(self._define, record)

    def _delete_domain(self, conn, record):
        import libvirt
        dom = lookup_domain(conn, record.props['name'])
        if dom is None:
            return
        self._check_owner(dom, record, 'delete')
        try:
            if dom.isActive():
                dom.destroy()
            undefine(dom)
        except libvirt.libvirtError as exc:
            if conn_mod.is_error(exc, 'VIR_ERR_NO_DOMAIN'):
                return
            raise

    def delete_domain(self, record):
        self._call(self._delete_domain, record)

    def _observe_domains(self, conn, records):
        domains = {d.name(): d for d in conn.listAllDomains(0)}
        out = {}
        for record in records:
            props = record.props
            dom = domains.get(props['name'])
            if dom is None:
                out[record.key] = observation.ABSENT
                continue
            cluster = metadata.read_cluster(dom)
            found = dom.UUIDString()
            if found != props['uuid']:
                # Of this cluster's mark, it is another state file's.
                out[record.key] = observation.Observation(
                    True, False, 'it has UUID %s, not %s'
                    % (found, props['uuid']),
                    marked=cluster == props['cluster'])
            elif cluster != props['cluster']:
                out[record.key] = observation.foreign(
                    metadata.describe_owner(cluster), cluster is None)
            else:
                out[record.key] = observation.ours()
        return out

    def observe_domain(self, records):
        return self._call(self._observe_domains, records)

    # -- power ------------------------------------------------------------

    def _domain(self, conn, name):
        dom = lookup_domain(conn, name)
        if dom is None:
            raise exception.TenksError('domain %s does not exist on %s'
                                       % (name, self.name))
        return dom

    def power_state(self, name):
        return self._call(
            lambda conn: 'on' if self._domain(conn, name).isActive()
            else 'off')

    def _power_on(self, conn, name):
        dom = self._domain(conn, name)
        if not dom.isActive():
            dom.create()

    def power_on(self, name):
        self._call(self._power_on, name)

    def _power_off(self, conn, name):
        import libvirt
        dom = self._domain(conn, name)
        try:
            if dom.isActive():
                dom.destroy()
        except libvirt.libvirtError as exc:
            if not conn_mod.is_error(exc, 'VIR_ERR_OPERATION_INVALID'):
                raise

    def power_off(self, name):
        self._call(self._power_off, name)

    def power_states(self, records):
        return self._call(power.power_states, records)

    # -- console ----------------------------------------------------------

    def console_log(self, record, offset=0):
        path = record.props.get('console_log')
        if not path:
            raise exception.TenksError(
                'node %s keeps no console log: set console_log_enabled: '
                'true in its node type and deploy, or attach to its live '
                'console (--attach)' % record.name)
        return self._agent().call(hostside.read_file, path=path,
                                  offset=offset)

    def console_argv(self, record):
        return ['virsh', '-c', self.hypervisor.connect_uri or
                self.hypervisor.libvirt_uri, 'console', record.props['name']]

    # -- capacity ---------------------------------------------------------

    def _host_facts(self, conn):
        info = conn.getInfo()
        facts = {'memory_mb': int(info[1]), 'vcpus': int(info[2])}
        arches = capabilities.qemu_arches(self.capabilities.caps_xml())
        if arches:
            facts['arches'] = sorted(arches)
        pool = (getattr(self.hypervisor, 'pool_name', None) or
                self.conf.libvirt.pool_name)
        facts.update(self.storage.pool_facts(conn, pool))
        return facts

    def host_facts(self):
        return self._call(self._host_facts)


def _fw_name(fw):
    if fw.mode == firmware.UEFI:
        return 'uefi with secure boot' if fw.secure_boot else 'uefi'
    return fw.mode
