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

"""Open vSwitch through ``ovs-vsctl`` argument lists.

Commands run through the hypervisor's host agent (``agent.run``), so the
same code drives the local host and a remote one, and needs nothing on the
host but Open vSwitch itself. (ovsdbapp would need the tenks process to
reach the OVSDB socket of every hypervisor; an ``ovs-vsctl`` run costs a
few milliseconds and takes many commands in one transaction.)

Reading is one ``ovs-vsctl`` run (:meth:`OVS.snapshot`); changes are one
transaction each (:meth:`OVS.transact`) built from the command lists the
functions below return. Records tenks creates carry
``external_ids:tenks-cluster=<cluster>``.
"""

import json

from tenks import exception
from tenks.hosts import base as hosts_base
from tenks.networks import marks

VSCTL = 'ovs-vsctl'


def _atom(value):
    """An OVSDB atom in JSON (a UUID is ``["uuid", "..."]``)."""
    if isinstance(value, list) and len(value) == 2 and value[0] in (
            'uuid', 'named-uuid'):
        return value[1]
    return value


def _set(value):
    """An OVSDB set in JSON (one element is written as the atom)."""
    if isinstance(value, list) and value and value[0] == 'set':
        return [_atom(v) for v in value[1]]
    return [_atom(value)]


def _map(value):
    if isinstance(value, list) and value and value[0] == 'map':
        return {k: _atom(v) for k, v in value[1]}
    return {}


def _rows(table):
    headings = table['headings']
    return [dict(zip(headings, row)) for row in table['data']]


def parse_snapshot(text):
    """Parse the output of :func:`snapshot_argv`.

    :returns: ``{'bridges': {name: {'external_ids', 'datapath_type',
        'ports': [names]}}, 'ports': {name: {'external_ids', 'bridge',
        'type', 'peer', 'tag', 'trunks'}}}``; a port's ``type`` and
        ``peer`` are those of its (first) interface, ``peer`` the
        ``options:peer`` of a patch; ``tag`` its access VLAN (or None) and
        ``trunks`` the sorted VLANs it trunks (empty: all).
    """
    tables = [json.loads(line) for line in text.splitlines()
              if line.strip()]
    if len(tables) != 3:
        raise exception.PluginError('unexpected ovs-vsctl output: %r'
                                    % text[:200])
    bridges_t, ports_t, ifaces_t = (_rows(t) for t in tables)
    ifaces = {}
    for row in ifaces_t:
        ifaces[_atom(row['_uuid'])] = {
            'type': row['type'] or '',
            'peer': _map(row['options']).get('peer')}
    ports = {}
    port_names = {}
    for row in ports_t:
        uuid = _atom(row['_uuid'])
        first = next((ifaces[i] for i in _set(row['interfaces'])
                      if i in ifaces), {'type': '', 'peer': None})
        port_names[uuid] = row['name']
        tag = _set(row.get('tag', ['set', []]))
        ports[row['name']] = {'external_ids': _map(row['external_ids']),
                              'bridge': None, 'type': first['type'],
                              'peer': first['peer'],
                              'tag': tag[0] if tag else None,
                              'trunks': sorted(_set(row.get(
                                  'trunks', ['set', []])))}
    bridges = {}
    for row in bridges_t:
        names = [port_names[p] for p in _set(row['ports'])
                 if p in port_names]
        for port in names:
            ports[port]['bridge'] = row['name']
        bridges[row['name']] = {
            'external_ids': _map(row['external_ids']),
            'datapath_type': row['datapath_type'] or '',
            'ports': sorted(names)}
    return {'bridges': bridges, 'ports': ports}


def snapshot_argv():
    """The ``ovs-vsctl`` commands of a snapshot, for one run."""
    return [
        ['--columns=name,external_ids,datapath_type,ports', 'list',
         'Bridge'],
        ['--columns=_uuid,name,external_ids,interfaces,tag,trunks', 'list',
         'Port'],
        ['--columns=_uuid,type,options', 'list', 'Interface'],
    ]


def _mark(cluster):
    return 'external_ids:%s=%s' % (marks.OVS_KEY, cluster)


def ensure_bridge(name, cluster, datapath_type=None, mac=None, mtu=None):
    """Commands that make bridge ``name`` exist with these settings."""
    settings = [_mark(cluster)]
    if datapath_type:
        settings.append('datapath_type=%s' % datapath_type)
    if mac:
        settings.append('other_config:hwaddr="%s"' % mac)
    cmds = [['--may-exist', 'add-br', name],
            ['set', 'Bridge', name] + settings]
    if mtu:
        cmds.append(['set', 'Interface', name, 'mtu_request=%d' % mtu])
    else:
        cmds.append(['clear', 'Interface', name, 'mtu_request'])
    return cmds


def add_port(bridge, port, cluster, peer=None):
    """Commands that make ``port`` a marked port of ``bridge``.

    It is a patch port to ``peer`` when given, else the host link of that
    name.
    """
    cmds = [['--may-exist', 'add-port', bridge, port],
            ['set', 'Port', port, _mark(cluster)]]
    if peer:
        cmds.append(['set', 'Interface', port, 'type=patch',
                     'options:peer=%s' % peer])
    return cmds


def port_vlans(port, vlan=None, trunk=()):
    """Commands that put ``port`` on VLANs.

    An access port of ``vlan``, a trunk of the VLANs ``trunk``, or
    (neither) a port of every VLAN.
    """
    cmds = []
    if vlan is not None:
        cmds.append(['set', 'Port', port, 'tag=%d' % vlan])
    else:
        cmds.append(['clear', 'Port', port, 'tag'])
    if trunk:
        cmds.append(['set', 'Port', port,
                     'trunks=%s' % ','.join(str(v) for v in trunk)])
    else:
        cmds.append(['clear', 'Port', port, 'trunks'])
    return cmds


def del_port(port):
    return [['--if-exists', 'del-port', port]]


def del_bridge(name):
    return [['--if-exists', 'del-br', name]]


class OVS(object):
    """``ovs-vsctl`` on one host.

    :param agent: the host's :class:`tenks.hosts.base.HostAgent`.
    :param timeout: seconds ``ovs-vsctl`` waits for the database.
    """

    def __init__(self, agent, timeout=10):
        self.agent = agent
        self.timeout = timeout

    def _argv(self, commands, options=()):
        argv = [VSCTL, '--timeout=%d' % self.timeout] + list(options)
        for cmd in commands:
            argv += ['--'] + list(cmd)
        return argv

    def snapshot(self, required=True):
        """Bridges and ports (see :func:`parse_snapshot`), in one run.

        :param required: when False, a host without a running Open
            vSwitch gives None instead of an error.
        :raises PluginError: Open vSwitch does not answer (``required``).
        """
        try:
            _rc, out, _err = self.agent.run(
                self._argv(snapshot_argv(), ['--format=json']),
                timeout=self.timeout + 5)
        except hosts_base.CommandError as exc:
            if not required:
                return None
            raise exception.PluginError(
                'Open vSwitch does not answer on %s: %s' % (self.agent.name,
                                                            exc))
        return parse_snapshot(out)

    def transact(self, commands):
        """Run ``commands`` (lists of arguments) as one transaction."""
        if not commands:
            return
        try:
            self.agent.run(self._argv(commands), timeout=self.timeout + 5)
        except hosts_base.CommandError as exc:
            raise exception.PluginError('Open vSwitch on %s: %s' % (
                self.agent.name, exc))
