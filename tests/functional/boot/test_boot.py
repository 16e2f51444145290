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

"""Ironic deploys tenks nodes, and each boots what Ironic gave it.

The whole path, for network boot (IPMI, iPXE over a tenks physical
network, DHCP from dnsmasq) and for Redfish virtual media (the ISO Ironic
builds, inserted by tenks' sushy-tools), each with BIOS and UEFI: spec ->
nodes -> ``baremetal node deploy`` with the ``ramdisk`` deploy interface
-> the node prints the test's marker on its serial console -> undeploy
-> teardown leaves Ironic and the host clean. Timings are printed, not
asserted (``tools/bench/boot.py`` measures them).
"""

import subprocess
import uuid

import pytest

from tests.functional.boot import assets
from tests.functional.boot import lab as lab_mod

pytestmark = pytest.mark.e2e_boot


@pytest.fixture(scope='module')
def boot_lab(tmp_path_factory, libvirtd):
    lab = lab_mod.BootLab(str(tmp_path_factory.mktemp('boot')))
    try:
        lab.start()
        yield lab
    finally:
        for (path, firmware), steps in sorted(lab.timings.items()):
            print('boot %s %s: %s' % (path, firmware, ', '.join(
                '%s %.1f s' % item for item in sorted(steps.items()))))
        left = lab.close()
    assert not left, 'left behind: %s' % ', '.join(left)


def _media_volumes(lab, name):
    """The virtual media images the Redfish emulator left in the pool."""
    uuid = lab.env.tenks_json('node', 'show', name)['uuid']
    out = subprocess.run(['virsh', '-c', 'qemu:///system', 'vol-list',
                          lab.env.pool_name], capture_output=True,
                         text=True, check=True).stdout
    return [line.split()[0] for line in out.splitlines()
            if line.split() and line.split()[0].endswith('-%s.img' % uuid)]


def _domstate(name):
    return subprocess.run(['virsh', '-c', 'qemu:///system', 'domstate',
                           name], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.mark.parametrize('path,firmware', sorted(lab_mod.PATHS))
def test_ironic_deploys_and_the_node_boots(boot_lab, path, firmware):
    marker = uuid.uuid4().hex[:12]
    name = boot_lab.node(path, firmware)
    boot_lab.deploy(path, firmware, marker)
    assert _domstate(name) == 'running'
    # What the ramdisk printed, through tenks too.
    _code, out, _err = boot_lab.env.tenks('node', 'console', name,
                                          '--no-follow')
    assert assets.marker_line(marker) in out
    if path == 'pxe':
        # It booted over the tenks physical network: dnsmasq leased it.
        macs = {n['mac'] for n in boot_lab.env.tenks_json(
            'node', 'show', name)['nic_details']}
        assert macs & boot_lab.network.leases()
    else:
        # The ISO went into tenks' pool, where it stays after the eject
        # until the node's BMC goes (teardown checks it does).
        assert _media_volumes(boot_lab, name)
    node = boot_lab.undeploy(path, firmware)
    assert node.power_state == 'power off'
    assert _domstate(name) == 'shut off'


def test_after_the_boots_a_redeploy_changes_nothing(boot_lab):
    assert boot_lab.env.tenks_json('deploy', '--spec', boot_lab.spec,
                                   '--dry-run') == []


def test_a_field_changed_in_ironic_is_restored(boot_lab):
    name = boot_lab.node('vmedia', 'bios')
    conn = boot_lab.ironic.conn()
    wanted = conn.baremetal.get_node(name).driver_info['redfish_address']
    conn.baremetal.patch_node(name, [{
        'op': 'replace', 'path': '/driver_info/redfish_address',
        'value': 'http://127.0.0.1:9'}])
    rows = boot_lab.env.tenks_json('deploy', '--spec', boot_lab.spec,
                                   '--dry-run')
    assert [(r['Kind'], r['Name']) for r in rows] == [('ironic_node', name)]
    assert '/driver_info/redfish_address' in rows[0]['Reason']
    boot_lab.env.tenks('deploy', '--spec', boot_lab.spec)
    node = conn.baremetal.get_node(name)
    assert node.driver_info['redfish_address'] == wanted
    assert node.provision_state == 'available'
