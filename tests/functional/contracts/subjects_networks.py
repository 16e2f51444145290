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

"""Subjects of ``tenks.networks``: ``linuxbridge`` and ``openvswitch``.

The records are a one-node cluster's bridge (isolated: no uplink) and
node link; their names carry the env's token (``b<token>0``,
``p-<token>0-0-tap``), so they are unique and found by the sweep. A rival
is made with ``ip link`` (a bridge, a veth pair) or ``ovs-vsctl add-br``
(netdev datapath), without tenks' mark.
"""

from tests.functional.contracts import common
from tests.functional.networks import helpers as nh
from tests.functional import specs


def _delete_link(name):
    nh.run('ip', 'link', 'delete', name, check=False)


class _Network(common.RealSubject):

    namespace = 'tenks.networks'

    def spec(self):
        return specs.text(
            {'small': specs.node_type(ironic_driver='fake-hardware',
                                      physical_networks=['physnet1'])},
            [specs.entry('small', 1)], physnet_mappings={'physnet1': None})

    def bridge_record(self):
        return next(r for r in self.planned.values() if r.kind == 'bridge')

    def remove_bridge(self, name):
        if self.plugin == 'openvswitch':
            nh.vsctl('--if-exists', 'del-br', name, check=False)
        _delete_link(name)


class _Bridge(_Network):
    """The Tenks bridge of physnet1."""

    kind = 'bridge'

    def exists(self, record):
        name = record.props['name']
        if self.plugin == 'openvswitch':
            return name in nh.ovs_bridges()
        return name in nh.links()

    def cleanup(self, record):
        for name in record.props['uplink_links']:
            _delete_link(name)
        self.remove_bridge(record.props['name'])


class LinuxBridgeBridge(_Bridge):
    """A Linux bridge; a rival is one of its name without alias."""

    plugin = 'linuxbridge'

    def make_foreign(self, record):
        nh.run('ip', 'link', 'add', record.props['name'], 'type', 'bridge')


class OpenVSwitchBridge(_Bridge):
    """An OVS bridge; a rival is one of its name without external_ids."""

    plugin = 'openvswitch'
    fixtures = ('tenks_env_ovs', 'ovs')

    def make_foreign(self, record):
        name = record.props['name']
        nh.vsctl('add-br', name, '--', 'set', 'Bridge', name,
                 'datapath_type=netdev')


class _Vif(_Network):
    """The node's link to physnet1's bridge (made first, by the driver).

    A rival is a veth pair of the record's names without alias.
    """

    kind = 'vif'

    def setup(self):
        bridge = self.bridge_record()
        self.on_close(self.remove_bridge, bridge.props['name'])
        self.on_close(common.quietly, self.driver.delete, 'bridge', bridge)
        self.driver.create('bridge', bridge)

    def make_foreign(self, record):
        nh.run('ip', 'link', 'add', record.props['node_end'], 'type',
               'veth', 'peer', 'name', record.props['bridge_end'])

    def exists(self, record):
        links = nh.links()
        return (record.props['node_end'] in links or
                record.props['bridge_end'] in links)

    def cleanup(self, record):
        if self.plugin == 'openvswitch':
            nh.vsctl('--if-exists', 'del-port', record.props['bridge_end'],
                     check=False)
        for name in (record.props['node_end'], record.props['bridge_end']):
            _delete_link(name)


class LinuxBridgeVif(_Vif):
    plugin = 'linuxbridge'


class OpenVSwitchVif(_Vif):
    plugin = 'openvswitch'
    fixtures = ('tenks_env_ovs', 'ovs')


SUBJECTS = {'linuxbridge-bridge': LinuxBridgeBridge,
            'linuxbridge-vif': LinuxBridgeVif,
            'openvswitch-bridge': OpenVSwitchBridge,
            'openvswitch-vif': OpenVSwitchVif}
