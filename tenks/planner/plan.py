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

"""A plan: ordered actions from what the state records to the spec."""

import collections

from tenks.planner import kinds
from tenks import secrets

CREATE = 'create'
UPDATE = 'update'
DELETE = 'delete'

#: Deletions run first (phase 1), then creations and updates (phase 2).
PHASES = {DELETE: 1, CREATE: 2, UPDATE: 2}


class Action(object):
    """One change to one resource.

    :ivar op: create, update or delete.
    :ivar record: the desired record (create, update) or the recorded one
        (delete).
    :ivar old: the recorded record (update, delete), else None.
    :ivar reason: why, for people.
    :ivar after: indices of actions that must finish first.
    """

    __slots__ = ('index', 'op', 'record', 'old', 'reason', 'after')

    def __init__(self, op, record, old=None, reason=''):
        self.index = None
        self.op = op
        self.record = record
        self.old = old
        self.reason = reason
        self.after = set()

    @property
    def key(self):
        return self.record.key

    @property
    def kind(self):
        return self.record.kind

    @property
    def name(self):
        return self.record.name

    @property
    def phase(self):
        return PHASES[self.op]

    def describe(self):
        where = (' on %s' % self.record.hypervisor
                 if self.record.hypervisor else '')
        return '%s %s %s%s' % (self.op, self.kind, self.name, where)

    def to_dict(self, show_props=False):
        out = collections.OrderedDict([
            ('step', self.index + 1 if self.index is not None else None),
            ('action', self.op),
            ('kind', self.kind),
            ('name', self.name),
            ('hypervisor', self.record.hypervisor),
            ('driver', self.record.driver),
            ('reason', self.reason),
        ])
        if show_props:
            out['props'] = secrets.mask(self.record.props)
        return out


class Plan(object):
    """Ordered actions, the allocation to record and stale records to drop.

    :ivar actions: list of :class:`Action`, in an order that is valid to
        run one by one; ``after`` allows running independent ones at once.
    :ivar nodes: the node records (name -> dict) to store.
    :ivar hypervisors: the hypervisor allocations to store.
    :ivar forget: keys of records whose resources are already gone.
    :ivar warnings: things worth telling the user.
    :ivar seed: the cluster's seed (names, UUIDs and MACs derive from it).
    :ivar cluster: the cluster's name.
    :ivar command: the command it serves: ``deploy`` or ``teardown``.
    """

    command = 'deploy'

    def __init__(self, actions, nodes, hypervisors, forget=(), warnings=(),
                 seed=None, cluster=None):
        self.actions = list(actions)
        self.nodes = nodes
        self.hypervisors = hypervisors
        self.forget = list(forget)
        self.warnings = list(warnings)
        self.seed = seed
        self.cluster = cluster
        self._order()

    def _order(self):
        self.actions.sort(key=lambda a: (
            a.phase,
            -kinds.rank(a.kind) if a.phase == 1 else kinds.rank(a.kind),
            a.name))
        by_key = collections.defaultdict(dict)
        for i, action in enumerate(self.actions):
            action.index = i
            by_key[action.phase][action.key] = action
        for action in self.actions:
            if action.op == DELETE:
                # Delete dependants first: anything being deleted that
                # required this resource.
                continue
            for dep in action.record.requires:
                other = by_key[2].get(dep)
                if other is not None:
                    action.after.add(other.index)
        deletes = by_key[1]
        for action in deletes.values():
            for dep in action.record.requires:
                other = deletes.get(dep)
                if other is not None:
                    other.after.add(action.index)

    def __len__(self):
        return len(self.actions)

    def __iter__(self):
        return iter(self.actions)

    @property
    def empty(self):
        return not self.actions

    def changes_allocation(self, state):
        """Whether recording this plan changes ``state``'s allocation.

        (Nodes, hypervisors, seed, or records to forget.)
        """
        return (list(state.nodes.values()) != list(self.nodes.values()) or
                state.hypervisors != self.hypervisors or
                state.seed != self.seed or bool(self.forget))

    def phase(self, number):
        return [a for a in self.actions if a.phase == number]

    def summary(self, done=False):
        """``'3 to create, 1 to delete'`` (or ``'3 created, ...'``)."""
        counts = collections.Counter(a.op for a in self.actions)
        past = {CREATE: 'created', UPDATE: 'updated', DELETE: 'deleted'}
        parts = [('%d %s' % (counts[op], past[op])) if done else
                 ('%d to %s' % (counts[op], op))
                 for op in (CREATE, UPDATE, DELETE) if counts[op]]
        return ', '.join(parts) or 'no changes'
