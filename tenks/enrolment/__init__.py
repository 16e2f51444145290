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

"""Ironic enrolment and Nova flavors (entry points in ``tenks.enrolment``).

* :mod:`.base` -- :class:`~.base.Enrolment`, the contract.
* :mod:`.ironic` -- ``ironic``: Ironic nodes and ports, brought to
  ``available``; :mod:`.fields` translates props into Ironic fields and
  patches, :mod:`.states` walks the provision state machine.
* :mod:`.nova` -- ``nova``: flavors, and the wait until Placement offers
  the nodes (:mod:`.placement`).
* :mod:`.cloud` -- the openstacksdk connection both share: clouds.yaml,
  retries, one-line errors.
"""
