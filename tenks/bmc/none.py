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

"""No BMC: for drivers such as fake-hardware or manual-management."""

from tenks.bmc import base
from tenks import exception


class NoBMC(base.BMCEmulator):
    """Nodes without a BMC; the planner makes no BMC resources for them."""

    kinds = ()

    @classmethod
    def bmc_props(cls, node, hypervisor, site, settings):
        return None

    @classmethod
    def driver_info(cls, props):
        return {}

    # The planner makes no resources for these nodes, so there is nothing
    # to create, change or delete.
    def create_bmc(self, record):
        return None

    def update_bmc(self, old, record):
        return None

    def delete_bmc(self, record):
        return None

    def power(self, props, action):
        raise exception.TenksError('this node has no BMC')
