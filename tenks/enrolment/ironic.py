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
libvirt domain, one port per NIC, one portgroup per bond (its NICs'
ports are its members), and tenks' mark ``extra.tenks_cluster`` = the
cluster name. The mark decides ownership: tenks converges and deletes only
nodes that carry it (or that it adopts from a Tenks state file); a node,
port MAC or portgroup (name or address) that Ironic already has for
someone else is a :class:`tenks.exception.ResourceConflict`, found before
anything changes.
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
        """Raise ``error`` when the name, a MAC or a portgroup is taken.

        Taken: another Ironic node has this node's name, a port with one
        of its MACs, or a portgroup with the name or address of one of its
        portgroups. A node that exists already is tenks' own, so its check
        raises a plain error: a conflict would make the executor forget
        the node.
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
                if found.node_id != uuid:
                    self._refuse(error, props, 'MAC %s' % address,
                                 'a port', found.node_id)
        if props.get('portgroups'):
            self._check_portgroups_free(props, uuid, error)

    def _check_portgroups_free(self, props, uuid, error):
        keys = set()
        for group in props['portgroups']:
            keys.update((group['name'], group['address'].lower()))
        for found in self.bm.port_groups(fields=['uuid', 'name', 'address',
                                                 'node_uuid']):
            taken = keys & {found.name, (found.address or '').lower()}
            if taken and found.node_id != uuid:
                self._refuse(error, props, 'portgroup %s' % taken.pop(),
                             'a portgroup', found.node_id)

    def _refuse(self, error, props, what, kind, holder_id):
        holder = self._get(holder_id, ('uuid', 'name'))
        raise error(
            '%s of Ironic node %s is already %s of Ironic node %s (%s); '
            'tenks will not take it over' % (
                what, props['name'], kind, holder.name if holder else '?',
                holder_id))

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

    def _portgroups(self, uuid):
        return [fields.portgroup_dict(g)
                for g in self.bm.port_groups(details=True, node=uuid)]

    def _outputs(self, node, props, made=None):
        """What the record keeps: UUID, state and UUIDs of the parts.

        Those are port UUIDs by MAC and, when the node has portgroups,
        theirs by name.

        :param made: the ports and portgroups as just created; read from
            Ironic when None.
        """
        if made is None:
            made = {'ports': {p['address']: p['uuid']
                              for p in self._ports(node.id)}}
            names = {g['name'] for g in props.get('portgroups') or ()}
            if names:
                made['portgroups'] = {g['name']: g['uuid']
                                      for g in self._portgroups(node.id)
                                      if g['name'] in names}
        return dict(made, uuid=node.id, provision_state=node.provision_state)

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
        made = None
        if node is None:
            self._check_supported(props)
            self._check_free(props, props['uuid'])
            node, made = self._enrol(props)
        else:
            self._check_ours(node, record)
            node = self._converge(node, None, record)
        node = self._to_available(node, props['name'])
        return self._outputs(node, props, made)

    def _enrol(self, props):
        """Create the node, its traits, portgroups and ports.

        :returns: the new node and what :meth:`_outputs` keeps of its
            ports and portgroups.
        """
        attrs = fields.node_fields(props)
        attrs['id'] = attrs.pop('uuid')
        node = self.bm.create_node(**attrs)
        LOG.info('enrolled Ironic node %s (%s)', props['name'], node.id)
        if props.get('traits'):
            self.bm.set_node_traits(node, list(props['traits']))
        groups = self._create_portgroups(node.id, props.get('portgroups'),
                                         props['name'])
        version = self.api_version()
        ports = {}
        for port in props.get('ports') or ():
            made = self._create_port(
                node.id, fields.port_fields(port, version, groups))
            ports[made.address] = made.id
        if groups:
            return node, {'ports': ports, 'portgroups': groups}
        return node, {'ports': ports}

    def _create_port(self, uuid, wanted):
        """Create a port of node ``uuid``; a None field is left unset."""
        return self.bm.create_port(
            node_id=uuid, **{k: v for k, v in wanted.items()
                             if v is not None})

    def _create_portgroups(self, uuid, groups, label):
        """Create portgroups of node ``uuid``; return UUIDs by name."""
        made = {}
        for group in groups or ():
            LOG.info('Ironic node %s: adding portgroup %s', label,
                     group['name'])
            made[group['name']] = self.bm.create_port_group(
                node_id=uuid, **fields.portgroup_fields(group)).id
        return made

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
        """Converge the node's ports and portgroups.

        Ports leave the portgroups tenks no longer wants before those
        go, and a portgroup that takes the address of one that goes is
        made after; ports join new portgroups once these exist.
        """
        label = props['name']
        old = old_props or {}
        actual = []
        if props.get('portgroups') or old.get('portgroups'):
            actual = self._portgroups(node.id)
        groups = fields.portgroup_changes(
            props.get('portgroups'), old.get('portgroups'), actual)
        # Ports of portgroups still to make are created with them.
        self._apply_ports(node, old, props, groups['groups'],
                          create=not groups['create'])
        for group in groups['delete']:
            self._delete_portgroup(group, label)
        for group, wanted in groups['update']:
            LOG.info('Ironic node %s: updating portgroup %s', label,
                     wanted['name'])
            self.bm.patch_port_group(group['uuid'],
                                     fields.portgroup_patch(group, wanted))
        if groups['create']:
            made = self._create_portgroups(node.id, groups['create'], label)
            self._apply_ports(node, old, props, {**groups['groups'], **made})

    def _apply_ports(self, node, old, props, groups, create=True):
        """Delete, update and (unless not ``create``) add ports.

        :param groups: UUIDs by name of the node's tenks portgroups.
        """
        label = props['name']
        changes = fields.port_changes(
            props.get('ports'), old.get('ports'), self._ports(node.id),
            self.api_version(), groups)
        for port in changes['delete']:
            LOG.info('Ironic node %s: deleting port %s', label,
                     port['address'])
            self.bm.delete_port(port['uuid'])
        for port, wanted in changes['update']:
            self._update_port(node, port, wanted, label)
        for wanted in changes['create'] if create else ():
            LOG.info('Ironic node %s: adding port %s', label,
                     wanted['address'])
            self._create_port(node.id, wanted)

    def _update_port(self, node, port, wanted, label):
        if (node.provision_state in fields.PORT_UPDATE_STATES or
                node.is_maintenance):
            self.bm.patch_port(port['uuid'], fields.port_patch(port, wanted))
        elif node.provision_state == states.AVAILABLE:
            # Ironic refuses connectivity changes of an available node's
            # port unless in maintenance; a new port needs none.
            self.bm.delete_port(port['uuid'])
            self._create_port(node.id, wanted)
        else:
            raise states.NodeFailed(
                'Ironic node %s is %s: its port %s cannot change physical '
                'network, switch connection or portgroup now' % (
                    label, node.provision_state, port['address']))

    def _delete_portgroup(self, group, label):
        """Delete a portgroup tenks made, unless ports remain in it."""
        left = sorted(p.address for p in self.bm.ports(
            portgroup=group['uuid'], fields=['uuid', 'address']))
        if left:
            LOG.warning('Ironic node %s: keeping portgroup %s, which tenks '
                        'no longer wants: ports tenks does not manage are '
                        'in it (%s)', label, group['name'], ', '.join(left))
            return
        LOG.info('Ironic node %s: deleting portgroup %s', label,
                 group['name'])
        self.bm.delete_port_group(group['uuid'])

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
        return self._outputs(node, props)

    # -- delete -----------------------------------------------------------

    def delete_ironic_node(self, record):
        """Delete the node, if it is tenks'.

        Ironic deletes its ports and portgroups with it.
        """
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
        """One node list (and port and portgroup lists) for ``records``."""
        version = self.api_version()
        with self.cloud.guard('list Ironic nodes'):
            nodes = list(self.bm.nodes(fields=list(NODE_FIELDS)))
            ports, groups = [], []
            if any(r.props.get('ports') for r in records):
                ports = [fields.port_dict(p)
                         for p in self.bm.ports(details=True)]
            if any(r.props.get('portgroups') for r in records):
                groups = [fields.portgroup_dict(g)
                          for g in self.bm.port_groups(details=True)]
        by_uuid = {n.id: n for n in nodes}
        by_name = {n.name: n for n in nodes if n.name}
        held = {('MAC', p['address']): p['node_uuid'] for p in ports}
        for group in groups:
            for key in ('name', 'address'):
                held[('portgroup', group[key])] = group['node_uuid']
        out = {}
        for record in records:
            out[record.key] = self._observe_one(
                record, by_uuid, by_name, held,
                lambda node: fields.drift(
                    record.props, fields.actual(node), node.traits,
                    [p for p in ports if p['node_uuid'] == node.id],
                    version,
                    [g for g in groups if g['node_uuid'] == node.id]))
        return out

    def _observe_one(self, record, by_uuid, by_name, held, drift):
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
        wanted = [('MAC', p['address'].lower(), 'a port')
                  for p in props.get('ports') or ()]
        for group in props.get('portgroups') or ():
            wanted += [('portgroup', group['name'], 'a portgroup'),
                       ('portgroup', group['address'].lower(),
                        'a portgroup')]
        for what, value, kind in wanted:
            holder = held.get((what, value))
            if holder is not None:
                name = getattr(by_uuid.get(holder), 'name', None) or holder
                return observation.Observation(
                    True, False, '%s %s is %s of Ironic node %s'
                    % (what, value, kind, name))
        return observation.ABSENT

    def close(self):
        self.cloud.close()
