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

"""Clusters across several hosts: real extra hosts reached over SSH.

Tests here carry the pytest marker ``multihost``
(``tools/run-tests.sh -m multihost`` runs them alone).

* :mod:`.hosts` -- :class:`~.hosts.RemoteHost`: a host of its own on this
  machine (network, mount, PID and UTS namespaces; its own sshd, libvirtd
  and virtlogd), on a test network the controller reaches by SSH only.
* :mod:`.conftest` -- the ``remote_hosts`` fixture (two hosts) and the
  leak checks.
* :mod:`.test_hosts` -- the hosts are real and isolated.
"""
