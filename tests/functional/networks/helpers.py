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

"""Helpers of the node networking tests: the real kernel, real OVS.

:class:`NetLab` drives a network plugin directly on this host (records in,
links out), makes decoy uplinks and network namespaces that stand for
nodes and for the physical network, and removes everything it made when
the test ends, pass or fail. Every name it uses carries the test's token,
so the environment's sweep finds anything left behind.
"""

import json
import os
import random
import re
import subprocess
import sys

from tenks import conf as conf_mod
from tenks.hosts import context
from tenks.hosts import local
from tenks.networks import linuxbridge
from tenks.networks import openvswitch
from tenks.planner import naming
from tenks.state import model

PING = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    'ping.py')

PLUGINS = {'linuxbridge': linuxbridge.LinuxBridge,
           'openvswitch': openvswitch.OpenVSwitch}


def run(*argv, check=True):
    proc = subprocess.run(list(argv), capture_output=True, text=True,
                          timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError('%s exited %d: %s' % (
            ' '.join(argv), proc.returncode, proc.stderr.strip()))
    return proc


def links():
    """``ip -j -d link``: ``{name: entry}``."""
    out = run('ip', '-j', '-d', 'link', 'show').stdout
    return {link['ifname']: link for link in json.loads(out or '[]')}


def bridge_ports():
    """``bridge -j link``: ``{port: master}``."""
    out = run('bridge', '-j', 'link', 'show').stdout
    return {p['ifname']: p.get('master') for p in json.loads(out or '[]')}


def vsctl(*args, check=True):
    return run('ovs-vsctl', '--timeout=10', *args, check=check)


def ovs_bridges():
    return set(vsctl('list-br').stdout.split())


def ovs_ports(bridge):
    return set(vsctl('list-ports', bridge).stdout.split())


def ovs_external_ids(table, name):
    out = vsctl('--format=json', '--columns=external_ids', 'list', table,
                name).stdout
    data = json.loads(out)['data'][0][0]
    return dict(data[1])


class NetLab(object):
    """One test's network plugin, names, decoys and namespaces.

    :param env: the test's :class:`tests.functional.env.TenksEnv`.
    :param plugin: ``'linuxbridge'`` or ``'openvswitch'``.
    """

    def __init__(self, env, plugin):
        self.env = env
        self.token = env.token
        self.plugin = plugin
        self.conf = conf_mod.new_conf([env.config_file])
        self.hv = context.HypervisorContext(
            name='localhost', libvirt_uri='qemu:///system',
            agent=local.LocalAgent())
        self.driver = PLUGINS[plugin](self.conf, self.hv)
        self.suffix = PLUGINS[plugin].bridge_end_suffix
        self.cluster = env.token
        #: Matches every name this test may create.
        self.pattern = re.compile('%s|%s' % (re.escape(env.token),
                                             re.escape(env.bridge_prefix)))
        self.subnet = '10.255.%d' % random.randrange(1, 250)
        self._links = []          # decoy links, deleted at the end
        self._ovs = []            # decoy OVS bridges
        self._netns = []
        self._records = []        # records created through the plugin

    # -- names and records ---------------------------------------------

    def bridge_name(self, index=0):
        return naming.bridge_name(self.env.bridge_prefix, index)

    def name(self, what, index=0):
        """A decoy's name: ``<what>-<token>-<index>`` (at most 15)."""
        return '%s%s%d' % (what, self.token, index)

    def bridge_record(self, index=0, uplink=None, mtu=None, adopt=False,
                      physnet=None):
        name = self.bridge_name(index)
        source, side = naming.uplink_names('p-', name, self.suffix)
        return model.ResourceRecord(
            'bridge', 'localhost/%s' % name, self.plugin, 'localhost', {
                'name': name, 'physnet': physnet or 'physnet%d' % index,
                'uplink': uplink, 'uplink_links': [source, side],
                'mac': naming.bridge_mac('seed-' + self.token, 'localhost',
                                         'physnet%d' % index),
                'mtu': mtu, 'cluster': self.cluster,
                'datapath_type': ('netdev' if self.plugin == 'openvswitch'
                                  else None)},
            adopt=adopt)

    def vif_record(self, node, index=0, mtu=None, adopt=False):
        node_name = '%s%d' % (self.token, node)
        node_end, bridge_end = naming.link_names('p-', node_name, index,
                                                 self.suffix)
        return model.ResourceRecord(
            'vif', 'localhost/%s' % node_end, self.plugin, 'localhost', {
                'name': node_end, 'node': node_name,
                'physnet': 'physnet%d' % index,
                'bridge': self.bridge_name(index), 'node_end': node_end,
                'bridge_end': bridge_end, 'mtu': mtu,
                'cluster': self.cluster},
            requires=['bridge:localhost/%s' % self.bridge_name(index)],
            adopt=adopt)

    # -- driving the plugin --------------------------------------------

    def create(self, record):
        outputs = self.driver.create(record.kind, record)
        record.outputs = outputs or {}
        if record not in self._records:
            self._records.append(record)
        return outputs

    def update(self, old, record):
        outputs = self.driver.update(record.kind, old, record)
        record.outputs = outputs or {}
        self._records = [r for r in self._records if r.key != old.key]
        self._records.append(record)
        return outputs

    def delete(self, record):
        self.driver.delete(record.kind, record)
        self._records = [r for r in self._records if r.key != record.key]

    def observe(self, *records):
        """Observations of ``records`` (of one kind), by record key."""
        return self.driver.observe(records[0].kind, list(records))

    # -- decoys and namespaces -----------------------------------------

    def add_link(self, name, *args):
        """``ip link add name <args>``, deleted at the end."""
        run('ip', 'link', 'add', name, *args)
        self._links.append(name)
        return name

    def interface(self, index=0):
        """A spare interface, up.

        A persistent tap device: this kernel may lack the dummy module.
        """
        name = self.name('i', index)
        run('ip', 'tuntap', 'add', 'dev', name, 'mode', 'tap')
        self._links.append(name)
        run('ip', 'link', 'set', name, 'up')
        return name

    def linux_bridge(self, index=0):
        name = self.add_link(self.name('lb', index), 'type', 'bridge')
        run('ip', 'link', 'set', name, 'up')
        return name

    def ovs_bridge(self, index=0):
        name = self.name('ob', index)
        vsctl('add-br', name, '--', 'set', 'Bridge', name,
              'datapath_type=netdev')
        self._ovs.append(name)
        run('ip', 'link', 'set', name, 'up')
        return name

    def netns(self, index):
        name = 'ns-%s-%d' % (self.token, index)
        run('ip', 'netns', 'add', name)
        self._netns.append(name)
        run('ip', 'netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up')
        return name

    def into_netns(self, link, ns, host):
        """Move ``link`` into ``ns`` as ``eth0``, up, with an address.

        The address is ``<subnet>.<host>/24``.
        """
        run('ip', 'link', 'set', link, 'netns', ns, 'name', 'eth0')
        run('ip', 'netns', 'exec', ns, 'ip', 'addr', 'add',
            '%s.%d/24' % (self.subnet, host), 'dev', 'eth0')
        run('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', 'eth0', 'up')
        return '%s.%d' % (self.subnet, host)

    def outside(self, index, host, plug):
        """A host on the "physical network".

        A veth whose one end is ``eth0`` in a new namespace and whose other
        end ``plug(name)`` puts in place (as an uplink interface or a
        bridge port).

        :returns: ``(the host-side end, its address)``.
        """
        near, far = self.name('o', index), self.name('q', index)
        self.add_link(near, 'type', 'veth', 'peer', 'name', far)
        run('ip', 'link', 'set', near, 'up')
        plug(near)
        address = self.into_netns(far, self.netns(100 + index), host)
        return near, address

    def port_of(self, link):
        """The bridge ``link`` is a port of, or None.

        Its Linux master, else the Open vSwitch bridge that has a port of
        that name.
        """
        master = links().get(link, {}).get('master')
        if master and master != 'ovs-system':
            return master
        out = vsctl('port-to-br', link, check=False).stdout.strip()
        return out or None

    def ping(self, ns, address, count=3, check=True):
        """Ping ``address`` from ``ns``; True when it answers."""
        proc = run('ip', 'netns', 'exec', ns, sys.executable, PING, address,
                   '--count', str(count), check=False)
        if check and proc.returncode != 0:
            raise AssertionError('no answer from %s in %s:\n%s%s' % (
                address, ns, proc.stdout, proc.stderr))
        return proc.returncode == 0

    def close(self):
        """Remove what the test made.

        Plugin resources (vifs first), then namespaces and decoys.
        """
        errors = []
        for record in sorted(self._records,
                             key=lambda r: r.kind != 'vif'):
            try:
                self.driver.delete(record.kind, record)
            except Exception as exc:   # noqa - clean up the rest anyway
                errors.append('%s: %s' % (record.key, exc))
        for ns in self._netns:
            run('ip', 'netns', 'delete', ns, check=False)
        for name in self._ovs:
            vsctl('--if-exists', 'del-br', name, check=False)
        for name in self._links:
            run('ip', 'link', 'delete', name, check=False)
        return errors


def lab_fixture(env, plugin):
    """Body of the tests' ``lab`` fixtures.

    A :class:`NetLab`, closed (and checked to close cleanly) after the
    test.
    """
    lab = NetLab(env, plugin)
    try:
        yield lab
    finally:
        errors = lab.close()
    assert not errors, errors
