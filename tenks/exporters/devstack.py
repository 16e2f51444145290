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

"""DevStack's ``ironic_macs.csv``: one line per node, as Ironic's DevStack
plugin writes for the VMs it creates and reads when it enrols them.

A line is four space-separated fields::

    <mac>,<port>;<mac>,<port>... <ipmi port> <switch MAC> <switch name>

The first lists the node's NICs, each with the port it is plugged into (the
bridge end of its veth, used as the port's ``local_link_connection``
port_id); the second is the IPMI port of its BMC (``0`` when the BMC is not
IPMI); the last two are the MAC and name of the bridge of the node's first
NIC (switch_id and switch_info). Ironic names the nodes ``<prefix>-<line
number>``, so the lines follow tenks' node order.
"""

from tenks.exporters import base


def line(view):
    """The ``ironic_macs.csv`` line of one :class:`NodeView`.

    :raises ExportError: when the node has no NIC or its first NIC's
        bridge is unknown: the line could not be parsed back.
    """
    if not view.nics:
        raise base.ExportError(
            'node %s has no NIC: a DevStack ironic_macs.csv line needs at '
            'least one (give its node type physical_networks)' % view.name)
    missing = [n.physnet for n in view.nics
               if not (n.bridge_link and n.bridge and n.bridge_mac)]
    if missing:
        raise base.ExportError(
            'node %s: no record of the link of its NIC on %s (deploy the '
            'cluster first)' % (view.name, ', '.join(missing)))
    nics = ';'.join('%s,%s' % (n.mac, n.bridge_link) for n in view.nics)
    first = view.nics[0]
    return '%s %s %s %s' % (nics, view.own_bmc_port or 0, first.bridge_mac,
                            first.bridge)


class DevstackExporter(base.Exporter):
    """Nodes as DevStack's ``ironic_macs.csv``."""

    description = ("DevStack's ironic_macs.csv: NICs, IPMI port and "
                   "switch of each node, one line per node")

    def export(self, cluster):
        return ''.join(line(v) + '\n'
                       for v in cluster.nodes)
