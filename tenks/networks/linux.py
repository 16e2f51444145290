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

"""Host-side link operations over netlink (pyroute2).

These functions run where the hypervisor is: plugins call them through
``hypervisor.agent.call(linux.<function>, ...)``, so their arguments and
results are JSON-serialisable. Each call opens its own
netlink socket and closes it when done, so concurrent actions never share
one (opening a socket costs about a millisecond).

A link is described by a dict::

    {'name': 'p-tk0-0-tap', 'index': 12, 'kind': 'veth',
     'alias': 'tenks:mycluster', 'master': None, 'peer': 'p-tk0-0-br',
     'mac': '02:..', 'mtu': 1500, 'up': True}

``kind`` is the netlink link kind (None for physical NICs), ``master`` the
name of the bridge it is a port of, ``peer`` the other end of a veth pair
(None when it is in another network namespace).

Every ``ensure_*`` function looks before it touches: when a link it would
create exists without tenks' mark (and the caller is not adopting), it
raises :class:`tenks.exception.ResourceConflict` having changed nothing.
"""

from tenks import exception
from tenks import faults
from tenks.hosts import calls
from tenks.networks import marks
from tenks.networks import netlink
from tenks.networks import uplink as uplink_mod

#: Crash point: a link made, not marked yet (netlink cannot set an alias
#: when it creates a link).
UNMARKED_STEP = 'link:made-unmarked'


def _netlink():
    """A new netlink socket (replaced by a fake in unit tests)."""
    return netlink.Netlink()


def _converge(nl, link, mark, mtu=None, master=False, up=True, mac=None):
    """Set what differs on an existing link.

    Alias, MAC, MTU, master (``False`` leaves the master alone) and admin
    state.
    """
    changes = {}
    if link.get('alias') != mark:
        changes['alias'] = mark
    if mac and (link.get('mac') or '').lower() != mac.lower():
        changes['mac'] = mac
    if mtu and link.get('mtu') != mtu:
        changes['mtu'] = mtu
    if master is not False and link.get('master') != master:
        changes['master'] = master
    if up and not link.get('up'):
        changes['up'] = True
    # Settings first, then the bridge, then up: a link joins its bridge
    # with its final MTU and carries traffic only once plugged.
    settings = {k: v for k, v in changes.items() if k in ('alias', 'mac',
                                                          'mtu')}
    if settings:
        nl.set(link['name'], **settings)
    if 'master' in changes:
        nl.set(link['name'], master=changes['master'])
    if 'up' in changes:
        nl.set(link['name'], up=True)
    return sorted(changes)


# -- host-side functions (JSON in, JSON out) ----------------------------


@calls.exposed
def inspect(names=None):
    """Links of the host.

    Those among ``names`` that exist (one request per name, or one netlink
    dump when there are many), or all of them when ``names`` is None.

    :returns: ``{name: link dict}``.
    """
    with _netlink() as nl:
        if names is None:
            return nl.dump()
        return nl.get(names)


def _check_masters(nl, links, masters, what):
    for master in set(m for m in masters.values() if m):
        link = links.get(master)
        if link is None:
            raise exception.PluginError('%s: bridge %s does not exist'
                                        % (what, master))
        if link.get('kind') != 'bridge':
            raise exception.PluginError('%s: %s is %s, not a Linux bridge'
                                        % (what, master,
                                           marks.describe_kind(
                                               link.get('kind'))))


def _release_from_linux_bridge(nl, links, link):
    """Take ``link`` out of the Linux bridge it is a port of, if any.

    An Open vSwitch master is left to OVS.
    """
    master = link.get('master')
    if not master:
        return
    if master not in links:
        links.update(nl.get([master]))
    if (links.get(master) or {}).get('kind') == 'bridge':
        nl.set(link['name'], master=None)


def _ensure_pair(nl, links, name, peer, mark, mtu, masters):
    """Make the veth pair ``name``/``peer`` exist, marked, up, plugged.

    Its links are already checked as absent or ours.
    """
    a, b = links.get(name), links.get(peer)
    paired = (a is not None and b is not None and a.get('kind') == 'veth'
              and a.get('peer') == peer)
    created = False
    if not paired:
        # Ours (checked) but not a pair with each other: start afresh.
        for stale in (a, b):
            if stale is not None:
                nl.delete(stale['name'])
        nl.add_veth(name, peer, mtu)
        faults.point(UNMARKED_STEP)
        links.update(nl.get([name, peer]))
        created = True
    changed = {}
    for end in (name, peer):
        link = links[end]
        master = masters.get(end, False)
        if master is None:
            _release_from_linux_bridge(nl, links, link)
            master = False
        changed[end] = _converge(nl, link, mark, mtu=mtu, master=master)
    return created, changed


@calls.exposed
def ensure_veth(name, peer, mark, mtu=None, masters=None, mtu_from=None,
                adopt=False, what=None):
    """Ensure the veth pair ``name``/``peer``.

    Both ends exist, carry ``mark``, are up, have the MTU ``mtu`` (or, when
    None, that of the link ``mtu_from``, typically the bridge it joins),
    and the masters in ``masters`` (``{end: bridge name}``; None releases
    the end from a Linux bridge; an end left out keeps its master).

    :param what: the resource, for messages (default ``veth name``).
    :returns: ``{'created': bool, 'mtu': int, 'changed': {end: [attr]}}``.
    :raises ResourceConflict: an end exists and is not tenks' (nothing
        changed).
    :raises PluginError: a master is missing or not a Linux bridge.
    """
    masters = dict(masters or {})
    what = what or 'veth %s' % name
    with _netlink() as nl:
        links = nl.get([name, peer, mtu_from] + list(masters.values()))
        for end in (name, peer):
            marks.check_link('link', end, links.get(end), mark, adopt,
                             kind='veth')
        _check_masters(nl, links, masters, what)
        target = mtu or (links.get(mtu_from) or {}).get('mtu') or None
        created, changed = _ensure_pair(nl, links, name, peer, mark, target,
                                        masters)
        return {'created': created, 'mtu': target, 'changed': changed}


@calls.exposed
def ensure_bridge(name, mark, mac=None, mtu=None, uplink=None,
                  uplink_links=None, ovs_bridges=(), previous_uplink=None,
                  adopt=False, check_only=False, host='the host'):
    """Ensure the Linux bridge ``name`` and its uplink.

    This is all the netlink work of the linuxbridge plugin's bridge, in
    one call.

    The bridge exists, carries ``mark``, is up, has the MAC ``mac`` and the
    MTU ``mtu`` (when None: its uplink's, see
    :func:`tenks.networks.uplink.effective_mtu`). Its uplink is, by what
    ``uplink`` is on the host (see :mod:`tenks.networks.uplink`): plugged
    in (an interface), joined by the veth pair ``uplink_links`` =
    ``[source side, bridge side]`` whose source side is a port of the
    uplink Linux bridge, or left for the caller to add to the uplink OVS
    bridge. Uplink links it no longer needs are deleted, and
    ``previous_uplink`` (an interface plugged before an uplink change) is
    released.

    Everything is checked before anything changes.

    :param ovs_bridges: the host's Open vSwitch bridge names.
    :param check_only: only check (raise or return the outputs).
    :returns: ``{'uplink': name or None, 'uplink_kind': kind, 'mtu': int}``
    :raises ResourceConflict: the bridge, an uplink link or the uplink
        interface's bridge port is not tenks'.
    :raises PluginError: the uplink does not exist.
    """
    source, side = uplink_links or (None, None)
    with _netlink() as nl:
        links = nl.get([name, uplink, source, side, previous_uplink])
        kind = uplink_mod.classify(name, uplink, links.get(uplink),
                                   ovs_bridges, host)
        marks.check_link('bridge', name, links.get(name), mark, adopt,
                         kind='bridge')
        if kind in uplink_mod.JOINED:
            for link_name in (source, side):
                marks.check_link('uplink link of bridge %s' % name,
                                 link_name, links.get(link_name), mark,
                                 adopt, kind='veth')
        if kind == uplink_mod.INTERFACE:
            master = links[uplink].get('master')
            if master not in (None, name):
                raise exception.ResourceConflict(
                    'bridge %s: uplink %s is already a port of %s' % (
                        name, uplink, master))
        target = uplink_mod.effective_mtu(mtu, links.get(uplink))
        outputs = {'uplink': uplink, 'uplink_kind': kind, 'mtu': target}
        if check_only:
            return outputs
        bridge = links.get(name)
        if bridge is None:
            nl.add_bridge(name, mac, target)
            faults.point(UNMARKED_STEP)
            bridge = nl.get([name])[name]
        _converge(nl, bridge, mark, mtu=target, mac=mac)
        prev = links.get(previous_uplink)
        if (prev is not None and previous_uplink != uplink and
                prev.get('master') == name):
            nl.set(previous_uplink, master=None)
        if kind == uplink_mod.INTERFACE:
            # Plugged in and up; otherwise the interface is not tenks' to
            # change (no alias, no MTU).
            if links[uplink].get('master') != name:
                nl.set(uplink, master=name)
            if not links[uplink].get('up'):
                nl.set(uplink, up=True)
        if kind in uplink_mod.JOINED:
            _ensure_pair(nl, links, source, side, mark, target, {
                side: name,
                source: uplink if kind == uplink_mod.LINUX_BRIDGE else None})
        else:
            for link_name in (source, side):
                if marks.link_owned(links.get(link_name), mark):
                    nl.delete(link_name)
        return outputs


@calls.exposed
def delete_links(names, mark, adopt=False, kind='veth'):
    """Delete those of the links ``names`` that are tenks' own.

    Tenks' own: they carry ``mark``, or (with ``adopt``: tenks began making
    or removing them in a run that did not finish) no alias at all and
    are of ``kind``. Deleting one end of a veth pair deletes both, so an
    end is kept while its peer is not tenks'.

    :returns: ``{'deleted': [names], 'foreign': [names left alone],
        'unmarked': [those of them without any alias]}``.
    """
    deleted, foreign, unmarked = [], [], []
    with _netlink() as nl:
        links = nl.get(names)
        for link_name in names:
            link = links.get(link_name)
            if link is not None and not marks.link_deletable(
                    link, mark, adopt, kind):
                foreign.append(link_name)
                if marks.link_unmarked(link, kind):
                    unmarked.append(link_name)
        for link_name in names:
            link = links.get(link_name)
            if (link is None or link_name in deleted or
                    link_name in foreign or link.get('peer') in foreign):
                # Deleting one end of a pair deletes the other: an end of
                # tenks' is kept while its peer is not provably tenks'.
                continue
            nl.delete(link_name)
            deleted.append(link_name)
            if link.get('peer'):
                deleted.append(link['peer'])
    return {'deleted': [n for n in names if n in deleted],
            'foreign': foreign, 'unmarked': unmarked}


@calls.exposed
def delete_bridge(name, mark, uplink=None, uplink_links=None, adopt=False):
    """Remove the Linux bridge ``name`` and its uplink links.

    Only what is tenks' own (see :func:`delete_links`) is deleted;
    ``uplink`` is released from the bridge, never deleted.

    :returns: ``{'deleted': [names], 'released': [names], 'foreign':
        [names left alone], 'unmarked': [those of them without an
        alias]}``.
    """
    source, side = uplink_links or (None, None)
    released = []
    with _netlink() as nl:
        links = nl.get([name, uplink])
        bridge = links.get(name)
        owned = marks.link_deletable(bridge, mark, adopt, 'bridge')
        up = links.get(uplink)
        if owned and up is not None and up.get('master') == name:
            nl.set(uplink, master=None)
            released.append(uplink)
    result = delete_links([n for n in (source, side) if n], mark, adopt)
    if bridge is not None and owned:
        with _netlink() as nl:
            nl.delete(name)
        result['deleted'].append(name)
    elif bridge is not None:
        result['foreign'].append(name)
        if marks.link_unmarked(bridge, 'bridge'):
            result['unmarked'].append(name)
    result['released'] = released
    return result


@calls.exposed
def set_up(names):
    """Bring the links ``names`` up (those that exist).

    :returns: the names that were down.
    """
    with _netlink() as nl:
        links = nl.get(names)
        down = [n for n in names if n in links and not links[n]['up']]
        for link_name in down:
            nl.set(link_name, up=True)
        return down
