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

"""What a Tenks bridge's uplink is, decided by looking at the host.

The spec maps a physical network to a device name (or to nothing). That
device is, in this order of precedence:

``ovs_bridge``
    an existing Open vSwitch bridge (it is in OVS' bridge list);
``linux_bridge``
    an existing Linux bridge (netlink kind ``bridge``);
``interface``
    any other existing link (a NIC, a bond, a VLAN, a dummy...);

and ``None`` when the physnet is mapped to nothing: the bridge is
isolated, as in an all-in-one cluster. Pure logic, usable on both sides of
a host agent.
"""

from tenks import exception

INTERFACE = 'interface'
LINUX_BRIDGE = 'linux_bridge'
OVS_BRIDGE = 'ovs_bridge'

#: Uplink kinds joined by the bridge's pair of uplink links (veth or
#: patch ports) rather than by plugging the device itself.
JOINED = (LINUX_BRIDGE, OVS_BRIDGE)

DEFAULT_MTU = 1500
IFNAMSIZ = 15


def check_name(bridge, uplink):
    """Refuse an uplink name no Linux link can have."""
    if uplink is None:
        return
    if (not isinstance(uplink, str) or not uplink or len(uplink) > IFNAMSIZ
            or '/' in uplink or any(c.isspace() for c in uplink) or
            uplink in ('.', '..')):
        raise exception.PluginError(
            'bridge %s: uplink %r is not a valid interface name' %
            (bridge, uplink))
    if uplink == bridge:
        raise exception.PluginError(
            'bridge %s: a bridge cannot be its own uplink' % bridge)


def classify(bridge, uplink, link, ovs_bridges=(), host='the host'):
    """The kind of ``uplink`` (see the module docstring).

    :param bridge: the Tenks bridge's name (for messages).
    :param uplink: the mapped device name, or None.
    :param link: the uplink's link dict from netlink, or None when no link
        of that name exists.
    :param ovs_bridges: names of the host's Open vSwitch bridges.
    :raises PluginError: when the uplink does not exist.
    """
    check_name(bridge, uplink)
    if uplink is None:
        return None
    if uplink in (ovs_bridges or ()):
        return OVS_BRIDGE
    if link is None:
        raise exception.PluginError(
            'bridge %s: uplink %s does not exist on %s (create it, or map '
            'the physical network to an existing interface or bridge)'
            % (bridge, uplink, host))
    if link.get('kind') == 'bridge':
        return LINUX_BRIDGE
    return INTERFACE


def effective_mtu(mtu, uplink_link):
    """The MTU a Tenks bridge gets.

    ``mtu`` when set, else its uplink's (so that nodes can use what the
    physical network carries), else the Ethernet default.
    """
    if mtu:
        return mtu
    if uplink_link and uplink_link.get('mtu'):
        return uplink_link['mtu']
    return DEFAULT_MTU
