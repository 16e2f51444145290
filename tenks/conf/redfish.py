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

group = cfg.OptGroup('redfish', title='sushy-tools (Redfish) options',
                     help='The Redfish emulator tenks runs for nodes whose '
                          'driver maps to the sushy_tools emulator: one '
                          'per hypervisor.')

opts = [
    cfg.HostAddressOpt('address',
                       default='127.0.0.1',
                       help='Address the Redfish emulator listens on, and '
                            'the host written into Ironic driver_info.'),
    cfg.PortOpt('port',
                default=8000,
                help='TCP port of the Redfish emulator. A hypervisor in '
                     'the spec may set its own (redfish_port).'),
    cfg.StrOpt('username',
               default='admin',
               help='HTTP basic auth user of the Redfish BMCs, unless the '
                    'node type sets its own. Each emulator accepts the '
                    'users of its hypervisor\'s Redfish nodes (an htpasswd '
                    'file with bcrypt hashes, mode 0600).'),
    cfg.StrOpt('password',
               default='password',
               secret=True,
               help='HTTP basic auth password of the Redfish BMCs, unless '
                    'the node type sets its own.'),
    cfg.StrOpt('tls_cert',
               help='PEM certificate the emulator serves HTTPS with; unset '
                    'serves plain HTTP.'),
    cfg.StrOpt('tls_key',
               help='PEM private key matching tls_cert.'),
    cfg.StrOpt('feature_set',
               default='full',
               choices=['full', 'vmedia', 'minimum'],
               help='Redfish resources the emulator offers: full, vmedia '
                    '(virtual media, no BIOS, storage or processors) or '
                    'minimum (power and boot only).'),
    cfg.BoolOpt('emulate_storage',
                default=True,
                help='Describe each node\'s volumes as Redfish Storage, '
                     'Drives and (empty) Volumes, so that Ironic\'s '
                     'out-of-band Redfish inspection finds its disks '
                     'instead of retrying for minutes.'),
    cfg.StrOpt('uefi_loader',
               help='UEFI firmware the emulator puts in a domain switched '
                    'to UEFI boot through Redfish (x86_64; domains that '
                    'use libvirt firmware auto-selection need none). '
                    'Unset: the first of the Debian/Ubuntu 4M, 2M and '
                    'Fedora/RHEL OVMF secure boot images found on the '
                    'hypervisor.'),
    cfg.StrOpt('uefi_nvram_template',
               help='NVRAM template for UEFI with secure boot off. Unset: '
                    'the one matching the loader found.'),
    cfg.StrOpt('uefi_secure_nvram_template',
               help='NVRAM template with secure boot keys enrolled, for '
                    'UEFI with secure boot on. Unset: the one matching '
                    'the loader found.'),
]


def problems(conf):
    """``(option, problem)`` of values that do not go together."""
    if bool(conf.redfish.tls_cert) != bool(conf.redfish.tls_key):
        yield ('tls_cert', 'tls_cert and tls_key go together')


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return opts
