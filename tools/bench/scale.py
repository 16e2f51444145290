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

"""Benchmark: scale mode, thousands of fake nodes into a real Ironic.

Starts a standalone Ironic (the functional tests' fixture, from the venv
``tools/install-ironic.sh`` makes) and runs the whole ``tenks`` CLI on the
scale example (``etc/tenks/examples/scale.yaml``: ``fake`` provider,
``fake-hardware`` nodes): deploy until every node is ``available``, a
no-op redeploy, teardown. Prints one JSON object per case.

    python tools/bench/scale.py [--nodes 1000] [--workers 16]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..'))

from tests.functional import ironic_fixture  # noqa: E402

EXAMPLE = os.path.join(HERE, '..', '..', 'etc', 'tenks', 'examples',
                       'scale.yaml')

# The test fixture checks power state every 5 s, which over a thousand
# nodes keeps a single all-in-one Ironic busy; use a production-like
# interval.
IRONIC_CONF = '''
[conductor]
sync_power_state_interval = 600
'''

CONF = '''\
[DEFAULT]
state_file = %(root)s/state.yaml
log_dir = %(root)s/log
run_dir = %(root)s/run
max_workers = %(workers)d
[ironic]
concurrency = %(workers)d
poll_interval = %(poll)s
'''


def tenks(conf, *args):
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, '-m', 'tenks.cli.app',
                           '--config-file', conf, '-q'] + list(args),
                          capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError('tenks %s failed:\n%s' % (' '.join(args),
                                                     proc.stderr[-3000:]))
    return round(time.perf_counter() - start, 2)


def case(base, ironic, count, workers, poll):
    root = tempfile.mkdtemp(dir=base)
    conf = os.path.join(root, 'tenks.conf')
    with open(conf, 'w') as f:
        f.write(CONF % {'root': root, 'workers': workers, 'poll': poll})
    spec = os.path.join(root, 'scale.yaml')
    with open(EXAMPLE) as f:
        text = f.read().replace('count: 1000', 'count: %d' % count)
    with open(spec, 'w') as f:
        f.write(text)
    result = {'nodes': count, 'workers': workers, 'poll_interval': poll}
    result['deploy_s'] = tenks(conf, 'deploy', '--spec', spec)
    nodes = list(ironic.conn().baremetal.nodes(details=True))
    result['available'] = sum(1 for n in nodes
                              if n.provision_state == 'available')
    result['noop_s'] = tenks(conf, 'deploy', '--spec', spec)
    result['teardown_s'] = tenks(conf, 'teardown')
    result['left_in_ironic'] = len(list(ironic.conn().baremetal.nodes()))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--nodes', default='1000')
    parser.add_argument('--workers', default='16')
    parser.add_argument('--poll-interval', type=float, default=1.0)
    parser.add_argument('--ironic-conf', default=IRONIC_CONF,
                        help='extra ironic.conf text for the Ironic')
    args = parser.parse_args()
    base = tempfile.mkdtemp(prefix='tenks-bench-scale-')
    ironic = ironic_fixture.IronicServer(
        os.path.join(base, 'ironic'),
        extra_conf=args.ironic_conf.replace('\\n', '\n'))
    ironic.start()
    os.environ.update(ironic.env())
    try:
        for count in (int(n) for n in args.nodes.split(',')):
            for workers in (int(w) for w in args.workers.split(',')):
                print(json.dumps(case(base, ironic, count, workers,
                                      args.poll_interval)))
                sys.stdout.flush()
    finally:
        left = ironic.purge()
        ironic.stop()
    if left:
        sys.exit('Ironic nodes left behind (files kept in %s): %s'
                 % (base, ', '.join(left)))
    shutil.rmtree(base, ignore_errors=True)


if __name__ == '__main__':
    main()
