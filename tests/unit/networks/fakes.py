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

"""Fakes of the host for unit tests of the network plugins.

:class:`FakeNetlink` stands for :class:`tenks.networks.netlink.Netlink` (an
in-memory network namespace); :class:`FakeAgent` is a host agent whose
``call`` runs the real host-side functions against that namespace and whose
``run`` answers ``ovs-vsctl`` from an in-memory OVS snapshot, recording the
transactions.
"""

import copy
import json

from tenks import exception
from tenks.hosts import base as hosts_base
from tenks.hosts import calls


class FakeNetlink(object):
    """Links in memory, and a log of every change.

    ``links[name]`` is a link dict as the real one returns; ``calls`` logs
    the changes.
    """

    def __init__(self, links=None):
        self.links = {}
        self.calls = []
        self._next = 100
        for link in links or ():
            self.add(**link)

    def add(self, name, kind=None, alias=None, master=None, peer=None,
            mtu=1500, up=True, mac=None):
        """Put a link in place (for the test's setup; not logged)."""
        self._next += 1
        self.links[name] = {
            'name': name, 'index': self._next, 'kind': kind, 'alias': alias,
            'mac': mac or '02:00:00:00:%02x:%02x' % divmod(self._next, 256),
            'mtu': mtu, 'up': up, 'master': master, 'peer': peer}
        return self.links[name]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def dump(self):
        return copy.deepcopy(self.links)

    def get(self, names):
        return {n: copy.deepcopy(self.links[n]) for n in names
                if n and n in self.links}

    def add_bridge(self, name, mac=None, mtu=None):
        self._exists(name)
        self.calls.append(('add_bridge', name))
        self.add(name, kind='bridge', mac=mac, mtu=mtu or 1500, up=False)

    def add_veth(self, name, peer, mtu=None):
        self._exists(name)
        self._exists(peer)
        self.calls.append(('add_veth', name, peer))
        self.add(name, kind='veth', peer=peer, mtu=mtu or 1500, up=False)
        self.add(peer, kind='veth', peer=name, mtu=mtu or 1500, up=False)

    def set(self, name, **attrs):
        if name not in self.links:
            raise exception.PluginError('link %s does not exist' % name)
        if attrs.get('master') and attrs['master'] not in self.links:
            raise exception.PluginError('link %s does not exist'
                                        % attrs['master'])
        self.calls.append(('set', name, tuple(sorted(attrs.items()))))
        link = self.links[name]
        for key, value in attrs.items():
            if key in ('mtu', 'mac') and not value:
                continue
            link[key] = value

    def delete(self, name):
        link = self.links.pop(name, None)
        if link is None:
            return
        self.calls.append(('delete', name))
        if link.get('peer'):
            self.links.pop(link['peer'], None)
        for other in self.links.values():
            if other.get('master') == name:
                other['master'] = None

    def _exists(self, name):
        if name in self.links:
            raise exception.PluginError('cannot create %s: File exists'
                                        % name)


class FakeAgent(hosts_base.HostAgent):
    """A host: netlink in a :class:`FakeNetlink`, OVS in a snapshot dict.

    :ivar ovs: ``{'bridges': {...}, 'ports': {...}}`` as
        :func:`tenks.networks.ovs.parse_snapshot` returns, or None when
        Open vSwitch does not run.
    :ivar transactions: the ``ovs-vsctl`` argument lists of every change.
    """

    def __init__(self, netlink, ovs=None):
        self.netlink = netlink
        self.ovs = ovs
        self.transactions = []
        self.calls = []

    @property
    def name(self):
        return 'fakehost'

    def call(self, function, **kwargs):
        from tenks.networks import linux
        name = calls.name_of(function)
        self.calls.append(function.__name__)
        original = linux._netlink
        linux._netlink = lambda: self.netlink
        try:
            # Through JSON and the allow-list, as a remote agent would.
            reply = calls.run(name, json.loads(json.dumps(kwargs)))
        finally:
            linux._netlink = original
        reply = json.loads(json.dumps(reply))
        if 'error' in reply:
            calls.raise_error(reply, self.name)
        return reply['result']

    def run(self, argv, input=None, check=True, env=None, timeout=120):
        assert argv[0] == 'ovs-vsctl'
        if self.ovs is None:
            raise hosts_base.CommandError(argv, 1, '', 'database connection '
                                          'failed')
        if '--format=json' in argv:
            return 0, snapshot_text(self.ovs), ''
        self.transactions.append(list(argv))
        return 0, '', ''


def _ovs_map(d):
    return ['map', sorted([k, v] for k, v in d.items())]


def snapshot_text(snap):
    """What ``ovs-vsctl --format=json`` prints for a snapshot.

    Built from a parsed snapshot: the inverse of
    :func:`tenks.networks.ovs.parse_snapshot`.
    """
    bridges, ports, ifaces = [], [], []
    for i, (name, port) in enumerate(sorted(snap['ports'].items())):
        iface_uuid = ['uuid', 'i-%d' % i]
        ifaces.append([iface_uuid, port.get('type', ''),
                       _ovs_map({'peer': port['peer']} if port.get('peer')
                                else {})])
        trunks = port.get('trunks') or []
        ports.append([['uuid', 'p-%s' % name], name,
                      _ovs_map(port.get('external_ids', {})), iface_uuid,
                      port['tag'] if port.get('tag') else ['set', []],
                      trunks[0] if len(trunks) == 1 else ['set', trunks]])
    for name, br in sorted(snap['bridges'].items()):
        members = [['uuid', 'p-%s' % p] for p in br.get('ports', [])]
        bridges.append([name, _ovs_map(br.get('external_ids', {})),
                        br.get('datapath_type', ''),
                        members[0] if len(members) == 1 else
                        ['set', members]])
    return '\n'.join(json.dumps(t) for t in (
        {'headings': ['name', 'external_ids', 'datapath_type', 'ports'],
         'data': bridges},
        {'headings': ['_uuid', 'name', 'external_ids', 'interfaces', 'tag',
                      'trunks'], 'data': ports},
        {'headings': ['_uuid', 'type', 'options'], 'data': ifaces})) + '\n'


def ovs_snapshot(bridges=None, ports=None):
    """A parsed snapshot, from the few fields a test sets.

    ``bridges`` is ``{name: {external_ids, datapath_type}}``, ``ports``
    ``{name: {bridge, external_ids, type, peer, tag, trunks}}``; each
    bridge's port list
    is derived.
    """
    bridges = copy.deepcopy(bridges or {})
    ports = copy.deepcopy(ports or {})
    for br in bridges.values():
        br.setdefault('external_ids', {})
        br.setdefault('datapath_type', '')
        br['ports'] = []
    for name, port in sorted(ports.items()):
        port.setdefault('external_ids', {})
        port.setdefault('type', '')
        port.setdefault('peer', None)
        port.setdefault('tag', None)
        port.setdefault('trunks', [])
        if port.get('bridge'):
            bridges[port['bridge']]['ports'].append(name)
    return {'bridges': bridges, 'ports': ports}
