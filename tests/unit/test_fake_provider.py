import os

import fixtures

from tenks import exception
from tenks.hosts import context
from tenks.providers import fake
from tenks.state import model
from tests.unit import base


def _domain(name='tk0', cluster='tenks', adopt=False):
    return model.ResourceRecord(kind='domain', name=name, driver='fake',
                                hypervisor='hv1', adopt=adopt,
                                props={'name': name, 'memory_mb': 64,
                                       'cluster': cluster})


class FakeProviderTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.make_conf()
        self.provider = fake.FakeProvider(
            self.conf, context.HypervisorContext('hv1', 'fake:///'))

    def test_lifecycle(self):
        record = _domain()
        self.assertEqual({'domain:tk0': fake.observation.ABSENT},
                         self.provider.observe('domain', [record]))
        self.provider.create('domain', record)
        obs = self.provider.observe('domain', [record])['domain:tk0']
        self.assertEqual((True, True), (obs.exists, obs.owned))
        self.provider.create('domain', record)        # an ensure
        self.assertEqual('off', self.provider.power_state('tk0'))
        self.provider.power_on('tk0')
        self.assertEqual('on', self.provider.power_state('tk0'))
        record.props['memory_mb'] = 128
        self.provider.update('domain', record, record)
        self.assertEqual('on', self.provider.power_state('tk0'))
        self.provider.delete('domain', record)
        self.provider.delete('domain', record)        # already gone
        self.assertEqual([], os.listdir(os.path.join(
            self.conf.run_dir, 'fake', 'hv1', 'domain')))

    def test_volume_never_shrinks_and_existing_untouched(self):
        vol = model.ResourceRecord(kind='volume', name='hv1/p/v0',
                                   driver='fake', hypervisor='hv1',
                                   props={'capacity': 10})
        self.provider.create('volume', vol)
        small = model.ResourceRecord(kind='volume', name='hv1/p/v0',
                                     driver='fake', hypervisor='hv1',
                                     props={'capacity': 5})
        self.assertRaises(exception.PluginError, self.provider.update,
                          'volume', vol, small)
        existing = model.ResourceRecord(kind='volume', name='hv1/p/x',
                                        driver='fake', hypervisor='hv1',
                                        props={'existing': True})
        self.provider.create('volume', existing)
        self.assertEqual({}, self.provider.observe('volume', [existing]))

    def test_power_of_unknown_node(self):
        self.useFixture(fixtures.MonkeyPatch(
            'tenks.providers.fake.FakeProvider._read',
            lambda self, kind, name: None))
        self.assertRaises(exception.TenksError, self.provider.power_on, 'x')
