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

"""``Provider.power_states``: many domains' power in one look."""

import uuid as uuid_mod

import libvirt

from tenks.hosts import context
from tenks.providers import base as provider_base
from tenks.providers import fake
from tenks.providers.libvirt import power
from tenks.state import model
from tests.unit import base
from tests.unit.providers import libvirt_fixture


def record(name, uuid=None, driver='libvirt', cluster='blue'):
    return model.ResourceRecord(
        kind='domain', name=name, driver=driver, hypervisor='hv0',
        props={'name': name, 'uuid': uuid or str(uuid_mod.uuid4()),
               'cluster': cluster})


class LibvirtPowerStatesTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.provider, self.conn = libvirt_fixture.provider(self)

    def define(self, rec):
        return libvirt_fixture.define_bare(self.conn, rec.props['name'],
                                           rec.props['uuid'])

    def test_one_request_for_all(self):
        running, stopped, paused = record('tk0'), record('tk1'), record('tk2')
        for rec in (running, stopped, paused):
            self.define(rec)
        self.conn.lookupByName('tk0').create()
        dom = self.conn.lookupByName('tk2')
        dom.create()
        dom.suspend()
        other = record('tk3')
        self.define(record('tk3'))      # same name, another UUID
        gone = record('tk4')
        self.assertEqual(
            {'tk0': 'on', 'tk1': 'off', 'tk2': 'paused', 'tk3': 'foreign',
             'tk4': 'missing'},
            self.provider.power_states([running, stopped, paused, other,
                                        gone]))

    def test_words(self):
        self.assertEqual('on', power.word(libvirt.VIR_DOMAIN_RUNNING))
        self.assertEqual('on', power.word(libvirt.VIR_DOMAIN_SHUTDOWN))
        self.assertEqual('off', power.word(libvirt.VIR_DOMAIN_SHUTOFF))
        self.assertEqual('crashed', power.word(libvirt.VIR_DOMAIN_CRASHED))
        self.assertEqual('suspended',
                         power.word(libvirt.VIR_DOMAIN_PMSUSPENDED))
        self.assertEqual('unknown', power.word(99))
        for said in power._WORDS.values():
            self.assertIn(said, provider_base.POWER_WORDS)

    def test_without_bulk_stats(self):
        # A libvirt without getAllDomainStats is asked domain by domain.
        rec = record('tk0')
        self.define(rec)
        conn = self.conn
        unsupported = libvirt.libvirtError('this function is not supported')
        unsupported.err = (libvirt.VIR_ERR_NO_SUPPORT,) + (None,) * 8

        class Old(object):
            def getAllDomainStats(self, *args):
                raise unsupported

            def listAllDomains(self, flags):
                return conn.listAllDomains(flags)

        self.assertEqual({'tk0': 'off'}, power.power_states(Old(), [rec]))


class FakePowerStatesTest(base.TestCase):

    def test_power_states(self):
        conf = self.make_conf()
        prov = fake.FakeProvider(conf, context.HypervisorContext(
            'hv1', 'fake:///'))
        mine = record('tk0', driver='fake', cluster=conf.cluster_name)
        other = record('tk1', driver='fake', cluster=conf.cluster_name)
        prov.create('domain', mine)
        prov._write('domain', 'tk1', {'cluster': 'someone-else'})
        prov.power_on('tk0')
        self.assertEqual({'tk0': 'on', 'tk1': 'foreign', 'tk2': 'missing'},
                         prov.power_states([mine, other, record(
                             'tk2', driver='fake')]))


class DefaultPowerStatesTest(base.TestCase):

    def test_asks_each(self):
        class Provider(fake.FakeProvider):
            power_states = provider_base.Provider.power_states

        conf = self.make_conf()
        prov = Provider(conf, context.HypervisorContext('hv1', 'fake:///'))
        mine = record('tk0', driver='fake', cluster=conf.cluster_name)
        prov.create('domain', mine)
        self.assertEqual({'tk0': 'off', 'tk1': 'unknown'},
                         prov.power_states([mine, record('tk1')]))
