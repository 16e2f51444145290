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
"""

import concurrent.futures
import os
import threading
import time

from oslo_log import log as logging

from tenks import exception
from tenks import faults
from tenks.planner import plan as plan_mod
from tenks import progress as progress_mod
from tenks.state import store as store_mod

LOG = logging.getLogger(__name__)

DONE = 'done'
FAILED = 'failed'
SKIPPED = 'skipped'

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

    def _journal(self, entry):
        with self._lock:
            self.store.journal(entry)
            store_mod.apply_entry(self.state, entry)

    def commit_allocation(self, plan):
        """Record the plan's node allocation before any action.

        Names, UUIDs, MACs and ports are then reused by a re-run.
        """
        self._journal({'op': 'allocate', 'nodes': list(plan.nodes.values()),
                       'hypervisors': plan.hypervisors,
                       'seed': plan.seed or self.state.seed,
                       'cluster': plan.cluster or self.state.cluster})
        for key in plan.forget:
            self._journal({'op': 'forget', 'key': key})

    def record_allocation(self, plan):
        """Record the allocation of a plan that has no action, and save.

        (Records found gone are forgotten, a new hypervisor's physnet
        indices are kept, and so on.)
        """
        self.commit_allocation(plan)
        self.store.save(self.state)

    def apply(self, plan):
        """Run ``plan``; returns the list of :class:`Result` in plan order.

        :raises ExecutionError: after the run, when any action failed.
        """
        self.commit_allocation(plan)
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
        self.store.save(self.state)
        ordered = [results[a.index] for a in plan.actions]
        failures = [(r.action.describe(), r.detail) for r in ordered
                    if r.status == FAILED]
        skipped = sum(1 for r in ordered if r.status == SKIPPED)
        if failures:
            raise exception.ExecutionError(failures, skipped)
        return ordered

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
                while ready:
                    index = ready.pop(0)
                    running[pool.submit(self._run_one,
                                        by_index[index])] = index
                done, _ = concurrent.futures.wait(
                    running, return_when=concurrent.futures.FIRST_COMPLETED)
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
