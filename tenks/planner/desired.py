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
"""

import collections

from tenks.planner import naming
from tenks.spec import units
from tenks.state import model as state_model

IRONIC_DRIVER = 'ironic'
NOVA_DRIVER = 'nova'


def _record(kind, name, driver, hypervisor, props, requires=(),
            adopt=False):
    return state_model.ResourceRecord(
        kind=kind, name=name, driver=driver, hypervisor=hypervisor,
        props=props, requires=sorted(set(requires)), adopt=adopt)


def custom_resource_class(resource_class):
    """Nova's name for an Ironic resource class: ``CUSTOM_<UPPER_>``."""
    name = ''.join(c if c.isalnum() else '_'
                   for c in resource_class.upper())
    return 'CUSTOM_' + name


def capabilities_string(user, boot_mode):
    """Ironic capabilities string with ``boot_mode`` set unless given."""
    caps = collections.OrderedDict()
    if isinstance(user, dict):
        caps.update((str(k), str(v)) for k, v in user.items())
    elif user:
        for item in str(user).split(','):
            if item.strip():
                key, _sep, val = item.partition(':')
                caps[key.strip()] = val.strip()
    caps.setdefault('boot_mode', boot_mode)
    return ','.join('%s:%s' % kv for kv in caps.items())


def _collision(first, second):
    owners = [r.props.get('node') or r.props.get('name') or r.name
              for r in (first, second)]
    hint = ''
    if first.kind == 'vif':
        hint = ('; use shorter node name prefixes (link names keep %d '
                'characters of the node name)' % naming.MAX_SHORT)
    return '%s and %s would both use %s %s%s' % (
        owners[0], owners[1], first.kind, first.name, hint)


def node_properties(node, user=None):
    """The Ironic properties of ``node`` (an allocated node dict).

    Its shape (cpus, memory_mb, cpu_arch, local_gb from the first volume),
    the ``user`` properties of its spec over them, and a capabilities
    string with the node's boot mode unless the user gave one.
    """
    user = dict(user or {})
    properties = {'cpus': node['vcpus'], 'memory_mb': node['memory_mb'],
                  'cpu_arch': node['arch']}
    if node['volumes'] and node['volumes'][0]['capacity']:
        properties['local_gb'] = units.to_gib_floor(
            node['volumes'][0]['capacity'])
    properties.update({k: v for k, v in user.items()
                       if k != 'capabilities'})
    properties['capabilities'] = capabilities_string(
        user.get('capabilities'), node['boot_mode'])
    return properties


class Builder(object):
    """Builds the desired resources of one plan.

    :param spec: the :class:`tenks.spec.model.ClusterSpec`.
    :param allocation: the :class:`tenks.planner.allocate.Allocation`.
    :param emulators: mapping of BMC emulator name to its plugin class
        (:class:`tenks.bmc.base.BMCEmulator`).
    :param seed: the cluster's seed.
    """

    def __init__(self, spec, allocation, emulators, seed):
        self.spec = spec
        self.settings = spec.settings
        self.allocation = allocation
        self.emulators = emulators
        self.seed = seed
        self.resources = collections.OrderedDict()
        self._bridge_macs = {}

    def add(self, record):
        other = self.resources.get(record.key)
        if other is not None:
            raise naming.NamingError(_collision(other, record))
        self.resources[record.key] = record
        return record.key

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
        self.add(_record('pool', '%s/%s' % (hv.name, hv.pool_name),
                         hv.provider, hv.name,
                         {'name': hv.pool_name, 'path': hv.pool_path,
                          'type': self.settings.pool_type}, adopt=adopt))
        physnets = []
        for node in nodes:
            for nic in node['nics']:
                if nic['physnet'] not in physnets:
                    physnets.append(nic['physnet'])
        bridge_type = self.settings.bridge_type
        for physnet in sorted(physnets, key=lambda p: self._bridge(hv, p)):
            name = self._bridge(hv, physnet)
            uplink = hv.physnet_mappings.get(physnet)
            source, side = naming.uplink_names(self.settings.veth_prefix,
                                               name, bridge_type)
            self.add(_record('bridge', '%s/%s' % (hv.name, name),
                             bridge_type, hv.name, {
                                 'name': name,
                                 'physnet': physnet,
                                 'uplink': uplink,
                                 'uplink_links': [source, side],
                                 'mac': self._bridge_mac(hv, physnet),
                                 'mtu': self.settings.mtu,
                                 'cluster': self.settings.cluster_name,
                                 'datapath_type': (
                                     self.settings.ovs_datapath_type
                                     if bridge_type == 'openvswitch'
                                     else None),
                             }, adopt=adopt))

    # -- BMC services ---------------------------------------------------

    def _scope(self, cls, hv):
        if cls.service_scope == 'site':
            return '%s/%s' % (hv.bmc_site or 'local', hv.ipmi_address)
        return hv.name

    def _services(self, by_hv):
        groups = collections.OrderedDict()
        for hv in self.spec.hypervisors:
            for node in by_hv.get(hv.name, ()):
                emulator = node['bmc']['emulator']
                cls = self.emulators.get(emulator)
                if cls is None:
                    continue
                key = (emulator, self._scope(cls, hv))
                groups.setdefault(key, (hv, []))[1].append(node)
        self.service_keys = {}
        for (emulator, scope), (hv, nodes) in groups.items():
            cls = self.emulators[emulator]
            props = cls.service_props(hv, nodes, self.settings)
            if props is None:
                continue
            key = self.add(_record('bmc_service',
                                   '%s/%s' % (scope, emulator), emulator,
                                   hv.name, props))
            for node in nodes:
                self.service_keys[node['name']] = key

    # -- per node -------------------------------------------------------

    def _node(self, node):
        hv = self.spec.hypervisor(node['hypervisor'])
        adopt = bool(node.get('adopt'))
        name = node['name']
        pool_key = self._pool_key(hv)
        requires = [pool_key]
        disks = []
        for vol in node['volumes']:
            pool = vol['pool'] or hv.pool_name
            key = self.add(_record(
                'volume', '%s/%s/%s' % (hv.name, pool, vol['name']),
                hv.provider, hv.name, {
                    'name': vol['name'], 'node': name, 'pool': pool,
                    'capacity': vol['capacity'], 'format': vol['format'],
                    'image': vol['image'], 'existing': vol['existing']},
                requires=[] if vol['existing'] else [pool_key],
                adopt=adopt))
            requires.append(key)
            disks.append({'pool': pool, 'volume': vol['name'],
                          'format': vol['format'],
                          'bus': node['disk_bus']})
        nics = []
        ports = []
        bridge_type = self.settings.bridge_type
        for nic in node['nics']:
            bridge = naming.bridge_name(hv.bridge_prefix, nic['index'])
            node_end, bridge_end = naming.link_names(
                self.settings.veth_prefix, name, nic['index'], bridge_type)
            key = self.add(_record(
                'vif', '%s/%s' % (hv.name, node_end), bridge_type, hv.name, {
                    'name': node_end, 'node': name,
                    'physnet': nic['physnet'], 'bridge': bridge,
                    'node_end': node_end, 'bridge_end': bridge_end,
                    'mtu': self.settings.mtu,
                    'cluster': self.settings.cluster_name},
                requires=['bridge:%s/%s' % (hv.name, bridge)], adopt=adopt))
            requires.append(key)
            nics.append({'mac': nic['mac'], 'dev': node_end,
                         'model': node['nic_model'],
                         'physnet': nic['physnet']})
            ports.append({
                'address': nic['mac'],
                'physical_network': nic['physnet'],
                'local_link_connection': {
                    'switch_id': self._bridge_mac(hv, nic['physnet']),
                    'switch_info': bridge,
                    'port_id': bridge_end}})
        console = None
        if node['console_log_enabled']:
            console = '%s/libvirt/%s-console.log' % (
                self.settings.log_dir.rstrip('/'), name)
        domain_key = self.add(_record(
            'domain', name, hv.provider, hv.name, {
                'name': name, 'uuid': node['uuid'],
                'cluster': self.settings.cluster_name,
                'domain_type': self.settings.domain_type,
                'memory_mb': node['memory_mb'], 'vcpus': node['vcpus'],
                'cpu_mode': node['cpu_mode'], 'cpu_model': node['cpu_model'],
                'arch': node['arch'], 'machine': node['machine'],
                'boot_mode': node['boot_mode'],
                'secure_boot': node['secure_boot'],
                'disks': disks, 'nics': nics, 'console_log': console,
                'trust_guest_rx_filters':
                    self.settings.trust_guest_rx_filters},
            requires=requires, adopt=adopt))
        bmc_key = None
        bmc_props = None
        emulator = node['bmc']['emulator']
        cls = self.emulators.get(emulator)
        if cls is not None:
            bmc_props = cls.bmc_props(node, hv, self.settings)
        if bmc_props is not None:
            deps = [domain_key]
            if name in self.service_keys:
                deps.append(self.service_keys[name])
            bmc_key = self.add(_record('bmc', name, emulator, hv.name,
                                       bmc_props, requires=deps,
                                       adopt=adopt))
        if node.get('ironic_config') is not None:
            self._ironic(node, cls, bmc_props, ports,
                         [bmc_key or domain_key])

    def _ironic(self, node, cls, bmc_props, ports, requires):
        config = node['ironic_config']
        driver_info = dict(cls.driver_info(bmc_props)
                           if cls is not None and bmc_props else {})
        for key in ('deploy_kernel', 'deploy_ramdisk'):
            value = getattr(self.settings, key)
            if value:
                driver_info[key] = value
        properties = node_properties(node, config.get('properties'))
        interfaces = {k: v for k, v in config.items()
                      if k.endswith('_interface')}
        extra = dict(config.get('extra') or {})
        extra['tenks_cluster'] = self.settings.cluster_name
        props = {
            'name': node['name'], 'uuid': node['uuid'],
            'driver': node['ironic_driver'], 'driver_info': driver_info,
            'properties': properties,
            'resource_class': config['resource_class'],
            'traits': sorted(config.get('traits') or ()),
            'interfaces': interfaces, 'extra': extra, 'ports': ports,
        }
        for key in ('conductor_group', 'shard', 'owner', 'lessee',
                    'description'):
            if config.get(key) is not None:
                props[key] = config[key]
        self.add(_record('ironic_node', node['name'], IRONIC_DRIVER, None,
                         props, requires=requires))

    # -- flavors and placement ------------------------------------------

    def _flavors(self):
        for flavor in self.spec.flavors:
            node_type = self.spec.node_types[flavor.node_type]
            extra = {
                'resources:%s' % custom_resource_class(
                    flavor.resource_class): '1',
                'resources:VCPU': '0',
                'resources:MEMORY_MB': '0',
                'resources:DISK_GB': '0',
            }
            for trait in flavor.required_traits:
                extra['trait:%s' % trait] = 'required'
            for trait in flavor.forbidden_traits:
                extra['trait:%s' % trait] = 'forbidden'
            extra.update({k: str(v) for k, v in flavor.custom_specs.items()})
            self.add(_record('flavor', flavor.name, NOVA_DRIVER, None, {
                'name': flavor.name,
                'ram': node_type.memory_mb,
                'vcpus': node_type.vcpus,
                'disk': units.to_gb_ceil(node_type.disk_bytes),
                'is_public': flavor.is_public,
                'resource_class': flavor.resource_class,
                'extra_specs': extra,
                'cluster': self.settings.cluster_name}))

    def _placement(self):
        if not self.settings.wait_for_placement:
            return
        expected = collections.OrderedDict()
        keys = []
        for key, record in self.resources.items():
            if record.kind != 'ironic_node':
                continue
            keys.append(key)
            group = (custom_resource_class(record.props['resource_class']),
                     tuple(record.props['traits']))
            expected[group] = expected.get(group, 0) + 1
        if not keys:
            return
        flavors = [k for k, r in self.resources.items()
                   if r.kind == 'flavor']
        expected = [{'resource_class': rc, 'traits': list(traits),
                     'amount': amount}
                    for (rc, traits), amount in expected.items()]
        self.add(_record('placement_wait', 'placement', NOVA_DRIVER, None,
                         {'expected': expected}, requires=keys + flavors))


def build(spec, allocation, emulators, seed):
    """The desired resources, an ordered dict of key to ResourceRecord."""
    return Builder(spec, allocation, emulators, seed).build()
