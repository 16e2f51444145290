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

"""The enrolment contract: registering nodes with the cloud.

An enrolment driver serves the cloud, not a hypervisor (its instances get
``hypervisor=None``), and manages the cloud-side kinds of
:mod:`tenks.planner.kinds` (``ironic_node``, ``flavor``,
``placement_wait``). Like every plugin it has a pure half, which the
planner calls to build the props of its resources from the allocation
(so the Ironic and Nova fields live with the driver that writes them),
and an impure half, which the executor calls.

Rules for the impure half are those of
:mod:`tenks.resource_driver`; the cloud's resources carry tenks' mark in
a field of their own (Ironic ``extra``, a flavor extra spec).
"""

from tenks import resource_driver


class Enrolment(resource_driver.ResourceDriver):
    """Base class of enrolment drivers."""

    #: The option group (``tenks.conf``) the driver reads.
    options_group = None
    #: Top-level Tenks spec keys that override its options:
    #: ``{key: option}``, with :attr:`key_schema`.
    spec_options = {}
    key_schema = {}

    @classmethod
    def options(cls, settings):
        return settings.options(cls.options_group)
