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

group = cfg.OptGroup('filter_scheduler', title='Filter scheduler options',
                     help='Filters and weighers of the capacity-aware '
                          '"filter" scheduler.')

FILTERS = ('physnet', 'bmc_port', 'ram', 'vcpu', 'disk')
WEIGHERS = ('ram', 'vcpu', 'disk', 'node_count')

opts = [
    cfg.ListOpt('enabled_filters',
                default=list(FILTERS),
                item_type=cfg.types.String(choices=FILTERS),
                help='Filters a hypervisor must pass to host a node.'),
    cfg.FloatOpt('ram_allocation_ratio',
                 default=1.0,
                 min=0.0,
                 help='Default virtual to physical RAM ratio of '
                      'hypervisors (a hypervisor in the spec may set its '
                      'own).'),
    cfg.FloatOpt('cpu_allocation_ratio',
                 default=16.0,
                 min=0.0,
                 help='Default virtual to physical CPU ratio.'),
    cfg.FloatOpt('disk_allocation_ratio',
                 default=1.0,
                 min=0.0,
                 help='Default virtual to physical disk ratio.'),
    cfg.FloatOpt('ram_weight_multiplier',
                 default=1.0,
                 help='Weight of free RAM (as a share of capacity): '
                      'positive spreads nodes, negative packs them.'),
    cfg.FloatOpt('vcpu_weight_multiplier',
                 default=0.0,
                 help='Weight of free vCPUs (as a share of capacity).'),
    cfg.FloatOpt('disk_weight_multiplier',
                 default=0.0,
                 help='Weight of free disk (as a share of capacity).'),
    cfg.FloatOpt('node_count_weight_multiplier',
                 default=1.0,
                 help='Weight of how few nodes a hypervisor has; positive '
                      'spreads, negative packs. It also spreads nodes over '
                      'hypervisors whose capacity is unknown.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return opts
