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

"""The few netlink requests tenks makes (pyroute2), on one socket.

:mod:`tenks.networks.linux` opens one :class:`Netlink` per host call and
builds the link operations the network plugins need from these.
"""

import errno
import os

from tenks import exception

# Above this many names a full dump is cheaper than one request per name.
_DUMP_THRESHOLD = 8


class Netlink(object):
    """The few netlink requests tenks makes, on one IPRoute socket.

    Use as a context manager; not to be shared between threads.
    """

    def __init__(self):
        import pyroute2
        self._ipr = pyroute2.IPRoute()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._ipr.close()

    # -- reading --------------------------------------------------------

    @staticmethod
    def _parse(msg):
        linkinfo = msg.get_attr('IFLA_LINKINFO')
        kind = linkinfo.get_attr('IFLA_INFO_KIND') if linkinfo else None
        other_ns = msg.get_attr('IFLA_LINK_NETNSID') is not None
        return {
            'name': msg.get_attr('IFLA_IFNAME'),
            'index': msg['index'],
            'kind': kind,
            'alias': msg.get_attr('IFLA_IFALIAS') or None,
            'mac': msg.get_attr('IFLA_ADDRESS'),
            'mtu': msg.get_attr('IFLA_MTU'),
            'up': bool(msg['flags'] & 1),
            '_master': msg.get_attr('IFLA_MASTER'),
            '_link': (msg.get_attr('IFLA_LINK')
                      if kind == 'veth' and not other_ns else None),
        }

    @staticmethod
    def _resolve(links, names_by_index):
        out = {}
        for link in links:
            master = link.pop('_master')
            peer = link.pop('_link')
            link['master'] = names_by_index.get(master) if master else None
            link['peer'] = names_by_index.get(peer) if peer else None
            out[link['name']] = link
        return out

    def dump(self):
        """Every link of the host's network namespace: ``{name: link}``."""
        links = [self._parse(m) for m in self._ipr.get_links()]
        return self._resolve(links, {ln['index']: ln['name'] for ln in links})

    def _get(self, **match):
        try:
            return self._parse(self._ipr.link('get', **match)[0])
        except Exception as exc:
            if getattr(exc, 'code', None) == errno.ENODEV:
                return None
            raise

    def get(self, names):
        """The links among ``names`` that exist: ``{name: link}``.

        One request per name (and per master or peer to name), or one dump
        when there are many names.
        """
        wanted = [n for n in dict.fromkeys(names) if n]
        if len(wanted) > _DUMP_THRESHOLD:
            links = self.dump()
            return {n: links[n] for n in wanted if n in links}
        found = [ln for ln in (self._get(ifname=n) for n in wanted) if ln]
        names_by_index = {ln['index']: ln['name'] for ln in found}
        for link in found:
            for index in (link['_master'], link['_link']):
                if index and index not in names_by_index:
                    other = self._get(index=index)
                    if other is not None:
                        names_by_index[index] = other['name']
        return self._resolve(found, names_by_index)

    # -- changing -------------------------------------------------------

    def _do(self, what, name, call, *args, **kwargs):
        try:
            return call(*args, **kwargs)
        except Exception as exc:
            code = getattr(exc, 'code', None)
            if code is None:
                raise
            raise exception.PluginError('cannot %s %s: %s' % (
                what, name, os.strerror(code)))

    def _index(self, name):
        found = self._ipr.link_lookup(ifname=name)
        if not found:
            raise exception.PluginError('link %s does not exist' % name)
        return found[0]

    def add_bridge(self, name, mac=None, mtu=None):
        attrs = {}
        if mac:
            attrs['address'] = mac
        if mtu:
            attrs['mtu'] = mtu
        self._do('create bridge', name, self._ipr.link, 'add', ifname=name,
                 kind='bridge', **attrs)

    def add_veth(self, name, peer, mtu=None):
        peer_attrs = {'ifname': peer}
        attrs = {}
        if mtu:
            peer_attrs['mtu'] = mtu
            attrs['mtu'] = mtu
        self._do('create veth pair', '%s/%s' % (name, peer), self._ipr.link,
                 'add', ifname=name, kind='veth', peer=peer_attrs, **attrs)

    def set(self, name, **attrs):
        """Set link attributes.

        :param attrs: ``alias``, ``master`` (a name, or None to release
            the link from its bridge), ``mtu``, ``mac``, ``up``.
        """
        args = {}
        if 'alias' in attrs:
            args['ifalias'] = attrs['alias'] or ''
        if 'master' in attrs:
            args['master'] = (self._index(attrs['master'])
                              if attrs['master'] else 0)
        if attrs.get('mtu'):
            args['mtu'] = attrs['mtu']
        if attrs.get('mac'):
            args['address'] = attrs['mac']
        if 'up' in attrs:
            args['state'] = 'up' if attrs['up'] else 'down'
        if not args:
            return
        what = 'set %s of' % ', '.join(sorted(attrs))
        self._do(what, name, self._ipr.link, 'set',
                 index=self._index(name), **args)

    def delete(self, name):
        try:
            self._ipr.link('del', ifname=name)
        except Exception as exc:
            code = getattr(exc, 'code', None)
            if code is None:
                raise
            if code != errno.ENODEV:
                raise exception.PluginError('cannot delete %s: %s'
                                            % (name, os.strerror(code)))
