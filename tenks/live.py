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

"""Live power states of nodes, as their hypervisors report them.

For ``tenks node list`` and ``node show``: the state file says what tenks
made, the hypervisor says whether it runs. Each hypervisor is asked once
for all its nodes (:meth:`tenks.providers.base.Provider.power_states`),
the hypervisors at the same time. Called by :mod:`tenks.workflow`.
"""

import concurrent.futures

from oslo_log import log as logging

from tenks.providers import base

LOG = logging.getLogger(__name__)

#: A node without a virtual machine recorded has no power state.
NONE = ''


def _ask(plugins, group):
    (_driver, hypervisor), records = group
    try:
        found = plugins.driver(records[0]).power_states(records)
    except Exception as exc:  # noqa - a listing shows what it could read
        LOG.warning('cannot read the power state of nodes on hypervisor '
                    '%s: %s', hypervisor, str(exc) or type(exc).__name__)
        found = {}
    return {r.name: found.get(r.name, base.UNKNOWN) for r in records}


def power_states(plugins, state, names, workers=8):
    """``{node name: power state}`` of nodes ``names`` of ``state``.

    The states are those of :data:`tenks.providers.base.POWER_WORDS`, or
    :data:`NONE` for a node whose domain is not recorded (not deployed
    yet). A hypervisor that cannot be reached gives ``unknown`` for its
    nodes, with a warning.
    """
    groups = {}
    out = {}
    for name in names:
        record = state.resources.get('domain:%s' % name)
        if record is None:
            out[name] = NONE
            continue
        groups.setdefault((record.driver, record.hypervisor),
                          []).append(record)
    if groups:
        workers = max(1, min(workers, len(groups)))
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            for found in pool.map(lambda g: _ask(plugins, g),
                                  groups.items()):
                out.update(found)
    return out
