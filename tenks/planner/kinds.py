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

"""What a resource kind is: its plugin namespace, order and identity.

Rank orders kinds for creation (ascending) and deletion (descending): a
resource only ever requires resources of lower rank. ``replace`` lists the
props whose change cannot be applied in place: the resource is deleted and
created again. ``driver`` names the plugin of kinds that do not live on a
hypervisor (the cloud's), from ``[DEFAULT]`` options otherwise: the
provider, network plugin and BMC emulator of each node.
"""

import collections

Kind = collections.namedtuple('Kind', 'name namespace rank replace driver')

_KINDS = [
    Kind('pool', 'tenks.providers', 0, ('name', 'path', 'type'), None),
    Kind('bridge', 'tenks.networks', 1, ('name', 'datapath_type'), None),
    Kind('volume', 'tenks.providers', 2,
         ('name', 'pool', 'format', 'image', 'existing'), None),
    Kind('vif', 'tenks.networks', 3, ('name', 'bridge', 'node_end',
                                      'bridge_end'), None),
    Kind('domain', 'tenks.providers', 4, ('name', 'uuid'), None),
    Kind('bmc_service', 'tenks.bmc', 5, (), None),
    Kind('bmc', 'tenks.bmc', 6, (), None),
    Kind('ironic_node', 'tenks.enrolment', 7, ('uuid',), 'ironic'),
    Kind('flavor', 'tenks.enrolment', 8,
         ('name', 'ram', 'vcpus', 'disk', 'is_public'), 'nova'),
    Kind('placement_wait', 'tenks.enrolment', 9, (), 'nova'),
]

KINDS = collections.OrderedDict((k.name, k) for k in _KINDS)


def rank(kind):
    return KINDS[kind].rank


def namespace(kind):
    return KINDS[kind].namespace


def driver(kind):
    """The plugin serving every resource of ``kind``, or None."""
    return KINDS[kind].driver


def needs_replace(kind, old_props, new_props):
    """The props whose change forces a replace, or an empty list."""
    return [p for p in KINDS[kind].replace
            if old_props.get(p) != new_props.get(p)]
