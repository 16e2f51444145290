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

"""The typed, validated cluster spec.

Everything here is immutable and fully resolved: defaults from the settings
and the spec's own top-level overrides are already applied, so the planner
never needs to look anywhere else.
"""

import dataclasses
import functools
import typing


def freeze(value):
    """Deep-freeze JSON-like data so it can sit in a frozen dataclass."""
    if isinstance(value, dict):
        return FrozenDict((k, freeze(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value):
    """Inverse of :func:`freeze`: plain dicts and lists again."""
    if isinstance(value, dict):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


class FrozenDict(dict):
    """A hashable, read-only dict."""

    def _readonly(self, *args, **kwargs):
        raise TypeError('FrozenDict is read-only')

    __setitem__ = __delitem__ = _readonly
    clear = pop = popitem = setdefault = update = _readonly

    def __hash__(self):
        return hash(tuple(sorted(self.items(), key=lambda kv: str(kv[0]))))


@dataclasses.dataclass(frozen=True)
class Volume(object):
    """A node volume: blank (capacity), from an image, or existing."""
    capacity: typing.Optional[int] = None      # bytes
    format: str = 'qcow2'
    image: typing.Optional[str] = None          # absolute path or URL
    existing: typing.Optional[str] = None       # name template ({node})
    pool: typing.Optional[str] = None           # pool of an existing volume
    bus: typing.Optional[str] = None            # None: the node type's
    serial: typing.Optional[str] = None         # None: generated
    wwn: typing.Optional[str] = None            # 16 hex digits (SCSI)
    root_device: bool = False                   # Ironic's root device

    @property
    def kind(self):
        if self.existing:
            return 'existing'
        if self.image:
            return 'image'
        return 'blank'


@dataclasses.dataclass(frozen=True)
class NicVlans(object):
    """The VLANs of a node NIC's switch port.

    ``vlan``: an access port of that VLAN (untagged at the NIC). ``trunk``:
    the VLANs it carries tagged (untagged frames are dropped).
    """
    vlan: typing.Optional[int] = None
    trunk: typing.Tuple[int, ...] = ()

    def props(self):
        """The keys a NIC's records carry: only those that are set."""
        if self.vlan is not None:
            return {'vlan': self.vlan}
        return {'trunk': list(self.trunk)} if self.trunk else {}


@dataclasses.dataclass(frozen=True)
class Bond(object):
    """The NICs of a node on one physical network, grouped.

    Ironic gets a portgroup of them, with this bonding ``mode`` and
    ``properties`` (the Linux bonding driver's options, e.g. ``miimon``).
    """
    mode: str
    properties: typing.Tuple[typing.Tuple[str, typing.Any], ...] = ()


@dataclasses.dataclass(frozen=True)
class NodeType(object):
    name: str
    memory_mb: int
    vcpus: int
    volumes: typing.Tuple[Volume, ...] = ()
    physical_networks: typing.Tuple[str, ...] = ()
    #: ``((physnet, NicVlans), ...)`` of the NICs put on VLANs.
    nic_vlans: typing.Tuple[typing.Tuple[str, NicVlans], ...] = ()
    #: ``((physnet, count), ...)`` where a node has more than one NIC.
    nic_counts: typing.Tuple[typing.Tuple[str, int], ...] = ()
    #: ``((physnet, Bond), ...)`` of the NICs grouped as bonds.
    bonds: typing.Tuple[typing.Tuple[str, Bond], ...] = ()
    ironic_driver: str = 'ipmi'
    bmc_emulator: str = 'virtualbmc'
    console_log_enabled: bool = False
    cpu_mode: str = 'maximum'
    cpu_model: typing.Optional[str] = None
    arch: str = 'x86_64'
    machine: str = 'q35'
    boot_mode: typing.Optional[str] = None      # None: from spec/default
    secure_boot: typing.Optional[bool] = None
    disk_bus: str = 'virtio'
    nic_model: str = 'virtio'
    #: ``(model, version)`` of its TPM (``('crb', '2.0')``), or None.
    tpm: typing.Optional[typing.Tuple[str, str]] = None
    bmc_username: typing.Optional[str] = None
    bmc_password: typing.Optional[str] = None

    def vlans(self, physnet):
        """The VLAN keys of its NIC on ``physnet`` (``{}``: none)."""
        return dict(self.nic_vlans).get(physnet, NicVlans()).props()

    def nic_count(self, physnet):
        """How many NICs it has on ``physnet``."""
        return dict(self.nic_counts).get(physnet, 1)

    @property
    def disk_bytes(self):
        """Size of the first volume (the root disk), or 0."""
        for volume in self.volumes:
            return volume.capacity or 0
        return 0


@dataclasses.dataclass(frozen=True)
class IronicConfig(object):
    resource_class: str
    traits: typing.Tuple[str, ...] = ()
    properties: FrozenDict = dataclasses.field(default_factory=FrozenDict)
    interfaces: FrozenDict = dataclasses.field(default_factory=FrozenDict)
    conductor_group: typing.Optional[str] = None
    shard: typing.Optional[str] = None
    owner: typing.Optional[str] = None
    lessee: typing.Optional[str] = None
    description: typing.Optional[str] = None
    extra: FrozenDict = dataclasses.field(default_factory=FrozenDict)

    def to_dict(self):
        out = {'resource_class': self.resource_class,
               'traits': list(self.traits),
               'properties': thaw(self.properties)}
        out.update(thaw(self.interfaces))
        for key in ('conductor_group', 'shard', 'owner', 'lessee',
                    'description'):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.extra:
            out['extra'] = thaw(self.extra)
        return out

    @property
    def capabilities(self):
        """The ``capabilities`` property as a dict (it may be a string)."""
        return parse_capabilities(self.properties.get('capabilities'))


def parse_capabilities(value):
    """Ironic capabilities: ``'a:1,b:2'`` or a mapping -> dict."""
    if not value:
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    caps = {}
    for item in str(value).split(','):
        if not item.strip():
            continue
        key, sep, val = item.partition(':')
        caps[key.strip()] = val.strip() if sep else ''
    return caps


@dataclasses.dataclass(frozen=True)
class SpecEntry(object):
    index: int
    type: str
    count: int
    node_name_prefix: str
    vol_name_prefix: str
    ironic_config: typing.Optional[IronicConfig] = None


@dataclasses.dataclass(frozen=True)
class Flavor(object):
    name: str
    resource_class: str
    node_type: str
    required_traits: typing.Tuple[str, ...] = ()
    forbidden_traits: typing.Tuple[str, ...] = ()
    custom_specs: FrozenDict = dataclasses.field(default_factory=FrozenDict)
    is_public: bool = True


@dataclasses.dataclass(frozen=True)
class Hypervisor(object):
    name: str
    libvirt_uri: str
    host: typing.Optional[str] = None   # SSH destination; None is local
    provider: str = 'libvirt'          # entry point in tenks.providers
    physnet_mappings: FrozenDict = dataclasses.field(
        default_factory=FrozenDict)    # physnet -> device or None
    bridge_prefix: str = 'brtenks'
    pool_name: str = 'tenks'
    pool_path: str = '/var/lib/libvirt/tenks_pool'
    memory_mb: typing.Optional[int] = None   # capacity; None is unknown
    vcpus: typing.Optional[int] = None
    disk_bytes: typing.Optional[int] = None
    ram_allocation_ratio: float = 1.0
    cpu_allocation_ratio: float = 16.0
    disk_allocation_ratio: float = 1.0
    #: BMC emulator -> its options on this hypervisor (its *site*, see
    #: :meth:`tenks.bmc.base.BMCEmulator.site`).
    bmc_sites: FrozenDict = dataclasses.field(default_factory=FrozenDict)
    #: How SSH reaches its host: the spec's ``ssh`` keys, paths absolute
    #: (see :mod:`tenks.hosts.sshconfig`); empty for defaults.
    ssh: FrozenDict = dataclasses.field(default_factory=FrozenDict)

    @property
    def reach(self):
        """How to reach it, as allocations and the state record it.

        ``{'libvirt_uri', 'host', 'pool_name'}``, and ``'ssh'`` when the
        spec says how SSH reaches its host.
        """
        out = {'libvirt_uri': self.libvirt_uri, 'host': self.host,
               'pool_name': self.pool_name}
        if self.ssh:
            out['ssh'] = thaw(self.ssh)
        return out


@dataclasses.dataclass(frozen=True)
class ClusterSpec(object):
    source: str
    settings: typing.Any                       # tenks.settings.Settings
    node_types: FrozenDict                     # name -> NodeType
    specs: typing.Tuple[SpecEntry, ...]
    flavors: typing.Tuple[Flavor, ...]
    hypervisors: typing.Tuple[Hypervisor, ...]
    warnings: typing.Tuple[str, ...] = ()

    @functools.cached_property
    def _hypervisors_by_name(self):
        return {hv.name: hv for hv in self.hypervisors}

    def hypervisor(self, name):
        return self._hypervisors_by_name.get(name)

    @property
    def node_count(self):
        return sum(entry.count for entry in self.specs)
