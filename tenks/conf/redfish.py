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
               help='HTTP basic auth user of the Redfish emulator.'),
    cfg.StrOpt('password',
               default='password',
               secret=True,
               help='HTTP basic auth password of the Redfish emulator.'),
    cfg.StrOpt('tls_cert',
               help='PEM certificate the emulator serves HTTPS with; unset '
                    'serves plain HTTP.'),
    cfg.StrOpt('tls_key',
               help='PEM private key matching tls_cert.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return opts
