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

"""Where host-level work runs: this host, or a remote hypervisor host.

Bridges, veths and BMC emulators live on the hypervisor's host. Plugins
never run commands or touch the host directly; they ask the
:class:`~tenks.hosts.base.HostAgent` of their hypervisor.

* :mod:`.base` -- the agent contract.
* :mod:`.local` -- this host; :mod:`.ssh` -- a remote one, through
  :mod:`.agent_main` (``tenks-host-agent``) there.
* :mod:`.sshconfig` -- one SSH identity per remote host, as an OpenSSH
  client configuration that libvirt's ssh transport reads too;
  :mod:`.sshsession` -- its files and master connections for one run;
  :mod:`.preflight` -- whether every remote host can be worked on.
* :mod:`.calls` -- which host-side functions a host runs, and how a call
  and its errors travel.
* :mod:`.context` -- what a plugin knows about its hypervisor.
* :mod:`.procs`, :mod:`.files` -- host-side helpers for the daemons tenks
  runs: processes, and private files.
"""
