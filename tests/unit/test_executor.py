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

import signal
import threading
import time

from tenks import exception
from tenks import executor as executor_mod
from tenks import interrupts
from tenks.planner import reconcile
from tenks import plugins as plugins_mod
from tenks.state import model
from tenks.state import store as store_mod
from tests.unit import base
from tests.unit import fakes
from tests.unit.planner import helpers


class _Recorder(object):
    """Wraps fake CRUD to record when actions start and end."""

    def __init__(self):
        self.lock = threading.Lock()
        self.started = {}
        self.finished = {}
        self.running = 0
        self.peak = 0


class _ExecutorCase(base.TestCase):
    """An empty state, the fake world and a recorder of actions."""

    def setUp(self):
        super().setUp()
        fakes.WORLD.__init__()
        self.store = store_mod.StateStore(self.tmp + '/state.yaml')
        self.state = self.empty_state()
        self.rec = _Recorder()
        rec = self.rec
        orig = fakes._FakeMixin._do

        def slow_do(mixin, verb, kind, record, old=None):
            key = '%s:%s' % (kind, record.name)
            with rec.lock:
                rec.started[key] = time.monotonic()
                rec.running += 1
                rec.peak = max(rec.peak, rec.running)
            time.sleep(0.01)
            try:
                return orig(mixin, verb, kind, record, old)
            finally:
                with rec.lock:
                    rec.running -= 1
                    rec.finished[key] = time.monotonic()
        self.patch(fakes._FakeMixin, '_do', slow_do)

    def run_plan(self, text=helpers.SPEC, workers=4):
        spec = self.spec(text)
        _desired, plan = helpers.plan(spec, self.state)
        plugins = plugins_mod.Plugins(None, lambda name: None,
                                      plugins_mod.Catalog(fakes.CLASSES))
        executor = executor_mod.Executor(self.store, self.state, plugins,
                                         max_workers=workers)
        return plan, executor.apply(plan)


class ExecutorTest(_ExecutorCase):

    def test_concurrent_and_ordered(self):
        plan, results = self.run_plan(
            helpers.SPEC.replace('count: 2', 'count: 6'), workers=4)
        self.assertEqual({'done'}, {r.status for r in results})
        self.assertGreater(self.rec.peak, 1)
        self.assertLessEqual(self.rec.peak, 4)
        for action in plan.actions:
            for dep in action.record.requires:
                self.assertLessEqual(self.rec.finished[dep],
                                     self.rec.started[action.key],
                                     '%s started before %s finished'
                                     % (action.key, dep))
        # The state records everything, and the journal is compacted.
        reloaded = self.store.load()
        self.assertEqual(set(self.state.resources), set(reloaded.resources))
        self.assertEqual(len(plan.actions), len(reloaded.resources))

    def test_failure_skips_dependants_only(self):
        fakes.WORLD.fail[('create', 'vif', 'localhost/p-tk0-0-tap')] = (
            RuntimeError('no link'))
        err = self.assertRaises(exception.ExecutionError, self.run_plan)
        self.assertEqual(1, len(err.failures))
        self.assertEqual('create vif localhost/p-tk0-0-tap on localhost',
                         err.failures[0][0])
        # domain, bmc and ironic node of tk0, and the placement wait that
        # needs every Ironic node, were skipped.
        self.assertEqual(4, err.skipped)
        self.assertIn(('domain', 'tk1'), fakes.WORLD.things)
        self.assertNotIn(('domain', 'tk0'), fakes.WORLD.things)
        reloaded = self.store.load()
        self.assertEqual('creating', reloaded.resources[
            'vif:localhost/p-tk0-0-tap'].status)
        self.assertNotIn('domain:tk0', reloaded.resources)
        self.assertEqual(['big0', 'tk0', 'tk1'], sorted(reloaded.nodes))

    def test_conflict_forgets_the_record(self):
        fakes.WORLD.foreign.add(('domain', 'tk1'))
        err = self.assertRaises(exception.ExecutionError, self.run_plan)
        self.assertIn('not ours', str(err))
        self.assertNotIn('domain:tk1', self.store.load().resources)
        self.assertIn(('domain', 'tk1'), fakes.WORLD.foreign)

    def test_refused_delete_keeps_the_record_as_it_was(self):
        self.run_plan()
        fakes.WORLD.fail[('delete', 'bmc', 'tk0')] = (
            exception.ResourceConflict('bmc tk0: no tenks mark'))
        plan = reconcile.teardown_plan(self.state)
        plugins = plugins_mod.Plugins(None, lambda name: None,
                                      plugins_mod.Catalog(fakes.CLASSES))
        executor = executor_mod.Executor(self.store, self.state, plugins)
        err = self.assertRaises(exception.ExecutionError, executor.apply,
                                plan)
        self.assertIn('bmc tk0: no tenks mark', str(err))
        # Not half deleted: the next run must not take it as tenks' own.
        for state in (self.state, self.store.load()):
            record = state.resources['bmc:tk0']
            self.assertEqual('present', record.status)
            self.assertFalse(record.adopt)


class _Abort(BaseException):
    """What the patched ``os._exit`` raises instead of ending the test."""


class InterruptTest(_ExecutorCase):
    """SIGINT and SIGTERM stop a run; the state says what is undone."""

    def signal_after(self, count, signum=signal.SIGINT, times=1):
        """Send ``signum`` ``times`` once ``count`` actions have begun."""
        rec = self.rec
        orig = fakes._FakeMixin._do
        started = []
        handled = threading.Semaphore(0)

        def report(name):
            orig_handler = getattr(executor_mod.Executor, name)

            def handler(executor, arg):
                handled.release()
                orig_handler(executor, arg)
            self.patch(executor_mod.Executor, name, handler)
        report('_stopping')
        report('_abort')

        def do(mixin, verb, kind, record, old=None):
            with rec.lock:
                started.append(record.name)
                mine = len(started) == count
            if mine:
                # Let the main thread settle in its wait for this action.
                time.sleep(0.05)
                for _ in range(times):
                    # To the main thread, as a terminal's Ctrl-C mostly
                    # is. Two signals before the first is handled would
                    # be one: wait until it is.
                    signal.pthread_kill(threading.main_thread().ident,
                                        signum)
                    handled.acquire(timeout=10)
                # This action is in progress when the signals come.
                time.sleep(0.05)
            return orig(mixin, verb, kind, record, old)
        self.patch(fakes._FakeMixin, '_do', do)
        return started

    def test_sigint_stops_starting_actions(self):
        before = signal.getsignal(signal.SIGINT)
        started = self.signal_after(3)
        with self.assertLogs('tenks.progress', 'WARNING') as logs:
            err = self.assertRaises(exception.Interrupted, self.run_plan,
                                    workers=1)
        self.assertIs(before, signal.getsignal(signal.SIGINT))
        self.assertIn('SIGINT: stopping', logs.output[0])
        self.assertEqual(130, err.exit_code)
        self.assertEqual(3, len(started), started)
        # The action in progress finished; nothing started after it.
        self.assertEqual(3, err.done)
        self.assertEqual([], err.failures)
        total = len(self.store.load().last_run.pending) + 3
        self.assertEqual(total - 3, len(err.not_started))
        lines = str(err).splitlines()
        self.assertEqual('tenks deploy interrupted by SIGINT: 3 done, '
                         '0 failed, %d not started' % (total - 3), lines[0])
        self.assertEqual('run tenks deploy again to finish', lines[-1])
        # The state says what was done and what was not.
        for state in (self.state, self.store.load()):
            run = state.last_run
            self.assertEqual('interrupted', run.result)
            self.assertEqual('deploy', run.command)
            self.assertEqual(sorted(d for d in err.not_started),
                             sorted(model.describe(p) for p in run.pending))
            self.assertEqual(3, len([r for r in state.resources.values()
                                     if r.status == 'present']))
        # The next run finishes the job and the record goes.
        _plan, results = self.run_plan()
        self.assertEqual(total - 3, len(results))
        self.assertIsNone(self.store.load().last_run)
        self.assertNotIn('last_run', self.store.load().to_dict())

    def test_sigterm(self):
        self.signal_after(2, signal.SIGTERM)
        with self.assertLogs('tenks.progress', 'WARNING'):
            err = self.assertRaises(exception.Interrupted, self.run_plan,
                                    workers=1)
        self.assertEqual(143, err.exit_code)
        self.assertIn('interrupted by SIGTERM', str(err))

    def test_second_signal_aborts_at_once(self):
        exits = []

        def fake_exit(code):
            exits.append(code)
            raise _Abort()
        self.patch(executor_mod.os, '_exit', fake_exit)
        self.signal_after(2, times=2)
        with self.assertLogs('tenks', 'WARNING') as logs:
            self.assertRaises(_Abort, self.run_plan, workers=1)
        self.assertEqual([130], exits)
        self.assertIn('tenks deploy aborted by SIGINT', logs.output[-1])
        self.assertIn('run tenks deploy again to finish', logs.output[-1])
        # No end recorded: the journal says the run did not finish, and
        # what it was doing.
        run = self.store.load().last_run
        self.assertEqual('running', run.result)
        self.assertTrue(run.pending)

    def test_signal_after_the_last_start_completes_the_run(self):
        self.signal_after(len(self.run_plan()[0].actions) + 1)
        # (A fresh world and state for the real run.)
        fakes.WORLD.__init__()
        self.state = self.empty_state()
        self.store.remove()
        plan, _ = self.run_plan()
        self.assertIsNone(self.store.load().last_run)

    def test_failed_run_is_recorded_until_one_completes(self):
        fakes.WORLD.fail[('create', 'vif', 'localhost/p-tk0-0-tap')] = (
            RuntimeError('no link'))
        self.assertRaises(exception.ExecutionError, self.run_plan)
        run = self.store.load().last_run
        self.assertEqual('failed', run.result)
        # The failed action and the 4 it left skipped.
        self.assertEqual(5, len(run.pending))
        self.assertEqual({'tk0', None},
                         {p['node'] for p in run.pending})
        del fakes.WORLD.fail[('create', 'vif', 'localhost/p-tk0-0-tap')]
        self.run_plan()
        self.assertIsNone(self.store.load().last_run)

    def test_teardown_run(self):
        self.run_plan()
        plan = reconcile.teardown_plan(self.state)
        self.assertEqual({'teardown'}, {a.reason for a in plan.actions})
        self.signal_after(2)
        plugins = plugins_mod.Plugins(None, lambda name: None,
                                      plugins_mod.Catalog(fakes.CLASSES))
        executor = executor_mod.Executor(self.store, self.state, plugins,
                                         max_workers=1)
        with self.assertLogs('tenks.progress', 'WARNING'):
            err = self.assertRaises(exception.Interrupted, executor.apply,
                                    plan)
        self.assertIn('run tenks teardown again to finish', str(err))
        run = self.store.load().last_run
        self.assertEqual(('teardown', 'interrupted'), (run.command,
                                                       run.result))
        self.assertEqual({'delete'}, {p['op'] for p in run.pending})

    def test_not_in_the_main_thread_no_handlers(self):
        seen = []

        def run():
            with interrupts.stop_on_signals(None, None) as stop:
                seen.append((signal.getsignal(signal.SIGINT), stop))
        before = signal.getsignal(signal.SIGINT)
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        self.assertIs(before, seen[0][0])
        self.assertFalse(seen[0][1].requested)
