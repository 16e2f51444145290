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

"""Reading the state.yml of Tenks (the Ansible original).

Its top-level keys are hypervisor inventory names, each with
``physnet_indices`` and a list of ``nodes``. Converted nodes keep their
names, UUIDs, IPMI ports and physnet indices, and are marked for adoption:
the first deploy takes over the domains, volumes, links and BMCs Tenks made
for them instead of treating them as collisions.
"""

import re

from tenks.state import model

_TRAILING_DIGITS = re.compile(r'^(.*?)(\d+)$')


def is_tenks_state(data):
    """True when ``data`` looks like a Tenks state.yml."""
    if 'version' in data or not data:
        return False
    return all(isinstance(v, dict) and
               set(v) <= {'nodes', 'physnet_indices'} and v
               for v in data.values())


def split_name(name):
    """``'tk12'`` -> ``('tk', 12)``; a name without digits -> (name, None)."""
    match = _TRAILING_DIGITS.match(name)
    if not match or (len(match.group(2)) > 1 and
                     match.group(2).startswith('0')):
        return name, None
    return match.group(1), int(match.group(2))


def convert(data, source):
    state = model.State(imported_from=source)
    for hv_name, hv in data.items():
        indices = dict(hv.get('physnet_indices') or {})
        state.hypervisors[hv_name] = {'physnet_indices': indices}
        for node in hv.get('nodes') or ():
            prefix, index = split_name(node['name'])
            driver = node.get('ironic_driver')
            port = node.get('ipmi_port') or None
            state.nodes[node['name']] = {
                'name': node['name'],
                'uuid': node['uuid'],
                'type': node.get('type'),
                'prefix': prefix,
                'index': index,
                'hypervisor': hv_name,
                'ironic_driver': driver,
                'ironic_config': node.get('ironic_config'),
                'memory_mb': node.get('memory_mb'),
                'vcpus': node.get('vcpus'),
                'volumes': node.get('volumes') or [],
                'physical_networks': node.get('physical_networks') or [],
                'nics': [{'physnet': p, 'mac': None}
                         for p in node.get('physical_networks') or ()],
                'bmc': {'port': port} if port else {},
                'adopt': True,
            }
    return state
