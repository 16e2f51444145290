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

"""Ironic provision states: how tenks brings a node to ``available`` and
to a state it may be deleted in, and how it waits.

Tenks moves nodes only along the enrolment path (enroll -> manageable ->
available) and back out of the failures of that path (a failed cleaning
or inspection goes back through ``manage``). A node in use (deploying,
active, rescue, servicing ...) is left in its state: re-deploying a
cluster whose nodes carry instances changes their fields, not their
state.
"""

import time

from tenks import exception

AVAILABLE = 'available'
MANAGEABLE = 'manageable'
ENROLL = 'enroll'

#: The action that takes a node one step towards ``available``.
TOWARDS_AVAILABLE = {
    ENROLL: 'manage',
    MANAGEABLE: 'provide',
    'clean failed': 'manage',
    'inspect failed': 'manage',
}

#: The state each action leads to.
EXPECTED = {'manage': MANAGEABLE, 'provide': AVAILABLE}

#: States Ironic deletes a node in without maintenance mode (``available``
#: only when ``[conductor] allow_deleting_available_nodes``, the default).
DELETABLE = (MANAGEABLE, ENROLL, 'adopt failed', AVAILABLE)

#: Failures that ``manage`` recovers from before a delete.
RECOVERABLE = ('clean failed', 'inspect failed')

#: Ironic's failure states. Nothing moves a node out of them but a new
#: request, yet some keep the target of the transition that failed
#: (``deploy failed -> active``): they count as settled.
FAILURES = ('deploy failed', 'clean failed', 'inspect failed',
            'rescue failed', 'unrescue failed', 'adopt failed',
            'service failed', 'error')

#: Fields read while waiting.
FIELDS = ('uuid', 'name', 'provision_state', 'target_provision_state',
          'last_error', 'maintenance', 'instance_uuid', 'reservation')


class NodeFailed(exception.TenksError):
    """A node did not get where tenks took it.

    The message names the node, its state and Ironic's last_error.
    """


def describe(node):
    """``'clean failed (last error: ...)'`` for messages."""
    text = node.provision_state or 'no state'
    if node.target_provision_state:
        text += ' -> %s' % node.target_provision_state
    if getattr(node, 'is_maintenance', False):
        text += ', in maintenance'
    if node.last_error:
        text += '; last error: %s' % node.last_error
    return text


def failed(node, target):
    """Whether a node has settled somewhere other than ``target``.

    That is a failure state, ``error``, or back in ``enroll`` after a
    failed ``manage`` (its power credentials did not work).
    """
    return node.provision_state != target and is_stable(node)


def is_stable(node):
    """Whether the node is not in the middle of a transition.

    A failure state counts as settled whatever target it keeps.
    """
    return (not node.target_provision_state or
            node.provision_state in FAILURES)


class Waiter(object):
    """Polls one node until it reaches a state or the deadline passes.

    :param get: callable returning the node (an openstacksdk Node, or
        anything with ``provision_state``, ``target_provision_state`` and
        ``last_error``).
    :param label: the node's name for messages.
    :param timeout: seconds from now until the deadline.
    :param interval: seconds between polls.
    :param sleep: the sleep function (tests pass a fake).
    :param clock: the monotonic clock (tests pass a fake).
    """

    def __init__(self, get, label, timeout, interval, sleep=time.sleep,
                 clock=time.monotonic):
        self.get = get
        self.label = label
        self.timeout = timeout
        self.interval = interval
        self.sleep = sleep
        self.clock = clock
        self.deadline = clock() + timeout

    def _timed_out(self, node, goal):
        return NodeFailed('Ironic node %s did not %s within %ss (state: '
                          '%s)' % (self.label, goal, self.timeout,
                                   describe(node)))

    def until(self, target):
        """Wait until the node is in ``target``.

        :raises NodeFailed: when it settles elsewhere or the deadline
            passes.
        """
        while True:
            node = self.get()
            if node.provision_state == target:
                return node
            if failed(node, target):
                raise NodeFailed('Ironic node %s did not reach %s: %s'
                                 % (self.label, target, describe(node)))
            if self.clock() >= self.deadline:
                raise self._timed_out(node, 'reach %s' % target)
            self.sleep(self.interval)

    def settled(self):
        """Wait until the node is not in a transition; return it."""
        while True:
            node = self.get()
            if is_stable(node):
                return node
            if self.clock() >= self.deadline:
                raise self._timed_out(node, 'finish its transition')
            self.sleep(self.interval)


def to_available(node, act, waiter, log=None):
    """Bring a node to ``available`` along the enrolment path.

    :param node: the node as last read.
    :param act: callable ``act(action)`` asking Ironic for a provision
        action ('manage', 'provide').
    :param waiter: a :class:`Waiter` for this node.
    :param log: optional callable for one-line notes.
    :returns: the node as last read; it is ``available``, or in use (then
        left as it is).
    :raises NodeFailed: when a step fails or time runs out.
    """
    while True:
        if not is_stable(node):
            node = waiter.settled()
        state = node.provision_state
        if state == AVAILABLE:
            return node
        action = TOWARDS_AVAILABLE.get(state)
        if action is None:
            if log:
                log('Ironic node %s is %s; tenks leaves its state alone'
                    % (waiter.label, describe(node)))
            return node
        act(action)
        node = waiter.until(EXPECTED[action])
