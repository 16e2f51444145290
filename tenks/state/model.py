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

"""In-memory state: allocated nodes and the resources tenks created."""

import copy
import dataclasses
import typing

VERSION = 1

# Status of a resource record.
PRESENT = 'present'      # created (or adopted) and up to date with props
CREATING = 'creating'    # a create was begun; it may or may not exist
UPDATING = 'updating'    # an update was begun; props are the old ones
DELETING = 'deleting'    # a delete was begun; it may still exist

STATUSES = (PRESENT, CREATING, UPDATING, DELETING)

# How the last run that changed the cluster ended (see :class:`LastRun`).
RUNNING = 'running'          # no end recorded: killed, aborted or running
INTERRUPTED = 'interrupted'  # stopped by a signal
FAILED = 'failed'            # actions failed
COMPLETE = 'complete'        # every action done (no LastRun is kept)


@dataclasses.dataclass
class ResourceRecord(object):
    """A resource tenks created (or is creating), as recorded in state.

    ``props`` are the properties it was created or last updated with;
    ``outputs`` are facts the plugin reported back (e.g. a pid or an Ironic
    node UUID) that later actions on it need.
    """
    kind: str
    name: str
    driver: str
    hypervisor: typing.Optional[str]
    props: dict
    requires: typing.List[str] = dataclasses.field(default_factory=list)
    status: str = PRESENT
    outputs: dict = dataclasses.field(default_factory=dict)
    adopt: bool = False

    @property
    def key(self):
        return '%s:%s' % (self.kind, self.name)

    def to_dict(self):
        out = {'kind': self.kind, 'name': self.name, 'driver': self.driver,
               'hypervisor': self.hypervisor, 'status': self.status,
               'props': self.props, 'requires': list(self.requires)}
        if self.outputs:
            out['outputs'] = self.outputs
        if self.adopt:
            out['adopt'] = True
        return out

    @classmethod
    def from_dict(cls, data):
        return cls(kind=data['kind'], name=data['name'],
                   driver=data['driver'], hypervisor=data.get('hypervisor'),
                   props=data.get('props') or {},
                   requires=list(data.get('requires') or ()),
                   status=data.get('status', PRESENT),
                   outputs=data.get('outputs') or {},
                   adopt=bool(data.get('adopt', False)))

    def node(self, node_names):
        """The node this resource belongs to, or None.

        A resource names its node (``props['node']``) or is named after
        it (a domain, a BMC, an Ironic node).
        """
        node = self.props.get('node')
        if node is None and self.name in node_names:
            node = self.name
        return node

    def copy(self):
        return copy.deepcopy(self)


@dataclasses.dataclass
class LastRun(object):
    """A run that changed the cluster and did not complete.

    Kept until a run completes, so that every command can say that the
    cluster is not what the spec asked for.

    ``pending`` lists the actions that are not done, each a dict with
    ``op``, ``key``, ``node`` (None for a resource of no one node) and
    ``hypervisor``.
    """
    command: str
    started: str
    pending: list = dataclasses.field(default_factory=list)
    result: str = RUNNING

    def to_dict(self):
        return {'command': self.command, 'started': self.started,
                'result': self.result,
                'pending': [dict(p) for p in self.pending]}

    @classmethod
    def from_dict(cls, data):
        return cls(command=data['command'], started=data['started'],
                   pending=[dict(p) for p in data.get('pending') or ()],
                   result=data.get('result', RUNNING))

    def done(self, key, deleted):
        """An action on ``key`` is done (a delete when ``deleted``)."""
        for i, item in enumerate(self.pending):
            if (item['key'] == key and
                    (item['op'] == 'delete') == bool(deleted)):
                del self.pending[i]
                return


def describe(pending):
    """``'create bmc tk0 on hv1'``: one pending action, for people."""
    kind, _, name = pending['key'].partition(':')
    where = (' on %s' % pending['hypervisor'] if pending.get('hypervisor')
             else '')
    return '%s %s %s%s' % (pending['op'], kind, name, where)


@dataclasses.dataclass
class State(object):
    """Everything tenks knows about the cluster it manages.

    ``nodes`` maps node name to its allocation (uuid, type, hypervisor,
    NIC MACs, BMC port, ...) and a Tenks-style view of its shape.
    ``hypervisors`` maps hypervisor name to its allocations
    (``physnet_indices``) and how to reach it (``libvirt_uri``, ``host``,
    ``pool_name``, and ``ssh`` when the spec says how SSH reaches its
    host; absent from older state files). ``resources`` maps resource key to
    :class:`ResourceRecord`. ``last_run`` is the :class:`LastRun` of a
    run that did not complete, or None (absent from older state files:
    their runs completed, or the journal says otherwise).
    """
    cluster: str = 'tenks'
    seed: str = ''
    nodes: dict = dataclasses.field(default_factory=dict)
    hypervisors: dict = dataclasses.field(default_factory=dict)
    resources: dict = dataclasses.field(default_factory=dict)
    version: int = VERSION
    imported_from: typing.Optional[str] = None
    last_run: typing.Optional[LastRun] = None

    def to_dict(self):
        out = {'version': self.version, 'cluster': self.cluster,
               'seed': self.seed,
               'hypervisors': self.hypervisors,
               'nodes': [self.nodes[n] for n in self.nodes],
               'resources': [r.to_dict() for r in self.resources.values()]}
        if self.imported_from:
            out['imported_from'] = self.imported_from
        if self.last_run is not None:
            out['last_run'] = self.last_run.to_dict()
        return out

    @classmethod
    def from_dict(cls, data):
        nodes = {}
        for node in data.get('nodes') or ():
            nodes[node['name']] = node
        resources = {}
        for item in data.get('resources') or ():
            record = ResourceRecord.from_dict(item)
            resources[record.key] = record
        last_run = data.get('last_run')
        return cls(version=data.get('version', VERSION),
                   cluster=data.get('cluster', 'tenks'),
                   seed=data.get('seed', ''),
                   nodes=nodes,
                   hypervisors=data.get('hypervisors') or {},
                   resources=resources,
                   imported_from=data.get('imported_from'),
                   last_run=LastRun.from_dict(last_run) if last_run
                   else None)

    @property
    def empty(self):
        return not self.nodes and not self.resources

    def copy(self):
        return copy.deepcopy(self)

    def physnet_index(self, hypervisor, physnet):
        hv = self.hypervisors.get(hypervisor) or {}
        return (hv.get('physnet_indices') or {}).get(physnet)
