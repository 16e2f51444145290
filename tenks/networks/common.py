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

"""What the linuxbridge and openvswitch plugins share.

Both wire a node NIC the same way: a veth pair whose node end the VM
takes (macvtap passthrough) and whose bridge end is a port of the Tenks
bridge. They differ only in how a link becomes a port of a bridge (a Linux
master, or an OVS port) and in how the bridge itself is built, which the
subclasses provide.

All host work goes through the hypervisor's host agent: netlink through
the host-side functions of :mod:`tenks.networks.linux`, Open vSwitch
through ``ovs-vsctl`` (:mod:`tenks.networks.ovs`).
"""

import abc

from tenks.networks import base
from tenks.networks import linux
from tenks.networks import marks
from tenks.networks import ovs as ovs_mod
from tenks import observation


def absent_or_foreign(link, mark, kind=None, what='link'):
    """The observation of a link that is missing or not tenks', or None.

    :returns: :data:`tenks.observation.ABSENT`, a foreign observation, or
        None when the link exists and is tenks' own.
    """
    if link is None:
        return observation.ABSENT
    problem = marks.link_problem(link, mark, kind)
    if problem:
        return observation.foreign('%s %s: %s' % (what, link['name'],
                                                  problem),
                                   marks.link_unmarked(link, kind))
    return None


def refuse_foreign(what, result):
    """Raise when a host-side delete left links alone.

    :param result: what :func:`tenks.networks.linux.delete_links` (or
        ``delete_bridge``) returned.
    :raises ResourceConflict: naming them; a teardown must not report
        success while something of its cluster may be left behind.
    """
    if result['foreign']:
        raise marks.refusal(what, result['foreign'],
                            bool(result.get('unmarked')))


def missing_uplink(props, links, ovs_bridges=()):
    """Observe an absent bridge whose uplink is missing too, or None.

    Such a bridge cannot be made: the observation carries the problem, so
    planning stops before anything is touched.
    """
    uplink = props.get('uplink')
    if not uplink or uplink in links or uplink in ovs_bridges:
        return None
    return observation.Observation(
        False, problem='uplink %s of physical network %s does not exist'
        % (uplink, props.get('physnet')))


def wired(problems):
    """The observation of a resource that carries the cluster's mark.

    :param problems: ways it differs from its record (a port unplugged, a
        link down...): it is then not healthy, and the next deploy runs its
        create again, which repairs it in place.
    """
    if problems:
        return observation.ours('; '.join(problems), healthy=False)
    return observation.ours()


class LinkNetwork(base.Network):
    """Base of the network plugins: veth pairs through the host agent."""

    def __init__(self, conf, hypervisor=None):
        super().__init__(conf, hypervisor)
        self._ovs = None

    # -- helpers --------------------------------------------------------

    @property
    def agent(self):
        return self.hypervisor.agent

    @property
    def host_name(self):
        return self.hypervisor.name

    @property
    def ovs(self):
        if self._ovs is None:
            self._ovs = ovs_mod.OVS(self.agent,
                                    self.conf.network.ovs_vsctl_timeout)
        return self._ovs

    @staticmethod
    def mark(props):
        return marks.link_mark(props['cluster'])

    @staticmethod
    def bridge_link_names(records):
        """Every link the bridges of ``records`` involve, for one look."""
        return [n for r in records for n in (
            [r.props['name'], r.props.get('uplink')] +
            list(r.props['uplink_links'])) if n]

    # -- hooks for the subclasses ---------------------------------------

    def vif_masters(self, props):
        """The Linux masters of the pair's ends (``{end: bridge}``)."""
        return {}

    def before_vif(self, record):
        """Check what the vif needs besides its links.

        Nothing may change here.

        :returns: what :meth:`plug_vif` needs to know.
        """

    def plug_vif(self, record, before, old=None):
        """Make the bridge end a port of the bridge (after the pair).

        :param old: the record before an update, or None (a create).
        """

    def unplug_vif(self, record):
        """Take the bridge end out of the bridge (before the pair goes)."""

    def vif_ports(self, records):
        """Read what :meth:`vif_port_problem` needs, once for all."""

    def vif_port_problem(self, props, links, ports):
        """How the bridge end's port differs from ``props``, or None."""

    @abc.abstractmethod
    def ensure_bridge(self, record, previous):
        """Make the bridge of ``record`` and its uplink as its props say.

        :param previous: the outputs of the bridge's last create or update
            (``uplink``, ``uplink_kind``), so that an uplink it had can be
            let go.
        :returns: the new outputs.
        """

    # -- bridge ---------------------------------------------------------

    def create_bridge(self, record):
        # A create after an interrupted run or drift carries the outputs
        # of the last one (see tenks.planner.diff).
        return self.ensure_bridge(record, record.outputs or {})

    def update_bridge(self, old, record):
        previous = dict(old.outputs or {})
        previous.setdefault('uplink', old.props.get('uplink'))
        return self.ensure_bridge(record, previous)

    # -- vif ------------------------------------------------------------

    def create_vif(self, record):
        return self._ensure_vif(record)

    def _ensure_vif(self, record, old=None):
        props = record.props
        before = self.before_vif(record)
        result = self.agent.call(
            linux.ensure_veth, name=props['node_end'],
            peer=props['bridge_end'], mark=self.mark(props),
            mtu=props.get('mtu'),
            masters=self.vif_masters(props), mtu_from=props['bridge'],
            adopt=record.adopt, what='vif %s' % record.name)
        self.plug_vif(record, before, old)
        return {'mtu': result['mtu']}

    def update_vif(self, old, record):
        # Only the MTU and the VLANs change in place (other props replace
        # the pair); the ensure converges them, and anything else that
        # drifted.
        return self._ensure_vif(record, old)

    def delete_vif(self, record):
        props = record.props
        self.unplug_vif(record)
        result = self.agent.call(
            linux.delete_links, names=[props['node_end'], props['bridge_end']],
            mark=self.mark(props), adopt=bool(record.adopt))
        refuse_foreign('vif %s' % record.name, result)
        return None

    def observe_vif(self, records):
        """Look at every vif in one link dump (and one OVS read)."""
        if not records:
            return {}
        links = self.agent.call(linux.inspect, names=[
            n for r in records
            for n in (r.props['node_end'], r.props['bridge_end'])])
        ports = self.vif_ports(records)
        return {r.key: self._observe_vif(r.props, links, ports)
                for r in records}

    def _observe_vif(self, props, links, ports):
        mark = self.mark(props)
        node_end, bridge_end = props['node_end'], props['bridge_end']
        node, peer = links.get(node_end), links.get(bridge_end)
        if node is None and peer is None:
            return observation.ABSENT
        for link in (node, peer):
            if link is not None:
                found = absent_or_foreign(link, mark, 'veth')
                if found is not None:
                    return found
        problems = []
        if node is None or peer is None:
            problems.append('only %s exists' % (node or peer)['name'])
        elif node.get('peer') != bridge_end:
            problems.append('%s is not paired with %s' % (node_end,
                                                          bridge_end))
        else:
            if not peer.get('up'):
                problems.append('%s is down' % bridge_end)
            if props.get('mtu') and peer.get('mtu') != props['mtu']:
                problems.append('MTU %s, not %s' % (peer.get('mtu'),
                                                    props['mtu']))
            problem = self.vif_port_problem(props, links, ports)
            if problem:
                problems.append(problem)
        return wired(problems)
