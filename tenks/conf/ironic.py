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
               help='Seconds to wait for a node to reach "available".'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return opts
