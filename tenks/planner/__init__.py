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

"""The planner: pure functions from (spec, state, facts, observations) to
a plan.

Nothing here does I/O; what it needs from the world (capacity facts, what
exists) is gathered by :mod:`tenks.workflow` and passed in as values.

* :mod:`.reconcile` -- the entry points: a deploy plan, a teardown plan.
* :mod:`.allocate` -- which nodes exist, their names, UUIDs, MACs, BMC
  ports and hypervisors (the scheduler places new ones).
* :mod:`.desired` -- the resources that realise the nodes; plugins say
  what their resources hold.
* :mod:`.diff` -- desired versus recorded (and observed): the actions.
* :mod:`.plan` -- the ordered actions and their dependencies.
* :mod:`.kinds` -- what a resource kind is.
* :mod:`.naming` -- Tenks-compatible names.
"""
