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

"""Disk identities: bus, serial and WWN per volume, and the root device."""

from tenks.enrolment import fields
from tenks import exception
from tenks.planner import naming
from tests.unit import base
from tests.unit.planner import helpers

SPEC = '''
node_types:
  t0:
    memory_mb: 256
    vcpus: 1
    volumes:
      - {capacity: 1GiB, serial: ROOT-1, root_device: true}
      - {capacity: 1GiB, bus: scsi}
      - {capacity: 1GiB}
specs:
  - type: t0
    count: 1
'''


class DiskIdentityTest(base.TestCase):

    def plan(self, text=SPEC, state=None):
        state = state or self.empty_state()
        desired, the_plan = helpers.plan(self.spec(text), state)
        domain = [r for r in desired.resources.values()
                  if r.kind == 'domain'][0]
        return state, the_plan, domain.props['disks']

    def test_given_and_generated_identities(self):
        _state, the_plan, disks = self.plan()
        uuid = the_plan.nodes['tk0']['uuid']
        self.assertEqual(
            [('virtio', 'ROOT-1', None),
             ('scsi', naming.disk_serial(uuid, 1), naming.disk_wwn(uuid, 1)),
             ('virtio', naming.disk_serial(uuid, 2), None)],
            [(d['bus'], d.get('serial'), d.get('wwn')) for d in disks])
        self.assertEqual(16, len(naming.disk_wwn(uuid, 1)))
        self.assertTrue(naming.disk_wwn(uuid, 1).startswith('3'))
        self.assertLessEqual(len(naming.disk_serial(uuid, 1)), 20)

    def test_identities_are_kept_by_the_state(self):
        state, the_plan, disks = self.plan()
        helpers.apply(state, the_plan)
        _state, again, disks_again = self.plan(state=state)
        self.assertEqual(disks, disks_again)
        self.assertTrue(again.empty)

    def test_volumes_recorded_before_identities_keep_none(self):
        state, the_plan, disks = self.plan(SPEC.replace(
            ', serial: ROOT-1, root_device: true', ''))
        helpers.apply(state, the_plan)
        for volume in state.nodes['tk0']['volumes']:
            for key in ('bus', 'serial', 'wwn', 'root_device'):
                volume.pop(key, None)
        for record in state.resources.values():
            if record.kind == 'domain':
                for disk in record.props['disks']:
                    disk.pop('serial', None)
                    disk.pop('wwn', None)
        _state, again, disks = self.plan(SPEC.replace(
            ', serial: ROOT-1, root_device: true', ''), state=state)
        self.assertEqual([None] * 3, [d.get('serial') for d in disks])
        self.assertTrue(again.empty, again.summary())
        # Asking for a root device hint gives that volume a serial.
        _state, _plan, disks = self.plan(SPEC.replace(
            'serial: ROOT-1, ', ''), state=state)
        self.assertEqual(naming.disk_serial(state.nodes['tk0']['uuid'], 0),
                         disks[0]['serial'])
        self.assertIsNone(disks[2].get('serial'))

    def test_the_root_device_is_ironics_hint(self):
        _state, the_plan, _disks = self.plan()
        node = the_plan.nodes['tk0']
        self.assertEqual({'serial': 'ROOT-1'},
                         fields.node_properties(node)['root_device'])
        # The user's own hint wins.
        self.assertEqual({'name': '/dev/sdb'}, fields.node_properties(
            node, {'root_device': {'name': '/dev/sdb'}})['root_device'])


class DiskIdentitySpecTest(base.TestCase):

    def test_wwn_needs_scsi(self):
        exc = self.assertRaises(exception.SpecError, self.spec, SPEC.replace(
            '{capacity: 1GiB}', '{capacity: 1GiB, wwn: "5000c50015ea71ac"}'))
        self.assertIn('node_types.t0.volumes[2].wwn', str(exc))
        self.assertIn('a WWN needs bus scsi (this volume is on virtio',
                      str(exc))

    def test_one_root_device(self):
        exc = self.assertRaises(exception.SpecError, self.spec, SPEC.replace(
            '{capacity: 1GiB, bus: scsi}',
            '{capacity: 1GiB, bus: scsi, root_device: true}'))
        self.assertIn('node_types.t0.volumes[1].root_device', str(exc))

    def test_bad_serial_and_wwn(self):
        for bad, where in (('serial: "a b"', 'serial'),
                           ('serial: "%s"' % ('x' * 21), 'serial'),
                           ('bus: scsi, wwn: "12345"', 'wwn')):
            exc = self.assertRaises(
                exception.SpecError, self.spec, SPEC.replace(
                    '{capacity: 1GiB}', '{capacity: 1GiB, %s}' % bad))
            self.assertIn('node_types.t0.volumes[2].%s' % where, str(exc))

    def test_wwn_written_with_0x(self):
        spec = self.spec(SPEC.replace(
            '{capacity: 1GiB, bus: scsi}',
            '{capacity: 1GiB, bus: scsi, wwn: "0x5000C50015EA71AC"}'))
        self.assertEqual('5000c50015ea71ac',
                         spec.node_types['t0'].volumes[1].wwn)
