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

"""Shared builders for the libvirt provider's unit tests."""

import copy
import os

GOLDEN = os.path.join(os.path.dirname(__file__), 'golden')

# Set to rewrite the golden files from the current templates (then review
# the diff before committing it).
REGEN_ENV = 'TENKS_REGEN_GOLDEN'

UUID = '657dd593-c263-5ae7-ae82-84cc063b037b'

DOMAIN = {
    'name': 'tk0',
    'uuid': UUID,
    'cluster': 'tenks',
    'domain_type': 'auto',
    'memory_mb': 1024,
    'vcpus': 2,
    'cpu_mode': 'maximum',
    'cpu_model': None,
    'arch': 'x86_64',
    'machine': 'q35',
    'boot_mode': 'uefi',
    'secure_boot': False,
    'disks': [{'pool': 'tenks', 'volume': 'tk0vol0', 'format': 'qcow2',
               'bus': 'virtio'},
              {'pool': 'tenks', 'volume': 'tk0vol1', 'format': 'raw',
               'bus': 'virtio'}],
    'nics': [{'mac': '52:54:00:19:44:18', 'dev': 'p-tk0-0-tap',
              'model': 'virtio', 'physnet': 'physnet1'},
             {'mac': '52:54:00:19:44:19', 'dev': 'p-tk0-1-tap',
              'model': 'e1000', 'physnet': 'physnet2'}],
    'console_log': '/var/log/tenks/libvirt/tk0-console.log',
    'trust_guest_rx_filters': False,
    'cdrom': True,
}


def domain_props(**changes):
    props = copy.deepcopy(DOMAIN)
    props.update(changes)
    return props


def golden(name):
    with open(os.path.join(GOLDEN, name)) as f:
        return f.read()


def check_golden(testcase, name, text):
    """Compare ``text`` with golden file ``name`` (or rewrite it)."""
    path = os.path.join(GOLDEN, name)
    if os.environ.get(REGEN_ENV):
        with open(path, 'w') as f:
            f.write(text)
    testcase.assertEqual(golden(name), text)
