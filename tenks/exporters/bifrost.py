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

"""Bifrost's inventory: the JSON document its dynamic inventory reads.

Bifrost's ``inventory/bifrost_inventory.py`` reads the file named by
``BIFROST_INVENTORY_SOURCE``: a mapping of node name to host. Its
enrolment role passes ``driver``, ``driver_info``, ``uuid``, ``name``,
``nics`` and ``properties`` on to the ``openstack.cloud.baremetal_node``
Ansible module, which accepts only ``cpu_arch``, ``cpus``, ``ram``,
``disk_size``, ``capabilities`` and ``root_device`` as properties (other
node properties are left out here) and creates one port per NIC from
``mac`` and the NIC's other keys. Values of properties are strings, as in
Bifrost's own examples, so Ansible does not warn about converting them.
"""

import re

from tenks.exporters import base

#: Ironic property name -> Bifrost property name.
PROPERTIES = (('cpu_arch', 'cpu_arch'), ('cpus', 'cpus'),
              ('memory_mb', 'ram'), ('local_gb', 'disk_size'),
              ('capabilities', 'capabilities'))

#: The group Bifrost puts every node in by default (DEFAULT_HOST_GROUPS).
DEFAULT_GROUP = 'baremetal'


def host_group(node_type):
    """The Ansible group of a node type: ``tenks_<type>``.

    Characters Ansible does not allow in group names become ``_``.
    """
    return 'tenks_' + re.sub(r'[^A-Za-z0-9_]', '_', node_type or 'node')


def nic(view):
    out = {'mac': view.mac, 'physical_network': view.physnet}
    if view.local_link_connection:
        out['local_link_connection'] = view.local_link_connection
    return out


def host(view):
    """The inventory entry of one :class:`NodeView`."""
    properties = {}
    for ironic_key, bifrost_key in PROPERTIES:
        value = view.properties.get(ironic_key)
        if value is not None and value != '':
            properties[bifrost_key] = str(value)
    if view.properties.get('root_device'):
        properties['root_device'] = view.properties['root_device']
    return {
        'name': view.name,
        'uuid': view.uuid,
        'driver': view.driver,
        'driver_info': view.driver_info,
        'nics': [nic(n) for n in view.nics],
        'properties': properties,
        'host_groups': sorted({DEFAULT_GROUP, host_group(view.type)}),
    }


class BifrostExporter(base.Exporter):
    """Nodes as Bifrost's JSON inventory (``BIFROST_INVENTORY_SOURCE``)."""

    description = ("Bifrost's inventory: a JSON mapping of node name to "
                   "driver, driver_info, nics and properties")

    def export(self, cluster):
        document = {}
        for view in cluster.nodes:
            document[view.name] = host(view)
        return base.dump_json(document)
