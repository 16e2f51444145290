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

"""The ``tenks`` command line (cliff).

* :mod:`.app` -- the application: options, logging, the context.
* :mod:`.base`, :mod:`.columns`, :mod:`.plan_output` -- what commands
  share: exit status, formattable columns, plan rows.
* One module per command (group): :mod:`.deploy`, :mod:`.teardown`,
  :mod:`.validate`, :mod:`.status`, :mod:`.node` (list, show),
  :mod:`.node_power`, :mod:`.node_console`, :mod:`.verify`,
  :mod:`.hypervisor`, :mod:`.export`,
  :mod:`.host_setup`.

Commands only parse arguments and shape output; the work is
:mod:`tenks.workflow`'s.
"""
