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

"""Ironic deploys tenks nodes, and they boot what it gave them.

End-to-end tests (pytest marker ``e2e_boot``): a real standalone Ironic
deploys tenks nodes with its ``ramdisk`` deploy interface, over the
network (IPMI, iPXE) and over Redfish virtual media, BIOS and UEFI; the
node's serial console shows the marker its ramdisk prints.

* :mod:`.assets` -- the kernel, a busybox initramfs and a UEFI ESP image.
* :mod:`.provisioning` -- the provisioning network: a namespace with
  dnsmasq (DHCP for iPXE) and an HTTP server, joined to a tenks
  physical network.
* :mod:`.lab` -- Ironic configured to boot, the nodes, and the steps of a
  deploy.
* :mod:`.test_boot` -- the four paths.
"""
