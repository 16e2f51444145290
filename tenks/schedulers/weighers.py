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

"""Weighers of the filter scheduler.

Each gives a host a number in [0, 1] that depends on the host only (free
share of a capacity, or how few nodes it has), so that a host's weight
changes only when a node is placed on it. The filter scheduler multiplies
them by their configured multipliers and picks the heaviest host:
positive multipliers spread nodes, negative ones pack them.
"""


def _share(free, capacity, ratio):
    if capacity is None:
        return 0.0
    limit = capacity * ratio
    if limit <= 0:
        return 0.0
    return max(free, 0) / limit


def ram(host):
    return _share(host.free_memory_mb, host.memory_mb,
                  host.ram_allocation_ratio)


def vcpu(host):
    return _share(host.free_vcpus, host.vcpus, host.cpu_allocation_ratio)


def disk(host):
    return _share(host.free_disk_bytes, host.disk_bytes,
                  host.disk_allocation_ratio)


def node_count(host):
    return 1.0 / (1 + host.node_count)


WEIGHERS = {'ram': ram, 'vcpu': vcpu, 'disk': disk,
            'node_count': node_count}
