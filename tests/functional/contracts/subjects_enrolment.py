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

"""Subjects of ``tenks.enrolment``: ``ironic`` and ``nova``.

``ironic_node`` runs against the session's standalone Ironic
(:mod:`tests.functional.ironic_fixture`) with a ``fake-hardware`` node (no
BMC needed); its mark is ``extra.tenks_cluster``, and a rival is a node of
the record's UUID and name made with openstacksdk, without it.

``flavor`` and ``placement_wait`` run against a loopback Nova and
Placement (:mod:`tests.functional.enrolment.cloud_stub`); a flavor's mark
is its ``tenks:cluster`` extra spec, and a rival is a flavor of its name
without it. A ``placement_wait`` makes nothing: it waits for inventory
that Nova's resource tracker (here, the stub) provides.
"""

import yaml

from tenks.enrolment import fields
from tests.functional.contracts import common
from tests.functional.enrolment import cloud_stub
from tests.functional import specs


def _node_type():
    return specs.node_type(ironic_driver='fake-hardware',
                           physical_networks=['physnet1'],
                           volumes=[{'capacity': '1GiB'}])


def _entry(resource_class):
    return specs.entry('small', 1, ironic_config={
        'resource_class': resource_class, 'traits': ['CUSTOM_TENKS'],
        'deploy_interface': 'fake', 'boot_interface': 'fake',
        'management_interface': 'fake', 'power_interface': 'fake'})


class _Enrolment(common.RealSubject):
    namespace = 'tenks.enrolment'

    def new_driver(self, conf):
        driver = self.driver_class()(conf)      # cloud-wide: no hypervisor
        self._drivers.append(driver)
        return driver


class IronicNode(_Enrolment):
    """An Ironic node; a rival has its UUID and name, no tenks mark."""

    plugin = 'ironic'
    kind = 'ironic_node'
    fixtures = ('tenks_env', 'ironic', 'monkeypatch')

    @property
    def extra_conf(self):
        return ('[ironic]\ncloud = %s\npoll_interval = 0.3\n'
                'wait_timeout = 240\n' % self.fixture['ironic'].cloud_name)

    def __init__(self, request):
        super().__init__(request)
        ironic = self.fixture['ironic']
        patch = self.fixture['monkeypatch']
        patch.setenv('OS_CLIENT_CONFIG_FILE', ironic.clouds_yaml)
        patch.delenv('OS_CLOUD', raising=False)
        self.baremetal = ironic.conn()
        self.on_close(self.baremetal.close)

    def spec(self):
        return specs.text({'small': _node_type()},
                          [_entry('tenks_contract')],
                          physnet_mappings={'physnet1': None},
                          wait_for_placement=False)

    def mark(self, props, cluster):
        props['extra'][fields.MARK] = cluster

    def _node(self, record):
        nodes = self.baremetal.baremetal.nodes(fields=['uuid', 'name'])
        return next((n for n in nodes
                     if n.id == record.props['uuid'] or
                     n.name == record.props['name']), None)

    def make_foreign(self, record):
        self.baremetal.baremetal.create_node(
            id=record.props['uuid'], name=record.props['name'],
            driver='fake-hardware', extra={'owner': 'someone else'})

    def exists(self, record):
        return self._node(record) is not None

    def cleanup(self, record):
        node = self._node(record)
        if node is not None:
            bm = self.baremetal.baremetal
            bm.set_node_maintenance(node.id, 'contract test clean-up')
            bm.delete_node(node.id)


class _Nova(_Enrolment):
    """A Nova resource, against a loopback Nova and Placement."""

    plugin = 'nova'
    fixtures = ('tenks_env', 'monkeypatch')
    extra_conf = ('[nova]\ncloud = stub\nplacement_poll_interval = 0.1\n'
                  'placement_timeout = 30\n')

    def __init__(self, request):
        super().__init__(request)
        self.stub = cloud_stub.CloudStub()
        self.on_close(self.stub.close)
        path = self.env.write_spec(yaml.safe_dump(
            {'clouds': {'stub': self.stub.cloud_entry()}}), 'clouds.yaml')
        patch = self.fixture['monkeypatch']
        patch.setenv('OS_CLIENT_CONFIG_FILE', path)
        patch.delenv('OS_CLOUD', raising=False)

    def spec(self):
        return specs.text(
            {'small': _node_type()}, [_entry('tenks_contract')],
            physnet_mappings={'physnet1': None},
            nova_flavors=[{'name': 'f-%s' % self.token,
                           'resource_class': 'tenks_contract',
                           'node_type': 'small',
                           'required_traits': ['CUSTOM_TENKS']}],
            wait_for_placement=True)


class Flavor(_Nova):
    """A Nova flavor; a rival is one of its name without the mark."""

    kind = 'flavor'

    def _flavors(self, record):
        return [f for f in list(self.stub.flavors.values())
                if f['name'] == record.props['name']]

    def make_foreign(self, record):
        props = record.props
        self.stub.add_flavor(props['name'], ram=props['ram'],
                             vcpus=props['vcpus'], disk=props['disk'],
                             extra_specs={'made': 'by hand'})

    def exists(self, record):
        return bool(self._flavors(record))

    def cleanup(self, record):
        for flavor in self._flavors(record):
            self.stub.flavors.pop(flavor['id'], None)


class PlacementWait(_Nova):
    """The wait until Placement offers the nodes: it makes nothing.

    What it waits for is the nodes' inventory in Placement, which Nova
    (here, the stub) provides.
    """

    kind = 'placement_wait'
    makes_nothing = True

    def mark(self, props, cluster):
        pass            # a wait's props do not name a cluster

    def provide(self, record):
        for group in record.props['expected']:
            for _ in range(group['amount']):
                self.stub.add_provider(group['resource_class'],
                                       traits=group['traits'])

    def exists(self, record):
        for group in record.props['expected']:
            found = [p for p in list(self.stub.providers.values())
                     if group['resource_class'] in p['inventories'] and
                     set(group['traits']) <= p['traits']]
            if len(found) < group['amount']:
                return False
        return True

    def make_foreign(self, record):
        raise AssertionError('nothing can be a rival of a wait')


SUBJECTS = {'ironic-ironic_node': IronicNode, 'nova-flavor': Flavor,
            'nova-placement_wait': PlacementWait}
