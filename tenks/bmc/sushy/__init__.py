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

"""The ``sushy_tools`` BMC emulator: Redfish BMCs from sushy-tools.

Modules:

* :mod:`.plugin` -- :class:`~.plugin.SushyTools`, the ``tenks.bmc``
  plugin: one emulator per hypervisor, a system per node.
* :mod:`.host` -- the host-side functions the plugin calls through the
  hypervisor's host agent: write the emulator's files, run it.
* :mod:`.config` -- the emulator's configuration file, and the firmware
  it uses.
* :mod:`.htpasswd` -- the users of its HTTP basic auth.
* :mod:`.redfish` -- the Redfish client for ``node power`` and
  ``verify``.
"""
