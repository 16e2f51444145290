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

"""A toy BMC emulator, added in this one folder.

It shows what adding an emulator takes: one class (:mod:`.emulator`) that
declares what it needs and fills in its own BMC fields, injected through
``tenks.cli.app.main(argv, plugin_classes)`` (an installed one would name
it in ``setup.cfg``'s ``tenks.bmc`` entry points instead). The core names
no emulator, so ``tenks deploy``, ``node list``, ``node power``,
``export`` and ``teardown`` serve it unchanged (:mod:`.test_toy_bmc`).
"""
