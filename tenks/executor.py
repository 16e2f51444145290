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

"""Apply a plan through the plugins, journalling every step.

Before an action touches anything the journal records the intent; after
it, the outcome. A run killed at any point therefore leaves a state that
is true to what exists, and the next plan resumes or undoes what was half
done. Independent actions run at once (``[DEFAULT] max_workers``); an
action runs only after the actions it depends on succeeded, and is
skipped when one of them failed, while unrelated actions go on.

A run journals its beginning, with every action of its plan, and its end,
so a run that did not complete (failed, interrupted, killed) is recorded
as such until one completes. SIGINT or SIGTERM stops a run: no action
starts after it, those in progress finish, and the run ends with
:class:`tenks.exception.Interrupted`; a second signal aborts at once (see
:mod:`tenks.interrupts`).
"""

import concurrent.futures
import os
import signal
import threading
import time

from oslo_log import log as logging

from tenks import exception
from tenks import faults
from tenks import interrupts
from tenks.planner import plan as plan_mod
from tenks import progress as progress_mod
from tenks.state import model as state_model
from tenks.state import store as store_mod

LOG = logging.getLogger(__name__)

DONE = 'done'
FAILED = 'failed'
SKIPPED = 'skipped'
NOT_STARTED = 'not started'

#: Seconds between looks at a stop request while actions run.
_WAKE = 0.5

# Test hook: sleep this many seconds before each action (so that tests can
# catch a run in the middle). Crash hooks are in tenks.faults.
SLOW_ENV = 'TENKS_TEST_SLOW_ACTIONS'


class Result(object):
    __slots__ = ('action', 'status', 'detail', 'seconds')

    def __init__(self, action, status, detail='', seconds=0.0):
        self.action = action
        self.status = status
        self.detail = detail
        self.seconds = seconds


class Executor(object):
    """Applies plans to one state.

    :param store: the :class:`tenks.state.store.StateStore` (locked).
    :param state: the loaded :class:`tenks.state.model.State`; updated as
        actions complete.
    :param plugins: the :class:`tenks.plugins.Plugins` of the run.
    :param max_workers: how many actions may run at once.
    :param progress: a :class:`tenks.progress.Progress` (default: log
        lines).
    """

    def __init__(self, store, state, plugins, max_workers=8, progress=None):
        self.store = store
        self.state = state
        self.plugins = plugins
        self.max_workers = max_workers
        self.progress = progress or progress_mod.Progress()
        self._lock = threading.Lock()
        self._kill_after = faults.kill_after()
        self._slow = float(os.environ.get(SLOW_ENV) or 0)
        self._stop = interrupts.StopRequest()
        self._command = None

    def _journal(self, entry):
        with self._lock:
            self.store.journal(entry)
            store_mod.apply_entry(self.state, entry)

    def commit_allocation(self, plan, nodes=None):
        """Record the plan's node allocation before any action.

        Names, UUIDs, MACs and ports are then reused by a re-run.

        :param nodes: the nodes to record (default: the plan's).
        """
        self._allocate(plan, plan.nodes if nodes is None else nodes)
        for key in plan.forget:
            self._journal({'op': 'forget', 'key': key})

    def _allocate(self, plan, nodes):
        self._journal({'op': 'allocate', 'nodes': list(nodes.values()),
                       'hypervisors': plan.hypervisors,
                       'seed': plan.seed or self.state.seed,
                       'cluster': plan.cluster or self.state.cluster})

    def _leaving(self, plan, only_with_resources):
        """The plan's nodes, and the state's nodes it lets go.

        A node leaving the cluster (its deletes are in the plan) stays in
        the state until nothing of it is left, so that it is listed, as
        incomplete, after a run that did not finish.
        """
        names = set(self.state.nodes)
        owners = {r.node(names) for r in self.state.resources.values()}
        nodes = dict(plan.nodes)
        for name, node in self.state.nodes.items():
            if name not in nodes and (name in owners or
                                      not only_with_resources):
                nodes[name] = node
        return nodes

    def record_allocation(self, plan):
        """Record the allocation of a plan that has no action, and save.

        (Records found gone are forgotten, a new hypervisor's physnet
        indices are kept, and so on.)
        """
        self.commit_allocation(plan)
        # Nothing to do: the cluster is as asked, whatever an earlier run
        # left unfinished.
        self._journal({'op': 'end', 'result': state_model.COMPLETE})
        self.store.save(self.state)

    def apply(self, plan):
        """Run ``plan``; returns the list of :class:`Result` in plan order.

        :raises Interrupted: after the run, when SIGINT or SIGTERM stopped
            it before every action had started.
        :raises ExecutionError: after the run, when any action failed.
        """
        self._command = plan.command
        with interrupts.stop_on_signals(self._stopping,
                                        self._abort) as stop:
            self._stop = stop
            self.commit_allocation(plan, self._leaving(plan, False))
            self._begin_run(plan)
            results = {}
            self.progress.start(len(plan.actions))
            failed_keys = set()
            for phase in (1, 2):
                actions = plan.phase(phase)
                for action in actions:
                    if action.key in failed_keys:
                        results[action.index] = Result(
                            action, SKIPPED, 'its deletion failed')
                self._run_phase([a for a in actions
                                 if a.index not in results], results)
                failed_keys |= {r.action.key for r in results.values()
                                if r.status != DONE}
            self.progress.finish()
            ordered = [results.get(a.index) or Result(a, NOT_STARTED)
                       for a in plan.actions]
            outcome = self._outcome(ordered)
            self._allocate(plan, self._leaving(plan, True))
            self._journal({'op': 'end', 'result': outcome})
            self.store.save(self.state)
        failures = [(r.action.describe(), r.detail) for r in ordered
                    if r.status == FAILED]
        if outcome == state_model.INTERRUPTED:
            raise exception.Interrupted(
                plan.command, stop.signum,
                sum(1 for r in ordered if r.status == DONE), failures,
                [r.action.describe() for r in ordered
                 if r.status in (SKIPPED, NOT_STARTED)])
        if failures:
            raise exception.ExecutionError(
                failures, sum(1 for r in ordered if r.status == SKIPPED))
        return ordered

    def _begin_run(self, plan):
        """Journal the run's beginning: every action is pending."""
        names = set(plan.nodes) | set(self.state.nodes)
        self._journal({
            'op': 'run', 'command': plan.command,
            'started': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
            'pending': [{'op': a.op, 'key': a.key,
                         'node': a.record.node(names),
                         'hypervisor': a.record.hypervisor}
                        for a in plan.actions]})

    def _outcome(self, ordered):
        statuses = {r.status for r in ordered}
        if NOT_STARTED in statuses and self._stop.requested:
            return state_model.INTERRUPTED
        if statuses != {DONE}:
            return state_model.FAILED
        if self._stop.requested:
            LOG.warning('every action had started before the %s: the run '
                        'is complete', self._stop.name)
        return state_model.COMPLETE

    def _stopping(self, stop):
        """The first signal: say what happens now."""
        self.progress.note(
            '%s: stopping; no new action starts, those in progress finish '
            '(%s again aborts at once)' % (
                stop.name, 'Ctrl-C' if stop.signum == signal.SIGINT
                else stop.name))

    def _abort(self, signum):
        """A second signal: end the process now, as a kill would.

        The journal records every action in progress as begun, so the
        state stays true and the next run finishes them.
        """
        self.progress.abandon()
        LOG.error('tenks %s aborted by %s: actions in progress were cut '
                  'short (the state file records them)\nrun tenks %s '
                  'again to finish', self._command,
                  signal.Signals(signum).name, self._command)
        os._exit(128 + signum)

    def _run_phase(self, actions, results):
        if not actions:
            return
        indices = {a.index for a in actions}
        waiting = {a.index: set(a.after) & indices for a in actions}
        dependants = {a.index: [] for a in actions}
        for a in actions:
            for dep in waiting[a.index]:
                dependants[dep].append(a.index)
        by_index = {a.index: a for a in actions}
        ready = sorted(i for i, deps in waiting.items() if not deps)
        workers = max(1, min(self.max_workers, len(actions)))
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            running = {}
            while ready or running:
                # No more than the pool runs: an action queued in the pool
                # could not be held back by a stop.
                while (ready and len(running) < workers and
                       not self._stop.requested):
                    index = ready.pop(0)
                    running[pool.submit(self._run_one,
                                        by_index[index])] = index
                if not running:
                    break   # stopped: what is ready is not started
                # Woken now and then: a signal that lands just as this
                # thread goes to sleep runs its handler only once the
                # thread wakes.
                done, _ = concurrent.futures.wait(
                    running, timeout=_WAKE,
                    return_when=concurrent.futures.FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: running[f]):
                    index = running.pop(future)
                    result = future.result()
                    results[index] = result
                    if result.status == DONE:
                        for child in dependants[index]:
                            waiting[child].discard(index)
                            if not waiting[child]:
                                ready.append(child)
                        ready.sort()
                    else:
                        self._skip(index, dependants, by_index, results,
                                   result.action)

    def _skip(self, index, dependants, by_index, results, cause):
        stack = list(dependants[index])
        while stack:
            child = stack.pop()
            if child in results:
                continue
            action = by_index[child]
            results[child] = Result(action, SKIPPED,
                                    'needs %s %s, which failed'
                                    % (cause.kind, cause.name))
            LOG.warning('skipped %s: needs %s %s, which failed',
                        action.describe(), cause.kind, cause.name)
            stack.extend(dependants[child])

    def _progress(self, action, status, seconds, detail=''):
        count = self.progress.step(action.describe(), status == DONE,
                                   seconds, detail)
        if self._kill_after is not None and count >= self._kill_after:
            faults.die()

    def _run_one(self, action):
        record = action.record
        if self._slow:
            time.sleep(self._slow)
        start = time.monotonic()
        self._journal({'op': 'begin', 'action': action.op,
                       'key': action.key, 'record': record.to_dict()})
        try:
            driver = self.plugins.driver(record)
            if action.op == plan_mod.CREATE:
                outputs = driver.create(record.kind, record)
            elif action.op == plan_mod.UPDATE:
                outputs = driver.update(record.kind, action.old, record)
            else:
                driver.delete(record.kind, record)
                outputs = None
        except exception.ResourceConflict as exc:
            if action.op == plan_mod.CREATE:
                # Not ours: forget the intent so nothing ever deletes it.
                self._journal({'op': 'forget', 'key': action.key})
            else:
                # Refused before anything changed: the record is as it
                # was, not half deleted (which would make the next run
                # take the resource as tenks' own).
                self._journal({'op': 'refused', 'key': action.key})
            return self._failed(action, start, exc)
        except Exception as exc:  # noqa - a plugin failure fails one action
            LOG.debug('%s failed', action.describe(), exc_info=True)
            self._journal({'op': 'fail', 'key': action.key,
                           'error': str(exc)})
            return self._failed(action, start, exc)
        if action.op == plan_mod.DELETE:
            self._journal({'op': 'done', 'key': action.key,
                           'deleted': True})
        else:
            done = record.to_dict()
            if outputs is not None:
                done['outputs'] = outputs
            self._journal({'op': 'done', 'key': action.key,
                           'record': done})
        seconds = time.monotonic() - start
        self._progress(action, DONE, seconds)
        return Result(action, DONE, '', seconds)

    def _failed(self, action, start, exc):
        seconds = time.monotonic() - start
        detail = str(exc) or type(exc).__name__
        self._progress(action, FAILED, seconds, detail)
        return Result(action, FAILED, detail, seconds)
