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

"""The boot lab: Ironic set up to deploy, tenks nodes, and a deploy's
steps, timed.

One lab serves a test module: a standalone Ironic whose ``ipxe`` and
``redfish-virtual-media`` boot interfaces work (``http_url`` on the
provisioning network, ``external_http_url`` on loopback for the Redfish
emulator, Debian's isolinux, an ESP image for UEFI ISOs), an HTTP server
of its ``http_root`` on loopback, the provisioning network, and a tenks
cluster of one node per (boot path, firmware), enrolled with the
``ramdisk`` deploy interface.
"""

import os
import shutil
import time

import pytest
import yaml

from tests.functional.boot import assets
from tests.functional.boot import provisioning
from tests.functional import env as env_mod
from tests.functional import ironic_fixture

#: The boot paths, and each node type's name in the example.
PATHS = (('pxe', 'bios'), ('pxe', 'uefi'), ('vmedia', 'bios'),
         ('vmedia', 'uefi'))
#: The spec of doc/source/deploying.rst, which the tests deploy.
EXAMPLE = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir,
                       os.pardir, 'etc', 'tenks', 'examples',
                       'ironic-boot.yaml')
#: Bounds of each wait (TCG on two shared cores; a deploy takes ~30 s).
ACTIVE_TIMEOUT = 300
BOOT_TIMEOUT = 300
UNDEPLOY_TIMEOUT = 300

IRONIC_CONF = '''
[DEFAULT]
isolinux_bin = %(isolinux)s
ldlinux_c32 = %(ldlinux)s
esp_image = %(esp)s
tempdir = %(tmp)s

[conductor]
# Each Redfish call costs Ironic 39 ~0.9 s of CPU: sync seldom.
sync_power_state_interval = 60

[deploy]
http_url = %(http_url)s
external_http_url = %(external_url)s

[redfish]
use_swift = false
'''


def node_type_name(path, firmware):
    return '%s-%s' % (path, firmware)


def spec_text(uplink):
    """The example spec, its provisioning network on ``uplink``."""
    with open(EXAMPLE) as f:
        spec = yaml.safe_load(f)
    spec['physnet_mappings']['provisioning'] = uplink
    return yaml.safe_dump(spec, default_flow_style=False, sort_keys=False)


class BootLab(object):
    """Everything a boot test needs; :meth:`close` removes it all.

    :param base: a directory for the lab's files.
    """

    def __init__(self, base):
        self.base = base
        self.env = None
        self.ironic = None
        self.network = None
        self._http = None
        self.spec = None
        self.nodes = {}
        self.console_logs = {}
        #: (path, firmware) -> {step: seconds}
        self.timings = {}

    # -- set-up ---------------------------------------------------------

    def start(self):
        self.env = env_mod.TenksEnv(self.base, extra_conf=(
            '\n[DEFAULT]\nscheduler = round_robin\n'
            '[ironic]\npoll_interval = 1\n'))
        root = self.env.root
        asset_dir = os.path.join(root, 'assets')
        os.makedirs(asset_dir)
        esp = assets.esp_image(asset_dir)
        self.ironic = ironic_fixture.IronicServer(os.path.join(root,
                                                               'ironic'))
        http_root = os.path.join(self.ironic.base_dir, 'httpboot')
        images = os.path.join(http_root, 'tenks-assets')
        os.makedirs(images)
        shutil.copy(assets.kernel(), os.path.join(images, 'vmlinuz'))
        shutil.copy(assets.initramfs(asset_dir),
                    os.path.join(images, 'initramfs.gz'))
        self.network = provisioning.ProvisioningNetwork(
            self.env.token, os.path.join(root, 'provisioning'), http_root)
        self.network.start()
        port = env_mod.free_tcp_port()
        self.http_url = 'http://127.0.0.1:%d' % port
        self._http = provisioning.http_server(
            http_root, '127.0.0.1', port, os.path.join(root, 'http.log'))
        provisioning.wait_http(self.http_url + '/', self._http)
        self.ironic.extra_conf = IRONIC_CONF % {
            'isolinux': assets.first_file(assets.ISOLINUX, 'isolinux'),
            'ldlinux': assets.first_file(assets.LDLINUX, 'syslinux-common'),
            'esp': esp, 'tmp': os.path.join(root, 'ironic-tmp'),
            'http_url': self.network.http_url,
            'external_url': self.http_url}
        os.makedirs(os.path.join(root, 'ironic-tmp'))
        self.ironic.start()
        os.environ.update(self.ironic.env())
        self.spec = self.env.write_spec(spec_text(self.network.uplink))
        self.env.tenks('deploy', '--spec', self.spec)
        for view in self.env.tenks_json('node', 'list'):
            self.nodes[view['Type']] = view['Name']
            shown = self.env.tenks_json('node', 'show', view['Name'])
            self.console_logs[view['Name']] = shown['console_log']
        return self

    def close(self):
        """Tear the cluster down; stop and remove what the lab made.

        :returns: what was left behind (Ironic nodes, host leaks).
        """
        left = []
        try:
            if self.env is not None:
                code, _out, err = self.env.tenks('teardown', check=False)
                if code:
                    left.append('tenks teardown failed: %s' % err)
        finally:
            if self.ironic is not None and self.ironic.running:
                left += ['Ironic node %s' % n for n in self.ironic.purge()]
                self.ironic.stop()
            provisioning.stop_process(self._http)
            if self.network is not None:
                self.network.stop()
            for key in ('OS_CLIENT_CONFIG_FILE', 'OS_CLOUD'):
                os.environ.pop(key, None)
            if self.env is not None:
                left += env_mod.sweep(self.env.token)
        return left

    # -- a deploy ---------------------------------------------------------

    def node(self, path, firmware):
        return self.nodes[node_type_name(path, firmware)]

    def _wait(self, conn, name, what, check, timeout):
        deadline = time.monotonic() + timeout
        while True:
            node = conn.baremetal.get_node(name)
            if check(node):
                return node
            if node.provision_state in ('deploy failed', 'error',
                                        'clean failed'):
                pytest.fail('Ironic node %s is %s: %s' % (
                    name, node.provision_state, node.last_error))
            if time.monotonic() > deadline:
                pytest.fail('Ironic node %s: not %s within %d s (%s, %s)'
                            % (name, what, timeout, node.provision_state,
                               node.last_error))
            time.sleep(0.5)

    def console(self, name):
        try:
            with open(self.console_logs[name], errors='replace') as f:
                return f.read()
        except FileNotFoundError:
            return ''

    def deploy(self, path, firmware, marker):
        """Deploy the node of ``(path, firmware)`` with Ironic.

        Waits for ``active``, then for the marker on the node's serial
        console; records how long each took.
        """
        name = self.node(path, firmware)
        images = self.http_url + '/tenks-assets/'
        conn = self.ironic.conn()
        conn.baremetal.patch_node(name, [
            {'op': 'add', 'path': '/instance_info/kernel',
             'value': images + 'vmlinuz'},
            {'op': 'add', 'path': '/instance_info/ramdisk',
             'value': images + 'initramfs.gz'},
            {'op': 'add', 'path': '/instance_info/ramdisk_kernel_arguments',
             'value': 'console=ttyS0 %s=%s' % (assets.MARKER_ARG, marker)},
        ])
        seen_before = self.console(name).count(assets.marker_line(marker))
        timings = self.timings.setdefault((path, firmware), {})
        start = time.monotonic()
        conn.baremetal.set_node_provision_state(name, 'active')
        self._wait(conn, name, 'active',
                   lambda n: n.provision_state == 'active', ACTIVE_TIMEOUT)
        timings['deploy to active'] = time.monotonic() - start
        deadline = time.monotonic() + BOOT_TIMEOUT
        while (self.console(name).count(assets.marker_line(marker)) <=
               seen_before):
            if time.monotonic() > deadline:
                pytest.fail('node %s did not print its marker within %d s '
                            'of active; its console log %s ends:\n%s' % (
                                name, BOOT_TIMEOUT, self.console_logs[name],
                                self.console(name)[-2000:]))
            time.sleep(0.5)
        timings['deploy to marker'] = time.monotonic() - start
        return conn

    def undeploy(self, path, firmware):
        """Undeploy; waits for ``available`` and power off."""
        name = self.node(path, firmware)
        conn = self.ironic.conn()
        start = time.monotonic()
        conn.baremetal.set_node_provision_state(name, 'deleted')
        node = self._wait(conn, name, 'available',
                          lambda n: n.provision_state == 'available',
                          UNDEPLOY_TIMEOUT)
        self.timings[(path, firmware)]['undeploy to available'] = (
            time.monotonic() - start)
        return node
