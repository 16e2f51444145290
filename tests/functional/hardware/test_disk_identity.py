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

"""Disk identities for root device hints, as QEMU, Redfish and Ironic see
them.

A Redfish node with a virtio root disk whose serial the spec gives and a
SCSI disk whose serial and WWN tenks generates: QEMU's own device tree
has them once the node runs, the sushy Redfish client reads them from
the node's emulated Drives, and the Ironic node tenks exports carries the
root device hint. A second deploy changes nothing.
"""

import json
import subprocess

import pytest
import sushy

from tests.functional.providers import libvirt_checks as lv
from tests.functional import specs

pytestmark = pytest.mark.hardware


def _qtree(name):
    return subprocess.run(
        ['virsh', '-c', 'qemu:///system', 'qemu-monitor-command', '--hmp',
         name, 'info qtree'], capture_output=True, text=True,
        check=True).stdout


def test_disk_serials_wwns_and_the_root_device(tenks_env):
    env = tenks_env
    lv.let_qemu_in(env.root)
    conn = lv.connect()
    name = '%s0' % env.token
    spec = env.write_spec(specs.text(
        {'r': specs.node_type(
            ironic_driver='redfish', boot_mode='uefi',
            volumes=[{'capacity': '16MiB', 'serial': 'ROOT-1',
                      'root_device': True},
                     {'capacity': '16MiB', 'bus': 'scsi'}])},
        [specs.entry('r', 1)], redfish_username='admin',
        redfish_password='redfish-secret'))
    try:
        env.tenks('deploy', '--spec', spec)
        disks = lv.inactive_xml(conn.lookupByName(name)).findall(
            "devices/disk[@device='disk']")
        found = [(d.find('target').get('bus'), d.findtext('serial'),
                  d.findtext('wwn')) for d in disks]
        assert [f[0] for f in found] == ['virtio', 'scsi']
        assert found[0][1:] == ('ROOT-1', None)
        serial, wwn = found[1][1:]
        assert serial.startswith('TK') and len(wwn) == 16, found

        provider = lv.provider(env)
        try:
            provider.power_on(name)
            qtree = _qtree(name)
            provider.power_off(name)
        finally:
            provider.close()
        assert 'serial = "ROOT-1"' in qtree
        assert 'serial = "%s"' % serial in qtree
        assert 'wwn = %d (0x%s)' % (int(wwn, 16), wwn) in qtree

        _code, out, _err = env.tenks('export', 'ironic')
        node = json.loads(out)['nodes'][0]
        assert node['properties']['root_device'] == {'serial': 'ROOT-1'}
        info = node['driver_info']
        system = sushy.Sushy(
            info['redfish_address'] + '/redfish/v1',
            username=info['redfish_username'],
            password=info['redfish_password']).get_system(
                info['redfish_system_id'])
        drives = [d for s in system.storage.get_members() for d in s.drives]
        assert [(d.serial_number, d.protocol) for d in drives] == [
            ('ROOT-1', sushy.Protocol.PCIe), (serial, sushy.Protocol.SAS)]
        assert [(i.durable_name, i.durable_name_format)
                for i in drives[1].identifiers] == [
            (wwn.upper(), sushy.DurableNameFormat.NAA)]

        assert env.tenks_json('deploy', '--spec', spec) == []
        env.tenks('teardown')
    finally:
        conn.close()
