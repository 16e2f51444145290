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

"""Wait until Placement offers the enrolled nodes to Nova's scheduler.

Nova's Ironic driver reports each available node as a resource provider
with an inventory of one unit of the node's custom resource class
(``CUSTOM_<RESOURCE_CLASS>``), and copies the node's traits onto it. The
``placement_wait`` resource lists what it expects: per resource class and
set of traits, how many nodes. A provider counts for a group when it has
the class and at least those traits, so nodes of a group with more traits
also count for a group with fewer: each group needs as many providers as
all the groups whose traits include its own.

Per look, one request per group asks Placement which providers can take
one unit now (``GET /resource_providers?resources=<RC>:1&required=...``).
Only when that falls short does it also count providers that have the
inventory but no free capacity (nodes hosting instances), by reading the
inventory of the remaining providers once each: a re-deploy of a cluster
whose nodes are in use does not wait for them to be freed.
"""

import collections
import time

from tenks import exception

#: ``required`` in GET /resource_providers.
REQUIRED_VERSION = '1.18'
#: ``resources`` in GET /resource_providers.
RESOURCES_VERSION = '1.4'


class PlacementTimeout(exception.TenksError):
    pass


def needs(expected):
    """How many providers each (resource class, traits) group needs.

    :param expected: list of dicts with ``resource_class``, ``traits`` and
        ``amount`` (the ``placement_wait`` props).
    :returns: ordered dict of ``(rc, frozenset(traits))`` to a count.
    """
    groups = collections.OrderedDict()
    for item in expected:
        key = (item['resource_class'], frozenset(item.get('traits') or ()))
        groups[key] = groups.get(key, 0) + int(item['amount'])
    out = collections.OrderedDict()
    for (rc, traits) in groups:
        out[(rc, traits)] = sum(amount for (rc2, traits2), amount
                                in groups.items()
                                if rc2 == rc and traits2 >= traits)
    return out


def group_text(rc, traits):
    if traits:
        return '%s with %s' % (rc, ', '.join(sorted(traits)))
    return rc


class Counter(object):
    """Counts the providers of each group through a Placement client.

    :param get: callable ``get(path, params, microversion)`` returning the
        decoded JSON body of a Placement GET.
    """

    def __init__(self, get):
        self.get = get
        # provider uuid -> {resource class: usable units} (read once).
        self._inventories = {}

    def _providers(self, params, version):
        body = self.get('/resource_providers', params, version)
        return [p['uuid'] for p in body.get('resource_providers') or ()]

    def _query(self, traits, resources=None):
        params = {}
        version = RESOURCES_VERSION
        if resources:
            params['resources'] = resources
        if traits:
            params['required'] = ','.join(sorted(traits))
            version = REQUIRED_VERSION
        return params, version

    def free(self, rc, traits):
        """Providers that can take one unit of ``rc`` now."""
        params, version = self._query(traits, '%s:1' % rc)
        return set(self._providers(params, version))

    def _usable(self, uuid):
        if uuid not in self._inventories:
            body = self.get('/resource_providers/%s/inventories' % uuid,
                            {}, RESOURCES_VERSION)
            self._inventories[uuid] = {
                rc: inv.get('total', 0) - inv.get('reserved', 0)
                for rc, inv in (body.get('inventories') or {}).items()}
        return self._inventories[uuid]

    def count(self, rc, traits, need):
        """How many providers the group has.

        The free ones, plus (only if that is short of ``need``) those with
        the inventory but no free unit.
        """
        free = self.free(rc, traits)
        if len(free) >= need:
            return len(free)
        params, version = self._query(traits)
        total = len(free)
        for uuid in self._providers(params, version):
            if uuid not in free and self._usable(uuid).get(rc, 0) >= 1:
                total += 1
        return total


def wait(counter, expected, timeout, interval, sleep=time.sleep,
         clock=time.monotonic, log=None):
    """Poll until every group has its providers.

    :returns: dict of group text to the count seen.
    :raises PlacementTimeout: naming the groups still short.
    """
    required = needs(expected)
    deadline = clock() + timeout
    while True:
        short = []
        seen = {}
        for (rc, traits), need in required.items():
            have = counter.count(rc, traits, need)
            seen[group_text(rc, traits)] = have
            if have < need:
                short.append('%s: %d of %d' % (group_text(rc, traits),
                                               have, need))
        if not short:
            return seen
        if clock() >= deadline:
            raise PlacementTimeout(
                'Placement did not show the nodes\' inventory within %ss '
                '(%s); check that nova-compute runs the Ironic driver and '
                'the nodes are available' % (timeout, '; '.join(short)))
        if log:
            log('waiting for Placement: %s' % '; '.join(short))
        sleep(interval)
