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

"""What a plugin knows about the hypervisor it serves."""

import dataclasses
import functools
import typing


@dataclasses.dataclass(frozen=True)
class HypervisorContext(object):
    """A hypervisor as recorded in the state.

    Enough to reach it even when the spec no longer lists it (teardown
    works from the state alone).

    :ivar name: the hypervisor's name in the spec.
    :ivar libvirt_uri: its libvirt connection URI.
    :ivar host: SSH destination of its host, or None for this host.
    :ivar agent: the :class:`tenks.hosts.base.HostAgent` for its host.
    :ivar pool_name: its storage pool, when the spec names one.
    :ivar connect_uri: the URI libvirt opens, when it is not
        ``libvirt_uri``: a remote one with this run's SSH set-up (see
        :meth:`tenks.hosts.sshsession.Session.libvirt_uri`); never
        recorded.
    """
    name: str
    libvirt_uri: str
    host: typing.Optional[str] = None
    agent: typing.Any = None
    pool_name: typing.Optional[str] = None
    connect_uri: typing.Optional[str] = None

    @property
    def local(self):
        return self.host is None


class Contexts(object):
    """The :class:`HypervisorContext` of each hypervisor of one run.

    Built once from the hypervisor allocations (how to reach each one, as
    the state and spec record it) and never changed; a name not recorded
    is the local hypervisor at ``default_uri``.

    :param allocations: ``{name: {'libvirt_uri', 'host', 'pool_name'}}``.
    :param agents: callable, host (None: this host) -> HostAgent.
    :param connect: optional callable, ``(libvirt_uri, host)`` -> the URI
        libvirt opens (see :attr:`HypervisorContext.connect_uri`).
    """

    def __init__(self, allocations, default_uri, agents, connect=None):
        self._allocations = dict(allocations or {})
        self._default_uri = default_uri
        self._agents = agents
        self._connect = connect

    def __call__(self, name):
        info = self._allocations.get(name) or {}
        host = info.get('host')
        uri = info.get('libvirt_uri') or self._default_uri
        connect_uri = None
        if host and self._connect is not None:
            connect_uri = self._connect(uri, host)
        return HypervisorContext(
            name=name, libvirt_uri=uri, host=host, agent=self._agents(host),
            pool_name=info.get('pool_name'),
            connect_uri=connect_uri if connect_uri != uri else None)


@functools.lru_cache(maxsize=1024)
def uri_on_host(libvirt_uri, host):
    """The libvirt URI as seen from the hypervisor's own host.

    A BMC emulator runs on the hypervisor's host, where a remote URI such
    as ``qemu+ssh://h/system`` is better reached locally (``qemu:///system``):
    vbmc over SSH is known to be flaky.
    """
    if not host:
        return libvirt_uri
    import urllib.parse
    parts = urllib.parse.urlsplit(libvirt_uri)
    scheme = parts.scheme.split('+')[0]
    query = urllib.parse.parse_qsl(parts.query)
    keep = [(k, v) for k, v in query
            if k not in ('keyfile', 'no_verify', 'no_tty', 'known_hosts',
                         'sshauth', 'command', 'netcat', 'proxy')]
    return urllib.parse.urlunsplit(
        (scheme, '', parts.path or '/system',
         urllib.parse.urlencode(keep), ''))
