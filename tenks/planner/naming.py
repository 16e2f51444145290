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

"""Names of the things tenks creates, compatible with Tenks.

Linux limits interface names to 15 characters; every generated link name is
checked against that limit.
"""

import hashlib
import uuid

IFNAMSIZ = 15
NODE_END_SUFFIX = '-tap'
UPLINK_SUFFIX = '-phy'
MAX_SHORT = 6

_NAMESPACE = uuid.UUID('5ae3b6a5-5a7f-4c3d-9a47-2f5f7ad3c0de')


class NamingError(ValueError):
    """A generated name breaks a limit."""


def bridge_name(prefix, index):
    name = '%s%d' % (prefix, index)
    _check_ifname(name, 'bridge')
    return name


def short_node_name(name):
    """The node part of link names, at most 6 characters.

    The trailing digits are kept (Tenks' rule): ``compute12`` ->
    ``comp12``.
    """
    if len(name) <= MAX_SHORT:
        return name
    stem = name.rstrip('0123456789')
    digits = name[len(stem):]
    if len(digits) >= MAX_SHORT:
        raise NamingError('node name %s has too many trailing digits: '
                          'link names keep them in a %d-character node '
                          'part (Linux allows %d characters per link)'
                          % (name, MAX_SHORT, IFNAMSIZ))
    return stem[:MAX_SHORT - len(digits)] + digits


def link_names(veth_prefix, node_name, physnet_index, bridge_end_suffix,
               slot=0):
    """``(node end, bridge end)`` of a node NIC's veth pair.

    :param bridge_end_suffix: the network plugin's (e.g. ``-br``).
    :param slot: which of the node's NICs on the physical network: the
        first keeps Tenks' name (``p-comp12-0-tap``), the next ones add a
        letter (``p-comp12-0b-tap``).
    """
    base = '%s%s-%d%s' % (veth_prefix, short_node_name(node_name),
                          physnet_index, _slot_letter(slot))
    node_end = base + NODE_END_SUFFIX
    bridge_end = base + bridge_end_suffix
    _check_ifname(node_end, 'link of node %s' % node_name)
    _check_ifname(bridge_end, 'link of node %s' % node_name)
    return node_end, bridge_end


def _slot_letter(slot):
    if not slot:
        return ''
    if not 0 < slot < 26:
        raise NamingError('NIC %d on one physical network: link names '
                          'letter them b to z' % (slot + 1))
    return chr(ord('a') + slot)


def uplink_names(veth_prefix, bridge, bridge_end_suffix):
    """``(source side, bridge side)`` of a bridge's uplink veth/patch."""
    base = veth_prefix + bridge
    source = base + UPLINK_SUFFIX
    side = base + bridge_end_suffix
    _check_ifname(source, 'uplink of bridge %s' % bridge)
    _check_ifname(side, 'uplink of bridge %s' % bridge)
    return source, side


def _check_ifname(name, what):
    if len(name) > IFNAMSIZ:
        raise NamingError('%s name %s is %d characters; Linux allows %d'
                          % (what, name, len(name), IFNAMSIZ))


def volume_name(node_name, vol_prefix, index):
    return '%s%s%d' % (node_name, vol_prefix, index)


def node_uuid(seed, name):
    """A node's UUID, fixed by the cluster seed and its name."""
    return str(uuid.uuid5(_NAMESPACE, '%s/%s' % (seed, name)))


def mac_address(seed, *parts, attempt=0, oui='52:54:00'):
    """A stable MAC address from the seed and ``parts``.

    The default OUI is QEMU's locally administered 52:54:00.
    """
    text = '/'.join([seed] + [str(p) for p in parts] + [str(attempt)])
    digest = hashlib.sha256(text.encode()).digest()
    return '%s:%02x:%02x:%02x' % (oui, digest[0], digest[1], digest[2])


def disk_serial(node_uuid, index):
    """A stable serial number for a node's volume ``index``.

    20 characters at most, as virtio-blk and ATA allow.
    """
    digest = hashlib.sha256(('disk/%s/%d' % (node_uuid, index)).encode())
    return 'TK%s' % digest.hexdigest()[:14].upper()


def disk_wwn(node_uuid, index):
    """A stable WWN for a node's SCSI volume ``index``: 16 hex digits.

    NAA 3 (locally assigned), so it cannot be any vendor's.
    """
    digest = hashlib.sha256(('wwn/%s/%d' % (node_uuid, index)).encode())
    return '3' + digest.hexdigest()[:15]


def bridge_mac(seed, hypervisor, physnet):
    """A stable MAC for a Tenks bridge (Ironic's LLC switch_id)."""
    return mac_address(seed, 'bridge', hypervisor, physnet, oui='02:54:00')


def lowest_free_index(prefix, taken_names, start=0):
    """Lowest ``i`` such that ``<prefix><i>`` is not in ``taken_names``."""
    i = start
    while '%s%d' % (prefix, i) in taken_names:
        i += 1
    return i
