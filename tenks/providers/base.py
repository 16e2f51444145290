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
    trust_guest_rx_filters}``. Define (never start) the VM; ``update``
    redefines it, taking effect at its next power-on. ``delete`` stops it
    if running and undefines it with its NVRAM.
"""

import abc

from tenks import resource_driver


class Provider(resource_driver.ResourceDriver, metaclass=abc.ABCMeta):
    """Base class of virtualisation providers."""

    kinds = ('pool', 'volume', 'domain')

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

    def host_facts(self):
        """Capacity of the hypervisor for the scheduler.

        :returns: ``{'memory_mb', 'vcpus', 'disk_bytes'}``, any of them
            missing when unknown. The default knows nothing.
        """
        return {}
