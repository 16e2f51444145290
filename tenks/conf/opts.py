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

"""Options of every group, for oslo-config-generator and the docs."""

from tenks.conf import default
from tenks.conf import filter_scheduler
from tenks.conf import ironic
from tenks.conf import libvirt
from tenks.conf import network
from tenks.conf import nova
from tenks.conf import redfish
from tenks.conf import ssh
from tenks.conf import vbmc


def list_opts():
    """Return ``[(group, opts), ...]`` for oslo-config-generator."""
    return [
        ('DEFAULT', default.list_opts()),
        (libvirt.group, libvirt.list_opts()),
        (network.group, network.list_opts()),
        (vbmc.group, vbmc.list_opts()),
        (redfish.group, redfish.list_opts()),
        (ironic.group, ironic.list_opts()),
        (nova.group, nova.list_opts()),
        (filter_scheduler.group, filter_scheduler.list_opts()),
        (ssh.group, ssh.list_opts()),
    ]
