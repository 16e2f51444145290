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

"""tenks: virtual bare-metal clusters for OpenStack development and CI.

Following a run from the command line to the host:

* :mod:`tenks.cli` -- the ``tenks`` commands (cliff); each calls
  :mod:`tenks.workflow`, the one door.
* :mod:`tenks.workflow` -- every command's steps: load the spec
  (:mod:`tenks.spec`) and state (:mod:`tenks.state`), gather facts, plan
  (:mod:`tenks.planner`, pure), check what exists (:mod:`tenks.refresh`,
  :mod:`tenks.observation`) and what the hypervisors can honour
  (:mod:`tenks.support`), apply (:mod:`tenks.executor`).
* :mod:`tenks.plugins` -- the plugin catalog (stevedore) and a run's
  drivers: :mod:`tenks.providers` (VMs, volumes, pools),
  :mod:`tenks.networks` (bridges, node links), :mod:`tenks.bmc` (BMC
  emulators), :mod:`tenks.enrolment` (Ironic, Nova),
  :mod:`tenks.schedulers` and :mod:`tenks.exporters`; their contract is
  :mod:`tenks.resource_driver`.
* :mod:`tenks.hosts` -- where host work runs (this host or over SSH), and
  host-side helpers; :mod:`tenks.hostsetup` installs what hosts need.

Shared pieces: :mod:`tenks.context` (one invocation), :mod:`tenks.settings`
(the settings snapshot), :mod:`tenks.conf` (options), :mod:`tenks.nodeview`
(what tenks says about a node), :mod:`tenks.bmc_requests` (speaking to
many BMCs), :mod:`tenks.progress`, :mod:`tenks.secrets`,
:mod:`tenks.fileio` (the atomic writer), :mod:`tenks.faults` (crash
points for tests), :mod:`tenks.exception`, :mod:`tenks.devstack_spec`
(``tenks-devstack-spec``) and :mod:`tenks.version`.
"""
