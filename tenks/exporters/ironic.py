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

"""The nodes file of ``openstack baremetal create`` (python-ironicclient).

``baremetal create FILE`` reads ``{"nodes": [...]}`` (JSON, or YAML with a
``.yaml`` name): each node is POSTed with its Ironic node fields, then its
``ports`` (address, physical_network, local_link_connection) are created,
then its ``portgroups`` (a bond's name, address, mode and properties),
each with the ``ports`` in it, and its ``traits`` set. Only fields the
client accepts when creating a node, port or portgroup are written.
"""

from tenks.exporters import base


def _ports(view):
    """``(ports in no group, portgroups with their ports)``."""
    groups = {g['name']: dict(g, ports=[]) for g in view.portgroups}
    alone = []
    for port in view.ports:
        port = dict(port)
        group = groups.get(port.pop('portgroup', None))
        (group['ports'] if group else alone).append(port)
    return alone, list(groups.values())


def node(view):
    """The ``baremetal create`` entry of one :class:`NodeView`."""
    ports, portgroups = _ports(view)
    out = {
        'name': view.name,
        'uuid': view.uuid,
        'driver': view.driver,
        'driver_info': view.driver_info,
        'properties': view.properties,
        'ports': ports,
    }
    if portgroups:
        out['portgroups'] = portgroups
    if view.resource_class:
        out['resource_class'] = view.resource_class
    if view.traits:
        out['traits'] = list(view.traits)
    if view.extra:
        out['extra'] = view.extra
    out.update(view.interfaces)
    out.update(view.fields)
    return out


class IronicExporter(base.Exporter):
    """Nodes as the input file of ``openstack baremetal create``."""

    description = ('the nodes file of "openstack baremetal create": '
                   'nodes with driver_info, properties and ports')

    def export(self, cluster):
        return base.dump_json(
            {'nodes': [node(v)
                       for v in cluster.nodes]})
