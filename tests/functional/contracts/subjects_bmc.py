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

"""Subjects of ``tenks.bmc``: ``virtualbmc`` and ``sushy_tools``.

The records are a one-node cluster's; the node's domain is a tiny TCG
domain defined directly (never started), as in ``tests/functional/bmc``.
What a rival is differs by kind:

* virtualbmc ``bmc`` (both modes): an entry of the node's name in tenks'
  IPMI daemon's directory without tenks' mark (what ``vbmc add`` by
  someone else, or a run killed between vbmcd's add and tenks' mark,
  leaves). The entry's cluster is the driver's ``cluster_name``, so
  another cluster's entry is made by another cluster's driver
  (``driver_of``).
* a ``bmc_service``: a process of someone else's listening on the port
  the service needs (vbmcd's control port, the Redfish port); nothing
  can stand in the embedded IPMI server's way (it has no such port).
* sushy-tools ``bmc``: makes nothing; it checks that the emulator (made
  by the service) serves the node.
"""

import os
import shutil
import socket

import libvirt
import requests

from tenks.bmc.sushy import host as sushy_host
from tenks.bmc.virtualbmc import entries
from tenks import conf as conf_mod
from tenks.hosts import procs
from tests.functional.bmc import helpers as bh
from tests.functional.contracts import common
from tests.functional import specs


class _BMC(common.RealSubject):
    """A BMC resource of a one-node cluster whose domain is defined."""

    namespace = 'tenks.bmc'
    fixtures = ('tenks_env', 'libvirtd')
    #: The node type's ironic_driver.
    ironic_driver = None

    def __init__(self, request):
        super().__init__(request)
        self._listener = None
        self.conn = libvirt.open(common.URI)
        self.on_close(self.conn.close)

    def setup(self):
        domain = next(r for r in self.planned.values()
                      if r.kind == 'domain')
        self.on_close(self._undefine, domain.props['name'])
        self.conn.defineXML(bh.DOMAIN_XML % domain.props)

    def _undefine(self, name):
        try:
            dom = self.conn.lookupByName(name)
        except libvirt.libvirtError:
            return
        if dom.isActive():
            dom.destroy()
        dom.undefine()

    def spec(self):
        return specs.text(
            {'node': specs.node_type(ironic_driver=self.ironic_driver)},
            [specs.entry('node', 1)])

    def mark(self, props, cluster):
        pass           # BMC props do not name a cluster

    def service_record(self):
        return next(r for r in self.planned.values()
                    if r.kind == 'bmc_service')

    def run_dir(self):
        return self.service_record().props['run_dir']

    # -- a port held by someone else ------------------------------------

    def hold(self, port):
        """Listen on TCP 127.0.0.1:``port`` until the test ends."""
        self._listener = socket.socket()
        self.on_close(self._listener.close)
        self._listener.bind(('127.0.0.1', port))
        self._listener.listen()

    @staticmethod
    def port_held(port):
        return bool(procs.port_owners('tcp', port, '127.0.0.1'))


class _Service(_BMC):
    """An emulator's service: a daemon and its files in its run_dir.

    It exists while its files, a process started with them
    (``processes()``, of the emulator's class) or a listener on its port
    (:attr:`port_prop`) is there.
    """

    kind = 'bmc_service'
    rival = 'obstacle'
    #: The record's prop naming the TCP port it needs, or None.
    port_prop = None

    def make_foreign(self, record):
        self.hold(record.props[self.port_prop])

    def exists(self, record):
        run_dir = record.props['run_dir']
        return bool(os.path.isdir(run_dir) or self.processes() or (
            self.port_prop and self.port_held(record.props[self.port_prop])))

    def cleanup(self, record):
        if self._listener is not None:
            self._listener.close()
        common.quietly(self.driver.delete, self.kind, record)


# -- virtualbmc -------------------------------------------------------------

class _VirtualBMC(_BMC):
    plugin = 'virtualbmc'
    ironic_driver = 'ipmi'
    mode = None

    @property
    def extra_conf(self):
        return '[vbmc]\nmode = %s\n' % self.mode

    def processes(self):
        return procs.find_by_args('--config', entries.conf_path(
            self.run_dir()))


class VirtualBMCService(_Service, _VirtualBMC):
    """tenks' vbmcd: a rival holds its control port."""

    mode = 'vbmcd'
    port_prop = 'server_port'


class EmbeddedService(_Service, _VirtualBMC):
    """tenks' embedded IPMI server: it needs no port of its own."""

    mode = 'embedded'
    rival = None


class _VirtualBMCEntry(_VirtualBMC):
    """A node's vbmc entry, in tenks' daemon's directory.

    A rival is an entry without tenks' mark, written into the directory of
    tenks' (running) daemon, with other credentials.
    """

    kind = 'bmc'

    def driver_of(self, cluster):
        path = os.path.join(self.env.root, '%s.conf' % cluster)
        with open(path, 'w') as f:
            f.write('[DEFAULT]\ncluster_name = %s\n' % cluster)
        return self.new_driver(conf_mod.new_conf(
            [self.env.config_file, path]))

    def entry_dir(self, record):
        return entries.entry_dir(record.props['run_dir'],
                                 record.props['domain'])

    def make_foreign(self, record):
        props = record.props
        self.driver.create('bmc_service', self.service_record())
        os.makedirs(self.entry_dir(record))
        with open(os.path.join(self.entry_dir(record), 'config'), 'w') as f:
            f.write(entries.entry_text(props['domain'], props['address'],
                                       props['port'], 'someone', 'else',
                                       props['libvirt_uri']))

    def exists(self, record):
        return os.path.isdir(self.entry_dir(record))

    def cleanup(self, record):
        shutil.rmtree(self.entry_dir(record), ignore_errors=True)
        common.quietly(self.driver.delete, 'bmc_service',
                       self.service_record())


class VirtualBMCEntry(_VirtualBMCEntry):
    mode = 'vbmcd'


class EmbeddedEntry(_VirtualBMCEntry):
    mode = 'embedded'


# -- sushy-tools ------------------------------------------------------------

class _Sushy(_BMC):
    plugin = 'sushy_tools'
    ironic_driver = 'redfish'

    def processes(self):
        return procs.find_by_args(sushy_host.MODULE, os.path.join(
            self.run_dir(), 'emulator.conf'))


class SushyService(_Service, _Sushy):
    """sushy-emulator: a rival holds its Redfish port."""

    port_prop = 'port'


class SushySystem(_Sushy):
    """A node's Redfish system: a check that the emulator serves it.

    What it relies on is the emulator, made by its ``bmc_service``.
    """

    kind = 'bmc'
    makes_nothing = True

    def provide(self, record):
        self.driver.create('bmc_service', self.service_record())

    def exists(self, record):
        props = record.props
        try:
            response = requests.get(
                'http://127.0.0.1:%d/redfish/v1/Systems' % props['port'],
                auth=(props['username'], props['password']), timeout=10)
        except requests.RequestException:
            return False
        if response.status_code != 200:
            return False
        members = response.json().get('Members') or ()
        return props['system_id'] in [m.get('@odata.id', '').rstrip('/')
                                      for m in members]

    def make_foreign(self, record):
        raise AssertionError('nothing can be a rival of a Redfish system')

    def cleanup(self, record):
        common.quietly(self.driver.delete, 'bmc_service',
                       self.service_record())


SUBJECTS = {'virtualbmc-vbmcd-bmc_service': VirtualBMCService,
            'virtualbmc-embedded-bmc_service': EmbeddedService,
            'virtualbmc-vbmcd-bmc': VirtualBMCEntry,
            'virtualbmc-embedded-bmc': EmbeddedEntry,
            'sushy_tools-bmc_service': SushyService,
            'sushy_tools-bmc': SushySystem}
