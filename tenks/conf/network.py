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

from oslo_config import cfg

group = cfg.OptGroup('network', title='Node networking options',
                     help='Names and behaviour of the Tenks bridges and '
                          'links that wire nodes to physical networks.')

opts = [
    cfg.StrOpt('bridge_prefix',
               default='brtenks',
               regex=r'^[A-Za-z][A-Za-z0-9_-]{0,9}$',
               help='Prefix of Tenks bridge names, brtenks<index>. A '
                    'hypervisor in the spec may set its own, which keeps '
                    'two hypervisors on one host apart.'),
    cfg.StrOpt('veth_prefix',
               default='p-',
               regex=r'^[A-Za-z0-9_-]{0,4}$',
               help='Prefix of the veth pairs tenks creates.'),
    cfg.StrOpt('ovs_datapath_type',
               default='system',
               choices=[('system', 'kernel datapath (openvswitch module)'),
                        ('netdev', 'userspace datapath, for hosts without '
                                   'the openvswitch kernel module')],
               help='Datapath type of the Open vSwitch bridges tenks '
                    'creates.'),
    cfg.IntOpt('ovs_vsctl_timeout',
               default=10,
               min=1,
               help='Seconds ovs-vsctl waits for the Open vSwitch '
                    'database before giving up, when tenks reads or '
                    'changes OVS bridges and ports (the openvswitch plugin, '
                    'and the linuxbridge plugin when an uplink is an OVS '
                    'bridge).'),
    cfg.IntOpt('mtu',
               min=68,
               max=65535,
               help='MTU of Tenks bridges and the links tenks creates. '
                    'Unset, a bridge takes the MTU of its uplink (1500 '
                    'when it has none) and node links take their '
                    'bridge\'s. Tenks never changes the MTU of an uplink '
                    'interface or bridge it did not create.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return opts
