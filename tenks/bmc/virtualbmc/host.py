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

"""Host side of the virtualbmc emulator: what the plugin calls.

These functions run on the hypervisor's host, called by reference through
its agent (``agent.call(host.ensure_bmc, ...)``, see
:mod:`tenks.hosts.calls`). Each takes a *service* dict (see
:func:`tenks.bmc.virtualbmc.daemon.service_args`) and hands the work to
the daemon that serves it (:func:`~tenks.bmc.virtualbmc.daemon.
for_service`). Arguments and results are JSON; a BMC entry that is not
tenks' raises :class:`tenks.exception.ResourceConflict` having changed
nothing.
"""

from tenks.bmc.virtualbmc import daemon
from tenks.hosts import calls


@calls.exposed
def ensure_service(service):
    """Make the IPMI daemon of ``service`` run.

    :returns: ``{'pid', 'started'}``.
    """
    return daemon.for_service(service).ensure()


@calls.exposed
def service_status(service):
    """What runs for ``service`` (see :meth:`.daemon.Daemon.status`)."""
    return daemon.for_service(service).status()


@calls.exposed
def stop_service(service, cluster=None, force=False):
    """Stop the service's daemon and remove its files.

    Once it serves no BMC (see :meth:`.daemon.Daemon.stop`).
    """
    return daemon.for_service(service).stop(cluster, force)


@calls.exposed
def ensure_bmc(service, cluster, domain, address, port, username, password,
               libvirt_uri, adopt=False):
    """Make ``service`` serve an IPMI BMC for domain ``domain``.

    :param cluster: the tenks cluster; an entry made by another cluster is
        a conflict, and so is one without tenks' mark unless ``adopt``.
    :returns: ``{'changed': bool, 'pid': daemon pid}``.
    """
    return daemon.for_service(service).add(
        domain, address, port, username, password, libvirt_uri, cluster,
        adopt)


@calls.exposed
def delete_bmc(service, cluster, domain, adopt=False):
    """Stop and remove ``domain``'s BMC if it is tenks'.

    :param adopt: tenks began making or removing this BMC in a run that
        did not finish: an entry without a mark is taken as tenks'.
    :returns: ``{'deleted': bool, 'stopped': bool, 'kept': why the daemon
        still runs, or None}``.
    """
    return daemon.for_service(service).remove(domain, cluster, adopt)


@calls.exposed
def list_bmcs(service):
    """The BMC entries of ``service``.

    :returns: ``{domain: {'owner', 'port', 'address', 'served'}}``.
    """
    return daemon.for_service(service).entries()
