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

BOOT_MODES = ('uefi', 'bios')
BMC_EMULATORS = {'ipmi': 'virtualbmc',
                 'agent_ipmitool': 'virtualbmc',
                 'agent_ipmitool_socat': 'virtualbmc',
                 'pxe_ipmitool': 'virtualbmc',
                 'pxe_ipmitool_socat': 'virtualbmc',
                 'redfish': 'sushy_tools',
                 'fake-hardware': 'none',
                 'manual-management': 'none'}

opts = [
    cfg.StrOpt('cluster_name',
               default='tenks',
               regex=r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$',
               help='Name of the cluster this tenks configuration manages. '
                    'It tags every resource tenks creates (libvirt domain '
                    'metadata, link aliases, Ironic node extra) so that '
                    'several clusters can share a host and teardown removes '
                    'only its own resources.'),
    cfg.StrOpt('state_file',
               default='/var/lib/tenks/state.yaml',
               help='Path of the state file that records every node and '
                    'resource tenks created. A lock file and a journal '
                    'live beside it. A Tenks (Ansible) state.yml is read '
                    'and adopted too.'),
    cfg.StrOpt('run_dir',
               default='/var/lib/tenks/run',
               help='Directory for the configuration, pid files and '
                    'credentials of the BMC emulators tenks runs.'),
    cfg.StrOpt('node_name_prefix',
               default='tk',
               regex=r'^[A-Za-z][A-Za-z0-9_-]*$',
               help='Default prefix of node names; a node is named '
                    '<prefix><lowest free index>. A spec may override it '
                    'globally or per spec entry.'),
    cfg.StrOpt('vol_name_prefix',
               default='vol',
               regex=r'^[A-Za-z0-9_-]+$',
               help='Default infix of volume names; volumes are named '
                    '<node name><prefix><index>.'),
    cfg.StrOpt('default_boot_mode',
               default='uefi',
               choices=BOOT_MODES,
               help='Firmware of nodes whose Ironic capabilities do not '
                    'name a boot_mode.'),
    cfg.StrOpt('default_ironic_driver',
               default='ipmi',
               help='Ironic driver of nodes whose type does not set '
                    'ironic_driver. It also picks the BMC emulator, '
                    'through bmc_emulators.'),
    cfg.DictOpt('bmc_emulators',
                default=BMC_EMULATORS,
                help='Map of Ironic driver to the BMC emulator plugin '
                     '(entry point in tenks.bmc) that serves nodes with '
                     'that driver. A driver missing here is a spec error.'),
    cfg.StrOpt('bridge_type',
               default='openvswitch',
               help='Network plugin (entry point in tenks.networks) that '
                    'builds Tenks bridges and node links: openvswitch or '
                    'linuxbridge, or another installed one.'),
    cfg.StrOpt('scheduler',
               default='filter',
               help='Scheduler plugin (entry point in tenks.schedulers) '
                    'that places new nodes on hypervisors: round_robin '
                    '(Tenks behaviour) or filter (capacity aware, see '
                    '[filter_scheduler]).'),
    cfg.StrOpt('provider',
               default='libvirt',
               help='Virtualisation provider plugin (entry point in '
                    'tenks.providers) that creates nodes and volumes.'),
    cfg.IntOpt('max_workers',
               default=8,
               min=1,
               max=256,
               help='Number of actions run at once when applying a plan. '
                    'Actions that depend on one another still run in '
                    'order.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return opts
