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

group = cfg.OptGroup('ironic', title='Ironic enrolment options',
                     help='How tenks enrols nodes in Ironic (openstacksdk).')

opts = [
    cfg.StrOpt('cloud',
               help='Cloud name in clouds.yaml for Ironic. Unset uses '
                    'OS_CLOUD. A standalone Ironic needs only '
                    '"auth_type: none" and baremetal_endpoint_override.'),
    cfg.StrOpt('deploy_kernel',
               help='Default deploy kernel (URL or Glance image) of '
                    'enrolled nodes; a spec\'s deploy_kernel wins.'),
    cfg.StrOpt('deploy_ramdisk',
               help='Default deploy ramdisk (URL or Glance image) of '
                    'enrolled nodes; a spec\'s deploy_ramdisk wins.'),
    cfg.IntOpt('wait_timeout',
               default=600,
               min=1,
               help='Seconds to wait for a node to reach "available" '
                    '(manage, then provide, including any cleaning), and '
                    'for a node to reach a state it can be deleted in. A '
                    'node that does not make it in time fails with its '
                    'provision state and Ironic\'s last_error; the other '
                    'nodes go on.'),
    cfg.FloatOpt('poll_interval',
                 default=2.0,
                 min=0.1,
                 help='Seconds between two looks at a node\'s provision '
                      'state while waiting for it.'),
    cfg.IntOpt('api_timeout',
               default=60,
               min=1,
               help='Seconds one Ironic API request may take. An endpoint '
                    'that does not answer in time is reported as '
                    'unreachable.'),
    cfg.IntOpt('concurrency',
               default=0,
               min=0,
               help='How many nodes tenks enrols, updates or deletes in '
                    'Ironic at the same time; 0 leaves it to '
                    '[DEFAULT] max_workers. Lower it to spare a small '
                    'Ironic.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return opts
