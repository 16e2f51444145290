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

"""One view of each node, read from the state: what every exporter needs.

The exporters differ only in layout; everything they say about a node comes
from here, so that the formats agree with each other and with what tenks
created:

* the node's allocation (``state.nodes``): name, UUID, shape, NIC MACs;
* its recorded resources (``state.resources``): the ``bmc`` record for the
  BMC endpoint and credentials, ``vif`` and ``bridge`` records for where
  each NIC is plugged, the ``ironic_node`` record for what Ironic was (or
  is being) told.

A node enrolled in Ironic is described exactly as its ``ironic_node``
record says. For a node that is not enrolled, the Ironic ``driver_info`` is
derived from its BMC by the BMC emulator's own
:meth:`tenks.bmc.base.BMCEmulator.driver_info`, the one place that knows
how an emulator is reached.
"""

import dataclasses
import typing

from tenks import exception
from tenks.planner import desired
from tenks import plugins

#: Keys of an ``ironic_node`` record's props that are Ironic node fields
#: besides the ones every view carries.
NODE_FIELDS = ('conductor_group', 'shard', 'owner', 'lessee', 'description')

#: The mark tenks' own enrolment puts in a node's ``extra`` to recognise
#: its nodes; exported documents leave it out, so that nodes enrolled from
#: them are not mistaken for tenks' own.
OWNER_MARK = 'tenks_cluster'


class ExportError(exception.TenksError):
    """The cluster cannot be written in the requested format."""


@dataclasses.dataclass
class NicView(object):
    """One NIC of a node and where it is plugged.

    ``bridge``, ``bridge_mac``, ``node_link`` and ``bridge_link`` are None
    when the state has no record of the link (e.g. a deploy stopped before
    creating it).
    """
    mac: str
    physnet: str
    bridge: typing.Optional[str] = None
    bridge_mac: typing.Optional[str] = None
    node_link: typing.Optional[str] = None
    bridge_link: typing.Optional[str] = None

    @property
    def local_link_connection(self):
        """Ironic's ``local_link_connection`` of the port.

        The Tenks bridge is the switch and the bridge end of the veth its
        port. None when not all of it is known.
        """
        if not (self.bridge and self.bridge_mac and self.bridge_link):
            return None
        return {'switch_id': self.bridge_mac, 'switch_info': self.bridge,
                'port_id': self.bridge_link}


@dataclasses.dataclass
class NodeView(object):
    """Everything the exporters say about one node."""
    name: str
    uuid: str
    type: str
    hypervisor: str
    memory_mb: int
    vcpus: int
    arch: str
    boot_mode: str
    secure_boot: bool
    driver: str
    driver_info: dict
    properties: dict
    enrolled: bool
    nics: typing.List[NicView]
    volumes: list
    bmc: typing.Optional[dict] = None
    resource_class: typing.Optional[str] = None
    traits: list = dataclasses.field(default_factory=list)
    interfaces: dict = dataclasses.field(default_factory=dict)
    extra: dict = dataclasses.field(default_factory=dict)
    fields: dict = dataclasses.field(default_factory=dict)
    ports: list = dataclasses.field(default_factory=list)
    resources: list = dataclasses.field(default_factory=list)

    @property
    def ipmi_port(self):
        """The IPMI (UDP) port of the node's BMC, or None."""
        if self.bmc and self.bmc.get('emulator') == 'virtualbmc':
            return self.bmc.get('port')
        return None

    def to_dict(self):
        out = dataclasses.asdict(self)
        for nic, view in zip(out['nics'], self.nics):
            nic['local_link_connection'] = view.local_link_connection
        return out


def _by_kind(state):
    out = {}
    for record in state.resources.values():
        out.setdefault(record.kind, {})[record.name] = record
    return out


class _Emulators(object):
    """BMC emulator classes by entry point name, loaded once."""

    def __init__(self):
        self._classes = {}

    def get(self, name):
        if name not in self._classes:
            self._classes[name] = plugins.load_class('tenks.bmc', name)
        return self._classes[name]


def _deploy_images(conf):
    info = {}
    group = getattr(conf, 'ironic', None) if conf is not None else None
    for key in ('deploy_kernel', 'deploy_ramdisk'):
        value = getattr(group, key, None) if group is not None else None
        if value:
            info[key] = value
    return info


def _nics(node, records):
    """NIC views of ``node``, joined with its vif and bridge records."""
    hv = node.get('hypervisor')
    vifs = {}
    for record in (records.get('vif') or {}).values():
        if (record.props.get('node') == node['name'] and
                record.hypervisor == hv):
            vifs[record.props.get('physnet')] = record
    bridges = records.get('bridge') or {}
    out = []
    for nic in node.get('nics') or ():
        view = NicView(mac=nic.get('mac'), physnet=nic.get('physnet'))
        vif = vifs.get(nic.get('physnet'))
        if vif is not None:
            view.bridge = vif.props.get('bridge')
            view.node_link = vif.props.get('node_end')
            view.bridge_link = vif.props.get('bridge_end')
            bridge = bridges.get('%s/%s' % (hv, view.bridge))
            if bridge is not None:
                view.bridge_mac = bridge.props.get('mac')
        out.append(view)
    return out


def _bmc(record, emulators):
    if record is None:
        return None
    cls = emulators.get(record.driver)
    bmc = {'emulator': record.driver}
    for key in ('address', 'port', 'username', 'password', 'system_id'):
        if key in record.props:
            bmc[key] = record.props[key]
    bmc['endpoint'] = cls.endpoint(record.props)
    return bmc


def node_view(state, node, conf=None, records=None, emulators=None):
    """The :class:`NodeView` of ``node`` (a dict of ``state.nodes``)."""
    records = records if records is not None else _by_kind(state)
    emulators = emulators or _Emulators()
    name = node['name']
    bmc_record = (records.get('bmc') or {}).get(name)
    ironic = (records.get('ironic_node') or {}).get(name)
    nics = _nics(node, records)
    view = NodeView(
        name=name, uuid=node.get('uuid'), type=node.get('type'),
        hypervisor=node.get('hypervisor'), memory_mb=node.get('memory_mb'),
        vcpus=node.get('vcpus'), arch=node.get('arch'),
        boot_mode=node.get('boot_mode'),
        secure_boot=bool(node.get('secure_boot')),
        driver=node.get('ironic_driver'), driver_info={}, properties={},
        enrolled=ironic is not None, nics=nics,
        volumes=[dict(v) for v in node.get('volumes') or ()],
        bmc=_bmc(bmc_record, emulators))
    if ironic is not None:
        props = ironic.props
        view.driver = props.get('driver') or view.driver
        view.driver_info = dict(props.get('driver_info') or {})
        view.properties = dict(props.get('properties') or {})
        view.resource_class = props.get('resource_class')
        view.traits = list(props.get('traits') or ())
        view.interfaces = dict(props.get('interfaces') or {})
        view.extra = {k: v for k, v in (props.get('extra') or {}).items()
                      if k != OWNER_MARK}
        view.fields = {k: props[k] for k in NODE_FIELDS
                       if props.get(k) is not None}
        view.ports = [dict(p) for p in props.get('ports') or ()]
    else:
        if bmc_record is not None:
            cls = emulators.get(bmc_record.driver)
            view.driver_info = dict(cls.driver_info(bmc_record.props))
        view.driver_info.update(_deploy_images(conf))
        view.properties = desired.node_properties(node)
        for nic in nics:
            port = {'address': nic.mac, 'physical_network': nic.physnet}
            if nic.local_link_connection:
                port['local_link_connection'] = nic.local_link_connection
            view.ports.append(port)
    for kind in ('domain', 'bmc', 'ironic_node'):
        record = (records.get(kind) or {}).get(name)
        if record is not None:
            view.resources.append({'kind': kind, 'name': record.name,
                                   'status': record.status})
    return view


def node_views(state, conf=None):
    """Views of every node of ``state``, in the state's (name) order."""
    records = _by_kind(state)
    emulators = _Emulators()
    return [node_view(state, node, conf, records, emulators)
            for node in state.nodes.values()]


def dump_json(document):
    """``document`` as stable, readable JSON text (also valid YAML)."""
    import json
    return json.dumps(document, indent=2, sort_keys=True) + '\n'
