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

"""Capacity-aware filter scheduler.

Filters (``[filter_scheduler] enabled_filters``) drop hosts that cannot
take a node: missing physical networks, no free IPMI port, not enough RAM,
vCPUs or disk (with allocation ratios). Weighers rank the rest; their
multipliers choose between spreading and packing. Ties go to the host
listed first.

Placing N nodes on H hosts costs O(N log H): a host's weight depends only
on the host, and hosts only fill up while a plan is made, so each shape of
request keeps a heap of hosts that is refreshed lazily and loses a host for
good once a filter refuses it.
"""

import heapq

from tenks.conf import filter_scheduler as opts
from tenks.schedulers import base
from tenks.schedulers import filters as filters_mod
from tenks.schedulers import weighers as weighers_mod


class FilterScheduler(base.Scheduler):

    options_group = 'filter_scheduler'

    @classmethod
    def hypervisor_defaults(cls, settings):
        opts = settings.options(cls.options_group)
        return {key: opts[key] for key in ('ram_allocation_ratio',
                                           'cpu_allocation_ratio',
                                           'disk_allocation_ratio')}

    def __init__(self, conf=None):
        super().__init__(conf)
        group = conf.filter_scheduler if conf is not None else None
        enabled = (list(group.enabled_filters) if group is not None
                   else list(opts.FILTERS))
        self.static_filters = [filters_mod.FILTERS[f] for f in enabled
                               if f in filters_mod.STATIC]
        self.dynamic_filters = [filters_mod.FILTERS[f] for f in enabled
                                if f not in filters_mod.STATIC]
        multipliers = {}
        for name in weighers_mod.WEIGHERS:
            key = '%s_weight_multiplier' % name
            if group is not None:
                multipliers[name] = getattr(group, key)
            else:
                multipliers[name] = {'ram': 1.0,
                                     'node_count': 1.0}.get(name, 0.0)
        self.weighers = [(weighers_mod.WEIGHERS[n], m)
                         for n, m in multipliers.items() if m]

    def weigh(self, host):
        return sum(m * w(host) for w, m in self.weighers)

    def _reason(self, host, request):
        for check in self.static_filters + self.dynamic_filters:
            reason = check(host, request)
            if reason:
                return reason
        return None

    def schedule(self, requests, hosts):
        heaps = {}
        for request in requests:
            heap = heaps.get(request.shape)
            if heap is None:
                heap = [(-self.weigh(h), h.order, h.version, h)
                        for h in hosts
                        if not any(f(h, request)
                                   for f in self.static_filters)]
                heapq.heapify(heap)
                heaps[request.shape] = heap
            host = self._pick(heap, request)
            if host is None:
                base.fail(request, hosts, self._reason)
            host.consume(request)
            heapq.heappush(heap, (-self.weigh(host), host.order,
                                  host.version, host))

    def _pick(self, heap, request):
        while heap:
            _weight, order, version, host = heap[0]
            if version != host.version:
                heapq.heapreplace(heap, (-self.weigh(host), order,
                                         host.version, host))
                continue
            heapq.heappop(heap)
            if any(f(host, request) for f in self.dynamic_filters):
                continue   # it only gets fuller: drop it for this shape
            return host
        return None
