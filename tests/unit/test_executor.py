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

import threading
import time

from tenks import exception
from tenks import executor as executor_mod
from tenks.planner import reconcile
from tenks import plugins as plugins_mod
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


class ExecutorTest(base.TestCase):

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
