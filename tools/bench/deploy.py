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

"""Benchmark: deploy, no-op redeploy, +10 % reconfigure and teardown.

Real nodes (TCG domains, defined not started) on qemu:///system, or many
nodes on libvirt's in-process ``test:///default`` driver or tenks' ``fake``
provider. Each phase runs the whole ``tenks`` CLI in a subprocess (start-up
included) unless the driver keeps its state in the process
(``test:///``), which runs the CLI in this process. Prints one JSON object
per cluster size, seconds per phase.

    python tools/bench/deploy.py --nodes 1,10,50
    python tools/bench/deploy.py --nodes 1000 --uri test:///default \\
        --bmc none --physnets 0
    python tools/bench/deploy.py --nodes 1000 --provider fake --bmc none
"""

import argparse
import contextlib
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))

from tests.functional import env as env_mod  # noqa: E402

# What this benchmark sets over the test environment's configuration
# (later values in a file win).
CONF = '''
[DEFAULT]
provider = %(provider)s
max_workers = %(workers)d
[libvirt]
uri = %(uri)s
'''

SPEC = '''\
node_types:
  bench:
    memory_mb: 128
    vcpus: 1
    ironic_driver: %(driver)s
    volumes:
      - capacity: 16MiB
    physical_networks: %(physnets)s
specs:
  - type: bench
    count: %(count)d
physnet_mappings:
  physnet1: null
hypervisors:
  localhost:
    # Defined nodes are not running: do not let this host's few CPUs
    # limit how many are defined.
    capacity: {memory_mb: 1TiB, vcpus: 100000}
'''


#: ``(result key, tenks arguments)`` of the read-only commands timed.
READ_ONLY = (('version_s', ('--version',)),
             ('node_list_s', ('node', 'list')),
             ('status_s', ('status',)))


class Cluster(object):

    def __init__(self, args):
        self.args = args
        self.base = tempfile.mkdtemp(prefix='tenks-bench-')
        self.env = env_mod.TenksEnv(
            self.base, ipmi_ports=args.ipmi_ports,
            extra_conf=CONF % {'uri': args.uri, 'provider': args.provider,
                               'workers': args.workers})
        self.root = self.env.root
        self.conf = self.env.config_file
        self.keepalive = None
        if args.uri.startswith('test:'):
            # The test driver forgets everything when its last connection
            # closes, and each CLI run closes its own: hold one open.
            import libvirt
            self.keepalive = libvirt.open(args.uri)

    def spec(self, count):
        path = os.path.join(self.root, 'spec-%d.yaml' % count)
        with open(path, 'w') as f:
            f.write(SPEC % {
                'driver': {'ipmi': 'ipmi', 'redfish': 'redfish',
                           'none': 'fake-hardware'}[self.args.bmc],
                'physnets': '[physnet1]' if self.args.physnets else '[]',
                'count': count})
        return path

    def tenks(self, *argv):
        argv = ['--config-file', self.conf, '-q'] + list(argv)
        start = time.perf_counter()
        if self.args.uri.startswith('test:'):
            # State lives in this process: run the CLI here, keeping one
            # application (and its libvirt connection) for every phase.
            from tenks.cli import app
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = app.TenksApp().run(argv)
        else:
            proc = subprocess.run([sys.executable, '-m', 'tenks.cli.app'] +
                                  argv, capture_output=True, text=True)
            code = proc.returncode
            if code:
                sys.stderr.write(proc.stderr)
        if code:
            raise RuntimeError('tenks %s failed' % ' '.join(argv))
        return round(time.perf_counter() - start, 3)

    def close(self):
        """Tear the cluster down (best effort after a failure), clean up."""
        try:
            self.tenks('teardown')
        except Exception:  # noqa - best effort after a failure
            pass
        self.cleanup()

    def cleanup(self):
        if self.keepalive is not None:
            self.keepalive.close()
        shutil.rmtree(self.base, ignore_errors=True)


def bench(args, count):
    cluster = Cluster(args)
    try:
        grown = int(math.ceil(count * 1.1))
        result = {'nodes': count, 'uri': args.uri, 'provider': args.provider,
                  'bmc': args.bmc, 'physnets': args.physnets}
        result['deploy_s'] = cluster.tenks('deploy', '--spec',
                                           cluster.spec(count))
        result['noop_s'] = min(cluster.tenks('deploy', '--spec',
                                             cluster.spec(count))
                               for _ in range(args.repeat))
        # Read-only commands on the deployed cluster, and the floor:
        # Python, the CLI's imports and its argument parsing.
        for key, argv in READ_ONLY:
            result[key] = min(cluster.tenks(*argv)
                              for _ in range(args.repeat))
        result['grow_10pct_s'] = cluster.tenks('deploy', '--spec',
                                               cluster.spec(grown))
        result['teardown_s'] = cluster.tenks('teardown')
        return result
    finally:
        cluster.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--nodes', default='1,10,50')
    parser.add_argument('--uri', default='qemu:///system')
    parser.add_argument('--provider', default='libvirt')
    parser.add_argument('--bmc', default='ipmi',
                        choices=['ipmi', 'redfish', 'none'])
    parser.add_argument('--physnets', type=int, default=1, choices=[0, 1])
    parser.add_argument('--workers', type=int, default=8)
    parser.add_argument('--repeat', type=int, default=3,
                        help='no-op runs; the fastest is reported')
    parser.add_argument('--ipmi-ports', type=int, default=1200,
                        help='size of the IPMI port range to find free')
    args = parser.parse_args(argv)
    for count in (int(n) for n in args.nodes.split(',')):
        print(json.dumps(bench(args, count)))
        sys.stdout.flush()


if __name__ == '__main__':
    main()
