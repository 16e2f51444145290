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

"""Test-local BMCs for the Ironic enrolment tests.

Tiny libvirt domains (TCG, 128 MiB, one vCPU, no disk) defined with
libvirt-python, a private ``vbmcd`` with one ``vbmc`` per IPMI domain, and
a private ``sushy-emulator`` for Redfish domains: the real emulators, run
directly so these tests do not depend on tenks' own BMC plugins. Every
name carries the test's token, every port is free, and :meth:`close`
removes it all (also when a test fails).
"""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import requests

from tests.functional import env as env_mod
from tests.functional import ironic_fixture

URI = 'qemu:///system'

_DOMAIN_XML = '''<domain type='qemu'>
  <name>%(name)s</name>
  <uuid>%(uuid)s</uuid>
  <metadata>
    <tenks-test xmlns="https://opendev.org/openstack/tenks/test">%(token)s
    </tenks-test>
  </metadata>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os>
  <on_poweroff>destroy</on_poweroff>
  <devices><serial type='pty'/></devices>
</domain>
'''


def _tool(name):
    """A console script of the running Python's environment."""
    here = os.path.join(os.path.dirname(sys.executable), name)
    if os.access(here, os.X_OK):
        return here
    found = shutil.which(name)
    if not found:
        raise RuntimeError('%s is not installed (it comes with the test '
                           'requirements)' % name)
    return found


def _clean_env():
    """The environment without OS_* (sushy-emulator reads OS_CLOUD)."""
    return {k: v for k, v in os.environ.items() if not k.startswith('OS_')}


def _wait(check, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa - not up yet
            pass
        time.sleep(0.2)
    raise RuntimeError('%s did not come up within %ss' % (what, timeout))


def _stop(process):
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


class Domains(object):
    """Tiny TCG domains on qemu:///system, all undefined by close()."""

    def __init__(self, token):
        import libvirt
        self.token = token
        self.conn = libvirt.open(URI)
        self.names = []

    def define(self, name, uuid):
        xml = _DOMAIN_XML % {'name': name, 'uuid': uuid,
                             'token': self.token}
        self.conn.defineXML(xml)
        self.names.append(name)

    def state(self, name):
        """'running' or 'shut off' (or the libvirt state number)."""
        import libvirt
        state, _reason = self.conn.lookupByName(name).state()
        return {libvirt.VIR_DOMAIN_RUNNING: 'running',
                libvirt.VIR_DOMAIN_SHUTOFF: 'shut off'}.get(state, state)

    def close(self):
        import libvirt
        for name in self.names:
            try:
                dom = self.conn.lookupByName(name)
            except libvirt.libvirtError:
                continue
            if dom.isActive():
                dom.destroy()
            dom.undefine()
        self.names = []
        self.conn.close()


class VirtualBMCs(object):
    """A private vbmcd and its vbmc entries (IPMI on 127.0.0.1)."""

    def __init__(self, base_dir):
        self.dir = base_dir
        os.makedirs(os.path.join(base_dir, 'conf'), exist_ok=True)
        self.server_port = env_mod.free_tcp_port()
        self.config = os.path.join(base_dir, 'virtualbmc.conf')
        with open(self.config, 'w') as f:
            f.write(textwrap.dedent('''\
                [default]
                config_dir = %(d)s/conf
                pid_file = %(d)s/vbmcd.pid
                server_port = %(port)d
                [log]
                logfile = %(d)s/vbmcd.log
                ''') % {'d': base_dir, 'port': self.server_port})
        self.env = dict(_clean_env(), VIRTUALBMC_CONFIG=self.config)
        self.process = subprocess.Popen(
            [_tool('vbmcd'), '--foreground'], env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=ironic_fixture.die_with_parent)
        _wait(lambda: self._vbmc('list').returncode == 0, 'vbmcd')

    def _vbmc(self, *args):
        return subprocess.run([_tool('vbmc')] + list(args), env=self.env,
                              capture_output=True, text=True, timeout=60)

    def add(self, domain, port, username, password):
        for args in (('add', domain, '--port', str(port), '--address',
                      '127.0.0.1', '--username', username, '--password',
                      password, '--libvirt-uri', URI),
                     ('start', domain)):
            result = self._vbmc(*args)
            if result.returncode != 0:
                raise RuntimeError('vbmc %s: %s' % (' '.join(args),
                                                    result.stderr))

    def close(self):
        _stop(self.process)


class SushyEmulator(object):
    """A private sushy-emulator for the given domains (basic auth)."""

    def __init__(self, base_dir, port, instances, username, password):
        import bcrypt
        os.makedirs(base_dir, exist_ok=True)
        self.port = port
        self.auth = (username, password)
        htpasswd = os.path.join(base_dir, 'htpasswd')
        with open(htpasswd, 'w') as f:
            f.write('%s:%s\n' % (username, bcrypt.hashpw(
                password.encode(), bcrypt.gensalt(4)).decode()))
        config = os.path.join(base_dir, 'sushy.conf')
        with open(config, 'w') as f:
            f.write(textwrap.dedent('''\
                SUSHY_EMULATOR_ALLOWED_INSTANCES = %r
                SUSHY_EMULATOR_AUTH_FILE = %r
                SUSHY_EMULATOR_STORAGE = {}
                SUSHY_EMULATOR_DRIVES = {}
                SUSHY_EMULATOR_VOLUMES = {}
                ''') % (list(instances), htpasswd))
        self.log = open(os.path.join(base_dir, 'sushy.log'), 'ab')
        self.process = subprocess.Popen(
            [_tool('sushy-emulator'), '--config', config, '-i', '127.0.0.1',
             '-p', str(self.port), '--libvirt-uri', URI],
            env=_clean_env(), stdout=self.log, stderr=subprocess.STDOUT,
            preexec_fn=ironic_fixture.die_with_parent)
        url = 'http://127.0.0.1:%d/redfish/v1/Systems' % self.port
        _wait(lambda: requests.get(url, auth=self.auth,
                                   timeout=5).status_code == 200,
              'sushy-emulator')

    def close(self):
        _stop(self.process)
        self.log.close()


class Lab(object):
    """The domains and BMCs behind a set of ``ironic_node`` records.

    :meth:`serve` reads each record's ``driver_info`` (as the planner made
    it from the BMC plugin) and makes it true: a domain with the node's
    name and UUID, and a vbmc on its IPMI port or the sushy-emulator on
    its Redfish port (one emulator, started on the first Redfish node).
    """

    def __init__(self, token, base_dir):
        self.token = token
        self.base_dir = base_dir
        self.domains = Domains(token)
        self.vbmc = None
        self.sushy = None

    def serve(self, records, with_bmc=True):
        redfish = []
        for record in records:
            props = record.props
            info = props['driver_info']
            if props['driver'] not in ('ipmi', 'redfish'):
                continue
            self.domains.define(props['name'], props['uuid'])
            if not with_bmc:
                continue
            if props['driver'] == 'ipmi':
                if self.vbmc is None:
                    self.vbmc = VirtualBMCs(os.path.join(self.base_dir,
                                                         'vbmc'))
                self.vbmc.add(props['name'], info['ipmi_port'],
                              info['ipmi_username'], info['ipmi_password'])
            else:
                redfish.append(props)
        if redfish:
            if self.sushy is not None:
                raise RuntimeError('the sushy-emulator is already running')
            info = redfish[0]['driver_info']
            port = int(info['redfish_address'].rsplit(':', 1)[1])
            self.sushy = SushyEmulator(
                os.path.join(self.base_dir, 'sushy'), port,
                [p['uuid'] for p in redfish], info['redfish_username'],
                info['redfish_password'])

    def add_ipmi(self, record):
        """Give an already defined domain its vbmc."""
        props = record.props
        info = props['driver_info']
        if self.vbmc is None:
            self.vbmc = VirtualBMCs(os.path.join(self.base_dir, 'vbmc'))
        self.vbmc.add(props['name'], info['ipmi_port'],
                      info['ipmi_username'], info['ipmi_password'])

    def close(self):
        for part in (self.sushy, self.vbmc, self.domains):
            if part is not None:
                part.close()
