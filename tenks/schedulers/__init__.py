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

"""Schedulers (entry points in ``tenks.schedulers``): where new nodes go.

* :mod:`.base` -- :class:`~.base.Scheduler`, the contract, and the host
  and request views it works on.
* :mod:`.round_robin` -- ``round_robin``, as Tenks does it.
* :mod:`.filter` -- ``filter``: capacity aware, with :mod:`.filters` and
  :mod:`.weighers`.
"""
