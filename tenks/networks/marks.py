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

"""Tenks' marks on links and Open vSwitch records, and what they mean.

A Linux link tenks creates carries the interface alias (``IFLA_IFALIAS``)
``tenks:<cluster>``; an Open vSwitch bridge or port carries
``external_ids:tenks-cluster=<cluster>``. A link or record of a name tenks
wants that lacks the mark of this cluster is someone else's: creating over
it is a :class:`tenks.exception.ResourceConflict` (unless the record is
being adopted), and deleting never touches it.

Links are described by plain dicts (see :mod:`tenks.networks.linux`):
``{name, kind, alias, master, peer, mac, mtu, up}``. Everything here is
pure, so it runs on either side of a host agent.
"""

from tenks import exception

ALIAS_PREFIX = 'tenks:'
OVS_KEY = 'tenks-cluster'

#: Kinds of Linux link, as named in messages.
KIND_NAMES = {'bridge': 'a Linux bridge', 'veth': 'a veth link',
              'tun': 'a tap device', 'openvswitch': 'an Open vSwitch port',
              'dummy': 'a dummy interface', 'macvtap': 'a macvtap device'}


def link_mark(cluster):
    """The alias tenks gives the links it creates for ``cluster``."""
    return ALIAS_PREFIX + cluster


def describe_kind(kind):
    if not kind:
        return 'a physical interface'
    return KIND_NAMES.get(kind, 'a %s link' % kind)


def _foreign_detail(owner_mark, mark):
    """Why a mark that is not ``mark`` makes a resource foreign."""
    if not owner_mark:
        return 'it has no tenks mark'
    if owner_mark.startswith(ALIAS_PREFIX):
        return 'it belongs to tenks cluster %s' % owner_mark[
            len(ALIAS_PREFIX):]
    return 'its alias is %r' % owner_mark


def link_owned(link, mark):
    """Whether ``link`` (a link dict, or None) carries ``mark``."""
    return link is not None and link.get('alias') == mark


def link_deletable(link, mark, adopt=False, kind=None):
    """Whether tenks may delete ``link`` (a link dict).

    It carries ``mark``; or ``adopt`` is set (tenks began making or
    removing it in a run that did not finish) and it carries no alias at
    all and is of the ``kind`` tenks makes.
    """
    if link_owned(link, mark):
        return True
    return (adopt and link is not None and not link.get('alias') and
            (kind is None or link.get('kind') == kind))


def link_unmarked(link, kind=None):
    """Whether ``link`` carries no alias, so its owner cannot be told.

    A link of another kind than tenks makes is provably not tenks'.
    """
    return (link is not None and not link.get('alias') and
            (kind is None or link.get('kind') == kind))


def link_problem(link, mark, kind=None):
    """Why ``link`` cannot be taken as tenks' own, or None.

    :param kind: the Linux link kind it must have (e.g. ``'bridge'``), or
        None for any kind.
    """
    if link is None:
        return None
    if kind is not None and link.get('kind') != kind:
        return 'it is %s, not %s' % (describe_kind(link.get('kind')),
                                     describe_kind(kind))
    if link.get('alias') != mark:
        return _foreign_detail(link.get('alias'), mark)
    return None


def check_link(what, name, link, mark, adopt=False, kind=None):
    """Refuse a link tenks wants that exists and is not its own.

    A link of the wrong kind is refused even when adopting: it cannot be
    turned into what tenks needs.

    :param what: what the link is for, for the message (e.g. ``'bridge'``).
    :raises ResourceConflict: naming the link and why.
    """
    if link is None:
        return
    if kind is not None and link.get('kind') != kind:
        raise exception.ResourceConflict(
            '%s %s already exists and is %s, not %s' % (
                what, name, describe_kind(link.get('kind')),
                describe_kind(kind)))
    if adopt or link.get('alias') == mark:
        return
    raise exception.ResourceConflict(
        '%s %s already exists and was not created by tenks (%s)' % (
            what, name, _foreign_detail(link.get('alias'), mark)))


def ovs_owned(record, cluster):
    """Whether an OVS bridge or port dict carries ``cluster``'s mark."""
    return (record is not None and
            (record.get('external_ids') or {}).get(OVS_KEY) == cluster)


def ovs_problem(record, cluster):
    """Why an OVS bridge or port dict is not tenks' own, or None."""
    if record is None or ovs_owned(record, cluster):
        return None
    owner = (record.get('external_ids') or {}).get(OVS_KEY)
    if owner:
        return 'it belongs to tenks cluster %s' % owner
    return 'it has no tenks mark'


def ovs_deletable(record, cluster, adopt=False):
    """Whether tenks may delete an OVS bridge or port dict.

    It carries ``cluster``'s mark, or no tenks mark at all while
    ``adopt`` is set.
    """
    if ovs_owned(record, cluster):
        return True
    return adopt and ovs_unmarked(record)


def ovs_unmarked(record):
    """Whether an OVS bridge or port dict carries no tenks mark."""
    return (record is not None and
            not (record.get('external_ids') or {}).get(OVS_KEY))


def refusal(what, names, unmarked):
    """The ResourceConflict for links or records tenks will not delete.

    :param names: what it found and left alone.
    :param unmarked: whether they carry no mark at all (so tenks cannot
        tell whose they are) rather than someone else's.
    """
    if unmarked:
        why = ('%s carr%s no tenks mark, so tenks cannot tell whether it '
               'made %s; remove %s by hand if so, and run tenks again' % (
                   ', '.join(names), 'ies' if len(names) == 1 else 'y',
                   'it' if len(names) == 1 else 'them',
                   'it' if len(names) == 1 else 'them'))
    else:
        why = '%s %s not tenks\' (left alone)' % (
            ', '.join(names), 'is' if len(names) == 1 else 'are')
    return exception.ResourceConflict('%s: %s' % (what, why))


def check_ovs(what, name, record, cluster, adopt=False):
    """Refuse an OVS bridge or port tenks wants that is not its own.

    :raises ResourceConflict: naming the record and why.
    """
    if record is None or adopt:
        return
    problem = ovs_problem(record, cluster)
    if problem:
        raise exception.ResourceConflict(
            '%s %s already exists in Open vSwitch and was not created by '
            'tenks (%s)' % (what, name, problem))
