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

"""``tenks host setup``: make a host ready to be a tenks hypervisor.

It installs (apt or dnf) and starts what a hypervisor needs: libvirt and
QEMU, UEFI firmware (OVMF), and Open vSwitch when the bridge type is
openvswitch. Daemons are started through systemd where it runs the host,
and directly otherwise (containers, CI machines). ``/dev/kvm`` gets the
mode udev would give it. Every step first checks, so a second run does
nothing; with a dry run only the checks run.

All work goes through the host's :class:`tenks.hosts.base.HostAgent` as
argument lists, so the same steps serve this host and remote ones, and
nothing on the host needs tenks installed.

On a remote host it then installs ``tenks-host-agent`` at this tenks'
version, from wheels made here and shipped over SSH.

Modules: :mod:`.platform` (what a host runs and needs), :mod:`.steps`
(each step: check, then act), :mod:`.setup` (the steps of each host, in
order), :mod:`.agent` (the remote host's agent: decide, then install)
and :mod:`.wheelhouse` (the wheels of this tenks' environment).
"""
