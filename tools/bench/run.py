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

"""Run tenks' benchmarks and print their results as JSON lines.

    tox -e bench                       # every benchmark, default sizes
    tox -e bench -- plan deploy        # some of them
    tox -e bench -- deploy -- --nodes 1,10

Each line is one measurement, tagged with the benchmark's name. Nothing
here asserts a timing: numbers are for people and for comparing runs.
Benchmarks that create real nodes, BMCs or Ironic nodes need root and the
daemons the functional tests use.
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# name -> (script, default arguments)
BENCHMARKS = {
    'plan': ('plan.py', []),
    'big-plan': ('big_plan.py', []),
    'deploy': ('deploy.py', ['--nodes', '1,10,50']),
    'deploy-test-driver': ('deploy.py', ['--nodes', '1000', '--uri',
                                         'test:///default', '--bmc', 'none',
                                         '--physnets', '0']),
    'bmc-memory': ('bmc_memory.py', []),
    'enrolment': ('enrolment.py', []),
    'scale': ('scale.py', []),
    'boot': ('boot.py', []),
    'multihost': ('multihost.py', ['--hosts', '3', '--nodes', '10']),
}


def run(name, extra):
    script, args = BENCHMARKS[name]
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, script)] +
                            (extra or args), stdout=subprocess.PIPE,
                            text=True)
    for line in proc.stdout:
        line = line.strip()
        if not line:
            continue
        try:
            data = json.loads(line)
        except ValueError:
            print(line)
            continue
        print(json.dumps(dict({'bench': name}, **data)))
        sys.stdout.flush()
    return proc.wait()


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = []
    if '--' in argv:
        extra = argv[argv.index('--') + 1:]
        argv = argv[:argv.index('--')]
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        sys.exit('unknown benchmark(s): %s (known: %s)'
                 % (', '.join(unknown), ', '.join(BENCHMARKS)))
    failed = [n for n in names if run(n, extra) != 0]
    if failed:
        sys.exit('benchmark(s) failed: %s' % ', '.join(failed))


if __name__ == '__main__':
    main()
