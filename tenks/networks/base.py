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

"""The network plugin contract: Tenks bridges and node links.

A network plugin instance serves one hypervisor and does its host-level
work through the hypervisor's host agent. Resource props:

``bridge``
    ``{name, physnet, uplink, mac, mtu, cluster, datapath_type}``: a
    bridge (``brtenks<idx>``) whose uplink is ``uplink``: an interface
    (plugged into the bridge), an existing Linux bridge (joined by a veth
    pair), an existing OVS bridge (patch ports), or ``None`` (isolated).
    ``mac`` is the bridge's fixed MAC (Ironic's switch_id).
``vif``
    ``{name, node, physnet, bridge, node_end, bridge_end, mtu, cluster}``
    and, for a NIC put on VLANs, ``vlan`` (an access port) or ``trunk``
    (a sorted list of tagged VLANs): a veth pair; ``bridge_end`` is a port
    of ``bridge`` and ``node_end`` is given to the VM (macvtap
    passthrough), so the switch port exists while the node is off.

Links tenks creates carry its mark (the interface alias, or OVS
external_ids), so that a link of the same name that tenks did not create
is a conflict, not something to take over.
"""

import abc

from tenks import resource_driver

#: The vif props that put its switch port on VLANs (see above).
VLAN_KEYS = ('vlan', 'trunk')


def vlans(props):
    """``{vlan: N}`` or ``{trunk: [..]}`` of vif props (``{}``: neither)."""
    return {k: props[k] for k in VLAN_KEYS if props.get(k)}


class Network(resource_driver.ResourceDriver, metaclass=abc.ABCMeta):
    """Base class of network plugins.

    What a plugin declares for the planner (pure class methods):
    :attr:`bridge_end_suffix` names the bridge end of a node's veth pair,
    :meth:`bridge_props` adds its own props to a bridge, and
    :attr:`host_services` says what ``tenks host setup`` must install.
    Every plugin reads the ``[network]`` option group.
    """

    kinds = ('bridge', 'vif')

    options_group = 'network'
    #: Suffix of the bridge end of a node NIC's veth pair (Tenks' names).
    bridge_end_suffix = '-br'
    #: Services the hosts need (see :mod:`tenks.hostsetup`).
    host_services = ()

    @classmethod
    def hypervisor_defaults(cls, settings):
        """Defaults of a hypervisor's fields: its bridge prefix."""
        return {'bridge_prefix':
                settings.option(cls.options_group, 'bridge_prefix')}

    @classmethod
    def bridge_props(cls, settings):
        """Props the plugin adds to every bridge."""
        return {}

    @abc.abstractmethod
    def create_bridge(self, record):
        """Ensure the bridge and its uplink exist and are up."""

    @abc.abstractmethod
    def update_bridge(self, old, record):
        """Change uplink, MAC or MTU of the bridge in place."""

    @abc.abstractmethod
    def delete_bridge(self, record):
        """Remove the bridge and the uplink links tenks made for it."""

    @abc.abstractmethod
    def create_vif(self, record):
        """Ensure the veth pair exists, up, with its bridge end plugged."""

    @abc.abstractmethod
    def update_vif(self, old, record):
        """Change the MTU (other changes replace the pair)."""

    @abc.abstractmethod
    def delete_vif(self, record):
        """Remove the veth pair."""
