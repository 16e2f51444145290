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

from tenks.bmc import none
from tenks.bmc.sushy import plugin as sushy_tools
from tenks.bmc.virtualbmc import plugin as virtualbmc
from tenks.planner import reconcile
from tenks.schedulers import filter as filter_sched
from tenks.state import store

EMULATORS = {'virtualbmc': virtualbmc.VirtualBMC,
             'sushy_tools': sushy_tools.SushyTools,
             'none': none.NoBMC}

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


def plan(spec, state, observations=None, scheduler=None):
    scheduler = scheduler or filter_sched.FilterScheduler()
    desired = reconcile.desired_state(spec, state, scheduler, EMULATORS)
    return desired, reconcile.deploy_plan(state, desired, observations)


def apply(state, the_plan):
    """Apply a plan to the state as a fully successful run would."""
    store.apply_entry(state, {'op': 'allocate',
                              'nodes': list(the_plan.nodes.values()),
                              'hypervisors': the_plan.hypervisors})
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
