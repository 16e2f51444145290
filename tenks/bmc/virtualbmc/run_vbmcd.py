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

"""Run VirtualBMC's own vbmcd in the foreground with a given config file.

``python -m tenks.bmc.virtualbmc.run_vbmcd --config FILE`` is
``VIRTUALBMC_CONFIG=FILE vbmcd --foreground``, with the config file's path
in the command line so that tenks (and people reading ``ps``) can tell
which vbmcd is whose. In the foreground vbmcd writes its real pid into
its pid file (daemonised, vbmcd 3.3.0 writes 0); tenks detaches it
itself.
"""

import argparse
import os
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m tenks.bmc.virtualbmc.run_vbmcd')
    parser.add_argument('--config', required=True,
                        help='virtualbmc.conf of this vbmcd.')
    args = parser.parse_args(argv)
    # virtualbmc reads VIRTUALBMC_CONFIG when first imported.
    os.environ['VIRTUALBMC_CONFIG'] = os.path.abspath(args.config)
    from virtualbmc.cmd import vbmcd
    return vbmcd.main(['--foreground'])


if __name__ == '__main__':
    sys.exit(main())
