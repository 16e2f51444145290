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

"""One SSH identity per remote host, as an OpenSSH client configuration.

A host is reached by tenks' own calls (``ssh -F FILE HOST``) and by
libvirt's ssh transport, which runs the ``ssh`` named by its URI's
``command=`` parameter: a small wrapper running ``ssh -F FILE``. Both read
the same ``Host`` block, so they share the key, user, port, known hosts,
timeouts and the master connection (``ControlMaster``).

Nothing here touches the world: an :class:`Identity` is resolved from what
the spec (or state) says, :func:`render` writes the configuration's text,
:func:`wrapper` the wrapper's, and :func:`libvirt_uri` composes the URI
libvirt opens. :mod:`tenks.hosts.sshsession` owns the files.
"""

import dataclasses
import re
import shlex
import typing
import urllib.parse

#: Keys of a hypervisor's ``ssh`` mapping (the spec and the state).
KEYS = ('user', 'port', 'identity_file', 'known_hosts_file',
        'connect_timeout', 'options', 'agent_command')

#: OpenSSH options the ``options`` key may not set (lower case), and why.
RESERVED = {
    'hostname': 'set host or libvirt_uri instead',
    'user': 'set ssh.user instead',
    'port': 'set ssh.port instead',
    'identityfile': 'set ssh.identity_file instead',
    'userknownhostsfile': 'set ssh.known_hosts_file instead',
    'connecttimeout': 'set ssh.connect_timeout instead',
    'batchmode': 'tenks sets it: nobody answers a prompt',
    'controlmaster': 'tenks sets it: one master connection per host',
    'controlpath': 'tenks sets it: one master connection per host',
    'controlpersist': 'tenks sets it: see [ssh] control_persist',
}

#: A host name that is no ``Host`` pattern (no ``*``, ``?``, ``!``, ``,``).
_NAME = re.compile(r'^[A-Za-z0-9_.:-]+$')

#: Options whose values OpenSSH expands ``%`` tokens in.
_TOKEN_PATHS = ('IdentityFile', 'UserKnownHostsFile', 'ControlPath')


@dataclasses.dataclass(frozen=True)
class Identity(object):
    """How to reach one remote host.

    :ivar host: the SSH destination (``[user@]host``), as the spec and
        state record it: the key of the host in a run.
    :ivar names: the ``Host`` patterns of its block: the destination's
        host name first (tenks' own calls use it), then the other names
        libvirt URIs give the host.
    :ivar hostname: where to connect (OpenSSH ``HostName``).
    :ivar options: ``((name, value), ...)``: extra OpenSSH options.
    """
    host: str
    names: typing.Tuple[str, ...]
    hostname: str
    user: typing.Optional[str] = None
    port: typing.Optional[int] = None
    identity_file: typing.Optional[str] = None
    known_hosts_file: typing.Optional[str] = None
    connect_timeout: int = 10
    options: typing.Tuple[typing.Tuple[str, typing.Any], ...] = ()
    agent_command: str = 'tenks-host-agent'

    @property
    def alias(self):
        """The name tenks' own calls give ``ssh``."""
        return self.names[0]

    def settings(self):
        """Everything but the names: equal for two ways to one host."""
        return dataclasses.replace(self, names=(self.alias,))


def split_destination(destination):
    """``'[user@]host'`` -> ``(user or None, host)``.

    An IPv6 address may be in brackets (``root@[fd00::1]``); the host
    comes without them, as OpenSSH wants it.
    """
    user, _sep, host = str(destination).rpartition('@')
    if host.startswith('[') and host.endswith(']'):
        host = host[1:-1]
    return user or None, host


def uri_parts(libvirt_uri):
    """What a libvirt URI says about SSH.

    :returns: ``{'transport', 'user', 'hostname', 'port', 'keyfile'}``;
        ``hostname`` is None for a local URI. The port is the text the
        URI has (may not be a number).
    """
    parts = urllib.parse.urlsplit(libvirt_uri or '')
    user, _sep, hostport = parts.netloc.rpartition('@')
    if hostport.startswith('['):
        hostname, _sep, rest = hostport[1:].partition(']')
        port = rest[1:] if rest.startswith(':') else ''
    else:
        hostname, _sep, port = hostport.partition(':')
    query = dict(urllib.parse.parse_qsl(parts.query))
    return {'transport': parts.scheme.partition('+')[2] or None,
            'user': urllib.parse.unquote(user) or None,
            'hostname': hostname or None, 'port': port or None,
            'keyfile': query.get('keyfile')}


def implied(host, libvirt_uri):
    """What the destination and a libvirt ssh URI say, and where.

    :returns: ``{key: (value, where)}`` for ``user``, ``port`` and
        ``identity_file``, ``where`` naming the spec key that says it.
    """
    out = {}
    user, _name = split_destination(host)
    if user:
        out['user'] = (user, 'host')
    uri = uri_parts(libvirt_uri)
    if uri['hostname'] and uri['transport'] == 'ssh':
        if uri['user']:
            out.setdefault('user', (uri['user'], 'libvirt_uri'))
        if uri['port'] and uri['port'].isdigit():
            out['port'] = (int(uri['port']), 'libvirt_uri')
        if uri['keyfile']:
            out['identity_file'] = (uri['keyfile'], 'libvirt_uri')
    return out


def conflicts(host, libvirt_uri, ssh):
    """``[(key, problem)]``: where the spec says two things of one host.

    :param ssh: the hypervisor's ``ssh`` mapping (paths resolved).
    """
    out = []
    user, _name = split_destination(host)
    uri = uri_parts(libvirt_uri)
    if (user and uri['user'] and uri['transport'] == 'ssh' and
            user != uri['user']):
        out.append(('libvirt_uri', 'logs in as %s but host logs in as %s; '
                    'use one user' % (uri['user'], user)))
    for key, (value, where) in sorted(implied(host, libvirt_uri).items()):
        if key in ssh and ssh[key] != value:
            out.append((key, '%r disagrees with %s (%r); say it once' % (
                ssh[key], where, value)))
    return out


def resolve(host, libvirt_uri=None, ssh=None, defaults=None):
    """The :class:`Identity` of ``host``.

    :param ssh: its hypervisor's ``ssh`` mapping (:data:`KEYS`), from the
        spec or the state; wins over the destination and URI.
    :param defaults: ``[ssh]`` option values (``connect_timeout``,
        ``agent_command``).
    """
    ssh = dict(ssh or {})
    defaults = defaults or {}
    said = {k: v for k, (v, _where) in implied(host, libvirt_uri).items()}
    said.update({k: v for k, v in ssh.items() if v is not None})
    _user, hostname = split_destination(host)
    names = [hostname]
    uri = uri_parts(libvirt_uri)
    if (uri['transport'] == 'ssh' and uri['hostname'] not in (None,
                                                              hostname) and
            _NAME.match(uri['hostname'])):
        names.append(uri['hostname'])
    options = said.get('options') or {}
    return Identity(
        host=host, names=tuple(names), hostname=hostname,
        user=said.get('user'), port=said.get('port'),
        identity_file=said.get('identity_file'),
        known_hosts_file=said.get('known_hosts_file'),
        connect_timeout=int(said.get('connect_timeout') or
                            defaults.get('connect_timeout') or 10),
        options=tuple(sorted(options.items())),
        agent_command=(said.get('agent_command') or
                       defaults.get('agent_command') or 'tenks-host-agent'))


def option_problem(name, value):
    """Why ``name: value`` cannot be an extra OpenSSH option, or None."""
    if not name[:1].isalpha() or not name.isalnum() or not name.isascii():
        return 'is not an OpenSSH option name (letters and digits)'
    reason = RESERVED.get(name.lower())
    if reason:
        return 'cannot be set here: %s' % reason
    if isinstance(value, str) and (
            '"' in value or any(ord(c) < 32 or ord(c) == 127
                                for c in value)):
        return 'value must not hold double quotes or control characters'
    return None


def _value(value):
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    text = str(value)
    if '"' in text or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValueError('cannot write %r in an OpenSSH configuration'
                         % text)
    if not text or any(c.isspace() or c in '#=\'\\' for c in text):
        return '"%s"' % text
    return text


def _line(name, value):
    if name in _TOKEN_PATHS:
        value = str(value).replace('%', '%%')
    return '    %s %s' % (name, _value(value))


def render(identities, control_dir, tuning, includes=True):
    """The OpenSSH client configuration of ``identities``.

    :param control_dir: the private directory of the control sockets.
    :param tuning: ``[ssh]`` values: ``control_persist``,
        ``server_alive_interval``, ``server_alive_count_max``.
    :param includes: read the user's and the system's configuration for
        what a block leaves unset (ProxyJump, ...), as a plain ``ssh``
        would; the first value found wins, so tenks' own stand.
    :returns: its text.
    """
    lines = ['# Written by tenks for one run and removed when it ends.']
    for identity in identities:
        lines += ['', 'Host %s' % ' '.join(identity.names),
                  _line('HostName', identity.hostname)]
        if identity.user:
            lines.append(_line('User', identity.user))
        if identity.port:
            lines.append(_line('Port', identity.port))
        if identity.identity_file:
            lines.append(_line('IdentityFile', identity.identity_file))
        if identity.known_hosts_file:
            lines.append(_line('UserKnownHostsFile',
                               identity.known_hosts_file))
        # The user's options come before tenks' defaults, so they win.
        lines += [_line(name, value) for name, value in identity.options]
        if identity.identity_file:
            lines.append(_line('IdentitiesOnly', True))
        if identity.known_hosts_file:
            lines.append(_line('StrictHostKeyChecking', True))
        lines += [
            _line('BatchMode', True),
            _line('ConnectTimeout', identity.connect_timeout),
            _line('ServerAliveInterval', tuning['server_alive_interval']),
            _line('ServerAliveCountMax', tuning['server_alive_count_max']),
            _line('ControlMaster', 'auto'),
            # %C: a hash of the local host, host, port and user, so that a
            # libvirt URI naming another user gets a master of its own.
            '    ControlPath %s' % _value(
                str(control_dir).replace('%', '%%') + '/%C'),
            _line('ControlPersist', tuning['control_persist']),
        ]
    if includes:
        lines += ['', 'Host *', '    Include ~/.ssh/config',
                  '    Include /etc/ssh/ssh_config']
    return '\n'.join(lines) + '\n'


def wrapper(ssh_binary, config_path):
    """The text of the ``ssh`` libvirt runs: ``ssh -F config_path``."""
    return ('#!/bin/sh\n'
            '# libvirt\'s ssh for this tenks run: the same identity and '
            'master\n# connection as tenks\' own calls.\n'
            'exec %s -F %s "$@"\n' % (shlex.quote(ssh_binary),
                                      shlex.quote(config_path)))


def libvirt_uri(uri, command):
    """``uri`` with ``command=`` (libvirt's ssh binary) for ssh transports.

    Other URIs (local ones, tcp, tls, libssh) come back unchanged, as does
    one that names its own ``command``; the query parameters already there
    are kept as written.
    """
    parts = urllib.parse.urlsplit(uri)
    if (parts.scheme.partition('+')[2] != 'ssh' or not parts.netloc or
            'command' in dict(urllib.parse.parse_qsl(parts.query))):
        return uri
    added = 'command=%s' % urllib.parse.quote(command, safe='/')
    query = '%s&%s' % (parts.query, added) if parts.query else added
    return urllib.parse.urlunsplit(parts._replace(query=query))
