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

"""The steps of each command, from spec and state to an applied plan.

    spec (validated) + state (locked) -> allocation -> desired resources
    -> refresh (what exists) -> plan -> executor -> state saved
"""

import os
import secrets as pysecrets

from oslo_log import log as logging

from tenks import exception
from tenks import executor as executor_mod
from tenks.planner import reconcile
from tenks.spec import load as spec_load
from tenks.state import lock as lock_mod

LOG = logging.getLogger(__name__)


class Outcome(object):
    """What a deploy or teardown did (or, with dry_run, would do)."""

    def __init__(self, plan, results=None, dry_run=False, nodes=0):
        self.plan = plan
        self.results = results or []
        self.dry_run = dry_run
        self.nodes = nodes

    @property
    def changed(self):
        return bool(self.plan.actions)


def load_spec(ctx, path):
    spec = spec_load.load_spec(path, ctx.settings)
    for warning in spec.warnings:
        LOG.warning('%s: %s', path, warning)
    return spec


def _new_seed():
    return pysecrets.token_hex(16)


def read_state(ctx):
    """Load the state without locking (for read-only commands)."""
    state = ctx.store.load(cluster=ctx.settings.cluster_name)
    ctx.set_hypervisors(state.hypervisors)
    return state


class _Locked(object):
    """Hold the state lock around a run; dry runs read without it.

    Set ``remove`` to delete the lock file on release (after a teardown
    that left nothing behind).
    """

    def __init__(self, ctx, dry_run):
        self.lock = None if dry_run else lock_mod.StateLock(
            ctx.store.lock_path)
        self.remove = False

    def __enter__(self):
        if self.lock:
            self.lock.acquire()
        return self

    def __exit__(self, *exc):
        if self.lock:
            self.lock.release(remove=self.remove)


def _scheduler_facts(ctx, spec):

    def facts(name):
        try:
            driver = ctx.plugins.driver_for(
                'tenks.providers', spec.hypervisor(name).provider, name)
            return driver.host_facts()
        except Exception as exc:  # noqa - capacity is a hint
            LOG.warning('could not read the capacity of hypervisor %s: %s',
                        name, exc)
            return {}
    return facts


def plan_deploy(ctx, spec, state, refresh=True):
    """Plan a deploy of ``spec`` over ``state`` (no changes made)."""
    if not state.seed:
        state.seed = _new_seed()
        state.cluster = spec.settings.cluster_name
    hypervisors = dict(state.hypervisors)
    for hv in spec.hypervisors:
        hypervisors.setdefault(hv.name, {})
        hypervisors[hv.name] = dict(hypervisors[hv.name],
                                    libvirt_uri=hv.libvirt_uri,
                                    host=hv.host, pool_name=hv.pool_name)
    ctx.set_hypervisors(hypervisors)
    emulators = ctx.plugins.emulators(
        {t.bmc_emulator for t in spec.node_types.values()} |
        {r.driver for r in state.resources.values()
         if r.kind in ('bmc', 'bmc_service')})
    scheduler = ctx.plugins.scheduler(ctx.conf.scheduler)
    desired = reconcile.desired_state(spec, state, scheduler, emulators,
                                      facts=_scheduler_facts(ctx, spec))
    observations = None
    if refresh:
        from tenks import refresh as refresh_mod
        records = list(state.resources.values()) + [
            r for k, r in desired.resources.items()
            if k not in state.resources]
        observations = refresh_mod.observe(ctx.plugins, records)
    return reconcile.deploy_plan(state, desired, observations)


def deploy(ctx, spec_path, dry_run=False, refresh=True):
    spec = load_spec(ctx, spec_path)
    with _Locked(ctx, dry_run):
        state = ctx.store.load(cluster=spec.settings.cluster_name)
        plan = plan_deploy(ctx, spec, state, refresh=refresh)
        for warning in plan.warnings:
            LOG.warning(warning)
        outcome = Outcome(plan, dry_run=dry_run, nodes=len(plan.nodes))
        if dry_run:
            return outcome
        if plan.empty:
            if _allocation_changed(state, plan):
                _executor(ctx, state).apply(plan)
            return outcome
        LOG.info('Applying plan: %s', plan.summary())
        outcome.results = _executor(ctx, state).apply(plan)
        return outcome


def _executor(ctx, state):
    return executor_mod.Executor(ctx.store, state, ctx.plugins,
                                 ctx.conf.max_workers, ctx.progress)


def _allocation_changed(state, plan):
    return (list(state.nodes.values()) != list(plan.nodes.values()) or
            state.hypervisors != plan.hypervisors or bool(plan.forget))


def _in_cloud(record):
    """Whether ``record`` lives in the cloud (Ironic, Nova, Placement)."""
    from tenks.planner import kinds
    return kinds.namespace(record.kind) == 'tenks.enrolment'


def teardown(ctx, dry_run=False, refresh=True, forget_cloud=False):
    """Remove everything the state records.

    :param forget_cloud: do not reach the cloud: forget the Ironic nodes,
        flavors and Placement waits tenks made instead of deleting them,
        and remove only what lives on the hypervisors (for a cloud that is
        going away with its database, as in DevStack's unstack).
    """
    with _Locked(ctx, dry_run) as locked:
        state = ctx.store.load(cluster=ctx.settings.cluster_name)
        ctx.set_hypervisors(state.hypervisors)
        records = [r for r in state.resources.values()
                   if not (forget_cloud and _in_cloud(r))]
        observations = {}
        if refresh and records:
            from tenks import refresh as refresh_mod
            observations = refresh_mod.observe(ctx.plugins, records)
        if forget_cloud:
            from tenks import observation
            for key, record in state.resources.items():
                if _in_cloud(record):
                    observations[key] = observation.ABSENT
        plan = reconcile.teardown_plan(state, observations or None)
        outcome = Outcome(plan, dry_run=dry_run, nodes=len(state.nodes))
        if dry_run or not ctx.store.exists():
            return outcome
        outcome.results = _executor(ctx, state).apply(plan)
        if state.empty:
            ctx.store.remove()
            locked.remove = True
    if locked.remove:
        # The lock file is gone too now: leave no empty directory behind.
        _remove_empty_dirs(ctx.conf.run_dir, os.path.dirname(ctx.store.path))
    return outcome


def _remove_empty_dirs(*paths):
    """Remove directories tenks made, if nothing is left in them."""
    for path in paths:
        try:
            os.rmdir(path)
        except OSError:
            pass


def status(ctx):
    """Compare the state with what exists, changing nothing.

    :returns: list of ``(record, observation or None)`` in state order.
    """
    state = require_state(ctx)
    from tenks import refresh as refresh_mod
    observations = refresh_mod.observe(ctx.plugins,
                                       state.resources.values(),
                                       strict=False)
    return [(record, observations.get(key))
            for key, record in state.resources.items()]


def validate(ctx, spec_path):
    """Validate a spec and plan it against the current state.

    Every spec problem and every node that fits nowhere is an error.
    Without a state, an empty one is used. Nothing is locked or touched.
    """
    spec = load_spec(ctx, spec_path)
    state = ctx.store.load(cluster=spec.settings.cluster_name)
    if not state.seed:
        state.seed = _new_seed()
        state.cluster = spec.settings.cluster_name
    emulators = ctx.plugins.emulators(
        {t.bmc_emulator for t in spec.node_types.values()})
    scheduler = ctx.plugins.scheduler(ctx.conf.scheduler)
    desired = reconcile.desired_state(spec, state, scheduler, emulators)
    return spec, desired


def state_path_hint(ctx):
    return os.path.abspath(ctx.conf.state_file)


def require_state(ctx):
    state = read_state(ctx)
    if state.empty and not ctx.store.exists():
        raise exception.StateError('no cluster: state file %s does not '
                                   'exist (run tenks deploy first)'
                                   % state_path_hint(ctx))
    return state
