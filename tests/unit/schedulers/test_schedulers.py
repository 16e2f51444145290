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

from tenks import exception
from tenks.schedulers import base as sched
from tenks.schedulers import filter as filter_sched
from tenks.schedulers import round_robin
from tests.unit import base


def _hosts(specs):
    pools = {}
    hosts = []
    for order, (name, physnets, memory, ports) in enumerate(specs):
        pool = pools.setdefault(ports, sched.PortPool(range(*ports),
                                                      'IPMI'))
        hosts.append(sched.HostState(name, physnets=physnets,
                                     memory_mb=memory, vcpus=8,
                                     port_pools={'virtualbmc': pool},
                                     order=order))
    return hosts


def _requests(n, memory=512, physnets=('p1',), ipmi=True):
    return [sched.NodeRequest('n%d' % i, memory, 1, 0, physnets,
                              port_from='virtualbmc' if ipmi else None)
            for i in range(n)]


class RoundRobinTest(base.TestCase):

    def test_rotates_and_skips(self):
        hosts = _hosts([('a', ['p1'], None, (100, 110)),
                        ('b', ['p2'], None, (200, 210)),
                        ('c', ['p1'], None, (300, 302))])
        reqs = _requests(6)
        round_robin.RoundRobinScheduler().schedule(reqs, hosts)
        self.assertEqual(['a', 'c', 'a', 'c', 'a', 'a'],
                         [r.host for r in reqs])
        self.assertEqual([100, 300, 101, 301, 102, 103],
                         [r.port for r in reqs])

    def test_fails_with_reasons(self):
        hosts = _hosts([('a', ['p1'], None, (100, 101)),
                        ('b', ['p2'], None, (200, 210))])
        reqs = _requests(2)
        err = self.assertRaises(exception.SchedulingError,
                                round_robin.RoundRobinScheduler().schedule,
                                reqs, hosts)
        self.assertEqual('n1', err.node)
        self.assertEqual({'a': 'no free IPMI port in 100-100',
                          'b': 'physical network p1 not mapped'},
                         err.reasons)

    def test_ignores_capacity(self):
        hosts = _hosts([('a', ['p1'], 100, (100, 110))])
        reqs = _requests(2, memory=1000)
        round_robin.RoundRobinScheduler().schedule(reqs, hosts)
        self.assertEqual(['a', 'a'], [r.host for r in reqs])


class FilterSchedulerTest(base.TestCase):

    def test_spreads_by_default(self):
        hosts = _hosts([('a', ['p1'], 4096, (100, 110)),
                        ('b', ['p1'], 4096, (200, 210))])
        reqs = _requests(4)
        filter_sched.FilterScheduler().schedule(reqs, hosts)
        self.assertEqual(['a', 'b', 'a', 'b'], [r.host for r in reqs])

    def test_packs_with_negative_multipliers(self):
        conf = self.make_conf('''
            [filter_scheduler]
            ram_weight_multiplier = -1.0
            node_count_weight_multiplier = -1.0
            ''')
        hosts = _hosts([('a', ['p1'], 2048, (100, 110)),
                        ('b', ['p1'], 2048, (200, 210))])
        reqs = _requests(4)
        filter_sched.FilterScheduler(conf).schedule(reqs, hosts)
        self.assertEqual(['a', 'a', 'a', 'a'], [r.host for r in reqs])
        reqs = _requests(2)
        filter_sched.FilterScheduler(conf).schedule(reqs, hosts)
        self.assertEqual(['b', 'b'], [r.host for r in reqs])

    def test_ram_ratio_and_existing_usage(self):
        hosts = _hosts([('a', ['p1'], 1024, (100, 110)),
                        ('b', ['p1'], 1024, (200, 210))])
        hosts[0].ram_allocation_ratio = 2.0
        hosts[1].add_existing(512, 1, 0)
        reqs = _requests(4)
        filter_sched.FilterScheduler().schedule(reqs, hosts)
        self.assertEqual(3, [r.host for r in reqs].count('a'))
        self.assertEqual(1, [r.host for r in reqs].count('b'))
        err = self.assertRaises(exception.SchedulingError,
                                filter_sched.FilterScheduler().schedule,
                                _requests(1, memory=1024), hosts)
        self.assertEqual({'a': 'not enough RAM: 512 MiB free, 1024 MiB '
                               'needed',
                          'b': 'not enough RAM: 0 MiB free, 1024 MiB '
                               'needed'}, err.reasons)

    def test_shared_port_pool(self):
        hosts = _hosts([('a', ['p1'], None, (100, 103)),
                        ('b', ['p1'], None, (100, 103))])
        self.assertIs(hosts[0].pool('virtualbmc'),
                      hosts[1].pool('virtualbmc'))
        reqs = _requests(3)
        filter_sched.FilterScheduler().schedule(reqs, hosts)
        self.assertEqual([100, 101, 102], sorted(r.port for r in reqs))
        self.assertRaises(exception.SchedulingError,
                          filter_sched.FilterScheduler().schedule,
                          _requests(1), hosts)

    def test_disabled_filter(self):
        conf = self.make_conf('''
            [filter_scheduler]
            enabled_filters = physnet,bmc_port
            ''')
        hosts = _hosts([('a', ['p1'], 100, (100, 110))])
        reqs = _requests(2, memory=1000)
        filter_sched.FilterScheduler(conf).schedule(reqs, hosts)
        self.assertEqual(['a', 'a'], [r.host for r in reqs])

    def test_unknown_capacity_spreads_by_count(self):
        hosts = _hosts([('a', ['p1'], None, (100, 110)),
                        ('b', ['p1'], None, (200, 210)),
                        ('c', ['p1'], None, (300, 310))])
        hosts[0].add_existing(512, 1, 0)
        reqs = _requests(5, ipmi=False)
        filter_sched.FilterScheduler().schedule(reqs, hosts)
        self.assertEqual(['b', 'c', 'a', 'b', 'c'], [r.host for r in reqs])

    def test_deterministic(self):
        def run():
            hosts = _hosts([('h%d' % i, ['p1'], 8192 * (1 + i % 3),
                             (1000 * i, 1000 * i + 50)) for i in range(10)])
            reqs = _requests(200, memory=256)
            filter_sched.FilterScheduler().schedule(reqs, hosts)
            return [r.host for r in reqs]
        self.assertEqual(run(), run())


class ArchTest(base.TestCase):
    """A node goes where its architecture runs, when that is known."""

    def hosts(self):
        x86 = sched.HostState('x86', physnets=['p1'], arches={'x86_64'},
                              order=0)
        both = sched.HostState('both', physnets=['p1'], order=1,
                               arches={'x86_64', 'aarch64'})
        unknown = sched.HostState('unknown', physnets=['p1'], order=2)
        return [x86, both, unknown]

    def requests(self, arch, n=3):
        return [sched.NodeRequest('n%d' % i, 512, 1, 0, ('p1',), arch=arch)
                for i in range(n)]

    def test_both_schedulers_skip_hosts_that_cannot_run_it(self):
        for scheduler in (round_robin.RoundRobinScheduler(),
                          filter_sched.FilterScheduler()):
            reqs = self.requests('aarch64', 4)
            scheduler.schedule(reqs, self.hosts())
            self.assertNotIn('x86', {r.host for r in reqs})
            reqs = self.requests('x86_64', 3)
            scheduler.schedule(reqs, self.hosts())
            self.assertIn('x86', {r.host for r in reqs})

    def test_the_reason_names_what_the_host_runs(self):
        hosts = self.hosts()[:1]
        err = self.assertRaises(exception.SchedulingError,
                                round_robin.RoundRobinScheduler().schedule,
                                self.requests('aarch64', 1), hosts)
        self.assertEqual({'x86': 'cannot run aarch64 guests (it runs '
                                 'x86_64)'}, err.reasons)
