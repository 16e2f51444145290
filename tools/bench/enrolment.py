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

"""Benchmark: enrolment in a real standalone Ironic, serial vs concurrent.

Starts its own all-in-one Ironic (the functional tests' fixture, from the
venv ``tools/install-ironic.sh`` makes), plans clusters with the real
planner and runs their ``ironic_node`` actions through the real executor:
create, manage and provide each node until it is ``available``, then
delete them all. Prints one JSON object per case:

* ``driver``: ``fake-hardware`` (no BMC: measures tenks and Ironic
  alone) or ``ipmi`` (tiny TCG domains behind a private vbmcd, so each
  manage really talks IPMI);
* ``nodes``, ``workers`` (``[DEFAULT] max_workers``: 1 is serial),
  ``poll_interval`` (``[ironic] poll_interval``);
* ``enrol_s`` (plan applied: every node available), ``per_node_s``,
  ``teardown_s`` (every node deleted).

    python tools/bench/enrolment.py [--nodes 10,50] [--workers 1,8]
        [--ipmi-nodes 10] [--poll-interval 1.0]

Needs root and libvirtd for the IPMI cases (``--ipmi-nodes 0`` skips
them).
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from tests.functional.enrolment import ironic_bmcs  # noqa: E402
from tests.functional.enrolment import planning  # noqa: E402
from tests.functional import env as env_mod  # noqa: E402
from tests.functional import ironic_fixture  # noqa: E402

SPEC = '''\
node_types:
  node:
    memory_mb: 128
    vcpus: 1
    ironic_driver: %(driver)s
    physical_networks: [physnet1]
specs:
  - type: node
    count: %(count)d
%(prefix)s    ironic_config:
      resource_class: bench
%(interfaces)s
physnet_mappings:
  physnet1: null
wait_for_placement: false
'''

FAKE_INTERFACES = '''\
      deploy_interface: fake
      boot_interface: fake
      management_interface: fake
      power_interface: fake'''


def case(base, ironic, driver, count, workers, poll_interval):
    env = planning.EnrolmentEnv(
        base, ironic.cloud_name,
        extra_conf='poll_interval = %s\n' % poll_interval)
    env.set_option('DEFAULT', 'max_workers', workers)
    # The IPMI range of TenksEnv is 20 ports; take a wider one for big
    # cases.
    if driver == 'ipmi' and count > 20:
        start, end = env_mod.free_udp_range(count)
        env.set_option('vbmc', 'port_range_start', start)
        env.set_option('vbmc', 'port_range_end', end)
    # Fake nodes make nothing on the host: a prefix without the token's
    # digits keeps their names valid link names in any number.
    env.write_spec(SPEC % {
        'driver': driver, 'count': count,
        'prefix': ('    node_name_prefix: bf\n'
                   if driver == 'fake-hardware' else ''),
        'interfaces': FAKE_INTERFACES if driver == 'fake-hardware' else ''})
    lab = ironic_bmcs.Lab(env.token, os.path.join(base, 'lab'))
    try:
        state, plan = env.plan(kinds=('ironic_node',))
        if driver == 'ipmi':
            lab.serve(env.records(plan).values())
        start = time.perf_counter()
        env.apply(state, plan)
        enrolled = time.perf_counter() - start
        state, plan = env.teardown_plan(kinds=('ironic_node',))
        start = time.perf_counter()
        env.apply(state, plan)
        removed = time.perf_counter() - start
    finally:
        lab.close()
        env.close()
        leftovers = ironic.purge()
    return {'driver': driver, 'nodes': count, 'workers': workers,
            'poll_interval': poll_interval,
            'enrol_s': round(enrolled, 2),
            'per_node_s': round(enrolled / count, 3),
            'teardown_s': round(removed, 2),
            'leftover_nodes': len(leftovers)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--nodes', default='10,50',
                        help='fake-hardware cluster sizes')
    parser.add_argument('--ipmi-nodes', default='10',
                        help='IPMI cluster sizes (0: none)')
    parser.add_argument('--workers', default='1,8',
                        help='max_workers values (1 = serial)')
    parser.add_argument('--poll-interval', type=float, default=1.0)
    args = parser.parse_args()
    sizes = [int(n) for n in args.nodes.split(',') if int(n)]
    ipmi = [int(n) for n in args.ipmi_nodes.split(',') if int(n)]
    workers = [int(w) for w in args.workers.split(',')]
    base = tempfile.mkdtemp(prefix='tenks-bench-enrolment-')
    os.environ.pop('OS_CLOUD', None)
    ironic = ironic_fixture.IronicServer(os.path.join(base, 'ironic'))
    ironic.start()
    os.environ['OS_CLIENT_CONFIG_FILE'] = ironic.clouds_yaml
    try:
        cases = ([('fake-hardware', n) for n in sizes] +
                 [('ipmi', n) for n in ipmi])
        for index, (driver, count) in enumerate(cases):
            for count_workers in workers:
                result = case(os.path.join(base, 'case%d-%d'
                                           % (index, count_workers)),
                              ironic, driver, count, count_workers,
                              args.poll_interval)
                print(json.dumps(result))
                sys.stdout.flush()
    finally:
        ironic.stop()
    shutil.rmtree(base, ignore_errors=True)


if __name__ == '__main__':
    main()
