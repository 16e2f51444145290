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

"""Plan with the real tenks planner and apply only the enrolment actions.

The enrolment tests build their ``ironic_node``, ``flavor`` and
``placement_wait`` records exactly as ``tenks deploy`` would (spec ->
allocation -> desired resources -> plan), then run the plan's enrolment
actions through the real executor and plugins. Domains and BMCs come from
:mod:`tests.functional.enrolment.ironic_bmcs` instead of tenks' own
providers, so these tests do not depend on them.
"""

import contextlib

from tenks import conf as conf_mod
from tenks import context as context_mod
from tenks import executor as executor_mod
from tenks.planner import plan as plan_mod
from tenks.state import lock as lock_mod
from tenks import workflow

from tests.functional import env as env_mod

ENROLMENT_KINDS = ('ironic_node', 'flavor', 'placement_wait')


class EnrolmentEnv(object):
    """A private tenks configuration whose Ironic is ``cloud``.

    :param base: a directory for this environment.
    :param cloud: the clouds.yaml cloud name tenks uses for Ironic.
    :param extra_conf: more tenks.conf text (option groups).
    """

    def __init__(self, base, cloud, extra_conf=''):
        # Round robin: these tests place nodes on this host whatever
        # capacity other tests' VMs take.
        self.env = env_mod.TenksEnv(
            base, extra_conf='\n[DEFAULT]\nscheduler = round_robin\n'
                             '\n[ironic]\ncloud = %s\npoll_interval = 0.3\n'
                             'wait_timeout = 240\n%s' % (cloud, extra_conf))
        self.token = self.env.token
        self.spec_path = None
        self.ctx = None
        self.reload()

    def reload(self):
        """Read the configuration again (after editing it)."""
        if self.ctx is not None:
            self.ctx.close()
        self.conf = conf_mod.new_conf([self.env.config_file])
        self.ctx = context_mod.AppContext(self.conf)

    def set_option(self, group, name, value):
        with open(self.env.config_file, 'a') as f:
            f.write('\n[%s]\n%s = %s\n' % (group, name, value))
        self.reload()

    def write_spec(self, text):
        self.spec_path = self.env.write_spec(text)
        return self.spec_path

    def plan(self, kinds=ENROLMENT_KINDS):
        """The deploy plan of the current spec, cut down to ``kinds``.

        :returns: ``(state, plan)``.
        """
        spec = workflow.load_spec(self.ctx, self.spec_path)
        state = self.ctx.store.load(cluster=spec.settings.cluster_name)
        with self._plugins(spec, state) as plugins:
            full = workflow.plan_deploy(self.ctx, spec, state, plugins,
                                        refresh=False)
        return state, self._cut(full, kinds)

    def _plugins(self, spec, state):
        return contextlib.closing(self.ctx.plugins(
            workflow._allocations(spec, state)))

    def teardown_plan(self, kinds=ENROLMENT_KINDS):
        from tenks.planner import reconcile
        state = self.ctx.store.load(cluster=self.conf.cluster_name)
        return state, self._cut(reconcile.teardown_plan(state), kinds)

    @staticmethod
    def _cut(full, kinds):
        actions = [plan_mod.Action(a.op, a.record, old=a.old,
                                   reason=a.reason)
                   for a in full.actions if a.kind in kinds]
        return plan_mod.Plan(actions, full.nodes, full.hypervisors,
                             forget=full.forget, seed=full.seed,
                             cluster=full.cluster)

    def apply(self, state, plan):
        """Run ``plan`` with the real executor; return its results.

        :raises ExecutionError: like a deploy.
        """
        lock = lock_mod.StateLock(self.ctx.store.lock_path)
        lock.acquire()
        try:
            with self._plugins(None, state) as plugins:
                executor = executor_mod.Executor(self.ctx.store, state,
                                                 plugins,
                                                 self.conf.max_workers)
                return executor.apply(plan)
        finally:
            lock.release()

    def deploy(self, kinds=ENROLMENT_KINDS):
        state, plan = self.plan(kinds)
        self.apply(state, plan)
        return state

    @staticmethod
    def records(plan, kind='ironic_node'):
        """The records of ``kind`` a plan acts on, by name."""
        return {a.name: a.record for a in plan.actions if a.kind == kind}

    def nodes(self):
        """The allocated nodes (name -> allocation dict) of the state."""
        state = self.ctx.store.load(cluster=self.conf.cluster_name)
        return state.nodes

    def close(self):
        self.ctx.close()
