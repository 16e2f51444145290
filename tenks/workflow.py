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

"""The one door: the steps of every command.

Changing the cluster::

    spec (validated) + state (locked) -> seed, hypervisors -> capacity
    facts (only when new nodes are placed) -> allocation -> desired
    resources -> refresh (what exists) -> plan -> executor -> state saved

``validate`` and ``deploy --dry-run`` stop before the executor and share
every step before it, so they reach the same verdicts. Reading the
cluster (``status``, ``node list/show``, ``node power/reboot``,
``verify``, ``export``) goes through here too, and answers an empty cluster
one way (:func:`require_state`, :func:`listing_state`). The planner in
between is pure; what it needs from the world is gathered here and passed
in as values.
"""

import collections
import contextlib
import functools
import os
import secrets as pysecrets

from oslo_log import log as logging

from tenks import exception
from tenks import executor as executor_mod
from tenks.planner import allocate
from tenks.planner import kinds
from tenks.planner import reconcile
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


# -- inputs -------------------------------------------------------------------

def load_spec(ctx, path):
    # Imported here: the spec's parser, schema and YAML loader cost
    # read-only commands, which read no spec, about 40 ms.
    from tenks.spec import load as spec_load
    spec = spec_load.load_spec(path, ctx.settings, ctx.catalog)
    for warning in spec.warnings:
        LOG.warning('%s: %s', path, warning)
    return spec


def read_state(ctx):
    """Load the state without locking (for read-only commands)."""
    return ctx.store.load(cluster=ctx.settings.cluster_name)


def state_path_hint(ctx):
    return os.path.abspath(ctx.conf.state_file)


def no_cluster(ctx, state):
    """Why there is no cluster to read, or None when there is one.

    There is none when the state file does not exist (before the first
    deploy, after a complete teardown), or records nothing: no node, no
    resource, no run that did not complete.
    """
    if not ctx.store.exists():
        return ('no cluster: state file %s does not exist (run tenks '
                'deploy first)' % state_path_hint(ctx))
    if state.empty and state.last_run is None:
        return ('no cluster: state file %s records no nodes (run tenks '
                'deploy first)' % state_path_hint(ctx))
    return None


def require_state(ctx):
    """The state of the cluster, for a command that needs one.

    Every command that describes or acts on nodes (``node show``, ``node
    power``, ``node reboot``, ``node console``, ``verify``, ``export``,
    ``status``) fails the same way without a cluster (:func:`no_cluster`).

    :raises StateError: there is no cluster.
    """
    state = read_state(ctx)
    reason = no_cluster(ctx, state)
    if reason:
        raise exception.StateError(reason)
    return state


def listing_state(ctx):
    """The state of the cluster for a listing, or None without one.

    Listings (``node list``, ``hypervisor list``) answer an empty
    cluster with an empty list and exit 0; the reason
    (:func:`no_cluster`) is logged, at info level, so that people see
    the same sentence as from every other command.
    """
    state = read_state(ctx)
    reason = no_cluster(ctx, state)
    if reason:
        LOG.info('%s', reason)
        return None
    return state


def _allocations(spec, state):
    """How to reach each hypervisor: the state's, the spec's over them.

    The spec also says how SSH reaches its hosts now: a hypervisor only
    the state still records, on one of them, is reached the same way.
    """
    out = {name: dict(info) for name, info in state.hypervisors.items()}
    ssh = {}
    for hv in spec.hypervisors if spec is not None else ():
        reach = hv.reach
        old = {k: v for k, v in (out.get(hv.name) or {}).items()
               if k != 'ssh'}
        out[hv.name] = dict(old, **reach)
        if hv.host:
            ssh.setdefault(hv.host, reach.get('ssh'))
    for name, info in out.items():
        host = info.get('host')
        if host in ssh and spec.hypervisor(name) is None:
            info.pop('ssh', None)
            if ssh[host]:
                info['ssh'] = ssh[host]
    return out


def check_hosts(ctx, allocations, skip=()):
    """Stop unless every remote host of ``allocations`` can be worked on.

    They are asked at once (:mod:`tenks.hosts.preflight`): each must
    answer over SSH, take the key, have ``tenks-host-agent`` and run
    this tenks' version. Nothing happens without a remote host.

    :param skip: hosts not to ask (forgotten ones).
    :raises HostsNotReady: one line per host that cannot.
    """
    hosts = [h for h in ctx.reach(allocations) if h not in skip]
    if hosts:
        from tenks.hosts import preflight
        preflight.require(ctx.ssh, hosts, agents=ctx.agent)


@contextlib.contextmanager
def _run(ctx, spec, state, check=False, skip_hosts=()):
    """The plugin drivers of one run, closed when it ends.

    :param check: first check the remote hosts (:func:`check_hosts`), for
        the commands that plan changes.
    :param skip_hosts: hosts the check leaves out.
    """
    allocations = _allocations(spec, state)
    plugins = ctx.plugins(allocations)
    try:
        if check:
            check_hosts(ctx, allocations, skip_hosts)
        yield plugins
    finally:
        plugins.close()


class _Locked(object):
    """Hold the state lock around a run; dry runs read without it.

    Set ``remove`` to delete the lock file on release (after a teardown
    that left nothing behind).
    """

    def __init__(self, ctx, dry_run):
        self.lock = lock_mod.StateLock(ctx.store.lock_path)
        self.dry_run = dry_run
        self.remove = False

    def __enter__(self):
        if not self.dry_run:
            self.lock.acquire()
            return self
        holder = self.lock.probe()
        if holder is not None:
            LOG.warning('another tenks run holds the lock on %s (%s): this '
                        'dry run plans from the state as it is now, which '
                        'that run is changing', self.lock.path,
                        lock_mod.describe(holder))
        return self

    def __exit__(self, *exc):
        if not self.dry_run:
            self.lock.release(remove=self.remove)


# -- planning -----------------------------------------------------------------

def _facts(plugins, spec):
    """Each hypervisor's capacity, as its provider reports it.

    Capacity is a hint: a hypervisor that cannot say is left out.

    :returns: ``(facts, warnings)``: the warnings say which could not.
    """
    out, warnings = {}, []
    for hv in spec.hypervisors:
        try:
            driver = plugins.driver_for('tenks.providers', hv.provider,
                                        hv.name)
            out[hv.name] = driver.host_facts()
        except Exception as exc:  # noqa - capacity is a hint
            warnings.append('could not read the capacity of hypervisor '
                            '%s: %s' % (hv.name, exc))
    return out, warnings


def plan_deploy(ctx, spec, state, plugins, refresh=True):
    """Plan a deploy of ``spec`` over ``state``; nothing is changed.

    The seed is the state's, or a new one for a new cluster; capacity
    facts are gathered only when new nodes need placing; with
    ``refresh``, what exists is observed first, so that collisions stop
    the plan before anything is touched.
    """
    seed = state.seed or pysecrets.token_hex(16)
    facts, unread = None, []
    if allocate.needs_placement(spec, state):
        facts, unread = _facts(plugins, spec)
    scheduler = plugins.scheduler(spec.settings.scheduler)
    desired = reconcile.desired_state(spec, state, seed, scheduler,
                                      ctx.catalog, facts)
    observations = None
    if refresh:
        from tenks import refresh as refresh_mod
        records = list(state.resources.values()) + [
            r for k, r in desired.resources.items()
            if k not in state.resources]
        observations = refresh_mod.observe(plugins, records,
                                           max_workers=ctx.conf.max_workers)
        refresh_mod.refuse_unrecorded(observations, records, state,
                                      spec.settings.cluster_name,
                                      ctx.store.path)
    # Only now: a hypervisor that cannot be reached at all stops the
    # refresh with its one line, and its capacity is no news then.
    for warning in unread:
        LOG.warning(warning)
    plan = reconcile.deploy_plan(state, desired, observations)
    from tenks.spec import images as spec_images
    spec_images.check(spec, plan)
    if refresh:
        from tenks import support
        support.require(plugins, plan)
    return plan


def _executor(ctx, state, plugins):
    return executor_mod.Executor(ctx.store, state, plugins,
                                 ctx.conf.max_workers, ctx.progress)


def _load_for(ctx, spec):
    return ctx.store.load(cluster=spec.settings.cluster_name)


def deploy(ctx, spec_path, dry_run=False, refresh=True):
    spec = load_spec(ctx, spec_path)
    with _Locked(ctx, dry_run):
        state = _load_for(ctx, spec)
        with _run(ctx, spec, state, check=True) as plugins:
            plan = plan_deploy(ctx, spec, state, plugins, refresh=refresh)
            for warning in plan.warnings:
                LOG.warning(warning)
            outcome = Outcome(plan, dry_run=dry_run, nodes=len(plan.nodes))
            if dry_run:
                return outcome
            executor = _executor(ctx, state, plugins)
            if plan.empty:
                if plan.changes_allocation(state):
                    executor.record_allocation(plan)
                return outcome
            LOG.info('Applying plan: %s', plan.summary())
            outcome.results = executor.apply(plan)
            return outcome


def validate(ctx, spec_path, refresh=True):
    """Validate a spec: plan it as ``deploy --dry-run`` would.

    Every spec problem, every node that fits nowhere and (with
    ``refresh``) every collision with what exists is an error. Nothing is
    locked or touched.

    :returns: ``(spec, plan)``.
    """
    spec = load_spec(ctx, spec_path)
    state = _load_for(ctx, spec)
    with _run(ctx, spec, state, check=True) as plugins:
        return spec, plan_deploy(ctx, spec, state, plugins, refresh=refresh)


def _in_cloud(record):
    """Whether ``record`` lives in the cloud (Ironic, Nova, Placement)."""
    return kinds.namespace(record.kind) == 'tenks.enrolment'


def forgotten_hypervisors(state, names):
    """The hypervisors of ``state`` that ``names`` forget.

    :param names: hypervisor names or their hosts (SSH destinations).
    :returns: ``(hypervisor names, hosts)``, sets.
    :raises TenksError: a name that is no remote hypervisor or host of
        the cluster.
    """
    hypervisors, hosts = set(), set()
    for name in names:
        found = {hv: info for hv, info in state.hypervisors.items()
                 if name in (hv, (info or {}).get('host'))}
        if not found:
            raise exception.TenksError(
                '--forget-host %s: no hypervisor of the cluster is %s or '
                'on %s (its hypervisors: %s)' % (
                    name, name, name, ', '.join(sorted(state.hypervisors))
                    or 'none'))
        local = sorted(hv for hv, info in found.items()
                       if not (info or {}).get('host'))
        if local:
            raise exception.TenksError(
                '--forget-host %s: hypervisor %s is this host; only a '
                'remote host can be forgotten' % (name, local[0]))
        hypervisors.update(found)
        hosts.update(info['host'] for info in found.values())
    # A host is forgotten whole: every hypervisor on it.
    hypervisors.update(hv for hv, info in state.hypervisors.items()
                       if (info or {}).get('host') in hosts)
    return hypervisors, hosts


def teardown(ctx, dry_run=False, refresh=True, forget_cloud=False,
             forget_hosts=()):
    """Remove everything the state records.

    :param forget_cloud: do not reach the cloud: forget the Ironic nodes,
        flavors and Placement waits tenks made instead of deleting them,
        and remove only what lives on the hypervisors (for a cloud that is
        going away with its database, as in DevStack's unstack).
    :param forget_hosts: remote hosts gone for good (hypervisor names or
        hosts): do not reach them, and forget what tenks made on them
        (see :func:`forgotten_hypervisors`); the rest is removed.
    """
    from tenks import observation
    with _Locked(ctx, dry_run) as locked:
        state = read_state(ctx)
        gone, gone_hosts = forgotten_hypervisors(state, forget_hosts)
        hosts = sorted({(info or {}).get('host') for info in
                        state.hypervisors.values()} - {None} - gone_hosts)
        with _run(ctx, None, state, check=True,
                  skip_hosts=gone_hosts) as plugins:
            forgotten = {
                key for key, r in state.resources.items()
                if (forget_cloud and _in_cloud(r)) or r.hypervisor in gone}
            records = [r for k, r in state.resources.items()
                       if k not in forgotten]
            observations = {}
            if refresh and records:
                from tenks import refresh as refresh_mod
                observations = refresh_mod.observe(
                    plugins, records, max_workers=ctx.conf.max_workers)
            for key in forgotten:
                observations[key] = observation.ABSENT
            plan = reconcile.teardown_plan(state, observations or None)
            outcome = Outcome(plan, dry_run=dry_run, nodes=len(state.nodes))
            if dry_run or not ctx.store.exists():
                return outcome
            outcome.results = _executor(ctx, state, plugins).apply(plan)
        if state.empty:
            ctx.store.remove()
            locked.remove = True
    if locked.remove:
        # The lock file is gone too now: leave no empty directory behind.
        _remove_empty_dirs(ctx, hosts)
    return outcome


def _remove_empty_dirs(ctx, hosts):
    """Remove the directories tenks made, if nothing is left in them.

    Here: the run directory and the state file's; on each remote host in
    ``hosts``: its run directory.
    """
    from tenks.hosts import base as host_base
    from tenks.hosts import files
    files.remove_empty_dirs([ctx.conf.run_dir,
                             os.path.dirname(ctx.store.path)])
    for host in hosts:
        try:
            ctx.agent(host).call(files.remove_empty_dirs,
                                 paths=[ctx.conf.run_dir])
        except (exception.TenksError, host_base.CommandError) as exc:
            LOG.warning('could not remove the empty run directory %s on '
                        '%s: %s', ctx.conf.run_dir, host, exc)


# -- reading the cluster ----------------------------------------------------

def status(ctx):
    """Compare the state with what exists, changing nothing.

    :returns: list of ``(record, observation or None)``, in plan order
        (by kind, then name).
    """
    state = require_state(ctx)
    from tenks import refresh as refresh_mod
    with _run(ctx, None, state) as plugins:
        observations = refresh_mod.observe(plugins, state.resources.values(),
                                           strict=False,
                                           max_workers=ctx.conf.max_workers)
    records = sorted(state.resources.values(),
                     key=lambda r: (kinds.rank(r.kind), r.name))
    return [(record, observations.get(record.key)) for record in records]


def cluster(ctx, state=None):
    """The :class:`tenks.nodeview.ClusterView` of the state."""
    from tenks import nodeview
    state = state if state is not None else read_state(ctx)
    return nodeview.cluster_view(state, ctx.settings, ctx.catalog)


def _node(state, name):
    found = state.nodes.get(name)
    if found is None:
        raise exception.TenksError('no node named %s (nodes: %s)' % (
            name, ', '.join(state.nodes) or 'none'))
    return found


def _power_states(ctx, state, plugins, names):
    from tenks import live
    return live.power_states(plugins, state, names, ctx.conf.max_workers)


def node(ctx, name):
    """Node ``name``: ``(state, NodeView, power state)``.

    The power state is the hypervisor's (see :mod:`tenks.live`).
    """
    from tenks import nodeview
    state = require_state(ctx)
    view = nodeview.node_view(state, _node(state, name), ctx.settings,
                              ctx.catalog)
    with _run(ctx, None, state) as plugins:
        power = _power_states(ctx, state, plugins, [name])[name]
    return state, view, power


class NodeListing(object):
    """What ``tenks node list`` shows.

    :ivar nodes: the :class:`tenks.nodeview.NodeView` of every node.
    :ivar power: ``{node name: power state}``, from the hypervisors.
    :ivar bmc: ``{node name: tenks.bmc_requests.Outcome}`` of the nodes
        with a BMC, when their BMCs were asked; else empty.
    """

    def __init__(self, nodes=(), power=None, bmc=None):
        self.nodes = list(nodes)
        self.power = power or {}
        self.bmc = bmc or {}


def node_list(ctx, check_bmc=False):
    """The nodes, with their live power state (one listing per hypervisor).

    :param check_bmc: also ask every node's BMC for its power state (one
        request per node, several at a time), to show which answer.
    :returns: a :class:`NodeListing`; empty without a cluster
        (:func:`listing_state`).
    """
    from tenks import bmc_requests
    state = listing_state(ctx)
    if state is None:
        return NodeListing()
    views = cluster(ctx, state).nodes
    with _run(ctx, None, state) as plugins:
        power = _power_states(ctx, state, plugins, [v.name for v in views])
        bmc = {}
        if check_bmc:
            outcomes = bmc_requests.run(plugins,
                                        bmc_requests.targets(state),
                                        'status', ctx.conf.max_workers)
            bmc = {o.name: o for o in outcomes}
    return NodeListing(views, power, bmc)


def hypervisors(ctx):
    """Each hypervisor and what it hosts, for ``tenks hypervisor list``.

    :returns: ``[(name, allocation, usage)]``: the allocation is the
        state's (``libvirt_uri``, ``host``, ``physnet_indices``...), the
        usage ``{'nodes', 'memory_mb', 'vcpus'}`` of its nodes. Empty
        without a cluster (:func:`listing_state`).
    """
    state = listing_state(ctx)
    if state is None:
        return []
    usage = {}
    for node_ in state.nodes.values():
        use = usage.setdefault(node_.get('hypervisor'),
                               {'nodes': 0, 'memory_mb': 0, 'vcpus': 0})
        use['nodes'] += 1
        use['memory_mb'] += node_.get('memory_mb') or 0
        use['vcpus'] += node_.get('vcpus') or 0
    return [(name, hv, usage.get(name) or
             {'nodes': 0, 'memory_mb': 0, 'vcpus': 0})
            for name, hv in state.hypervisors.items()]


@contextlib.contextmanager
def console(ctx, name):
    """``(provider driver, domain record)`` of node ``name``'s console.

    The driver reads the console log (``console_log``) or names the
    command attaching to the live console (``console_argv``).
    """
    state = require_state(ctx)
    _node(state, name)
    record = state.resources.get('domain:%s' % name)
    if record is None:
        raise exception.TenksError('node %s has no virtual machine yet (run '
                                   'tenks deploy)' % name)
    with _run(ctx, None, state) as plugins:
        yield plugins.driver(record), record


def bmc_request(ctx, names, action):
    """Speak to the BMCs of nodes ``names`` (None: every node with one).

    :param action: 'on', 'off', 'status', 'reboot' or 'verify'.
    :returns: list of :class:`tenks.bmc_requests.Outcome`.
    """
    from tenks import bmc_requests
    state = require_state(ctx)
    chosen = bmc_requests.targets(state, names)
    with _run(ctx, None, state) as plugins:
        return bmc_requests.run(plugins, chosen, action,
                                ctx.conf.max_workers)


def export(ctx, fmt):
    """The cluster in format ``fmt`` (an exporter's name), as text."""
    state = require_state(ctx)
    exporter = ctx.catalog.cls('tenks.exporters', fmt)(ctx.conf)
    return exporter.export(cluster(ctx, state))


def host_needs(ctx, spec_path=None, spec=None):
    """``{host: Needs}``: what hosts must have (:mod:`tenks.hostsetup`).

    The hosts of the spec's hypervisors, or this host.

    :param spec: the spec already loaded, instead of ``spec_path``.
    """
    from tenks.hostsetup import setup
    if spec is None and spec_path:
        spec = load_spec(ctx, spec_path)
    if spec is not None:
        return setup.needs_from_spec(spec, ctx.catalog)
    return setup.needs_from_settings(ctx.settings, ctx.catalog)


def _agent_plans(ctx, allocations, version):
    """``{host: agent install plan}`` of the remote hosts.

    Decided before anything changes (see :mod:`tenks.hostsetup.agent`).

    :returns: the plans, and the :class:`~tenks.hostsetup.wheelhouse.
        Wheels` they would install from.
    :raises HostsNotReady: a host does not answer over SSH, or its agent
        cannot be installed; one line per host.
    """
    from tenks.hosts import preflight
    from tenks.hostsetup import agent as agent_mod
    from tenks.hostsetup import wheelhouse
    hosts = ctx.reach(allocations)
    verdicts = preflight.check_all(ctx.ssh, hosts, version)
    unreached = [v for v in verdicts if not v.reached]
    if unreached:
        raise exception.HostsNotReady(unreached, len(verdicts))
    dists = compiled = None
    if any(not v.ok for v in verdicts):
        dists = wheelhouse.closure()
        compiled = wheelhouse.compiled(dists)
    plans = collections.OrderedDict(
        (v.host, agent_mod.plan(
            ctx.agent(v.host), v, ctx.ssh.identity(v.host).agent_command,
            ctx.conf.ssh.agent_venv, ctx.conf.ssh.agent_python, version,
            compiled, agent_mod.here()))
        for v in verdicts)
    refused = [p for p in plans.values() if p.action == 'refused']
    if refused:
        raise exception.HostsNotReady(refused, len(plans))
    return plans, wheelhouse.Wheels(version, dists)


def host_setup(ctx, spec_path=None, dry_run=False, report=None):
    """Set up the hosts (see :func:`host_needs`).

    Remote hosts are checked first, all of them, before any is changed:
    each must answer over SSH, and its ``tenks-host-agent`` be this
    tenks' version or be one tenks can install (:func:`_agent_plans`);
    it is installed last, once the host has Python.

    :param report: called with ``(host name, step result)`` as each step
        ends.
    :returns: ``[(host name, [step results])]``.
    :raises HostsNotReady: a remote host cannot be worked on.
    """
    from tenks.hostsetup import agent as agent_mod
    from tenks.hostsetup import setup
    from tenks import version as version_mod
    spec = load_spec(ctx, spec_path) if spec_path else None
    plans, wheels = {}, None
    version = version_mod.release_string()
    if spec is not None:
        plans, wheels = _agent_plans(
            ctx, {hv.name: hv.reach for hv in spec.hypervisors}, version)
    out = []
    try:
        for host, needs in host_needs(ctx, spec=spec).items():
            name = host or 'localhost'
            last = ()
            if host in plans:
                last = (functools.partial(
                    agent_mod.install, agent=ctx.agent(host),
                    plan=plans[host], python=ctx.conf.ssh.agent_python,
                    version=version, wheels=wheels),)
            results = setup.setup_host(
                ctx.agent(host), needs, dry_run=dry_run,
                report=(lambda result, name=name: report(name, result))
                if report else None, last=last)
            out.append((name, results))
    finally:
        if wheels is not None:
            wheels.close()
    return out
