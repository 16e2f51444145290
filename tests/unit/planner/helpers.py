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

"""Plan specs against states the way ``tenks deploy`` does, without I/O."""

from tenks.planner import allocate as allocate_mod
from tenks.planner import kinds
from tenks.planner import reconcile
from tenks import plugins
from tenks.schedulers import filter as filter_sched
from tenks.state import model as state_model
from tenks.state import store
from tests.unit import base

#: The installed plugin classes.
CATALOG = plugins.Catalog()
#: A seed for states that have none yet.
SEED = 'fedcba9876543210fedcba9876543210'

SPEC = '''
node_types:
  small:
    memory_mb: 1024
    vcpus: 1
    volumes:
      - capacity: 4GiB
    physical_networks: [physnet1]
  big:
    memory_mb: 2048
    vcpus: 2
    ironic_driver: redfish
    volumes:
      - capacity: 8GiB
      - capacity: 1GiB
    physical_networks: [physnet1, physnet2]
specs:
  - type: small
    count: 2
    ironic_config:
      resource_class: rc-small
  - type: big
    count: 1
    node_name_prefix: big
nova_flavors:
  - resource_class: rc-small
    node_type: small
physnet_mappings:
  physnet1: eth1
  physnet2: null
'''

#: :data:`SPEC` on two hypervisors of one host, whose IPMI BMCs share an
#: address.
TWO_HYPERVISORS = SPEC + '''
hypervisors:
  hv1:
    physnet_mappings: {physnet1: eth1, physnet2: null}
  hv2:
    physnet_mappings: {physnet1: eth2, physnet2: null}
    bridge_prefix: brb
    redfish_port: 8001
'''


def plan(spec, state, observations=None, scheduler=None, facts=None):
    scheduler = scheduler or filter_sched.FilterScheduler()
    desired = reconcile.desired_state(spec, state, state.seed or SEED,
                                      scheduler, CATALOG, facts)
    return desired, reconcile.deploy_plan(state, desired, observations)


def spec_emulators(spec):
    """The BMC emulator classes of ``spec``'s node types.

    (As planning passes them to :func:`tenks.planner.allocate.allocate`.)
    """
    return CATALOG.emulators({t.bmc_emulator
                              for t in spec.node_types.values()})


def allocate(spec, state, scheduler=None, facts=None, emulators=None):
    """Allocate ``spec``'s nodes over ``state`` as planning does."""
    scheduler = scheduler or filter_sched.FilterScheduler()
    if emulators is None:
        emulators = spec_emulators(spec)
    return allocate_mod.allocate(spec, state, state.seed or SEED, scheduler,
                                 emulators, facts)


def record(state, allocation):
    """Record an allocation's nodes and hypervisors as a run does."""
    store.apply_entry(state, {'op': 'allocate',
                              'nodes': list(allocation.nodes.values()),
                              'hypervisors': allocation.hypervisors})
    return state


def apply(state, the_plan):
    """Apply a plan to the state as a fully successful run would."""
    store.apply_entry(state, {'op': 'allocate',
                              'nodes': list(the_plan.nodes.values()),
                              'hypervisors': the_plan.hypervisors,
                              'seed': the_plan.seed})
    for key in the_plan.forget:
        store.apply_entry(state, {'op': 'forget', 'key': key})
    for action in the_plan.actions:
        if action.op == 'delete':
            store.apply_entry(state, {'op': 'done', 'key': action.key,
                                      'deleted': True})
        else:
            store.apply_entry(state, {'op': 'done', 'key': action.key,
                                      'record': action.record.to_dict()})
    return state


def ops(the_plan):
    return [(a.op, a.kind, a.name) for a in the_plan.actions]


def resource(kind, name, props=None, requires=(), hypervisor='hv0',
             driver=None, status=state_model.PRESENT, adopt=False):
    """A resource record, as the planner builds it and the state keeps it.

    The driver defaults to the kind's own, else ``fake``.
    """
    return state_model.ResourceRecord(
        kind=kind, name=name, driver=driver or kinds.driver(kind) or 'fake',
        hypervisor=hypervisor, props=dict(props or {}),
        requires=sorted(requires), status=status, adopt=adopt)


def state_of(*records):
    """A state of cluster ``tenks`` recording ``records``."""
    state = state_model.State(cluster='tenks', seed=base.SEED)
    for record in records:
        state.resources[record.key] = record
    return state


class DeployTestCase(base.TestCase):
    """Deploys specs, one after the other, onto one state."""

    def setUp(self):
        super().setUp()
        self.state = self.empty_state()

    def deploy(self, text=SPEC, conf='', **overrides):
        """Plan ``text`` over the state and apply the plan to it."""
        spec = self.spec(text, conf=conf, **overrides)
        desired, the_plan = plan(spec, self.state)
        apply(self.state, the_plan)
        return desired, the_plan
