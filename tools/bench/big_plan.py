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

"""Benchmark: the whole CLI on a big spec (validate, plan, print).

Writes a spec of ``--nodes`` fake-hardware nodes over ``--hypervisors``
hypervisors of the ``fake`` provider (nothing is created: only dry runs
are timed), then times each command as a new process, the best of
``--repeat`` runs, and counts the lines it printed. Prints one JSON object
per command.

    python tools/bench/big_plan.py [--nodes 10000] [--hypervisors 100]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

CONF = '''\
[DEFAULT]
cluster_name = bench
state_file = %(root)s/state/state.yaml
log_dir = %(root)s/log
run_dir = %(root)s/run
'''

COMMANDS = (
    ('validate', ['validate']),
    ('dry-run table', ['deploy', '--dry-run']),
    ('dry-run -f value', ['deploy', '--dry-run', '-f', 'value']),
    ('dry-run --long', ['deploy', '--dry-run', '--long']),
)


def make_spec(nodes, hypervisors):
    lines = ['node_types:',
             '  fake: {memory_mb: 1024, vcpus: 1, '
             'ironic_driver: fake-hardware}',
             'specs:',
             '  - {type: fake, count: %d, node_name_prefix: big}' % nodes,
             'hypervisors:']
    for i in range(hypervisors):
        # Hypervisors on one host: each its own bridge prefix.
        lines += ['  hv%d:' % i, '    provider: fake',
                  '    bridge_prefix: bk%d' % i,
                  '    capacity: {memory_mb: 1PiB, vcpus: 1000000}']
    lines.append('wait_for_placement: false')
    return '\n'.join(lines) + '\n'


def timed(conf, spec, args, repeat):
    best, lines = None, 0
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, '-m', 'tenks.cli.app',
                               '--config-file', conf] + args +
                              ['--spec', spec], capture_output=True,
                              text=True)
        seconds = time.perf_counter() - start
        if proc.returncode:
            raise RuntimeError('tenks %s failed:\n%s' % (
                ' '.join(args), proc.stderr[-3000:]))
        best = seconds if best is None else min(best, seconds)
        lines = len(proc.stdout.splitlines())
    return round(best, 2), lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--nodes', type=int, default=10000)
    parser.add_argument('--hypervisors', type=int, default=100)
    parser.add_argument('--repeat', type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as root:
        conf = os.path.join(root, 'tenks.conf')
        with open(conf, 'w') as f:
            f.write(CONF % {'root': root})
        spec = os.path.join(root, 'spec.yaml')
        with open(spec, 'w') as f:
            f.write(make_spec(args.nodes, args.hypervisors))
        for name, command in COMMANDS:
            seconds, lines = timed(conf, spec, command, args.repeat)
            print(json.dumps({'nodes': args.nodes,
                              'hypervisors': args.hypervisors,
                              'command': name, 'seconds': seconds,
                              'lines': lines}))
            sys.stdout.flush()


if __name__ == '__main__':
    main()
