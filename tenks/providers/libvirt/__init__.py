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

"""The libvirt provider: nodes as libvirt domains, volumes in a storage
pool, on any hypervisor libvirt reaches (``qemu:///system``, a remote
``qemu+ssh://`` or ``qemu+tcp://`` URI, or a custom socket).

Modules:

* :mod:`.driver` -- :class:`~.driver.LibvirtProvider`, the plugin.
* :mod:`.connection` -- one shared, reconnecting connection per URI.
* :mod:`.capabilities` -- which domain type (kvm or qemu) a hypervisor
  can run, and which CPU modes it offers.
* :mod:`.domain_xml` -- domain XML from a domain's props.
* :mod:`.metadata` -- the tenks mark in a domain's ``<metadata>``.
* :mod:`.power` -- the power states of many domains in one request.
* :mod:`.firmware` -- BIOS or UEFI, secure boot, and when a firmware
  change needs fresh NVRAM.
* :mod:`.storage` -- pools and volumes.
* :mod:`.images` -- image files: fetch, inspect, stream into a pool.
* :mod:`.hostside` -- the little host-level work done through the host
  agent (the console log directory).
* :mod:`.templating` -- renders the jinja2 templates in ``templates/``.
"""
