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

"""The kinds of resource tenks manages, their plugin namespaces and order.

Rank orders kinds for creation (ascending) and deletion (descending): a
resource only ever requires resources of lower rank. ``replace`` lists the
props whose change cannot be applied in place: the resource is deleted and
created again.
"""

import collections

Kind = collections.namedtuple('Kind', 'name namespace rank replace')

_KINDS = [
    Kind('pool', 'tenks.providers', 0, ('name', 'path', 'type')),
    Kind('bridge', 'tenks.networks', 1, ('name', 'datapath_type')),
    Kind('volume', 'tenks.providers', 2,
         ('name', 'pool', 'format', 'image', 'existing')),
    Kind('vif', 'tenks.networks', 3, ('name', 'bridge', 'node_end',
                                      'bridge_end')),
    Kind('domain', 'tenks.providers', 4, ('name', 'uuid')),
    Kind('bmc_service', 'tenks.bmc', 5, ()),
    Kind('bmc', 'tenks.bmc', 6, ()),
    Kind('ironic_node', 'tenks.enrolment', 7, ('uuid',)),
    Kind('flavor', 'tenks.enrolment', 8,
         ('name', 'ram', 'vcpus', 'disk', 'is_public')),
    Kind('placement_wait', 'tenks.enrolment', 9, ()),
]

KINDS = collections.OrderedDict((k.name, k) for k in _KINDS)


def rank(kind):
    return KINDS[kind].rank


def namespace(kind):
    return KINDS[kind].namespace


def needs_replace(kind, old_props, new_props):
    """The props whose change forces a replace, or an empty list."""
    return [p for p in KINDS[kind].replace
            if old_props.get(p) != new_props.get(p)]
