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

group = cfg.OptGroup('libvirt', title='libvirt provider options',
                     help='How tenks reaches libvirt and shapes the '
                          'domains and storage it creates.')

opts = [
    cfg.StrOpt('uri',
               default='qemu:///system',
               help='libvirt connection URI of the default hypervisor '
                    '(used when a spec has no hypervisors section). '
                    'Remote (qemu+ssh://, qemu+tcp://) and custom socket '
                    '(qemu+unix:///system?socket=PATH) URIs work.'),
    cfg.StrOpt('domain_type',
               default='auto',
               choices=[('auto', 'kvm when the hypervisor can run it '
                                 '(libvirt offers kvm for the node\'s '
                                 'architecture and the host CPU has '
                                 'hardware virtualisation, vmx or svm), '
                                 'otherwise qemu'),
                        ('kvm', 'hardware acceleration, required'),
                        ('qemu', 'software emulation (TCG)')],
               help='libvirt domain type of nodes. The type used is '
                    'recorded in each domain\'s outputs.'),
    cfg.StrOpt('pool_name',
               default='tenks',
               help='Name of the libvirt storage pool for node volumes. '
                    'Created when missing; a pool that already exists is '
                    'used and never deleted.'),
    cfg.StrOpt('pool_path',
               default='/var/lib/libvirt/tenks_pool',
               help='Target path of the storage pool when tenks creates '
                    'it.'),
    cfg.StrOpt('pool_type',
               default='dir',
               choices=['dir'],
               help='Type of the storage pool when tenks creates it.'),
    cfg.StrOpt('cpu_mode',
               default='maximum',
               choices=[('host-passthrough', 'the host CPU, KVM only'),
                        ('host-model', 'a named model close to the host'),
                        ('maximum', 'every feature the hypervisor can '
                                    'offer; works with KVM and TCG and '
                                    'satisfies x86-64-v2'),
                        ('custom', 'the model named by cpu_model')],
               help='Default CPU mode of nodes; a node type may set its '
                    'own. Ironic\'s deploy ramdisk needs x86-64-v2, which '
                    'the QEMU default CPU lacks.'),
    cfg.StrOpt('cpu_model',
               help='CPU model for cpu_mode=custom, e.g. Nehalem or '
                    'x86-64-v2-AES (libvirt model names).'),
    cfg.StrOpt('arch',
               default='x86_64',
               help='Default guest architecture of nodes.'),
    cfg.StrOpt('machine_type',
               default='q35',
               help='Default machine type of nodes (q35 or pc on x86_64).'),
    cfg.StrOpt('nic_model',
               default='virtio',
               choices=['virtio', 'e1000', 'e1000e', 'rtl8139'],
               help='Model of the virtual NICs of nodes.'),
    cfg.StrOpt('disk_bus',
               default='virtio',
               choices=['virtio', 'sata', 'scsi'],
               help='Bus of node disks.'),
    cfg.BoolOpt('trust_guest_rx_filters',
                default=False,
                help='Set trustGuestRxFilters on node NICs. Off by '
                     'default: with macvtap passthrough it fails on '
                     'libvirt 9 ("Value too large").'),
]


def problems(conf):
    """``(option, problem)`` of values that do not go together."""
    if conf.libvirt.cpu_mode == 'custom' and not conf.libvirt.cpu_model:
        yield ('cpu_mode', "cpu_mode 'custom' needs cpu_model")


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return opts
