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

"""Inventory exporters (entry points in ``tenks.exporters``).

* :mod:`.base` -- :class:`~.base.Exporter`, the contract, and what every
  format shares.
* :mod:`.bifrost` -- Bifrost's JSON inventory.
* :mod:`.ironic` -- the nodes file of ``openstack baremetal create``.
* :mod:`.devstack` -- DevStack's ``ironic_macs.csv``.
* :mod:`.json_export` -- ``json``: tenks' own view.

Each renders the :class:`tenks.nodeview.ClusterView` it is given.
"""
