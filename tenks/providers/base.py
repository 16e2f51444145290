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

"""The provider contract: nodes as virtual machines, and their storage.

A provider instance serves one hypervisor. Resource props it receives are
built by :mod:`tenks.planner.desired`:

``pool``
    ``{name, path, type}``. Create the pool when missing; an existing pool
    of that name is used as it is and reported with outputs
    ``{'created': False}``, and then never deleted.
``volume``
    ``{name, pool, capacity (bytes or None), format, image, existing}``.
    A blank volume of ``capacity``; or one holding ``image`` (a path on
    the tenks host or an http(s) URL), grown to ``capacity`` when given;
    or, with ``existing``, a volume that must already exist (checked,
    never created, resized or deleted).
``domain``
    ``{name, uuid, cluster, domain_type, memory_mb, vcpus, cpu_mode,
    cpu_model, arch, machine, boot_mode, secure_boot, disks[{pool,
    volume, format, bus}], nics[{mac, dev, model}], console_log,
    trust_guest_rx_filters, cdrom, tpm}``. ``cdrom``: an empty CD-ROM drive
    for virtual media. ``tpm`` (only when the node has one): ``{model:
    crb|tis, version: '2.0'|'1.2'}``, an emulated TPM whose state lives as
    long as the domain. Define (never start) the VM; ``update``
    redefines it, taking effect at its next power-on. ``delete`` stops it
    if running and undefines it with its NVRAM.
"""

import abc

from tenks import exception
from tenks import resource_driver

#: The power states :meth:`Provider.power_states` reports. ``missing``:
#: no such domain; ``foreign``: a domain of that name that is not the
#: node (another UUID or owner); ``unknown``: the hypervisor did not say.
ON, OFF, UNKNOWN = 'on', 'off', 'unknown'
POWER_WORDS = (ON, OFF, 'paused', 'suspended', 'crashed', 'missing',
               'foreign', UNKNOWN)


#: The machine type of guests of other architectures than x86, when the
#: node type names none and the configured one is an x86 machine.
ARCH_MACHINES = {'aarch64': 'virt', 'ppc64le': 'pseries',
                 's390x': 's390-ccw-virtio'}


class Provider(resource_driver.ResourceDriver, metaclass=abc.ABCMeta):
    """Base class of virtualisation providers.

    What a provider declares for the spec and the planner (pure class
    methods over the run's settings, reading its own option group):
    hypervisor defaults (libvirt URI, storage pool), node shape defaults
    (CPU mode, architecture, machine, buses), and the props it adds to
    pools and domains.
    """

    kinds = ('pool', 'volume', 'domain')

    #: The option group (``tenks.conf``) the provider reads.
    options_group = None
    #: Top-level Tenks spec keys that override its options:
    #: ``{key: option}``, with :attr:`key_schema`.
    spec_options = {}
    key_schema = {}

    @classmethod
    def _options(cls, settings):
        return settings.options(cls.options_group)

    @classmethod
    def hypervisor_defaults(cls, settings):
        """Defaults of a hypervisor's URI and pool.

        ``{'libvirt_uri', 'pool_name', 'pool_path'}``.
        """
        opts = cls._options(settings)
        return {'libvirt_uri': opts['uri'], 'pool_name': opts['pool_name'],
                'pool_path': opts['pool_path']}

    @classmethod
    def node_defaults(cls, settings):
        """Defaults of a node type's shape (spec keys of the node type)."""
        opts = cls._options(settings)
        return {'cpu_mode': opts['cpu_mode'], 'cpu_model': opts['cpu_model'],
                'arch': opts['arch'], 'machine': opts['machine_type'],
                'disk_bus': opts['disk_bus'], 'nic_model': opts['nic_model'],
                'arch_machines': dict(ARCH_MACHINES)}

    @classmethod
    def pool_props(cls, settings):
        """Props the provider adds to every pool."""
        return {'type': cls._options(settings)['pool_type']}

    @classmethod
    def domain_props(cls, settings):
        """Props the provider adds to every domain."""
        opts = cls._options(settings)
        return {'domain_type': opts['domain_type'],
                'trust_guest_rx_filters': opts['trust_guest_rx_filters'],
                # A server's BMC offers a drive for virtual media.
                'cdrom': True}

    @abc.abstractmethod
    def create_pool(self, record):
        """Ensure the storage pool exists and is active.

        :returns: ``{'created': bool}``: whether tenks made it.
        """

    def update_pool(self, old, record):
        """Pools are not changed in place; keep what exists."""
        return old.outputs

    @abc.abstractmethod
    def delete_pool(self, record):
        """Delete the pool if ``record.outputs['created']``, else nothing."""

    @abc.abstractmethod
    def create_volume(self, record):
        """Ensure the volume exists (see the module docstring)."""

    @abc.abstractmethod
    def update_volume(self, old, record):
        """Grow the volume to the new capacity (never shrink)."""

    @abc.abstractmethod
    def delete_volume(self, record):
        """Delete the volume, unless it is an existing one."""

    @abc.abstractmethod
    def create_domain(self, record):
        """Define the domain (not started)."""

    @abc.abstractmethod
    def update_domain(self, old, record):
        """Redefine the domain with the new shape."""

    @abc.abstractmethod
    def delete_domain(self, record):
        """Stop and undefine the domain, removing its NVRAM."""

    @abc.abstractmethod
    def power_state(self, name):
        """``'on'`` or ``'off'``."""

    @abc.abstractmethod
    def power_on(self, name):
        """Start the domain."""

    @abc.abstractmethod
    def power_off(self, name):
        """Stop the domain at once (like pulling the plug)."""

    def power_states(self, records):
        """What the hypervisor says of the power of domains ``records``.

        For ``tenks node list`` and ``node show``: a provider that can
        should answer with one look at the hypervisor (one listing), not
        one request per domain. The default asks :meth:`power_state` of
        each.

        :param records: domain ResourceRecords of this hypervisor.
        :returns: ``{record.name: state}``, state one of :data:`POWER_WORDS`.
        """
        out = {}
        for record in records:
            try:
                out[record.name] = self.power_state(
                    record.props.get('name') or record.name)
            except Exception:  # noqa - one unknown state is no failure
                out[record.name] = UNKNOWN
        return out

    def console_log(self, record, offset=0):
        """Read the serial console log of ``record``'s domain.

        :returns: ``{'data': text, 'offset': where to read next, 'size':
            the log's size}``.
        :raises TenksError: the node keeps no console log.
        """
        raise exception.TenksError('the %s provider keeps no console log '
                                   'of %s' % (type(self).__name__,
                                              record.name))

    def console_argv(self, record):
        """The command attaching a terminal to the node's live console.

        :raises TenksError: there is none.
        """
        raise exception.TenksError('the %s provider has no live console of '
                                   '%s' % (type(self).__name__, record.name))

    def host_facts(self):
        """Capacity of the hypervisor for the scheduler.

        :returns: ``{'memory_mb', 'vcpus', 'disk_bytes', 'arches'}``, any
            of them missing when unknown (``arches``: the guest
            architectures it can run). The default knows nothing.
        """
        return {}
