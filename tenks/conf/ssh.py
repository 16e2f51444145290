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

group = cfg.OptGroup('ssh', title='SSH options',
                     help='How tenks reaches remote hypervisor hosts: its '
                          'own host calls and libvirt\'s ssh transport '
                          'share one OpenSSH client configuration and one '
                          'master connection per host for each run. A '
                          'hypervisor\'s "ssh" key in the spec wins over '
                          'these defaults.')

opts = [
    cfg.IntOpt('connect_timeout',
               default=10,
               min=1,
               max=3600,
               help='Seconds to wait for a host to accept the SSH '
                    'connection (OpenSSH ConnectTimeout), for tenks\' own '
                    'calls and libvirt\'s alike. A host that does not '
                    'answer is reported after this long, before anything '
                    'is changed.'),
    cfg.StrOpt('agent_command',
               default='tenks-host-agent',
               help='Path of the tenks-host-agent command on remote hosts '
                    '(for example /opt/tenks-venv/bin/tenks-host-agent '
                    'when tenks is installed in a virtualenv there). A '
                    'bare name is looked up in the PATH of the remote '
                    'user\'s non-interactive shell. tenks host setup '
                    'installs it there (see agent_venv).'),
    cfg.StrOpt('agent_venv',
               default='/opt/tenks-host-agent',
               help='Virtualenv on remote hosts that tenks host setup '
                    'installs tenks-host-agent into when agent_command is '
                    'the bare name tenks-host-agent; it also links '
                    '/usr/local/bin/tenks-host-agent to it. An '
                    'agent_command of the form VENV/bin/tenks-host-agent '
                    'is installed into VENV instead. tenks only replaces '
                    'a virtualenv it made.'),
    cfg.StrOpt('agent_python',
               default='python3',
               help='Python on remote hosts that tenks host setup makes '
                    'the agent\'s virtualenv with. It must be the Python '
                    'version this tenks runs on when wheels built for this '
                    'machine are among those shipped (host setup checks '
                    'before it changes anything).'),
    cfg.IntOpt('control_persist',
               default=60,
               min=1,
               help='Seconds an idle master connection stays open '
                    '(OpenSSH ControlPersist). tenks closes its masters '
                    'when it exits; this bounds their life when it is '
                    'killed.'),
    cfg.IntOpt('server_alive_interval',
               default=10,
               min=1,
               help='Seconds between two keepalive messages to a host '
                    'that sends nothing (OpenSSH ServerAliveInterval).'),
    cfg.IntOpt('server_alive_count_max',
               default=3,
               min=1,
               help='Keepalive messages a host may leave unanswered '
                    'before its connection is dropped (OpenSSH '
                    'ServerAliveCountMax).'),
    cfg.IntOpt('max_sessions',
               default=8,
               min=1,
               help='SSH sessions tenks has open at once over the master '
                    'connection of one host: its serving host agents '
                    '(tenks-host-agent --serve, one per host call running '
                    'at once) and one-shot commands together. Keep it '
                    'below the host sshd\'s '
                    'MaxSessions (10 by default), which counts libvirt\'s '
                    'session too; OpenSSH opens a connection of its own '
                    'for each session refused.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return opts
