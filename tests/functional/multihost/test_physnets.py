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

"""Physical networks span hosts (issue 13, item 4), with real frames.

Two L2 segments on the controller stand for the physical networks; each
remote host has an uplink in each (``eth1`` in physnet1's, ``eth2`` in
physnet2's) and the controller maps its physnets to the segments' bridges
themselves (an existing Linux bridge as uplink). ``tenks deploy`` puts one
node on each of the three hypervisors, on both physnets.

Nodes are defined, not started, so the node end of each NIC's veth pair
(``p-<node>-<i>-tap``) is free: a probe takes it as the node would (a
macvlan in passthrough mode, like the node's macvtap) in a network
namespace of its own on that host, with an address. Probes on one physnet
answer each other's pings across hosts, and their frames reach every
probe on that physnet; no frame of a probe reaches the other physnet.
Teardown leaves the uplinks as they were.
"""

import json
import shlex
import subprocess
import sys
import threading

import pytest

from tests.functional.networks import helpers as nh
from tests.functional import specs

pytestmark = pytest.mark.multihost

PHYSNETS = ('physnet1', 'physnet2')
#: The uplink of each physnet on a remote host.
UPLINKS = {'physnet1': 'eth1', 'physnet2': 'eth2'}
#: Probes are in namespaces of their own: any subnet will do.
PROBE_SUBNET = '192.0.2.%d'
PROBE = 'probe'
SNIFF = nh.PING.replace('ping.py', 'sniff.py')
SNIFF_SECONDS = 4


class Site(object):
    """A hypervisor's host: the controller, or a remote host over SSH.

    :ivar uplinks: ``{physnet: link}`` on that host.
    """

    def __init__(self, name, uplinks, host=None):
        self.name = name
        self.uplinks = uplinks
        self.host = host

    def argv(self, command):
        if self.host is None:
            return ['sh', '-c', command]
        return self.host.ssh_argv() + ['--', command]

    def run(self, command, check=True):
        proc = subprocess.run(self.argv(command), capture_output=True,
                              text=True, stdin=subprocess.DEVNULL,
                              timeout=120)
        if check and proc.returncode != 0:
            raise AssertionError('on %s, %r exited %d: %s' % (
                self.name, command, proc.returncode, proc.stderr.strip()))
        return proc

    def links(self):
        """``ip -j -d link``: ``{name: entry}``."""
        out = self.run('ip -j -d link show').stdout
        return {link['ifname']: link for link in json.loads(out or '[]')}


def uplink_state(site):
    """What tenks must leave as it was: each uplink and its ports."""
    links = site.links()
    state = {}
    for physnet, name in site.uplinks.items():
        link = links[name]
        state[physnet] = {
            'name': name, 'master': link.get('master'),
            'up': 'UP' in link.get('flags', []), 'mtu': link.get('mtu'),
            'address': link.get('address'), 'alias': link.get('ifalias'),
            'ports': sorted(n for n, l in links.items()
                            if l.get('master') == name)}
    return state


def node_ends(site, cluster):
    """``{physnet: node end}`` of the tenks NICs on ``site``.

    Followed through the kernel: node end, its veth peer, that one's
    bridge, and the bridge's port that is (or is paired with a port of)
    the physnet's uplink.
    """
    links = site.links()
    by_uplink = {name: physnet for physnet, name in site.uplinks.items()}

    def physnet_of(bridge):
        for name, link in links.items():
            if link.get('master') != bridge:
                continue
            if name in by_uplink:
                return by_uplink[name]
            peer = links.get(link.get('link'), {})
            if peer.get('master') in by_uplink:
                return by_uplink[peer['master']]
        return None

    ends = {}
    for name, link in links.items():
        if (name.endswith('-tap') and
                link.get('ifalias') == 'tenks:%s' % cluster):
            bridge = links[link['link']].get('master')
            ends[physnet_of(bridge)] = name
    return ends


class Probe(object):
    """An address on a node end, in a network namespace of its own."""

    def __init__(self, site, physnet, node_end, netns, address):
        self.site = site
        self.physnet = physnet
        self.node_end = node_end
        self.netns = netns
        self.address = address

    def __repr__(self):
        return '%s %s (%s)' % (self.site.name, self.physnet, self.address)

    def create(self):
        ns = shlex.quote(self.netns)
        self.site.run(
            'ip netns add %(ns)s && ip -n %(ns)s link set lo up && '
            'ip link add link %(end)s name %(probe)s netns %(ns)s '
            'type macvlan mode passthru && '
            'ip -n %(ns)s addr add %(address)s/24 dev %(probe)s && '
            'ip -n %(ns)s link set %(probe)s up' % {
                'ns': ns, 'end': shlex.quote(self.node_end),
                'probe': PROBE, 'address': self.address})

    def delete(self):
        self.site.run('ip netns delete %s' % shlex.quote(self.netns),
                      check=False)

    def ping(self, other):
        proc = self.site.run('ip netns exec %s %s %s %s --count 2 '
                             '--timeout 1' % (
                                 shlex.quote(self.netns), sys.executable,
                                 nh.PING, other.address), check=False)
        return proc.returncode == 0

    def sniff(self, source, results):
        """Count ``source``'s frames here, in the background.

        :returns: the thread, once the probe listens; the count goes to
            ``results[self]``.
        """
        proc = subprocess.Popen(
            self.site.argv('ip netns exec %s %s %s %s %s --seconds %d' % (
                shlex.quote(self.netns), sys.executable, SNIFF, PROBE,
                source.address, SNIFF_SECONDS)),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        first = proc.stdout.readline().strip()
        if first != 'listening':
            proc.kill()
            raise AssertionError('sniffer on %r: %s %s' % (
                self, first, proc.communicate()[1]))

        def wait():
            out, _err = proc.communicate(timeout=SNIFF_SECONDS + 60)
            results[self] = int(out.strip() or -1)

        thread = threading.Thread(target=wait)
        thread.start()
        return thread


@pytest.fixture(scope='module')
def segments(remote_hosts):
    """Physnet1's and physnet2's segments, every remote host plugged in."""
    nets = {}
    for physnet in PHYSNETS:
        nets[physnet] = remote_hosts.add_network(controller_address=False)
        for host in remote_hosts:
            nets[physnet].attach(host, UPLINKS[physnet])
    return nets


@pytest.fixture
def sites(remote_hosts, segments):
    controller = Site('controller', {p: segments[p].bridge
                                     for p in PHYSNETS})
    return [controller] + [Site(host.name, dict(UPLINKS), host)
                           for host in remote_hosts]


def write_spec(env, lab, sites):
    pool = '/tmp/%s-pool' % env.token
    hypervisors = {'controller': {'physnet_mappings': sites[0].uplinks}}
    for site in sites[1:]:
        hypervisors[site.name] = site.host.spec_entry(
            pool_path=pool, ipmi_address=site.host.address,
            physnet_mappings=site.uplinks)
    return env.write_spec(specs.text(
        {'small': specs.node_type(physical_networks=list(PHYSNETS))},
        [specs.entry('small', len(sites))], hypervisors=hypervisors))


def check_frames(source, probes):
    """``source`` pings the other hosts' probes; who sees its frames.

    Every probe on its physnet (on every host) sees them and answers; no
    probe of the other physnet does.
    """
    results = {}
    threads = [p.sniff(source, results) for p in probes if p is not source]
    answers = {p: source.ping(p) for p in probes
               if p.site is not source.site}
    for thread in threads:
        thread.join()
    for probe, answered in answers.items():
        same = probe.physnet == source.physnet
        assert answered == same, (
            '%r %s %r' % (source, 'does not reach' if same else 'reaches',
                          probe))
    for probe, frames in results.items():
        if probe.physnet == source.physnet:
            assert frames > 0, '%r saw no frame of %r' % (probe, source)
        else:
            assert frames == 0, '%d frames of %r crossed to %r' % (
                frames, source, probe)


def test_physnets_span_hosts_and_stay_apart(remote_hosts, sites,
                                            tenks_env):
    env = tenks_env
    before = {site.name: uplink_state(site) for site in sites}
    spec = write_spec(env, remote_hosts, sites)
    probes = []
    try:
        env.tenks('deploy', '--spec', spec)
        placed = {n['Hypervisor'] for n in env.tenks_json('node', 'list')}
        assert placed == {site.name for site in sites}
        for index, site in enumerate(sites):
            ends = node_ends(site, env.token)
            assert sorted(ends) == sorted(PHYSNETS), (site.name, ends)
            for number, physnet in enumerate(PHYSNETS):
                probes.append(Probe(
                    site, physnet, ends[physnet],
                    '%s-p%d%d' % (remote_hosts.name, index, number),
                    PROBE_SUBNET % (10 * (number + 1) + index)))
        for probe in probes:
            probe.create()
        for source in probes:
            check_frames(source, probes)
    finally:
        for probe in probes:
            probe.delete()
        env.tenks('teardown', check=False)
    after = {site.name: uplink_state(site) for site in sites}
    assert after == before
    for site in sites:
        assert node_ends(site, env.token) == {}
