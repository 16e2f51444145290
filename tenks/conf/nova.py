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

group = cfg.OptGroup('nova', title='Nova flavor options',
                     help='How tenks creates Nova flavors and waits for '
                          'Placement.')

opts = [
    cfg.StrOpt('cloud',
               help='Cloud name in clouds.yaml for Nova and Placement. '
                    'Unset uses [ironic] cloud, then OS_CLOUD.'),
    cfg.BoolOpt('wait_for_placement',
                default=True,
                help='After enrolment, wait until Placement shows the '
                     'resource class inventory of the new nodes. Skipped '
                     'when the cloud has no placement service. A spec\'s '
                     'wait_for_placement wins.'),
    cfg.IntOpt('placement_timeout',
               default=300,
               min=1,
               help='Seconds to wait for Placement inventory.'),
    cfg.FloatOpt('placement_poll_interval',
                 default=10.0,
                 min=0.1,
                 help='Seconds between two looks at Placement while '
                      'waiting for inventory.'),
    cfg.IntOpt('api_timeout',
               default=60,
               min=1,
               help='Seconds one Nova or Placement API request may take. '
                    'An endpoint that does not answer in time is reported '
                    'as unreachable.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return opts
