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

"""What the contract suites share: every plugin, and a planned cluster."""

import json
import textwrap

import pytest

from tenks.bmc import base as bmc_base
from tenks import conf as conf_mod
from tenks.enrolment import base as enrolment_base
from tenks.exporters import base as exporters_base
from tenks.networks import base as networks_base
from tenks import plugins
from tenks.providers import base as providers_base
from tenks.schedulers import base as schedulers_base
from tenks.schedulers import filter as filter_sched
from tenks import settings as settings_mod
from tenks.spec import load
from tenks.state import model as state_model
from tests.unit.planner import helpers as planner_helpers

CATALOG = plugins.Catalog()

#: The base class every plugin of a namespace derives from.
BASES = {
    'tenks.providers': providers_base.Provider,
    'tenks.networks': networks_base.Network,
    'tenks.bmc': bmc_base.BMCEmulator,
    'tenks.schedulers': schedulers_base.Scheduler,
    'tenks.exporters': exporters_base.Exporter,
    'tenks.enrolment': enrolment_base.Enrolment,
}


def implementations(namespace):
    """``pytest.param`` of every installed plugin name of ``namespace``."""
    names = CATALOG.names(namespace)
    assert names, 'no plugin installed in %s' % namespace
    return [pytest.param(name, id=name) for name in names]


def every_plugin():
    """``pytest.param(namespace, name)`` of every installed plugin."""
    return [pytest.param(ns, name, id='%s:%s' % (ns, name))
            for ns in sorted(BASES) for name in CATALOG.names(ns)]


def settings(conf_text=None, tmp_path=None):
    """The run's settings: defaults, or a config file's."""
    if conf_text is None:
        return settings_mod.Settings.from_conf(conf_mod.new_conf([]))
    path = tmp_path / 'tenks.conf'
    path.write_text(textwrap.dedent(conf_text))
    return settings_mod.Settings.from_conf(conf_mod.new_conf([str(path)]))


def parse(text, run_settings=None):
    return load.parse_spec(textwrap.dedent(text),
                           run_settings or settings(), source='spec.yaml',
                           catalog=CATALOG)


def deployed(text, run_settings=None):
    """``(spec, state)`` after a successful deploy of spec ``text``."""
    spec = parse(text, run_settings)
    state = state_model.State(cluster='tenks',
                              seed=planner_helpers.SEED)
    _desired, plan = planner_helpers.plan(
        spec, state, scheduler=filter_sched.FilterScheduler())
    return spec, planner_helpers.apply(state, plan)


def json_native(value):
    """Whether ``value`` survives a trip through JSON unchanged."""
    return json.loads(json.dumps(value)) == value
