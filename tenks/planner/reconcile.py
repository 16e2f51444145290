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

"""The planner's entry points: deploy (spec + state) and teardown (state).

Pure: the same inputs give the same plan. Refreshing (asking plugins what
exists) happens between :func:`desired_state` and :func:`deploy_plan`, in
the caller, so that collisions with resources tenks did not create stop
the plan before anything is touched.
"""

import collections
import contextlib
import functools
import gc

from tenks import exception
from tenks.planner import allocate
from tenks.planner import desired as desired_mod
from tenks.planner import diff
from tenks.planner import naming


def _gc_paused(func):
    """Run ``func`` with the cyclic garbage collector paused.

    Planning builds hundreds of thousands of small dicts and lists and no
    reference cycles; without the pause, repeated full collections make
    planning time grow faster than the cluster.
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with _no_gc():
            return func(*args, **kwargs)
    return wrapper


@contextlib.contextmanager
def _no_gc():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # What planning built lives until the run ends: move it out of
            # the collector's reach instead of scanning it again and again.
            gc.freeze()
            gc.enable()


class DesiredState(object):
    """Allocated nodes and the resources that realise them."""

    def __init__(self, allocation, resources, seed, cluster):
        self.allocation = allocation
        self.resources = resources
        self.seed = seed
        #: The cluster the resources are marked with (the spec's).
        self.cluster = cluster


@_gc_paused
def desired_state(spec, state, seed, scheduler, catalog, facts=None):
    """Allocate nodes and build the resources the spec asks for.

    :param seed: the cluster's seed (a new one when the state has none).
    :param catalog: the :class:`tenks.plugins.Catalog` of plugin classes.
    :param facts: the hypervisors' capacity, when placement needs it (see
        :func:`tenks.planner.allocate.needs_placement`).
    :raises SchedulingError: a node fits on no hypervisor.
    :raises PlanError: a generated name breaks a limit.
    """
    if state.cluster != spec.settings.cluster_name and not state.empty:
        raise exception.PlanError(
            'the state file belongs to cluster %r but the configuration '
            'names cluster %r' % (state.cluster, spec.settings.cluster_name))
    emulators = catalog.emulators(
        {t.bmc_emulator for t in spec.node_types.values()})
    allocation = allocate.allocate(spec, state, seed, scheduler, emulators,
                                   facts)
    try:
        resources = desired_mod.build(spec, allocation, catalog, seed)
    except naming.NamingError as exc:
        raise exception.PlanError(str(exc))
    return DesiredState(allocation, resources, seed,
                        spec.settings.cluster_name)


def _hypervisors(allocated, state):
    """Hypervisor allocations to record.

    The spec's hypervisors, plus any old one a recorded resource still
    lives on (it is needed to delete that resource).
    """
    out = collections.OrderedDict(allocated)
    used = {r.hypervisor for r in state.resources.values() if r.hypervisor}
    for name, hv in state.hypervisors.items():
        if name not in out and name in used:
            out[name] = hv
    return out


@_gc_paused
def deploy_plan(state, desired, observations=None):
    """The plan that makes ``state`` match ``desired``."""
    return diff.diff(desired.resources, state, observations,
                     nodes=desired.allocation.nodes,
                     hypervisors=_hypervisors(
                         desired.allocation.hypervisors, state),
                     seed=desired.seed, cluster=desired.cluster)


@_gc_paused
def teardown_plan(state, observations=None):
    """The plan that removes everything recorded in ``state``."""
    plan = diff.diff(collections.OrderedDict(), state, observations,
                     nodes={}, hypervisors=_hypervisors({}, state),
                     gone_reason='teardown')
    plan.command = 'teardown'
    return plan
