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

"""What every plugin of every namespace declares.

The core names no plugin: it finds plugins through their entry points and
asks them, so each must be of its namespace's base class, implement every
method of the kinds it manages, and declare options and spec keys that
exist.
"""

import inspect

import pytest

from tenks.conf import opts as conf_opts
from tenks.planner import kinds
from tenks import resource_driver
from tenks.spec import schema
from tests.unit.contracts import helpers

GROUPS = {getattr(group, 'name', group): {opt.dest for opt in options}
          for group, options in conf_opts.list_opts()}


@pytest.mark.parametrize('namespace,name', helpers.every_plugin())
def test_is_a_complete_subclass_of_its_base(namespace, name):
    cls = helpers.CATALOG.cls(namespace, name)
    assert issubclass(cls, helpers.BASES[namespace])
    assert not inspect.isabstract(cls), sorted(cls.__abstractmethods__)


@pytest.mark.parametrize('namespace,name', helpers.every_plugin())
def test_manages_kinds_of_its_namespace(namespace, name):
    cls = helpers.CATALOG.cls(namespace, name)
    if not issubclass(cls, resource_driver.ResourceDriver):
        assert not getattr(cls, 'kinds', ())
        return
    for kind in cls.kinds:
        assert kinds.namespace(kind) == namespace, kind
        # Kinds outside hypervisors name their one driver.
        assert kinds.driver(kind) in (None, name), kind
        for verb in ('create', 'update', 'delete'):
            assert callable(getattr(cls, '%s_%s' % (verb, kind), None)), (
                '%s has no %s_%s' % (name, verb, kind))


@pytest.mark.parametrize('namespace,name', helpers.every_plugin())
def test_options_and_spec_keys_exist(namespace, name):
    cls = helpers.CATALOG.cls(namespace, name)
    group = getattr(cls, 'options_group', None)
    declared = dict(getattr(cls, 'spec_options', {}))
    declared.update(getattr(cls, 'hypervisor_options', {}))
    if group is None:
        assert not declared
        return
    assert group in GROUPS, 'option group %s is not registered' % group
    assert set(declared.values()) <= GROUPS[group], (
        sorted(set(declared.values()) - GROUPS[group]))
    assert set(declared) <= set(getattr(cls, 'key_schema', {}))
    # Spec keys are plugin-owned: the core's own keys stay the core's.
    assert not set(declared) & set(schema.SPEC['properties'])
    settings = helpers.settings()
    assert set(settings.options(group)) == GROUPS[group]


def test_spec_keys_mean_one_thing():
    """Two plugins may declare one spec key only for one option."""
    seen = {}
    for cls in schema.plugin_classes(helpers.CATALOG):
        for attr in ('spec_options', 'hypervisor_options'):
            for key, option in getattr(cls, attr, {}).items():
                meaning = (cls.options_group, option,
                           repr(cls.key_schema[key]))
                assert seen.setdefault((attr, key), meaning) == meaning, (
                    key, cls)


def test_namespaces_are_the_kinds_namespaces():
    used = {k.namespace for k in kinds.KINDS.values()}
    assert used <= set(helpers.BASES)
