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

"""What the subjects of the real plugins share.

A :class:`RealSubject` lives for one test. It gets a private tenks
environment from the conftest fixtures (``tenks_env``, whose token is in
every name, and which sweeps for leaks afterwards), plans a small spec with
the real planner, and takes the record of its kind from that plan, so that
the props are the ones ``tenks deploy`` would hand the plugin.
:meth:`RealSubject.close` removes what the test made, pass or fail,
before the fixtures sweep.
"""

import contextlib
import logging

from tenks import conf as conf_mod
from tenks.hosts import context
from tenks.hosts import local
from tenks.planner import reconcile
from tenks import plugins
from tenks.schedulers import round_robin
from tenks import settings as settings_mod
from tenks.spec import load
from tenks.state import model as state_model
from tests.contracts import ownership

LOG = logging.getLogger(__name__)

URI = 'qemu:///system'
SEED = '5eed' * 8


def plan(env, conf, text):
    """``{key: ResourceRecord}`` the real planner makes of spec ``text``.

    Round robin places the nodes on this host whatever capacity other
    tests' VMs take.
    """
    settings = settings_mod.Settings.from_conf(conf)
    spec = load.parse_spec(text, settings, source='contract-spec.yaml',
                           base_dir=env.root)
    state = state_model.State(cluster=env.token, seed=SEED)
    desired = reconcile.desired_state(
        spec, state, SEED, round_robin.RoundRobinScheduler(conf),
        plugins.Catalog())
    return desired.resources


def hypervisor():
    """This host, as tenks serves it (local agent, system libvirt)."""
    return context.HypervisorContext(name='localhost', libvirt_uri=URI,
                                     agent=local.LocalAgent())


class RealSubject(ownership.Subject):
    """A kind of a real plugin, in a private tenks environment.

    Subclasses name their plugin and kind, the spec to plan and the
    fixtures they need, and say how a rival is made and seen.

    :ivar env: the :class:`tests.functional.env.TenksEnv`.
    :ivar fixture: the values of :attr:`fixtures`, by name.
    :ivar conf: its tenks ConfigOpts.
    :ivar planned: the records the planner made, by key.
    """

    #: The plugin's namespace and entry point name.
    namespace = None
    plugin = None
    kind = None
    #: Fixtures the subject needs; the first is the tenks environment.
    fixtures = ('tenks_env',)
    #: More tenks.conf text for the environment (read once the fixtures
    #: are there).
    extra_conf = ''

    def __init__(self, request):
        #: The fixtures' values, by name.
        self.fixture = {name: request.getfixturevalue(name)
                        for name in self.fixtures}
        self.env = self.fixture[self.fixtures[0]]
        self.token = self.env.token
        if self.extra_conf:
            with open(self.env.config_file, 'a') as f:
                f.write('\n' + self.extra_conf)
        self.conf = conf_mod.new_conf([self.env.config_file])
        self._closing = contextlib.ExitStack()
        self._drivers = []
        self.planned = plan(self.env, self.conf, self.spec())
        super().__init__(self.new_driver(self.conf), self.kind)

    # -- what a subclass says -------------------------------------------

    def setup(self):
        """Make what the resource needs first (as a deploy would).

        Register its removal with :meth:`on_close` before making it.
        """

    def spec(self):
        """The spec text to plan."""
        raise NotImplementedError

    def driver_class(self):
        return plugins.Catalog().cls(self.namespace, self.plugin)

    def new_driver(self, conf):
        """A driver of the plugin, configured by ``conf``."""
        driver = self.driver_class()(conf, hypervisor())
        self._drivers.append(driver)
        return driver

    def planned_record(self):
        """The planned record of the subject's kind (and plugin)."""
        found = [r for r in self.planned.values()
                 if r.kind == self.kind and r.driver == self.plugin]
        assert len(found) == 1, found
        return found[0]

    def mark(self, props, cluster):
        """Make ``props`` those of cluster ``cluster``."""
        props['cluster'] = cluster

    # -- ownership.Subject ----------------------------------------------

    def record(self, adopt=False, cluster=None):
        record = self.planned_record().copy()
        record.adopt = adopt
        if cluster is not None:
            self.mark(record.props, cluster)
        return record

    # -- clean-up -----------------------------------------------------------

    def on_close(self, func, *args, **kwargs):
        """Call ``func`` when the test ends (last registered, first run)."""
        self._closing.callback(func, *args, **kwargs)

    def close(self):
        """Remove what the test made, then close the drivers.

        Clean-up steps run even when one fails; an error is raised once
        all ran.
        """
        try:
            self.cleanup(self.record())
        finally:
            try:
                self._closing.close()
            finally:
                for driver in self._drivers:
                    driver.close()


def quietly(func, *args, **kwargs):
    """Call ``func``; log (do not raise) what it raises.

    For removing what a failed test may have left half made: the check's
    own failure is what the test reports.
    """
    try:
        return func(*args, **kwargs)
    except Exception as exc:  # noqa - clean-up goes on
        LOG.warning('clean-up: %s%r failed: %s', getattr(
            func, '__name__', func), args, exc)
        return None
