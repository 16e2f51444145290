#!/usr/bin/env python3
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

"""Benchmark: planning time for large clusters (pure planner, no I/O).

Prints one JSON object per case: nodes, hypervisors, scheduler and the
seconds spent validating the spec, planning a fresh deploy and re-planning
the deployed cluster (the no-op plan).

    python tools/bench/plan.py [--nodes 1000,10000] [--hypervisors 100]
"""

import argparse
import json
import sys
import time

from tenks import conf as conf_mod
from tenks.planner import reconcile
from tenks import plugins
from tenks.schedulers import filter as filter_sched
from tenks.schedulers import round_robin
from tenks import settings as settings_mod
from tenks.spec import load
from tenks.state import model
from tenks.state import store

CATALOG = plugins.Catalog()


def make_spec(nodes, hypervisors):
    lines = ['node_types:',
             '  ipmi: {memory_mb: 1024, vcpus: 1,',
             '         volumes: [{capacity: 4GiB}],',
             '         physical_networks: [physnet1, physnet2]}',
             '  redfish: {memory_mb: 2048, vcpus: 2, ironic_driver: redfish,',
             '            volumes: [{capacity: 8GiB}],',
             '            physical_networks: [physnet1]}',
             'specs:',
             '  - {type: ipmi, count: %d, ironic_config: {resource_class: a}}'
             % (nodes * 3 // 4),
             '  - {type: redfish, count: %d, node_name_prefix: rf}'
             % (nodes - nodes * 3 // 4),
             'hypervisors:']
    per_hv = nodes // hypervisors + 1
    for i in range(hypervisors):
        lines += ['  hv%d:' % i,
                  '    libvirt_uri: qemu+ssh://root@10.0.%d.%d/system'
                  % (i // 250, i % 250 + 1),
                  '    physnet_mappings: {physnet1: eth1, physnet2: eth2}',
                  '    ipmi_port_range_start: 6230',
                  '    ipmi_port_range_end: %d' % (6230 + per_hv),
                  '    capacity: {memory_mb: %d, vcpus: 64, disk: 10TiB}'
                  % (per_hv * 2048 * (1 + i % 2))]
    return '\n'.join(lines) + '\n'


def applied(state, plan):
    store.apply_entry(state, {'op': 'allocate',
                              'nodes': list(plan.nodes.values()),
                              'hypervisors': plan.hypervisors,
                              'seed': plan.seed})
    for action in plan.actions:
        store.apply_entry(state, {'op': 'done', 'key': action.key,
                                  'record': action.record.to_dict()})
    return state


def bench(nodes, hypervisors, scheduler_name):
    text = make_spec(nodes, hypervisors)
    t0 = time.perf_counter()
    settings = settings_mod.Settings.from_conf(conf_mod.new_conf([]))
    spec = load.parse_spec(text, settings, catalog=CATALOG)
    t1 = time.perf_counter()
    scheduler = (filter_sched.FilterScheduler() if scheduler_name == 'filter'
                 else round_robin.RoundRobinScheduler())
    state = model.State(seed='bench')
    desired = reconcile.desired_state(spec, state, state.seed, scheduler,
                                      CATALOG)
    plan = reconcile.deploy_plan(state, desired)
    t2 = time.perf_counter()
    applied(state, plan)
    t3 = time.perf_counter()
    desired = reconcile.desired_state(spec, state, state.seed, scheduler,
                                      CATALOG)
    noop = reconcile.deploy_plan(state, desired)
    t4 = time.perf_counter()
    assert not noop.actions, noop.summary()
    return {'nodes': nodes, 'hypervisors': hypervisors,
            'scheduler': scheduler_name, 'resources': len(plan.actions),
            'validate_s': round(t1 - t0, 3), 'plan_s': round(t2 - t1, 3),
            'noop_plan_s': round(t4 - t3, 3)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--nodes', default='1000,10000')
    parser.add_argument('--hypervisors', type=int, default=100)
    parser.add_argument('--scheduler', default='filter,round_robin')
    args = parser.parse_args(argv)
    for scheduler in args.scheduler.split(','):
        for n in (int(x) for x in args.nodes.split(',')):
            result = bench(n, args.hypervisors, scheduler)
            print(json.dumps(result))
            sys.stdout.flush()


if __name__ == '__main__':
    main()
