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

group = cfg.OptGroup('vbmc', title='VirtualBMC (IPMI) options',
                     help='The IPMI BMCs tenks gives nodes whose driver '
                          'maps to the virtualbmc emulator.')

opts = [
    cfg.HostAddressOpt('address',
                       default='127.0.0.1',
                       help='Address the IPMI BMCs listen on, and the '
                            'address written into Ironic driver_info. Use '
                            'an address Ironic can reach.'),
    cfg.PortOpt('port_range_start',
                default=6230,
                help='First UDP port of the IPMI BMCs (inclusive). Ports '
                     'are unique per listen address; a node keeps its port '
                     'for life.'),
    cfg.PortOpt('port_range_end',
                default=6329,
                help='Last UDP port of the IPMI BMCs (inclusive). The '
                     'default range 6230-6329 holds 100 IPMI nodes per '
                     'address, more than an all-in-one host has memory '
                     'for; Tenks\' 6230-6240 held 11. It starts at 6230 '
                     'like Tenks, DevStack and Bifrost, and stays far '
                     'below the ephemeral port range.'),
    cfg.StrOpt('username',
               default='admin',
               help='IPMI user name of the BMCs, unless the node type '
                    'sets its own.'),
    cfg.StrOpt('password',
               default='password',
               secret=True,
               help='IPMI password of the BMCs, unless the node type sets '
                    'its own.'),
    cfg.BoolOpt('manage_daemon',
                default=True,
                help='Run and supervise tenks\' own IPMI daemon (config, '
                     'pid file and BMC entries under <run_dir>/vbmc, log '
                     'in <log_dir>/vbmcd.log); it is started again when '
                     'found dead, and stopped when it has no BMCs left. '
                     'When false, use the vbmcd already listening on '
                     'server_port.'),
    cfg.PortOpt('server_port',
                default=50891,
                help='Control (ZeroMQ) port of vbmcd on 127.0.0.1.'),
    cfg.StrOpt('mode',
               default='embedded',
               choices=[
                   ('embedded', 'one process serves every IPMI BMC of the '
                                'site, with VirtualBMC\'s own BMC class on '
                                'pyghmi\'s shared event loop: about 1 MB '
                                'per BMC instead of about 30'),
                   ('vbmcd', 'VirtualBMC\'s vbmcd, which forks one process '
                             'per BMC; the vbmc command can manage it'),
               ],
               help='How tenks runs the IPMI BMCs it manages. Both modes '
                    'read the same vbmc configuration files, so switching '
                    'keeps every BMC (the next deploy restarts the '
                    'daemon). With manage_daemon = false tenks always '
                    'uses the existing vbmcd.'),
]


def problems(conf):
    """``(option, problem)`` of values that do not go together."""
    if conf.vbmc.port_range_start > conf.vbmc.port_range_end:
        yield ('port_range_end', '%d is below port_range_start %d' % (
            conf.vbmc.port_range_end, conf.vbmc.port_range_start))


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return opts
