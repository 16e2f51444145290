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

"""One view of each node, read from the state.

``tenks node list``, ``tenks node show`` and every exporter describe nodes
from here, so that they agree with each other and with what tenks
created:

* the node's allocation (``state.nodes``): name, UUID, shape, NIC MACs;
* its recorded resources (``state.resources``): the ``bmc`` record for the
  BMC endpoint and credentials, ``vif`` and ``bridge`` records for where
  each NIC is plugged, the ``ironic_node`` record for what Ironic was (or
  is being) told;
* the actions on its resources that a run which did not complete left
  undone (``state.last_run``): until a run completes, such a node is
  ``incomplete``.

A node enrolled in Ironic is described exactly as its ``ironic_node``
record says. For a node that is not enrolled, the Ironic ``driver_info`` is
derived from its BMC by the BMC emulator's own
:meth:`tenks.bmc.base.BMCEmulator.driver_info`, the one place that knows
how an emulator is reached.
"""

import dataclasses
import typing

from tenks.enrolment import fields
from tenks.planner import kinds
from tenks.state import model as state_model


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
    #: The VLAN of its switch port (an access port), or None.
    vlan: typing.Optional[int] = None
    #: The VLANs its switch port carries tagged (a trunk), or None.
    trunk: typing.Optional[typing.List[int]] = None
    #: Which of the node's NICs on the physical network (from 0).
    slot: int = 0
    #: The Ironic portgroup (bond) it is in, or None.
    portgroup: typing.Optional[str] = None

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
    """Everything tenks says about one node."""
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
    #: The BMC port that is the node's own (an IPMI port), not shared.
    own_bmc_port: typing.Optional[int] = None
    resource_class: typing.Optional[str] = None
    traits: list = dataclasses.field(default_factory=list)
    interfaces: dict = dataclasses.field(default_factory=dict)
    extra: dict = dataclasses.field(default_factory=dict)
    fields: dict = dataclasses.field(default_factory=dict)
    ports: list = dataclasses.field(default_factory=list)
    #: Ironic portgroups of its bonds (name, address, mode, properties).
    portgroups: list = dataclasses.field(default_factory=list)
    resources: list = dataclasses.field(default_factory=list)
    cpu_mode: typing.Optional[str] = None
    cpu_model: typing.Optional[str] = None
    machine: typing.Optional[str] = None
    ironic_config: typing.Optional[dict] = None
    #: The BMC the allocation gives the node (emulator, address, port,
    #: credentials), recorded or not.
    planned_bmc: dict = dataclasses.field(default_factory=dict)
    #: 'ready' (every resource present and no action on them pending),
    #: 'incomplete' or 'planned' (none recorded yet).
    status: str = 'planned'
    #: ``kind:status`` of every resource of the node, then ``kind:op
    #: pending`` for each action a run that did not complete left undone.
    records: list = dataclasses.field(default_factory=list)
    #: The actions on its resources that a run which did not complete
    #: left undone (``'create bmc tk0 on hv1'``).
    pending: list = dataclasses.field(default_factory=list)
    #: Its serial console log on the hypervisor's host, or None.
    console_log: typing.Optional[str] = None

    def to_dict(self):
        out = dataclasses.asdict(self)
        for nic, view in zip(out['nics'], self.nics):
            nic['local_link_connection'] = view.local_link_connection
        return out


def has_bmc(node):
    """Whether allocation gave ``node`` (a state node dict) a BMC.

    Emulators without BMCs (``bmc_fields`` empty) leave it no address.
    """
    return bool((node.get('bmc') or {}).get('address'))


def _by_kind(state):
    out = {}
    for record in state.resources.values():
        out.setdefault(record.kind, {})[record.name] = record
    return out


def _by_node(state):
    """``{node name: [its records]}``: named after it, or naming it."""
    out = {}
    for record in state.resources.values():
        node = record.node(state.nodes)
        if node is not None:
            out.setdefault(node, []).append(record)
    return out


def _status(records, pending):
    if not records:
        return 'incomplete' if pending else 'planned'
    if not pending and all(r.status == state_model.PRESENT
                           for r in records):
        return 'ready'
    return 'incomplete'


def _pending(state):
    """``{node name: [pending items]}`` of a run that did not complete."""
    out = {}
    for item in state.last_run.pending if state.last_run else ():
        if item.get('node'):
            out.setdefault(item['node'], []).append(item)
    return out


def _nics(node, records):
    """NIC views of ``node``, joined with its vif and bridge records."""
    hv = node.get('hypervisor')
    vifs = {}
    for record in (records.get('vif') or {}).values():
        if (record.props.get('node') == node['name'] and
                record.hypervisor == hv):
            vifs[record.props.get('physnet'),
                 record.props.get('slot', 0)] = record
    bridges = records.get('bridge') or {}
    bonded = fields.nic_portgroups(node)
    out = []
    for nic in node.get('nics') or ():
        view = NicView(mac=nic.get('mac'), physnet=nic.get('physnet'),
                       vlan=nic.get('vlan'), trunk=nic.get('trunk'),
                       slot=nic.get('slot', 0),
                       portgroup=bonded.get(nic.get('physnet')))
        vif = vifs.get((view.physnet, view.slot))
        if vif is not None:
            view.bridge = vif.props.get('bridge')
            view.node_link = vif.props.get('node_end')
            view.bridge_link = vif.props.get('bridge_end')
            bridge = bridges.get('%s/%s' % (hv, view.bridge))
            if bridge is not None:
                view.bridge_mac = bridge.props.get('mac')
        out.append(view)
    return out


def _bmc(record, catalog):
    if record is None:
        return None
    cls = catalog.cls('tenks.bmc', record.driver)
    bmc = {'emulator': record.driver}
    for key in ('address', 'port', 'username', 'password', 'system_id'):
        if key in record.props:
            bmc[key] = record.props[key]
    bmc['endpoint'] = cls.endpoint(record.props)
    return bmc


def _enrolled(view, props):
    """Fill ``view`` from the props of its ``ironic_node`` record."""
    view.driver = props.get('driver') or view.driver
    view.driver_info = dict(props.get('driver_info') or {})
    view.properties = dict(props.get('properties') or {})
    view.resource_class = props.get('resource_class')
    view.traits = list(props.get('traits') or ())
    view.interfaces = dict(props.get('interfaces') or {})
    view.extra = {k: v for k, v in (props.get('extra') or {}).items()
                  if k != fields.MARK}
    view.fields = {k: props[k] for k in fields.OPTIONAL_FIELDS
                   if props.get(k) is not None}
    view.ports = [dict(p) for p in props.get('ports') or ()]
    view.portgroups = [dict(g) for g in props.get('portgroups') or ()]


def node_view(state, node, settings, catalog, records=None, owned=None,
              pending=None):
    """The :class:`NodeView` of ``node`` (a dict of ``state.nodes``).

    :param settings: the run's :class:`tenks.settings.Settings`.
    :param catalog: the :class:`tenks.plugins.Catalog` of plugin classes.
    """
    records = records if records is not None else _by_kind(state)
    owned = owned if owned is not None else _by_node(state)
    pending = pending if pending is not None else _pending(state)
    name = node['name']
    undone = pending.get(name, ())
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
        bmc=_bmc(bmc_record, catalog), cpu_mode=node.get('cpu_mode'),
        cpu_model=node.get('cpu_model'), machine=node.get('machine'),
        ironic_config=node.get('ironic_config'),
        planned_bmc=dict(node.get('bmc') or {}),
        status=_status(owned.get(name), undone),
        records=['%s:%s' % (r.kind, r.status)
                 for r in owned.get(name, ())] +
        ['%s:%s pending' % (p['key'].partition(':')[0], p['op'])
         for p in undone],
        pending=[state_model.describe(p) for p in undone])
    domain = (records.get('domain') or {}).get(name)
    if domain is not None:
        view.console_log = domain.props.get('console_log')
    if bmc_record is not None:
        cls = catalog.cls('tenks.bmc', bmc_record.driver)
        if cls.port_label:
            view.own_bmc_port = bmc_record.props.get('port')
    if ironic is not None:
        _enrolled(view, ironic.props)
    else:
        ironic_cls = catalog.cls('tenks.enrolment',
                                 kinds.driver('ironic_node'))
        if bmc_record is not None:
            view.driver_info = dict(cls.driver_info(bmc_record.props))
        view.driver_info.update(ironic_cls.deploy_images(settings))
        view.properties = fields.node_properties(node)
        view.ports = [fields.port(nic.mac, nic.physnet,
                                  nic.local_link_connection,
                                  portgroup=nic.portgroup)
                      for nic in nics]
        view.portgroups = fields.portgroups(node)
    for kind in ('domain', 'bmc', 'ironic_node'):
        record = (records.get(kind) or {}).get(name)
        if record is not None:
            view.resources.append({'kind': kind, 'name': record.name,
                                   'status': record.status})
    return view


@dataclasses.dataclass
class ClusterView(object):
    """The cluster: its name, hypervisors and node views."""
    name: str
    hypervisors: dict
    nodes: typing.List[NodeView]


def cluster_view(state, settings, catalog):
    """Views of every node of ``state``, in the state's (name) order."""
    records = _by_kind(state)
    owned = _by_node(state)
    pending = _pending(state)
    return ClusterView(state.cluster, state.hypervisors,
                       [node_view(state, node, settings, catalog, records,
                                  owned, pending)
                        for node in state.nodes.values()])
