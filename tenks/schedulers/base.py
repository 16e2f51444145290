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

"""The scheduler contract, and the host and request views it works on.

A scheduler gets the nodes to place (:class:`NodeRequest`) and the
hypervisors (:class:`HostState`, already charged with the nodes that exist)
and picks a host for every request, calling :meth:`HostState.consume` as it
goes so that later choices see earlier ones. It must be deterministic: the
same inputs give the same placements.
"""

import abc
import heapq

from tenks import exception

UNLIMITED = float('inf')


class PortPool(object):
    """The BMC ports of one site (e.g. IPMI ports of one BMC address).

    Hypervisors whose BMCs share a host and address share a pool.

    :param label: what the ports are, for messages (e.g. ``IPMI``).
    """

    def __init__(self, ports, label='BMC'):
        self.label = label
        self._free = set(ports)
        self._heap = sorted(self._free)
        self.first = self._heap[0] if self._heap else None
        self.last = self._heap[-1] if self._heap else None

    def __len__(self):
        return len(self._free)

    def reserve(self, port):
        """Mark ``port`` as used (an existing node keeps it)."""
        self._free.discard(port)

    def take(self):
        """Take the lowest free port."""
        while self._heap:
            port = heapq.heappop(self._heap)
            if port in self._free:
                self._free.discard(port)
                return port
        raise IndexError('no free port')

    def describe(self):
        return '%s-%s' % (self.first, self.last)


class NodeRequest(object):
    """What a new node needs from a hypervisor.

    ``port_from`` names the BMC emulator whose port pool the node needs a
    port of (None: no port of its own); the scheduler sets ``port`` and
    ``host``.
    """

    __slots__ = ('name', 'memory_mb', 'vcpus', 'disk_bytes', 'physnets',
                 'port_from', 'port', 'host', 'arch')

    def __init__(self, name, memory_mb, vcpus, disk_bytes=0, physnets=(),
                 port_from=None, arch=None):
        self.name = name
        self.arch = arch
        self.memory_mb = memory_mb
        self.vcpus = vcpus
        self.disk_bytes = disk_bytes
        self.physnets = frozenset(physnets)
        self.port_from = port_from
        self.port = None
        self.host = None

    @property
    def shape(self):
        """Requests with the same shape pass and fail the same filters."""
        return (self.memory_mb, self.vcpus, self.disk_bytes, self.physnets,
                self.port_from, self.arch)


class HostState(object):
    """A hypervisor as the scheduler sees it: capacity and usage.

    Capacities of ``None`` are unknown and never limit placement; so are
    ``arches`` (the guest architectures it can run).
    """

    def __init__(self, name, physnets=(), memory_mb=None, vcpus=None,
                 disk_bytes=None, ram_allocation_ratio=1.0,
                 cpu_allocation_ratio=16.0, disk_allocation_ratio=1.0,
                 port_pools=None, order=0, arches=None):
        self.name = name
        self.arches = frozenset(arches) if arches is not None else None
        self.order = order
        self.physnets = frozenset(physnets)
        self.memory_mb = memory_mb
        self.vcpus = vcpus
        self.disk_bytes = disk_bytes
        self.ram_allocation_ratio = ram_allocation_ratio
        self.cpu_allocation_ratio = cpu_allocation_ratio
        self.disk_allocation_ratio = disk_allocation_ratio
        #: BMC emulator -> :class:`PortPool`.
        self.port_pools = dict(port_pools or {})
        self.used_memory_mb = 0
        self.used_vcpus = 0
        self.used_disk_bytes = 0
        self.node_count = 0
        self.version = 0

    # Limits with allocation ratios applied.
    def _limit(self, capacity, ratio):
        return UNLIMITED if capacity is None else capacity * ratio

    @property
    def free_memory_mb(self):
        return (self._limit(self.memory_mb, self.ram_allocation_ratio) -
                self.used_memory_mb)

    @property
    def free_vcpus(self):
        return (self._limit(self.vcpus, self.cpu_allocation_ratio) -
                self.used_vcpus)

    @property
    def free_disk_bytes(self):
        return (self._limit(self.disk_bytes, self.disk_allocation_ratio) -
                self.used_disk_bytes)

    def pool(self, emulator):
        """The port pool of ``emulator`` here (empty when it has none)."""
        pool = self.port_pools.get(emulator)
        if pool is None:
            pool = self.port_pools[emulator] = PortPool(())
        return pool

    def add_existing(self, memory_mb, vcpus, disk_bytes):
        """Charge a node that already lives here."""
        self.used_memory_mb += memory_mb
        self.used_vcpus += vcpus
        self.used_disk_bytes += disk_bytes
        self.node_count += 1
        self.version += 1

    def consume(self, request):
        """Place ``request`` here: charge its resources, give it a port."""
        self.used_memory_mb += request.memory_mb
        self.used_vcpus += request.vcpus
        self.used_disk_bytes += request.disk_bytes
        self.node_count += 1
        if request.port_from:
            request.port = self.pool(request.port_from).take()
        request.host = self.name
        self.version += 1


class Scheduler(object, metaclass=abc.ABCMeta):
    """Base class of schedulers.

    :param conf: the tenks ConfigOpts (for scheduler options), or None for
        defaults.
    """

    def __init__(self, conf=None):
        self.conf = conf

    @classmethod
    def hypervisor_defaults(cls, settings):
        """Defaults of hypervisor fields the scheduler uses (ratios)."""
        return {}

    @abc.abstractmethod
    def schedule(self, requests, hosts):
        """Place every request on one of ``hosts``.

        Calls ``host.consume(request)`` for each placement, in request
        order, so that ``request.host`` (and ``request.port``) are set.

        :param requests: list of :class:`NodeRequest`.
        :param hosts: list of :class:`HostState`, in spec order.
        :raises tenks.exception.SchedulingError: naming the first node that
            fits nowhere, with each host's reason.
        """


def static_reason(host, request):
    """Why ``host`` can never take a request of this shape, or None."""
    missing = request.physnets - host.physnets
    if missing:
        return 'physical network%s %s not mapped' % (
            's' if len(missing) > 1 else '', ', '.join(sorted(missing)))
    if (request.arch and host.arches is not None and
            request.arch not in host.arches):
        return 'cannot run %s guests (it runs %s)' % (
            request.arch, ', '.join(sorted(host.arches)) or 'none')
    return None


def port_reason(host, request):
    if not request.port_from:
        return None
    pool = host.pool(request.port_from)
    if not len(pool):
        return 'no free %s port in %s' % (pool.label, pool.describe())
    return None


def fail(request, hosts, check):
    """Raise SchedulingError for ``request`` with each host's reason."""
    reasons = {}
    for host in hosts:
        reasons[host.name] = check(host, request) or 'not chosen'
    raise exception.SchedulingError(request.name, reasons)
