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

"""What serves the IPMI BMCs of a site: one interface, three kinds.

A *service* is described by a dict (see :func:`service_args`)::

    run_dir      directory of its files (private to tenks)
    server_port  vbmcd's control port on 127.0.0.1
    log_file     where the daemon logs
    mode         how tenks runs it: 'embedded' or 'vbmcd'
    managed      False: someone else runs a vbmcd on server_port

and served by a :class:`Daemon`: tenks' embedded server
(:mod:`.embedded`), VirtualBMC's vbmcd run by tenks (:mod:`.vbmcd`), or a
vbmcd someone else runs (:mod:`.external`). :func:`for_service` picks
one; nothing else depends on which.
"""

import abc

from tenks import exception


class BMCHostError(exception.TenksError):
    """The IPMI daemon or one of its BMCs cannot be made to work."""


def service_args(props, mode):
    """The service dict of a ``bmc`` or ``bmc_service`` record's props."""
    return {'run_dir': props['run_dir'],
            'server_port': props['server_port'],
            'log_file': props['log_file'],
            'mode': mode,
            'managed': props.get('managed', True)}


class Daemon(object, metaclass=abc.ABCMeta):
    """The daemon serving one service's IPMI BMCs (host side).

    Results are JSON-able; a resource that is not tenks' raises
    :class:`tenks.exception.ResourceConflict` having changed nothing.
    """

    def __init__(self, service):
        self.service = service
        self.run_dir = service['run_dir']
        self.server_port = service['server_port']
        self.log_file = service['log_file']

    @abc.abstractmethod
    def ensure(self):
        """Make the daemon run.

        :returns: ``{'pid', 'started'}``.
        :raises BMCHostError: it cannot be started (or reached).
        """

    @abc.abstractmethod
    def status(self):
        """What runs.

        :returns: ``{'state', 'detail', 'pid', 'entries', 'files'}``;
            state is 'running' (answering, as configured), 'foreign'
            (someone else holds what it needs), 'stopped' (files or
            entries but no healthy daemon) or 'absent'.
        """

    @abc.abstractmethod
    def stop(self, cluster=None, force=False):
        """Stop the daemon and remove its files, once it serves nothing.

        :param cluster: the cluster asking; entries of its own (or without
            a mark) that remain are a conflict, others keep it running.
        :returns: ``{'stopped': bool, 'kept': reason or None}``.
        """

    @abc.abstractmethod
    def add(self, domain, address, port, username, password, libvirt_uri,
            cluster, adopt=False):
        """Serve an IPMI BMC for ``domain`` (an entry that matches is kept).

        :returns: ``{'changed': bool, 'pid': daemon pid or None}``.
        """

    @abc.abstractmethod
    def remove(self, domain, cluster, adopt=False):
        """Stop serving ``domain`` and remove its entry, if it is tenks'.

        The daemon stops with its last entry.

        :returns: ``{'deleted': bool, 'kept': reason or None, 'stopped':
            bool}``.
        """

    @abc.abstractmethod
    def entries(self):
        """The BMC entries.

        :returns: ``{domain: {'owner', 'port', 'address', 'served'}}``;
            ``owner`` is the cluster that made it, or None.
        """


def for_service(service):
    """The :class:`Daemon` of ``service``."""
    from tenks.bmc.virtualbmc import embedded
    from tenks.bmc.virtualbmc import external
    from tenks.bmc.virtualbmc import vbmcd
    if not service.get('managed', True):
        return external.ExternalVbmcd(service)
    kinds = {'embedded': embedded.EmbeddedServer, 'vbmcd': vbmcd.Vbmcd}
    try:
        return kinds[service['mode']](service)
    except KeyError:
        raise BMCHostError('unknown [vbmc] mode %r (known: %s)' % (
            service.get('mode'), ', '.join(sorted(kinds))))
