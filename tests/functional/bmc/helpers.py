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

"""Test-local helpers of the BMC functional tests.

A :class:`BMCWorld` is one test's private tenks environment (token,
config, ports: :class:`tests.functional.env.TenksEnv`) plus what the BMC
plugins need and nothing else: the real planner turns a small spec into
``bmc_service`` and ``bmc`` records, and tiny TCG domains (128 MiB, one
vCPU, no disk, one user-mode NIC to PXE boot from, never started by
the fixture) with the planned names and
UUIDs are defined with libvirt-python, so these tests do not depend on the
libvirt provider. :meth:`BMCWorld.close` stops every emulator, removes the
domains and reports whatever was left (also after a failed test).
"""

import os
import shutil
import signal
import subprocess
import time
import xml.etree.ElementTree as ET

import libvirt

from tenks import conf as conf_mod
from tenks.hosts import context
from tenks.hosts import local
from tenks.planner import reconcile
from tenks import plugins
from tenks.schedulers import round_robin
from tenks import settings as settings_mod
from tenks.spec import load
from tenks.state import model as state_model
from tests.functional import env as env_mod
from tests.functional import specs

URI = 'qemu:///system'
SEED = '5eed' * 8
CATALOG = plugins.Catalog()

DOMAIN_XML = '''<domain type='qemu'>
  <name>%(name)s</name>
  <uuid>%(uuid)s</uuid>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <interface type='user'><model type='virtio'/></interface>
    <serial type='pty'/>
  </devices>
</domain>
'''


def spec_text(ipmi=0, redfish=0, bmc=None):
    """A spec with ``ipmi`` IPMI and ``redfish`` Redfish nodes.

    They have no disks and no networks; ``bmc``, ``(username,
    password)``, sets the credentials of the IPMI node type.
    """
    ipmi_type = specs.node_type(ironic_driver='ipmi')
    if bmc:
        username, password = bmc
        ipmi_type['bmc'] = {'username': username, 'password': password}
    return specs.text(
        {'ipmi': ipmi_type,
         'redfish': specs.node_type(ironic_driver='redfish')},
        [specs.entry('ipmi', ipmi), specs.entry('redfish', redfish)])


def tool(name):
    path = shutil.which(name)
    if not path:
        raise AssertionError('%s is not installed: run tools/install-deps.sh'
                             % name)
    return path


def ipmitool(port, username, password, *command, address='127.0.0.1'):
    """Run the real ipmitool against a BMC; returns the CompletedProcess."""
    argv = [tool('ipmitool'), '-I', 'lanplus', '-H', address, '-p',
            str(port), '-U', username, '-P', password, '-N', '1', '-R', '2']
    return subprocess.run(argv + list(command), capture_output=True,
                          text=True, timeout=60)


def wait_for(check, what, timeout=30):
    """Poll ``check`` until it is true (not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return
        if time.monotonic() >= deadline:
            raise AssertionError('%s: not within %ss' % (what, timeout))
        time.sleep(0.2)


def _ancestors():
    pids = set()
    pid = os.getpid()
    while pid > 1:
        pids.add(pid)
        try:
            with open('/proc/%d/stat' % pid) as f:
                pid = int(f.read().rsplit(')', 1)[1].split()[1])
        except OSError:
            break
    return pids


def token_processes(token):
    """``{pid: command line}`` of live processes mentioning ``token``.

    Every emulator started from a test's files does. This test process and
    its ancestors do not count.
    """
    out = {}
    mine = _ancestors()
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) in mine:
            continue
        try:
            with open('/proc/%s/cmdline' % entry, 'rb') as f:
                argv = f.read().split(b'\0')
            with open('/proc/%s/stat' % entry) as f:
                zombie = f.read().rsplit(')', 1)[1].split()[0] == 'Z'
        except OSError:
            continue
        line = b' '.join(argv).decode('utf-8', 'replace').strip()
        if token in line and not zombie:
            out[int(entry)] = line
    return out


class BMCWorld(object):
    """One test's BMCs: config, planned records, domains, drivers."""

    def __init__(self, tmp_path, extra_conf=''):
        self.env = env_mod.TenksEnv(str(tmp_path), extra_conf=extra_conf)
        self.token = self.env.token
        self.conf = conf_mod.new_conf([self.env.config_file])
        self.settings = settings_mod.Settings.from_conf(self.conf)
        self.conn = libvirt.open(URI)
        self.hypervisor = context.HypervisorContext(
            name='localhost', libvirt_uri=URI, agent=local.LocalAgent())
        self.records = {}
        self.domains = {}
        self._drivers = {}

    # -- planning -----------------------------------------------------------

    def plan(self, text, reconf=None):
        """Plan ``text`` with the real planner; define new nodes' domains.

        Returns ``{key: ResourceRecord}`` of the BMC resources.

        :param reconf: extra configuration text for this plan (e.g. other
            credentials), as a new config file.
        """
        conf = self.conf
        if reconf:
            path = os.path.join(self.env.root, 'reconf.conf')
            with open(path, 'w') as f:
                f.write(reconf)
            conf = conf_mod.new_conf([self.env.config_file, path])
            self.conf = conf
            self.settings = settings_mod.Settings.from_conf(conf)
            self._drivers = {}
        spec = load.parse_spec(text, self.settings, source='bmc-spec.yaml',
                               base_dir=self.env.root)
        state = state_model.State(cluster=self.token, seed=SEED)
        for record in self.records.values():
            state.resources[record.key] = record
        desired = reconcile.desired_state(
            spec, state, SEED, round_robin.RoundRobinScheduler(conf),
            CATALOG)
        for record in desired.resources.values():
            if record.kind == 'domain' and \
                    record.props['name'] not in self.domains:
                self.define(record.props['name'], record.props['uuid'])
        self.records = {k: r for k, r in desired.resources.items()
                        if r.kind in ('bmc', 'bmc_service')}
        return self.records

    def of(self, kind, emulator=None):
        return [r for r in self.records.values()
                if r.kind == kind and (emulator is None or
                                       r.driver == emulator)]

    def bmc(self, name):
        return self.records['bmc:%s' % name]

    def define(self, name, uuid):
        assert self.token in name
        dom = self.conn.defineXML(DOMAIN_XML % {'name': name, 'uuid': uuid})
        self.domains[name] = dom
        return dom

    def driver(self, emulator):
        if emulator not in self._drivers:
            self._drivers[emulator] = CATALOG.cls('tenks.bmc', emulator)(
                self.conf, self.hypervisor)
        return self._drivers[emulator]

    def create_all(self):
        """Create the services, then the BMCs (the executor's order)."""
        outputs = {}
        for kind in ('bmc_service', 'bmc'):
            for record in self.of(kind):
                outputs[record.key] = self.driver(record.driver).create(
                    kind, record)
        return outputs

    def delete_all(self):
        for kind in ('bmc', 'bmc_service'):
            for record in self.of(kind):
                self.driver(record.driver).delete(kind, record)

    # -- looking at the world -------------------------------------------------

    def active(self, name):
        return bool(self.domains[name].isActive())

    def boot_dev(self, name):
        """The boot device of the domain's persistent definition."""
        tree = ET.fromstring(self.domains[name].XMLDesc(
            libvirt.VIR_DOMAIN_XML_INACTIVE))
        boot = tree.find('os/boot')
        return boot.get('dev') if boot is not None else None

    def first_boot_device(self, name):
        """The device tag with ``<boot order='1'/>``, if any.

        That is the per-device boot order sushy-tools sets.
        """
        tree = ET.fromstring(self.domains[name].XMLDesc(
            libvirt.VIR_DOMAIN_XML_INACTIVE))
        for device in tree.find('devices'):
            boot = device.find('boot')
            if boot is not None and boot.get('order') == '1':
                return device.tag
        return None

    def processes(self):
        return token_processes(self.token)

    # -- clean-up -------------------------------------------------------------

    def close(self):
        """Remove everything; returns what had to be removed by force.

        Anything beyond what the drivers' own deletes removed is a leak.
        """
        errors = []
        try:
            self.delete_all()
        except Exception as exc:  # noqa - clean up the rest, then report
            errors.append('driver delete failed: %s' % exc)
        leaks = ['process %s' % line for line in self.processes().values()]
        for pid in self.processes():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for dom in self.domains.values():
            try:
                if dom.isActive():
                    dom.destroy()
                dom.undefine()
            except libvirt.libvirtError:
                pass
        leaks += env_mod.sweep(self.token)
        self.conn.close()
        return errors + leaks
