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

"""Speaking to many nodes' BMCs at once (``tenks node power``, ``node
reboot``, ``verify``).

Called by :func:`tenks.workflow.bmc_request`.

The BMCs are reached the way Ironic reaches them, from where tenks runs,
through each node's emulator plugin (:meth:`BMCEmulator.power`,
:meth:`BMCEmulator.verify`), with the props recorded in the state file.
"""

import concurrent.futures
import dataclasses
import time
import typing

from tenks import exception
from tenks import nodeview
from tenks.state import model as state_model

ACTIONS = ('on', 'off', 'status', 'reboot')
#: Record statuses whose BMC should answer (an update leaves the old one).
_USABLE = (state_model.PRESENT, state_model.UPDATING)


@dataclasses.dataclass
class Target(object):
    """One node whose BMC to speak to."""
    name: str
    emulator: str
    record: typing.Any = None       # the bmc ResourceRecord, if any
    problem: str = ''               # why it cannot be reached


@dataclasses.dataclass
class Outcome(object):
    """What one node's BMC said."""
    name: str
    emulator: str
    endpoint: str
    power: typing.Optional[str]
    error: str
    seconds: float

    @property
    def ok(self):
        return not self.error


def targets(state, names=None):
    """The nodes to reach, in node order.

    :param names: node names; None for every node that has a BMC.
    :raises TenksError: a name is not a node of the cluster, or names a
        node without a BMC.
    """
    records = {r.name: r for r in state.resources.values()
               if r.kind == 'bmc'}
    if names:
        unknown = [n for n in names if n not in state.nodes]
        if unknown:
            raise exception.TenksError('no node named %s (nodes: %s)' % (
                ', '.join(unknown), ', '.join(state.nodes) or 'none'))
        without = [n for n in names
                   if not nodeview.has_bmc(state.nodes[n])]
        if without:
            raise exception.TenksError('%s ha%s no BMC' % (
                ', '.join(without), 's' if len(without) == 1 else 've'))
        chosen = list(dict.fromkeys(names))
    else:
        chosen = [n for n, node in state.nodes.items()
                  if nodeview.has_bmc(node)]
    out = []
    for name in chosen:
        emulator = state.nodes[name]['bmc']['emulator']
        record = records.get(name)
        problem = ''
        if record is None:
            problem = 'its BMC was never created (run tenks deploy)'
        elif record.status not in _USABLE:
            problem = 'its BMC is %s (run tenks deploy)' % record.status
        out.append(Target(name, emulator, record, problem))
    return out


def _act(driver, props, action):
    """Do ``action`` through one BMC; the power state it reports after.

    A reboot is what Ironic's IPMI and Redfish power interfaces do: power
    off (at once, if on), then on. A node that is off is powered on.
    """
    if action == 'verify':
        return driver.verify(props)
    if action == 'reboot':
        driver.power(props, 'off')
        return driver.power(props, 'on')
    return driver.power(props, action)


def _one(plugins, target, action):
    start = time.monotonic()
    endpoint = ''
    power = None
    error = target.problem
    if not error:
        record = target.record
        try:
            driver = plugins.driver_for('tenks.bmc', record.driver,
                                        record.hypervisor)
            endpoint = type(driver).endpoint(record.props)
            power = _act(driver, record.props, action)
        except Exception as exc:  # noqa - one node's failure is reported
            error = str(exc) or type(exc).__name__
    return Outcome(target.name, target.emulator, endpoint, power, error,
                   time.monotonic() - start)


def run(plugins, chosen, action, workers=8):
    """Speak to the BMCs of ``chosen`` (see :func:`targets`) at once.

    :param action: 'on', 'off', 'status', 'reboot' or 'verify'.
    :returns: list of :class:`Outcome`, in the order of ``chosen``.
    """
    if action not in ACTIONS + ('verify',):
        raise ValueError('unknown BMC action %r' % action)
    if not chosen:
        return []
    workers = max(1, min(workers, len(chosen)))
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda t: _one(plugins, t, action), chosen))
