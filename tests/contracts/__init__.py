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

"""Plugin contracts, written once, checked against every implementation.

``ownership``
    The rules of :mod:`tenks.resource_driver` (tenks never takes over or
    deletes what it did not create): checks that take a :class:`Subject`,
    which knows how to make one resource of one plugin, and how to make
    a resource of the same name that tenks did not.

The unit suite (``tests/unit/contracts``) runs them against plugins that
need no daemon; the functional suite (``tests/functional/contracts``)
against the real ones.
"""
