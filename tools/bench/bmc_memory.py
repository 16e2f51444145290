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

"""Benchmark: memory of the BMC emulators, and ``tenks verify`` time.

For each IPMI mode (``[vbmc] mode = vbmcd`` and ``embedded``) and each
cluster size, deploys that many IPMI nodes (TCG domains, defined, never
started, no networks) with the ``tenks`` CLI, then measures every emulator
process started from the run's files: resident (RSS) and proportional
(PSS, from /proc/<pid>/smaps_rollup) memory, in total and per node. Then
times ``tenks verify`` (IPMI ``power status`` to every BMC with ipmitool,
start-up of the CLI included) and a second, warm round; and tears down.
The same for Redfish nodes (one sushy-emulator per hypervisor) with
``--redfish``. Prints one JSON object per run.

    python tools/bench/bmc_memory.py                  # 10 and 50 nodes
    python tools/bench/bmc_memory.py --nodes 100 --modes embedded

Needs root, libvirtd and ipmitool (as the functional tests do).
"""

import argparse
import json
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
max_workers = 8
# Domains are defined, never started: no capacity to check.
scheduler = round_robin
[vbmc]
mode = %(mode)s
'''

SPEC = '''\
node_types:
  node:
    memory_mb: 128
    vcpus: 1
    ironic_driver: %(driver)s
specs:
  - type: node
    count: %(count)d
'''


def _memory(pid):
    """(RSS, PSS) of ``pid`` in kB, from smaps_rollup."""
    rss = pss = 0
    with open('/proc/%d/smaps_rollup' % pid) as f:
        for line in f:
            if line.startswith('Rss:'):
                rss = int(line.split()[1])
            elif line.startswith('Pss:'):
                pss = int(line.split()[1])
    return rss, pss


def _processes(root):
    """Pids of live processes whose command line mentions ``root``."""
    out = []
    me = os.getpid()
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open('/proc/%s/cmdline' % entry, 'rb') as f:
                raw = f.read().replace(b'\0', b' ')
            line = raw.decode('utf-8', 'replace')
            with open('/proc/%s/stat' % entry) as f:
                state = f.read().rsplit(')', 1)[1].split()[0]
        except OSError:
            continue
        if root in line and state != 'Z' and 'bmc_memory' not in line:
            out.append(int(entry))
    return sorted(out)


def _domains(token):
    """Libvirt domains of the run's cluster (named after its token)."""
    proc = subprocess.run(['virsh', '-c', 'qemu:///system', 'list', '--all',
                           '--name'], capture_output=True, text=True)
    return [n for n in proc.stdout.split() if n.startswith(token)]


class Run(object):
    """One cluster in a private directory, driven through the CLI."""

    def __init__(self, mode, count, driver):
        self.base = tempfile.mkdtemp(prefix='tenks-bmc-bench-')
        os.chmod(self.base, 0o755)
        self.env = env_mod.TenksEnv(self.base, ipmi_ports=max(count, 1),
                                    extra_conf=CONF % {'mode': mode})
        self.token = self.env.token
        self.root = self.env.root
        self.conf = self.env.config_file
        self.spec = os.path.join(self.root, 'spec.yaml')
        with open(self.spec, 'w') as f:
            f.write(SPEC % {'driver': driver, 'count': count})

    def tenks(self, *args):
        start = time.monotonic()
        proc = subprocess.run([sys.executable, '-m', 'tenks.cli.app',
                               '--config-file', self.conf] + list(args),
                              capture_output=True, text=True)
        seconds = time.monotonic() - start
        if proc.returncode not in (0, 1):
            raise RuntimeError('tenks %s failed:\n%s' % (
                ' '.join(args), proc.stderr[-2000:]))
        return proc, seconds

    def close(self):
        """Tear down; returns what was left (processes, domains)."""
        proc, _seconds = self.tenks('teardown')
        if proc.returncode:
            # Once more: the machine may be busy; the state says what is
            # left, and the second run resumes.
            proc, _seconds = self.tenks('teardown')
        left = ['process %d' % p for p in _processes(self.root)]
        left += ['domain %s' % d for d in _domains(self.token)]
        if proc.returncode or left:
            sys.stderr.write('teardown of %s incomplete (files kept): %s\n%s'
                             % (self.root, ', '.join(left),
                                proc.stderr[-2000:]))
        else:
            shutil.rmtree(self.base, ignore_errors=True)
        return left


def measure(mode, count, driver, rounds):
    run = Run(mode, count, driver)
    result = {'emulator': 'sushy_tools' if driver == 'redfish'
              else 'virtualbmc', 'nodes': count}
    if driver != 'redfish':
        result['mode'] = mode
    try:
        proc, seconds = run.tenks('deploy', '--spec', run.spec)
        if proc.returncode:
            raise RuntimeError('deploy failed:\n%s' % proc.stderr[-2000:])
        result['deploy_seconds'] = round(seconds, 2)
        pids = _processes(run.root)
        rss = pss = 0
        for pid in pids:
            r, p = _memory(pid)
            rss += r
            pss += p
        result.update(processes=len(pids),
                      rss_mb=round(rss / 1024.0, 1),
                      pss_mb=round(pss / 1024.0, 1),
                      rss_mb_per_node=round(rss / 1024.0 / count, 2),
                      pss_mb_per_node=round(pss / 1024.0 / count, 2))
        times = []
        failures = 0
        for _ in range(rounds):
            proc, seconds = run.tenks('verify', '--all', '-f', 'json')
            rows = json.loads(proc.stdout or '[]')
            failures = sum(1 for r in rows if r['Result'] != 'ok')
            times.append(round(seconds, 2))
        result.update(verify_seconds=times, verify_failures=failures)
        if rounds:
            pss_after = sum(_memory(p)[1] for p in _processes(run.root))
            result['pss_mb_after_verify'] = round(pss_after / 1024.0, 1)
    finally:
        left = run.close()
    result['left_behind'] = left
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--nodes', default='10,50',
                        help='Comma-separated cluster sizes.')
    parser.add_argument('--modes', default='vbmcd,embedded',
                        help='Comma-separated [vbmc] modes.')
    parser.add_argument('--redfish', action='store_true',
                        help='Also measure Redfish nodes (sushy-tools).')
    parser.add_argument('--verify-rounds', type=int, default=2,
                        help='How many times to run tenks verify.')
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.nodes.split(',') if n]
    for count in sizes:
        for mode in [m for m in args.modes.split(',') if m]:
            print(json.dumps(measure(mode, count, 'ipmi',
                                     args.verify_rounds)))
            sys.stdout.flush()
        if args.redfish:
            print(json.dumps(measure('embedded', count, 'redfish',
                                     args.verify_rounds)))
            sys.stdout.flush()


if __name__ == '__main__':
    main()
