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

"""The ``virtualbmc`` BMC emulator: IPMI BMCs from VirtualBMC.

Modules:

* :mod:`.plugin` -- :class:`~.plugin.VirtualBMC`, the ``tenks.bmc``
  plugin: the resources it needs (pure) and how they are made.
* :mod:`.host` -- the host-side functions the plugin calls through the
  hypervisor's host agent.
* :mod:`.daemon` -- what serves a site's BMCs, one interface
  (:class:`~.daemon.Daemon`) for three kinds:

  * :mod:`.embedded` -- tenks' own single-process server (the default);
  * :mod:`.vbmcd` -- VirtualBMC's vbmcd, run by tenks;
  * :mod:`.external` -- a vbmcd someone else runs;

  the first two share :mod:`.managed` (files, processes, ownership).
* :mod:`.entries` -- VirtualBMC's files and tenks' ownership marks.
* :mod:`.server` -- the embedded server process itself.
* :mod:`.run_vbmcd` -- runs vbmcd in the foreground with its config.
* :mod:`.vbmcd_client` -- vbmcd's control protocol.
* :mod:`.ipmi` -- the IPMI client (``ipmitool``) for ``node power`` and
  ``verify``.
"""
