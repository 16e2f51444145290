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

"""Benchmark: Ironic deploys tenks nodes, and they boot.

Sets up the boot lab of the e2e_boot tests (a standalone Ironic, the
provisioning network, one tenks node per boot path and firmware; see
``tests/functional/boot``), then for each path deploys its node with the
``ramdisk`` deploy interface ``--rounds`` times and prints one JSON object
per round: seconds from ``deploy`` to ``active``, to the ramdisk's marker
on the serial console, and from ``undeploy`` to ``available``. Tears
everything down at the end.

    python tools/bench/boot.py                      # 3 rounds, 4 paths
    python tools/bench/boot.py --rounds 1 --paths pxe-uefi,vmedia-bios

Needs root and what the functional tests need (tools/install-deps.sh
test).
"""

import argparse
import json
import os
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))

from tests.functional.boot import lab as lab_mod  # noqa: E402


def main():
    names = ['%s-%s' % p for p in lab_mod.PATHS]
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--paths', default=','.join(names),
                        help='Comma-separated, of %s.' % ', '.join(names))
    args = parser.parse_args()
    wanted = [tuple(p.split('-', 1)) for p in args.paths.split(',')]
    unknown = [p for p in wanted if p not in lab_mod.PATHS]
    if unknown:
        parser.error('unknown path(s): %s' % ', '.join(
            '-'.join(p) for p in unknown))
    lab = lab_mod.BootLab(tempfile.mkdtemp(prefix='tenks-bench-boot-'))
    try:
        lab.start()
        for round_ in range(1, args.rounds + 1):
            for path, firmware in wanted:
                lab.timings.pop((path, firmware), None)
                lab.deploy(path, firmware, uuid.uuid4().hex[:12])
                lab.undeploy(path, firmware)
                print(json.dumps(dict(
                    {'path': path, 'firmware': firmware, 'round': round_},
                    **{k.replace(' ', '_') + '_s': round(v, 1)
                       for k, v in lab.timings[(path, firmware)].items()})))
                sys.stdout.flush()
    finally:
        left = lab.close()
    if left:
        sys.exit('left behind: %s' % ', '.join(left))


if __name__ == '__main__':
    main()
