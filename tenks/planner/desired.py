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

"""Turn allocated nodes into the resources that make them real: the
second, pure half of planning.

Per hypervisor that hosts nodes: its storage pool and one Tenks bridge per
physical network its nodes use. Per node: volumes, one veth pair per NIC,
the domain, its BMC (and the emulator service the BMC needs), its Ironic
node when the spec enrols it. Per spec flavor: a Nova flavor. Finally an
optional wait for Placement.

The plugins say what their resources hold (a BMC's props, an Ironic
node's fields, a bridge's datapath): the builder asks their classes, from
the :class:`tenks.plugins.Catalog`, and names none of them.
"""

import collections

from tenks.enrolment import fields
from tenks.networks import base as network_base
from tenks.planner import kinds
from tenks.planner import naming
from tenks.state import model as state_model


def _record(kind, name, driver, hypervisor, props, requires=(),
            adopt=False):
    return state_model.ResourceRecord(
        kind=kind, name=name, driver=driver, hypervisor=hypervisor,
        props=props, requires=sorted(set(requires)), adopt=adopt)


def _collision(first, second):
    owners = [r.props.get('node') or r.props.get('name') or r.name
              for r in (first, second)]
    hint = ''
    if first.kind == 'vif':
        hint = ('; use shorter node name prefixes (link names keep %d '
                'characters of the node name)' % naming.MAX_SHORT)
    return '%s and %s would both use %s %s%s' % (
        owners[0], owners[1], first.kind, first.name, hint)


class Builder(object):
    """Builds the desired resources of one plan.

    :param spec: the :class:`tenks.spec.model.ClusterSpec`.
    :param allocation: the :class:`tenks.planner.allocate.Allocation`.
    :param catalog: the :class:`tenks.plugins.Catalog` of plugin classes.
    :param seed: the cluster's seed.
    """

    def __init__(self, spec, allocation, catalog, seed):
        self.spec = spec
        self.settings = spec.settings
        self.allocation = allocation
        self.catalog = catalog
        self.seed = seed
        self.resources = collections.OrderedDict()
        self._bridge_macs = {}
        self.network = catalog.cls('tenks.networks',
                                   self.settings.bridge_type)
        network = self.settings.options(self.network.options_group)
        self.veth_prefix = network['veth_prefix']
        self.mtu = network['mtu']
        self.ironic = catalog.cls('tenks.enrolment',
                                  kinds.driver('ironic_node'))
        self.nova = catalog.cls('tenks.enrolment', kinds.driver('flavor'))

    def add(self, record):
        other = self.resources.get(record.key)
        if other is not None:
            raise naming.NamingError(_collision(other, record))
        self.resources[record.key] = record
        return record.key

    def emulator(self, name):
        return self.catalog.cls('tenks.bmc', name)

    def provider(self, hv):
        return self.catalog.cls('tenks.providers', hv.provider)

    def build(self):
        by_hv = collections.OrderedDict()
        for node in self.allocation.nodes.values():
            by_hv.setdefault(node['hypervisor'], []).append(node)
        for hv in self.spec.hypervisors:
            nodes = by_hv.get(hv.name)
            if nodes:
                self._hypervisor(hv, nodes)
        self._services(by_hv)
        for node in self.allocation.nodes.values():
            self._node(node)
        self._flavors()
        self._placement()
        return self.resources

    # -- per hypervisor -------------------------------------------------

    def _bridge_mac(self, hv, physnet):
        key = (hv.name, physnet)
        mac = self._bridge_macs.get(key)
        if mac is None:
            mac = naming.bridge_mac(self.seed, hv.name, physnet)
            self._bridge_macs[key] = mac
        return mac

    def _pool_key(self, hv):
        return 'pool:%s/%s' % (hv.name, hv.pool_name)

    def _bridge(self, hv, physnet):
        index = self.allocation.hypervisors[hv.name]['physnet_indices'][
            physnet]
        return naming.bridge_name(hv.bridge_prefix, index)

    def _hypervisor(self, hv, nodes):
        adopt = any(n.get('adopt') for n in nodes)
        props = {'name': hv.pool_name, 'path': hv.pool_path}
        props.update(self.provider(hv).pool_props(self.settings))
        self.add(_record('pool', '%s/%s' % (hv.name, hv.pool_name),
                         hv.provider, hv.name, props, adopt=adopt))
        physnets = []
        for node in nodes:
            for nic in node['nics']:
                if nic['physnet'] not in physnets:
                    physnets.append(nic['physnet'])
        extra = self.network.bridge_props(self.settings)
        for physnet in sorted(physnets, key=lambda p: self._bridge(hv, p)):
            name = self._bridge(hv, physnet)
            source, side = naming.uplink_names(
                self.veth_prefix, name, self.network.bridge_end_suffix)
            props = {'name': name, 'physnet': physnet,
                     'uplink': hv.physnet_mappings.get(physnet),
                     'uplink_links': [source, side],
                     'mac': self._bridge_mac(hv, physnet), 'mtu': self.mtu,
                     'cluster': self.settings.cluster_name,
                     'datapath_type': None}
            props.update(extra)
            self.add(_record('bridge', '%s/%s' % (hv.name, name),
                             self.settings.bridge_type, hv.name, props,
                             adopt=adopt))

    # -- BMC services ---------------------------------------------------

    def _services(self, by_hv):
        groups = collections.OrderedDict()
        for hv in self.spec.hypervisors:
            for node in by_hv.get(hv.name, ()):
                emulator = node['bmc']['emulator']
                site = hv.bmc_sites[emulator]
                scope = self.emulator(emulator).service_scope(hv, site)
                groups.setdefault((emulator, scope), (hv, []))[1].append(
                    node)
        self.service_keys = {}
        for (emulator, scope), (hv, nodes) in groups.items():
            cls = self.emulator(emulator)
            props = cls.service_props(hv, hv.bmc_sites[emulator], nodes,
                                      self.settings)
            if props is None:
                continue
            key = self.add(_record('bmc_service',
                                   '%s/%s' % (scope, emulator), emulator,
                                   hv.name, props))
            for node in nodes:
                self.service_keys[node['name']] = key

    # -- per node -------------------------------------------------------

    def _volumes(self, node, hv, pool_key, adopt):
        keys, disks = [], []
        for vol in node['volumes']:
            pool = vol['pool'] or hv.pool_name
            keys.append(self.add(_record(
                'volume', '%s/%s/%s' % (hv.name, pool, vol['name']),
                hv.provider, hv.name, {
                    'name': vol['name'], 'node': node['name'], 'pool': pool,
                    'capacity': vol['capacity'], 'format': vol['format'],
                    'image': vol['image'], 'existing': vol['existing']},
                requires=[] if vol['existing'] else [pool_key],
                adopt=adopt)))
            disk = {'pool': pool, 'volume': vol['name'],
                    'format': vol['format'],
                    'bus': vol.get('bus') or node['disk_bus']}
            # Only when set: the props of domains recorded before disks
            # had identities stay equal.
            for key in ('serial', 'wwn'):
                if vol.get(key):
                    disk[key] = vol[key]
            disks.append(disk)
        return keys, disks

    def _nics(self, node, hv, adopt):
        keys, nics, ports = [], [], []
        name = node['name']
        bonded = fields.nic_portgroups(node)
        for nic in node['nics']:
            bridge = naming.bridge_name(hv.bridge_prefix, nic['index'])
            node_end, bridge_end = naming.link_names(
                self.veth_prefix, name, nic['index'],
                self.network.bridge_end_suffix, nic.get('slot', 0))
            props = {'name': node_end, 'node': name,
                     'physnet': nic['physnet'], 'bridge': bridge,
                     'node_end': node_end, 'bridge_end': bridge_end,
                     'mtu': self.mtu, 'cluster': self.settings.cluster_name}
            # Only NICs put on VLANs carry the keys: a vif record made
            # before VLANs existed stays as it is.
            props.update(network_base.vlans(nic))
            if nic.get('slot'):
                props['slot'] = nic['slot']
            keys.append(self.add(_record(
                'vif', '%s/%s' % (hv.name, node_end),
                self.settings.bridge_type, hv.name, props,
                requires=['bridge:%s/%s' % (hv.name, bridge)], adopt=adopt)))
            nics.append({'mac': nic['mac'], 'dev': node_end,
                         'model': node['nic_model'],
                         'physnet': nic['physnet']})
            ports.append(self.ironic_port(nic, hv, bridge, bridge_end,
                                          bonded.get(nic['physnet'])))
        return keys, nics, ports

    def ironic_port(self, nic, hv, bridge, bridge_end, portgroup=None):
        return fields.port(nic['mac'], nic['physnet'], {
            'switch_id': self._bridge_mac(hv, nic['physnet']),
            'switch_info': bridge, 'port_id': bridge_end},
            portgroup=portgroup)

    def _node(self, node):
        hv = self.spec.hypervisor(node['hypervisor'])
        adopt = bool(node.get('adopt'))
        name = node['name']
        pool_key = self._pool_key(hv)
        volumes, disks = self._volumes(node, hv, pool_key, adopt)
        vifs, nics, ports = self._nics(node, hv, adopt)
        console = None
        if node['console_log_enabled']:
            console = '%s/libvirt/%s-console.log' % (
                self.settings.log_dir.rstrip('/'), name)
        props = {
            'name': name, 'uuid': node['uuid'],
            'cluster': self.settings.cluster_name,
            'memory_mb': node['memory_mb'], 'vcpus': node['vcpus'],
            'cpu_mode': node['cpu_mode'], 'cpu_model': node['cpu_model'],
            'arch': node['arch'], 'machine': node['machine'],
            'boot_mode': node['boot_mode'],
            'secure_boot': node['secure_boot'],
            'disks': disks, 'nics': nics, 'console_log': console}
        if node.get('tpm'):
            # Only when there is one: the props of domains recorded
            # before TPMs existed stay equal.
            props['tpm'] = dict(node['tpm'])
        props.update(self.provider(hv).domain_props(self.settings))
        domain_key = self.add(_record(
            'domain', name, hv.provider, hv.name, props,
            requires=[pool_key] + volumes + vifs, adopt=adopt))
        emulator = node['bmc']['emulator']
        cls = self.emulator(emulator)
        bmc_props = cls.bmc_props(node, hv, hv.bmc_sites[emulator],
                                  self.settings)
        bmc_key = None
        if bmc_props is not None:
            deps = [domain_key]
            if name in self.service_keys:
                deps.append(self.service_keys[name])
            bmc_key = self.add(_record('bmc', name, emulator, hv.name,
                                       bmc_props, requires=deps,
                                       adopt=adopt))
        if node.get('ironic_config') is not None:
            driver_info = cls.driver_info(bmc_props) if bmc_props else {}
            self.add(_record(
                'ironic_node', name, kinds.driver('ironic_node'), None,
                self.ironic.node_props(node, driver_info, ports,
                                       self.settings),
                requires=[bmc_key or domain_key]))

    # -- flavors and placement ------------------------------------------

    def _flavors(self):
        for flavor in self.spec.flavors:
            node_type = self.spec.node_types[flavor.node_type]
            self.add(_record('flavor', flavor.name, kinds.driver('flavor'),
                             None, self.nova.flavor_props(
                                 flavor, node_type, self.settings)))

    def _placement(self):
        nodes = [(k, r) for k, r in self.resources.items()
                 if r.kind == 'ironic_node']
        props = self.nova.placement_props([r.props for _k, r in nodes],
                                          self.settings)
        if props is None:
            return
        flavors = [k for k, r in self.resources.items()
                   if r.kind == 'flavor']
        self.add(_record('placement_wait', 'placement',
                         kinds.driver('placement_wait'), None, props,
                         requires=[k for k, _r in nodes] + flavors))


def build(spec, allocation, catalog, seed):
    """The desired resources, an ordered dict of key to ResourceRecord."""
    return Builder(spec, allocation, catalog, seed).build()
