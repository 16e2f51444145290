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

"""The Ironic driver's refresh and ownership rules (no Ironic needed:
the functional tests drive a real one)."""

import types

from tenks.enrolment import ironic
from tenks import exception
from tenks.state import model
from tests.unit import base


DRIVER_INFO = {'redfish_address': 'http://127.0.0.1:8000',
               'redfish_password': 'secret'}


def _node(uuid, name, cluster=None, **fields):
    node = dict(id=uuid, name=name, driver='redfish',
                driver_info=dict(DRIVER_INFO, redfish_password='******'),
                properties={}, resource_class='rc', traits=[],
                extra={'tenks_cluster': cluster} if cluster else {})
    node.update(fields)
    return types.SimpleNamespace(**node)


def _record(name, uuid, macs=(), adopt=False, cluster='c1'):
    props = {'name': name, 'uuid': uuid, 'driver': 'redfish',
             'driver_info': dict(DRIVER_INFO), 'resource_class': 'rc',
             'extra': {'tenks_cluster': cluster},
             'ports': [{'address': m} for m in macs]}
    return model.ResourceRecord('ironic_node', name, 'ironic', None, props,
                                adopt=adopt)


class FakeBaremetal(object):
    def __init__(self, nodes, ports):
        self._nodes = nodes
        self._ports = ports
        self.calls = []

    def nodes(self, **kwargs):
        self.calls.append(('nodes', kwargs))
        return iter(self._nodes)

    def ports(self, **kwargs):
        self.calls.append(('ports', kwargs))
        return iter(types.SimpleNamespace(id='p-' + a, address=a, node_id=n,
                                          physical_network=None,
                                          local_link_connection={})
                    for a, n in self._ports)

    def get_endpoint_data(self):
        return types.SimpleNamespace(max_microversion=(1, 87))


class ObserveTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.driver = ironic.IronicDriver(self.make_conf(
            '[ironic]\ncloud = lab\n'))
        self.bm = FakeBaremetal(
            [_node('u-ours', 'tk0', 'c1'), _node('u-other', 'tk1', 'c2'),
             _node('u-plain', 'taken'), _node('u-mac', 'holder')],
            [('52:54:00:00:00:09', 'u-mac')])
        self.driver.cloud._conn = types.SimpleNamespace(baremetal=self.bm)

    def test_one_node_list_and_one_port_list(self):
        records = [_record('tk0', 'u-ours', ['52:54:00:00:00:01']),
                   _record('tk1', 'u-other'),
                   _record('taken', 'u-new'),
                   _record('tk3', 'u-new3', ['52:54:00:00:00:09']),
                   _record('tk4', 'u-new4', ['52:54:00:00:00:04']),
                   _record('x', 'u-plain', adopt=True)]
        seen = self.driver.observe_ironic_node(records)
        self.assertEqual(['nodes', 'ports'], [c[0] for c in self.bm.calls])
        self.assertEqual((True, True), (seen['ironic_node:tk0'].exists,
                                        seen['ironic_node:tk0'].owned))
        other = seen['ironic_node:tk1']
        self.assertEqual((True, False), (other.exists, other.owned))
        self.assertIn("tenks cluster 'c2'", other.detail)
        self.assertIn('u-plain has this name',
                      seen['ironic_node:taken'].detail)
        self.assertEqual('MAC 52:54:00:00:00:09 is a port of Ironic node '
                         'holder', seen['ironic_node:tk3'].detail)
        self.assertFalse(seen['ironic_node:tk4'].exists)
        # Unmarked: not ours (the planner lets an adopting record take it).
        self.assertFalse(seen['ironic_node:x'].owned)

    def test_no_port_list_without_ports(self):
        self.driver.observe_ironic_node([_record('tk1', 'u-other')])
        self.assertEqual(['nodes'], [c[0] for c in self.bm.calls])

    def test_fields_changed_behind_tenks_back_are_drift(self):
        self.bm._nodes = [
            _node('u-same', 'tk0', 'c1'),
            _node('u-moved', 'tk1', 'c1', driver_info=dict(
                DRIVER_INFO, redfish_address='http://127.0.0.1:8491',
                redfish_password='******'), resource_class='other'),
            _node('u-lost', 'tk2', 'c1')]
        self.bm._ports = [('52:54:00:00:00:01', 'u-same')]
        seen = self.driver.observe_ironic_node([
            _record('tk0', 'u-same', ['52:54:00:00:00:01']),
            _record('tk1', 'u-moved'),
            _record('tk2', 'u-lost', ['52:54:00:00:00:02'])])
        # A secret Ironic masks, and its own additions, are no drift.
        self.assertTrue(seen['ironic_node:tk0'].healthy)
        moved = seen['ironic_node:tk1']
        self.assertEqual((True, True, False),
                         (moved.exists, moved.owned, moved.healthy))
        self.assertEqual('changed in Ironic: /driver_info/redfish_address, '
                         '/resource_class', moved.detail)
        lost = seen['ironic_node:tk2']
        self.assertFalse(lost.healthy)
        self.assertIn('port 52:54:00:00:00:02', lost.detail)


class OwnershipTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.driver = ironic.IronicDriver(self.make_conf(
            '[ironic]\ncloud = lab\n'))

    def test_rules(self):
        check = self.driver._check_ours
        check(_node('u', 'tk0', 'c1'), _record('tk0', 'u'))
        check(_node('u', 'tk0'), _record('tk0', 'u', adopt=True))
        err = self.assertRaises(exception.ResourceConflict, check,
                                _node('u', 'tk0'), _record('tk0', 'u'))
        self.assertIn('it has no tenks mark (extra.tenks_cluster)',
                      str(err))
        err = self.assertRaises(exception.ResourceConflict, check,
                                _node('u', 'tk0', 'c2'),
                                _record('tk0', 'u', adopt=True))
        self.assertIn("it belongs to tenks cluster 'c2'", str(err))


class ConcurrencyTest(base.TestCase):

    def test_limit(self):
        import threading
        driver = ironic.IronicDriver(self.make_conf(
            '[ironic]\ncloud = lab\nconcurrency = 2\n'))
        entered = threading.Semaphore(0)
        release = threading.Event()

        def work():
            with driver._slot():
                entered.release()
                release.wait(30)

        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for _ in threads:
            self.assertTrue(entered.acquire(timeout=30))
        # Two inside: a third may not enter.
        self.assertFalse(driver._slots.acquire(blocking=False))
        release.set()
        for t in threads:
            t.join()
        self.assertTrue(driver._slots.acquire(blocking=False))
        driver._slots.release()

    def test_unlimited_by_default(self):
        driver = ironic.IronicDriver(self.make_conf('[ironic]\ncloud = l\n'))
        self.assertIsNone(driver._slots)
