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

"""Round-robin scheduling, as Tenks does it.

Hosts take turns in spec order; a host is skipped when it lacks a physical
network the node needs or has no free IPMI port for an IPMI node. Capacity
is not considered.
"""

from tenks.schedulers import base


def _reason(host, request):
    return (base.static_reason(host, request) or
            base.port_reason(host, request))


class RoundRobinScheduler(base.Scheduler):

    def schedule(self, requests, hosts):
        if not hosts:
            if requests:
                base.fail(requests[0], hosts, _reason)
            return
        turn = 0
        count = len(hosts)
        for request in requests:
            for step in range(count):
                host = hosts[(turn + step) % count]
                if _reason(host, request) is None:
                    host.consume(request)
                    turn = (turn + step + 1) % count
                    break
            else:
                base.fail(request, hosts, _reason)
