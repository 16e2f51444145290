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

"""Network plugins (entry points in ``tenks.networks``).

* :mod:`.base` -- :class:`~.base.Network`, the contract.
* :mod:`.linuxbridge`, :mod:`.openvswitch` -- the plugins; what they
  share is :mod:`.common`.
* :mod:`.linux` -- the host side: ensure and delete links (host calls).
* :mod:`.netlink` -- the netlink requests :mod:`.linux` makes (pyroute2).
* :mod:`.ovs` -- Open vSwitch through ``ovs-vsctl``.
* :mod:`.uplink` -- what a bridge's uplink is.
* :mod:`.marks` -- tenks' marks on links and OVS records.
"""
