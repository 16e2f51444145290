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

"""Ask plugins what exists (the refresh before planning).

Records are grouped by kind, driver and hypervisor so each plugin is asked
once per group, in bulk: one libvirt domain listing, one link dump, one
Ironic node list. Each hypervisor's groups are asked in turn, and the
hypervisors (and the cloud) at once: a cluster over several hosts is
refreshed in the time of its slowest host, not the sum.
"""

import collections
import concurrent.futures

from oslo_log import log as logging

from tenks import exception
from tenks import observation as observation_mod

LOG = logging.getLogger(__name__)


def _observe_lane(plugins, groups):
    """Observe the groups of one hypervisor in turn.

    :returns: ``(observations, {(driver, hypervisor): error})``.
    """
    out, failures = {}, {}
    for (kind, driver_name, hypervisor), recs in groups:
        where = (driver_name, hypervisor)
        if where in failures:
            continue
        sample = next(iter(recs.values()))
        try:
            driver = plugins.driver(sample)
            out.update(driver.observe(kind, list(recs.values())))
        except exception.TenksError as exc:
            failures[where] = str(exc)
        except Exception as exc:  # noqa - any plugin failure stops the plan
            failures[where] = '%s: %s' % (type(exc).__name__, exc)
    return out, failures


def observe(plugins, records, strict=True, max_workers=8):
    """Observe ``records`` (an iterable of ResourceRecord).

    :param max_workers: hypervisors asked at once, at most.
    :param strict: raise when a plugin cannot look; otherwise log a
        warning and leave its records unknown (for ``tenks status``).
    :returns: dict of key to Observation; keys a plugin leaves out are
        unknown, and the state is trusted for them.
    :raises tenks.exception.PlanError: when a plugin cannot look (libvirtd
        down, Ironic unreachable, bad credentials): planning on stale
        knowledge would only fail action after action, so the run stops
        here, before anything is touched, with one line per unreachable
        place (``--no-refresh`` trusts the state instead).
    """
    groups = collections.OrderedDict()
    for record in records:
        groups.setdefault((record.kind, record.driver, record.hypervisor),
                          {})[record.key] = record
    lanes = collections.OrderedDict()
    for key, recs in groups.items():
        lanes.setdefault(key[2], []).append((key, recs))
    out = {}
    found = {}
    workers = max(1, min(int(max_workers or 1), len(lanes)))
    if workers == 1:
        results = [_observe_lane(plugins, lane) for lane in lanes.values()]
    else:
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(
                lambda lane: _observe_lane(plugins, lane), lanes.values()))
    for seen, failed in results:
        out.update(seen)
        found.update(failed)
    # One line per place, in the order the records came.
    failures = collections.OrderedDict(
        (where, found[where]) for where in
        dict.fromkeys((d, hv) for (_k, d, hv) in groups) if where in found)
    lines = ['%s%s: %s' % (name, ' on %s' % hv if hv else '', error)
             for (name, hv), error in failures.items()]
    if lines and not strict:
        for line in lines:
            LOG.warning('cannot check what exists: %s', line)
    elif lines:
        raise exception.PlanError(
            'nothing was changed: cannot check what exists:\n  ' +
            '\n  '.join(lines))
    return out


def refuse_unrecorded(observations, records, state, cluster, state_path):
    """Stop the plan at what carries this cluster's mark unrecorded.

    A resource the plan would create, that exists already with the mark
    of this cluster while the state file does not record it, belongs to
    another state file of the same cluster name (or to a state file lost
    since): its observation gets the problem that says so
    (:func:`tenks.observation.unrecorded`). Records being adopted are
    left alone: adopting is taking what exists.

    :param observations: what :func:`observe` returned; changed in place.
    :param records: the records planned.
    :param state: the :class:`tenks.state.model.State` planned over.
    """
    for record in records:
        obs = observations.get(record.key)
        if (obs is None or record.adopt or
                record.key in state.resources):
            continue
        observations[record.key] = observation_mod.unrecorded(
            obs, cluster, state_path)
