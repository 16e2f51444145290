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

"""Benchmark: deploy, no-op and teardown over SSH hosts, against local.

Starts ``--hosts`` hosts reached over SSH only, with the multihost
functional tests' code (:mod:`tests.functional.multihost.hosts`: each a
network, mount and PID namespace of this machine with its own sshd and
libvirtd), and runs the whole ``tenks`` CLI in a subprocess on
``--nodes`` nodes per host (128 MiB TCG, defined not started, one volume,
one NIC on an isolated physnet, IPMI BMCs on the host), then on as many
nodes on this host alone. Prints one JSON object per layout: seconds per
phase, and for the remote layout the SSH connections the hosts accepted
per phase (sshd's log) and how long a no-op takes to fail when one host
drops every packet to its SSH port (``silent_s``, the hosts'
``connect_timeout`` being 10 s).

Each host's libvirtd is new, and the first capabilities request makes it
probe every QEMU emulator installed (seconds each under TCG; four with
the aarch64 ones the hardware tests need). A hypervisor in service has
them cached, so the hosts are asked once before anything is timed.

    python tools/bench/multihost.py --hosts 3 --nodes 10
"""

import argparse
import json
import os
import subprocess
import sys
import time
import types

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, REPO)

from tests.functional.multihost import hosts as hosts_mod  # noqa: E402
from tests.functional import specs  # noqa: E402
from tools.bench import deploy  # noqa: E402

#: Defined nodes are not running: the host's few CPUs must not limit how
#: many are defined.
CAPACITY = {'memory_mb': '1TiB', 'vcpus': 100000}
NODE_TYPE = specs.node_type(ironic_driver='ipmi',
                            volumes=[{'capacity': '16MiB'}],
                            physical_networks=['physnet1'])


class Cluster(deploy.Cluster):
    """A :class:`deploy.Cluster` on the given hypervisors."""

    def __init__(self, args, hypervisors):
        super().__init__(args)
        self.hypervisors = hypervisors

    def spec(self, count):
        path = os.path.join(self.root, 'spec-%d.yaml' % count)
        with open(path, 'w') as f:
            f.write(specs.text({'bench': NODE_TYPE},
                               [specs.entry('bench', count)],
                               physnet_mappings={'physnet1': None},
                               hypervisors=self.hypervisors))
        return path


def remote_hypervisors(lab, token):
    pool = '/tmp/%s-pool' % token
    return {host.name: host.spec_entry(pool_path=pool,
                                       ipmi_address=host.address,
                                       capacity=CAPACITY)
            for host in lab}


def warm(lab):
    """Have each host's libvirtd probe its emulators (see above)."""
    for host in lab:
        for args in (('capabilities',),
                     ('domcapabilities', '--virttype', 'qemu', '--arch',
                      'x86_64', '--machine', 'q35')):
            rc, _out, err = host.virsh(*args)
            if rc != 0:
                raise RuntimeError('%s: virsh %s: %s' % (host.name,
                                                         args[0], err))


def accepted(lab):
    """SSH connections the hosts' sshd accepted so far."""
    total = 0
    for host in lab:
        with open(os.path.join(host.log_dir, 'sshd.log'),
                  errors='replace') as f:
            total += sum('Accepted publickey' in line for line in f)
    return total


def silent(cluster, spec, host):
    """Seconds a no-op deploy takes to fail with ``host`` silent."""
    host.silence()
    try:
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, '-m', 'tenks.cli.app', '--config-file',
             cluster.conf, '-q', 'deploy', '--spec', spec],
            capture_output=True, text=True)
        took = round(time.perf_counter() - start, 3)
    finally:
        host.unsilence()
    if proc.returncode != 1 or host.address not in proc.stderr:
        raise RuntimeError('a silent host was not reported:\n%s'
                           % proc.stderr)
    return took


def measure(cluster, count, repeat, lab=None):
    """Seconds (and SSH connections with ``lab``) of each phase.

    With ``lab``, also how long a no-op takes to fail when its last host
    does not answer (``silent_s``).
    """
    result = {}
    spec = cluster.spec(count)
    phases = (('deploy', ['deploy', '--spec', spec], 1),
              ('noop', ['deploy', '--spec', spec], repeat),
              ('teardown', ['teardown'], 1))
    for name, argv, runs in phases:
        if name == 'teardown' and lab:
            result['silent_s'] = silent(cluster, spec, lab[len(lab) - 1])
        before = accepted(lab) if lab else 0
        result['%s_s' % name] = min(cluster.tenks(*argv)
                                    for _ in range(runs))
        if lab:
            result['%s_ssh' % name] = (accepted(lab) - before) // runs
    return result


def bench(args, layout, lab=None):
    options = types.SimpleNamespace(
        uri='qemu:///system', provider='libvirt', workers=args.workers,
        ipmi_ports=args.ipmi_ports, bmc='ipmi', physnets=1)
    cluster = Cluster(options, {})
    if lab is None:
        count = args.hosts * args.nodes
        cluster.hypervisors = {'localhost': {'capacity': CAPACITY}}
    else:
        count = args.nodes * len(lab)
        cluster.hypervisors = remote_hypervisors(lab, cluster.env.token)
    try:
        result = {'layout': layout, 'hosts': len(lab) if lab else 1,
                  'nodes': count}
        result.update(measure(cluster, count, args.repeat, lab))
        return result
    finally:
        cluster.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--hosts', type=int, default=3)
    parser.add_argument('--nodes', type=int, default=10,
                        help='nodes per host')
    parser.add_argument('--workers', type=int, default=8)
    parser.add_argument('--repeat', type=int, default=3,
                        help='no-op runs; the fastest is reported')
    parser.add_argument('--ipmi-ports', type=int, default=200,
                        help='size of the IPMI port range to find free')
    args = parser.parse_args(argv)
    # The hosts' agent imports tenks from the repository (see hosts.py);
    # so must the CLI here, or their versions differ.
    os.chdir(REPO)
    lab = hosts_mod.start_hosts(args.hosts)
    try:
        warm(lab)
        print(json.dumps(bench(args, 'ssh', lab)))
        sys.stdout.flush()
    finally:
        left = lab.close()
    if left:
        sys.exit('left on this machine: %s' % ', '.join(left))
    print(json.dumps(bench(args, 'local')))


if __name__ == '__main__':
    main()
