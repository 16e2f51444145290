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

"""Filters of the filter scheduler: each says why a host cannot take a
request, or None when it can.
"""

from tenks.schedulers import base


def physnet(host, request):
    return base.static_reason(host, request)


def bmc_port(host, request):
    return base.port_reason(host, request)


def ram(host, request):
    free = host.free_memory_mb
    if free < request.memory_mb:
        return 'not enough RAM: %d MiB free, %d MiB needed' % (
            max(free, 0), request.memory_mb)
    return None


def vcpu(host, request):
    free = host.free_vcpus
    if free < request.vcpus:
        return 'not enough vCPUs: %g free, %d needed' % (
            max(free, 0), request.vcpus)
    return None


def disk(host, request):
    free = host.free_disk_bytes
    if free < request.disk_bytes:
        gib = 1024.0 ** 3
        return 'not enough disk: %.1f GiB free, %.1f GiB needed' % (
            max(free, 0) / gib, request.disk_bytes / gib)
    return None


FILTERS = {'physnet': physnet, 'bmc_port': bmc_port, 'ram': ram,
           'vcpu': vcpu, 'disk': disk}

# Filters whose verdict depends only on the host's fixed traits; the others
# only get stricter as nodes are placed.
STATIC = frozenset(['physnet'])
