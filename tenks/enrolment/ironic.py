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

"""Enrol nodes in Ironic (openstacksdk), bring them to ``available``, keep
them matching the spec, and delete them again.

Each ``ironic_node`` resource is one Ironic node with the UUID of its
libvirt domain, one port per NIC, and tenks' mark ``extra.tenks_cluster``
= the cluster name. The mark decides ownership: tenks converges and
deletes only nodes that carry it (or that it adopts from a Tenks state
file); a node or port MAC of the same name or address that Ironic already
has for someone else is a :class:`tenks.exception.ResourceConflict`, found
before anything changes.
"""

import contextlib
import threading

from oslo_log import log as logging

from tenks.enrolment import base
from tenks.enrolment import cloud as cloud_mod
from tenks.enrolment import fields
from tenks.enrolment import states
from tenks import exception
from tenks import observation
from tenks.spec import schema

LOG = logging.getLogger(__name__)

#: Node fields read before converging, and by a refresh (sdk attribute
#: or API names).
NODE_FIELDS = (states.FIELDS + fields.SCALARS + fields.DICTS +
               ('traits', 'protected') +
               tuple(k for k in fields.NODE_FIELD_VERSIONS
                     if k.endswith('_interface')))


class IronicDriver(base.Enrolment):
    """``ironic_node`` resources through openstacksdk's baremetal proxy.

    The cloud is ``[ironic] cloud`` (or ``OS_CLOUD``); waits are bounded
    by ``[ironic] wait_timeout``.
    """

    kinds = ('ironic_node',)
    options_group = 'ironic'
    spec_options = {'deploy_kernel': 'deploy_kernel',
                    'deploy_ramdisk': 'deploy_ramdisk'}
    key_schema = {'deploy_kernel': schema.SAFE_STRING,
                  'deploy_ramdisk': schema.SAFE_STRING}

    # -- pure half: used by the planner and the exporters ---------------

    @classmethod
    def deploy_images(cls, settings):
        """``deploy_kernel`` and ``deploy_ramdisk`` for driver_info."""
        opts = cls.options(settings)
        return {k: opts[k] for k in ('deploy_kernel', 'deploy_ramdisk')
                if opts[k]}

    @classmethod
    def node_props(cls, node, bmc_driver_info, ports, settings):
        """The props of the ``ironic_node`` enrolling ``node``."""
        driver_info = dict(bmc_driver_info or {})
        driver_info.update(cls.deploy_images(settings))
        return fields.node_props(node, driver_info, ports,
                                 settings.cluster_name)

    def __init__(self, conf, hypervisor=None):
        super().__init__(conf, hypervisor)
        self.cloud = cloud_mod.Cloud(conf, 'ironic', 'baremetal')
        limit = conf.ironic.concurrency
        self._slots = threading.BoundedSemaphore(limit) if limit else None
        self._version = None
        self._lock = threading.Lock()
        self._physnet_warned = False

    # -- helpers ----------------------------------------------------------

    @property
    def bm(self):
        return self.cloud.conn.baremetal

    @contextlib.contextmanager
    def _slot(self):
        if self._slots is None:
            yield
            return
        with self._slots:
            yield

    def api_version(self):
        """The Bare Metal API's highest microversion, as a tuple."""
        with self._lock:
            if self._version is not None:
                return self._version
        with self.cloud.guard('read the Bare Metal API version'):
            data = self.bm.get_endpoint_data()
        version = tuple((data and data.max_microversion) or (1, 1))[:2]
        with self._lock:
            self._version = version
        return version

    def _get(self, ident, node_fields=NODE_FIELDS):
        """The node with UUID or name ``ident``, or None."""
        from openstack import exceptions as os_exc
        try:
            return self.bm.get_node(ident, fields=list(node_fields))
        except os_exc.NotFoundException:
            return None

    def _waiter(self, uuid, label, timeout=None):
        return states.Waiter(
            lambda: self._guarded(label, self.bm.get_node, uuid,
                                  fields=list(states.FIELDS)),
            label, timeout or self.conf.ironic.wait_timeout,
            self.conf.ironic.poll_interval)

    def _guarded(self, label, func, *args, **kwargs):
        with self.cloud.guard('Ironic node %s' % label):
            return func(*args, **kwargs)

    def _act(self, uuid, label):
        def act(action):
            LOG.debug('Ironic node %s: %s', label, action)
            self._guarded(label, self.bm.set_node_provision_state, uuid,
                          action)
        return act

    @staticmethod
    def _cluster(record):
        return fields.cluster_of(record.props)

    def _check_ours(self, node, record):
        mark = fields.owner_of(node.extra)
        if mark == self._cluster(record):
            return
        if record.adopt and mark is None:
            return
        label = record.props['name']
        if mark is None:
            why = 'it has no tenks mark (extra.%s)' % fields.MARK
        else:
            why = 'it belongs to tenks cluster %r' % mark
        raise exception.ResourceConflict(
            'Ironic node %s (%s) exists and was not created by this tenks '
            'cluster: %s' % (label, node.id, why))

    def _check_free(self, props, uuid,
                    error=exception.ResourceConflict):
        """Raise ``error`` when the name or a MAC is taken.

        Taken: another Ironic node has this node's name, or a port with
        one of its MACs is on another node. A node that exists already is
        tenks' own, so its check raises a plain error: a conflict would
        make the executor forget the node.
        """
        other = self._get(props['name'], ('uuid', 'name', 'extra'))
        if other is not None and other.id != uuid:
            mark = fields.owner_of(other.extra)
            raise error(
                'Ironic already has a node named %s (%s)%s; tenks will not '
                'overwrite it' % (props['name'], other.id,
                                  ' of tenks cluster %r' % mark
                                  if mark else ', not created by tenks'))
        for port in props.get('ports') or ():
            address = port['address'].lower()
            for found in self.bm.ports(address=address,
                                       fields=['uuid', 'address',
                                               'node_uuid']):
                if found.node_id == uuid:
                    continue
                holder = self._get(found.node_id, ('uuid', 'name'))
                raise error(
                    'MAC %s of Ironic node %s is already a port of Ironic '
                    'node %s (%s); tenks will not take it over' % (
                        address, props['name'],
                        holder.name if holder else '?', found.node_id))

    def _check_supported(self, props):
        version = self.api_version()
        missing = fields.unsupported(props, version)
        if missing:
            raise exception.TenksError(
                'Ironic node %s: the Bare Metal API of %s (up to %s) lacks '
                '%s' % (props['name'], self.cloud.label,
                        fields.version_text(version), ', '.join(missing)))
        if (not self._physnet_warned and
                version < fields.PORT_FIELD_VERSIONS['physical_network'] and
                any(p.get('physical_network')
                    for p in props.get('ports') or ())):
            self._physnet_warned = True
            LOG.warning('the Bare Metal API of %s (up to %s) has no port '
                        'physical_network: ports are created without it',
                        self.cloud.label, fields.version_text(version))

    def _ports(self, uuid):
        return [fields.port_dict(p)
                for p in self.bm.ports(details=True, node_id=uuid)]

    def _outputs(self, node, ports=None):
        """What the record keeps: UUID, state and port UUIDs by MAC."""
        if ports is None:
            ports = {p['address']: p['uuid'] for p in self._ports(node.id)}
        return {'uuid': node.id, 'provision_state': node.provision_state,
                'ports': ports}

    # -- create -----------------------------------------------------------

    def create_ironic_node(self, record):
        """Ensure the node exists, matches its props and is available.

        A node in use is left in its state.
        """
        with self._slot():
            return self.cloud.retrying(
                'enrol Ironic node %s' % record.props['name'], self._ensure,
                record)

    def _ensure(self, record):
        props = record.props
        node = self._get(props['uuid'])
        ports = None
        if node is None:
            self._check_supported(props)
            self._check_free(props, props['uuid'])
            node, ports = self._enrol(props)
        else:
            self._check_ours(node, record)
            node = self._converge(node, None, record)
        node = self._to_available(node, props['name'])
        return self._outputs(node, ports)

    def _enrol(self, props):
        """Create the node, its traits and ports.

        :returns: the new node and its port UUIDs by MAC.
        """
        attrs = fields.node_fields(props)
        attrs['id'] = attrs.pop('uuid')
        node = self.bm.create_node(**attrs)
        LOG.info('enrolled Ironic node %s (%s)', props['name'], node.id)
        if props.get('traits'):
            self.bm.set_node_traits(node, list(props['traits']))
        version = self.api_version()
        ports = {}
        for port in props.get('ports') or ():
            made = self.bm.create_port(node_id=node.id,
                                       **fields.port_fields(port, version))
            ports[made.address] = made.id
        return node, ports

    def _to_available(self, node, label):
        return states.to_available(node, self._act(node.id, label),
                                   self._waiter(node.id, label),
                                   log=LOG.info)

    # -- converge / update ------------------------------------------------

    def _converge(self, node, old_props, record):
        """Patch drifted fields, traits and ports of an existing node."""
        props = record.props
        label = props['name']
        self._check_supported(props)
        self._check_free(props, node.id, error=exception.TenksError)
        if not states.is_stable(node):
            self._waiter(node.id, label).settled()
            node = self._get(node.id)
        patch, driver_changed = fields.node_patch(props, old_props,
                                                  fields.actual(node))
        if patch:
            LOG.info('Ironic node %s: updating %s', label,
                     ', '.join(sorted({p['path'] for p in patch})))
            kwargs = {}
            if (driver_changed and self.api_version() >=
                    fields.RESET_INTERFACES_VERSION):
                kwargs['reset_interfaces'] = True
            self.bm.patch_node(node, patch, **kwargs)
        traits = fields.target_traits(props, old_props, node.traits)
        if traits is not None:
            self.bm.set_node_traits(node, traits)
        self._converge_ports(node, old_props, props)
        return self._get(node.id)

    def _converge_ports(self, node, old_props, props):
        label = props['name']
        changes = fields.port_changes(
            props.get('ports'), (old_props or {}).get('ports'),
            self._ports(node.id), self.api_version())
        for port in changes['delete']:
            LOG.info('Ironic node %s: deleting port %s', label,
                     port['address'])
            self.bm.delete_port(port['uuid'])
        for port, wanted in changes['update']:
            if (node.provision_state in fields.PORT_UPDATE_STATES or
                    node.is_maintenance):
                self.bm.patch_port(port['uuid'],
                                   fields.port_patch(port, wanted))
            elif node.provision_state == states.AVAILABLE:
                # Ironic refuses connectivity changes of an available
                # node's port unless in maintenance; a new port needs none.
                self.bm.delete_port(port['uuid'])
                self.bm.create_port(node_id=node.id, **wanted)
            else:
                raise states.NodeFailed(
                    'Ironic node %s is %s: its port %s cannot change '
                    'physical network or switch connection now' % (
                        label, node.provision_state, port['address']))
        for wanted in changes['create']:
            LOG.info('Ironic node %s: adding port %s', label,
                     wanted['address'])
            self.bm.create_port(node_id=node.id, **wanted)

    def update_ironic_node(self, old, record):
        """Change the existing node in place to match ``record.props``.

        It is neither recreated nor put in maintenance mode.
        """
        with self._slot():
            return self.cloud.retrying(
                'update Ironic node %s' % record.props['name'],
                self._update, old, record)

    def _update(self, old, record):
        props = record.props
        label = props['name']
        node = self._get(props['uuid'])
        if node is None:
            LOG.warning('Ironic node %s (%s) is gone; enrolling it again',
                        label, props['uuid'])
            return self._ensure(record)
        self._check_ours(node, record)
        node = self._converge(node, old.props, record)
        node = self._to_available(node, label)
        return self._outputs(node)

    # -- delete -----------------------------------------------------------

    def delete_ironic_node(self, record):
        """Delete the node (its ports go with it), if it is tenks'."""
        with self._slot():
            self.cloud.retrying(
                'delete Ironic node %s' % record.props['name'], self._remove,
                record)

    def _remove(self, record):
        props = record.props
        node = self._get(props['uuid'])
        if node is None:
            return
        self._check_ours(node, record)
        self._delete(node, props['name'])
        LOG.info('deleted Ironic node %s (%s)', props['name'], node.id)

    def _delete(self, node, label):
        waiter = self._waiter(node.id, label)
        act = self._act(node.id, label)
        if not states.is_stable(node):
            waiter.settled()
            node = self._get(node.id)
        if node.is_protected:
            raise states.NodeFailed(
                'Ironic node %s is protected (%s); unprotect it before '
                'teardown' % (label, node.protected_reason or 'no reason'))
        if node.instance_id and not node.is_maintenance:
            raise states.NodeFailed(
                'Ironic node %s is in use by instance %s (%s); delete the '
                'instance first' % (label, node.instance_id,
                                    states.describe(node)))
        state = node.provision_state
        if state in states.RECOVERABLE or state == states.AVAILABLE:
            # available: Ironic may be configured to refuse deleting
            # available nodes; manageable it always deletes.
            act('manage')
            node = waiter.until(states.MANAGEABLE)
            state = node.provision_state
        if state not in states.DELETABLE and not node.is_maintenance:
            LOG.info('Ironic node %s is %s: setting maintenance to delete '
                     'it', label, states.describe(node))
            self.bm.set_node_maintenance(node.id, 'tenks teardown')
        self.bm.delete_node(node.id)

    # -- refresh ----------------------------------------------------------

    def observe_ironic_node(self, records):
        """One node list (and one port list) for all ``records``."""
        version = self.api_version()
        with self.cloud.guard('list Ironic nodes'):
            nodes = list(self.bm.nodes(fields=list(NODE_FIELDS)))
            ports = []
            if any(r.props.get('ports') for r in records):
                ports = [fields.port_dict(p)
                         for p in self.bm.ports(details=True)]
        by_uuid = {n.id: n for n in nodes}
        by_name = {n.name: n for n in nodes if n.name}
        port_node = {p['address']: p['node_uuid'] for p in ports}
        out = {}
        for record in records:
            out[record.key] = self._observe_one(
                record, by_uuid, by_name, port_node,
                lambda node: fields.drift(
                    record.props, fields.actual(node), node.traits,
                    [p for p in ports if p['node_uuid'] == node.id],
                    version))
        return out

    def _observe_one(self, record, by_uuid, by_name, port_node, drift):
        props = record.props
        cluster = self._cluster(record)
        node = by_uuid.get(props.get('uuid'))
        if node is not None:
            mark = fields.owner_of(node.extra)
            if mark == cluster:
                changed = drift(node)
                if changed:
                    # Creates are ensures: the next deploy patches them.
                    return observation.Observation(
                        True, True, 'changed in Ironic: %s'
                        % ', '.join(changed), healthy=False)
                return observation.Observation(True, True)
            return observation.foreign('Ironic node %s %s' % (
                node.id, 'has no tenks mark' if mark is None else
                'belongs to tenks cluster %r' % mark), mark is None)
        other = by_name.get(props.get('name'))
        if other is not None:
            return observation.Observation(
                True, False, 'Ironic node %s has this name' % other.id)
        for port in props.get('ports') or ():
            holder = port_node.get(port['address'].lower())
            if holder is not None:
                name = getattr(by_uuid.get(holder), 'name', None) or holder
                return observation.Observation(
                    True, False, 'MAC %s is a port of Ironic node %s'
                    % (port['address'], name))
        return observation.ABSENT

    def close(self):
        self.cloud.close()
