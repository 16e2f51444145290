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

"""The scheduler contract, for every installed scheduler.

Whatever its policy, a scheduler places every request on a host that has
the physical networks it needs, gives it a free port of the pool it asks
from, records the choice with ``HostState.consume``, is deterministic,
and names the node and each host's reason when a node fits nowhere.
"""

import pytest

from tenks import exception
from tenks.schedulers import base
from tests.unit.contracts import helpers


def _scheduler(name):
    return helpers.CATALOG.cls('tenks.schedulers', name)(None)


def _hosts():
    return [base.HostState('hv%d' % i, physnets=physnets,
                           memory_mb=8192, vcpus=8,
                           disk_bytes=100 * 2 ** 30, order=i,
                           port_pools={'emu': base.PortPool(
                               range(6230 + 10 * i, 6234 + 10 * i))})
            for i, physnets in enumerate((['a'], ['a', 'b'], ['b']))]


def _requests():
    out = []
    for i in range(6):
        out.append(base.NodeRequest(
            'n%d' % i, memory_mb=512, vcpus=1, disk_bytes=2 ** 30,
            physnets=(['a'], ['b'], ['a', 'b'])[i % 3],
            port_from='emu' if i % 2 else None))
    return out


def _placements(name):
    requests = _requests()
    hosts = _hosts()
    _scheduler(name).schedule(requests, hosts)
    return requests, hosts


@pytest.mark.parametrize('name', helpers.implementations('tenks.schedulers'))
def test_places_every_request_where_it_fits(name):
    requests, hosts = _placements(name)
    by_name = {h.name: h for h in hosts}
    for request in requests:
        host = by_name[request.host]
        assert request.physnets <= host.physnets, request.name
        if request.port_from:
            assert request.port in range(6230 + 10 * host.order,
                                         6234 + 10 * host.order)
        else:
            assert request.port is None
    ports = [(r.host, r.port) for r in requests if r.port is not None]
    assert len(ports) == len(set(ports))
    assert sum(h.node_count for h in hosts) == len(requests)
    for host in hosts:
        mine = [r for r in requests if r.host == host.name]
        assert host.used_memory_mb == 512 * len(mine)


@pytest.mark.parametrize('name', helpers.implementations('tenks.schedulers'))
def test_is_deterministic(name):
    first, _hosts = _placements(name)
    second, _hosts = _placements(name)
    assert [(r.host, r.port) for r in first] == [
        (r.host, r.port) for r in second]


@pytest.mark.parametrize('name', helpers.implementations('tenks.schedulers'))
def test_names_the_node_that_fits_nowhere(name):
    requests = _requests()[:2] + [base.NodeRequest(
        'lost', memory_mb=512, vcpus=1, physnets=['c'])]
    with pytest.raises(exception.SchedulingError) as caught:
        _scheduler(name).schedule(requests, _hosts())
    assert caught.value.node == 'lost'
    assert set(caught.value.reasons) == {'hv0', 'hv1', 'hv2'}
    assert all('c' in reason for reason in caught.value.reasons.values())


@pytest.mark.parametrize('name', helpers.implementations('tenks.schedulers'))
def test_runs_out_of_ports_clearly(name):
    requests = [base.NodeRequest('p%d' % i, memory_mb=64, vcpus=1,
                                 physnets=['a'], port_from='emu')
                for i in range(9)]
    with pytest.raises(exception.SchedulingError) as caught:
        _scheduler(name).schedule(requests, _hosts())
    # hv0 and hv1 have 'a' and 4 ports each: the ninth fits nowhere.
    assert caught.value.node == 'p8'
    assert 'port' in caught.value.reasons['hv0']
