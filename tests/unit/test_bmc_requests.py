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

"""``tenks node power`` and ``tenks verify`` end to end (``main(argv)``).

The plugins are in memory; their BMCs answer from a table.
"""

import json


from tenks import bmc_requests as protocol
from tenks import exception
from tenks.state import model as state_model
from tests.unit import base
from tests.unit import cli_base
from tests.unit import fakes

POWER = {}        # node name -> 'on'/'off', or an Exception to raise
ASKED = []        # (node name, action) in the order BMCs were asked


def _answering(name):
    class Answering(fakes.CLASSES[('tenks.bmc', name)]):
        def power(self, props, action):
            ASKED.append((props['domain'], action))
            state = POWER.get(props['domain'], 'off')
            if isinstance(state, Exception):
                raise state
            if action != 'status':
                POWER[props['domain']] = action
                return action
            return state

        def verify(self, props):
            return self.power(props, 'status')
    return Answering


CLASSES = dict(fakes.CLASSES)
CLASSES[('tenks.bmc', 'virtualbmc')] = _answering('virtualbmc')
CLASSES[('tenks.bmc', 'sushy_tools')] = _answering('sushy_tools')


class PowerVerifyTest(cli_base.CLITestCase):

    plugin_classes = CLASSES

    def setUp(self):
        super().setUp()
        POWER.clear()
        del ASKED[:]

    def json(self, *args):
        code, out, err = self.tenks(*(list(args) + ['-f', 'json']))
        return code, json.loads(out or '[]'), err

    def test_power(self):
        self.deploy()
        code, rows, err = self.json('node', 'power', 'on', 'tk0', 'big0')
        self.assertEqual(0, code, err)
        self.assertEqual([
            {'Name': 'tk0', 'BMC': 'ipmi://127.0.0.1:6230', 'Power': 'on',
             'Result': 'ok'},
            {'Name': 'big0', 'BMC': 'http://127.0.0.1:8000/redfish/v1/'
             'Systems/%s' % rows[1]['BMC'].rsplit('/', 1)[1],
             'Power': 'on', 'Result': 'ok'}], rows)
        code, rows, err = self.json('node', 'power', 'status', 'tk0', 'tk1',
                                    'big0')
        self.assertEqual(['on', 'off', 'on'], [r['Power'] for r in rows])
        self.assertNotIn('s3cr3t-ipmi', json.dumps(rows) + err)

    def test_power_failure_exits_non_zero(self):
        self.deploy()
        POWER['tk1'] = RuntimeError('BMC said no')
        code, rows, err = self.json('node', 'power', 'off', 'tk0', 'tk1')
        self.assertEqual(1, code)
        self.assertEqual([('tk0', 'ok'), ('tk1', 'failed: BMC said no')],
                         [(r['Name'], r['Result']) for r in rows])
        self.assertIn('tk1: BMC said no', err)

    def test_bad_names(self):
        self.deploy()
        code, out, err = self.tenks('node', 'power', 'on', 'tk0', 'nope')
        self.assertEqual(1, code)
        self.assertIn('no node named nope', err)
        self.assertEqual({}, POWER)

    def test_power_all(self):
        self.deploy()
        POWER['tk1'] = 'on'
        code, rows, err = self.json('node', 'power', 'status', '--all')
        self.assertEqual(0, code, err)
        self.assertEqual([('big0', 'off'), ('tk0', 'off'), ('tk1', 'on')],
                         sorted((r['Name'], r['Power']) for r in rows))
        code, rows, err = self.json('node', 'power', 'on', '--all')
        self.assertEqual({'on'}, set(POWER.values()))
        self.assertEqual(3, len(POWER))

    def test_names_or_all(self):
        self.deploy()
        for args, said in (((), 'name the nodes, or give --all'),
                           (('tk0', '--all'), 'give node names or --all, '
                            'not both'),
                           (('--all', 'tk0'), 'error:')):
            for command in (('node', 'power', 'on'), ('node', 'reboot')):
                code, out, err = self.tenks(*(command + args))
                self.assertEqual(2, code, (command, args))
                self.assertIn(said, err)
        self.assertEqual([], ASKED)

    def test_reboot(self):
        self.deploy()
        POWER['tk0'] = 'on'
        code, rows, err = self.json('node', 'reboot', 'tk0', 'tk1')
        self.assertEqual(0, code, err)
        self.assertEqual([('tk0', 'on', 'ok'), ('tk1', 'on', 'ok')],
                         [(r['Name'], r['Power'], r['Result'])
                          for r in rows])
        # Off, then on: a node that was off is powered on.
        self.assertEqual([('tk0', 'off'), ('tk0', 'on')],
                         [a for a in ASKED if a[0] == 'tk0'])
        self.assertEqual([('tk1', 'off'), ('tk1', 'on')],
                         [a for a in ASKED if a[0] == 'tk1'])
        POWER['big0'] = RuntimeError('HTTP 503')
        code, rows, err = self.json('node', 'reboot', '--all')
        self.assertEqual(1, code)
        self.assertEqual({'big0': 'failed: HTTP 503', 'tk0': 'ok',
                          'tk1': 'ok'},
                         {r['Name']: r['Result'] for r in rows})

    def test_node_list_checks_bmcs_when_asked(self):
        self.deploy()
        code, rows, err = self.json('node', 'list')
        self.assertNotIn('BMC check', rows[0])
        self.assertEqual([], ASKED)
        POWER['tk1'] = RuntimeError('no answer from ipmi://127.0.0.1:6231')
        code, rows, err = self.json('node', 'list', '--check-bmc')
        self.assertEqual(0, code, err)
        self.assertEqual({'big0': 'ok', 'tk0': 'ok', 'tk1': 'failed'},
                         {r['Name']: r['BMC check'] for r in rows})
        self.assertIn('tk1: BMC did not answer: no answer from '
                      'ipmi://127.0.0.1:6231', err)
        code, out, err = self.tenks('node', 'list', '--check-bmc')
        self.assertIn('| BMC check |', out)

    def test_no_cluster(self):
        code, out, err = self.tenks('verify')
        self.assertEqual(1, code)
        self.assertIn('tenks deploy first', err)

    def test_verify(self):
        self.deploy()
        code, rows, err = self.json('verify')
        self.assertEqual(0, code, err)
        self.assertEqual([], rows)
        self.assertIn('All 3 BMCs answered', err)
        code, rows, err = self.json('verify', '--all')
        self.assertEqual([('tk0', 'virtualbmc', 'off', 'ok'),
                          ('tk1', 'virtualbmc', 'off', 'ok'),
                          ('big0', 'sushy_tools', 'off', 'ok')],
                         sorted([(r['Name'], r['Emulator'], r['Power'],
                                  r['Result']) for r in rows],
                                key=lambda r: r[0] != 'big0' and r[0]
                                or 'z'))
        POWER['big0'] = RuntimeError('HTTP 401 (authentication failed)')
        code, rows, err = self.json('verify')
        self.assertEqual(1, code)
        self.assertEqual([{'Name': 'big0', 'Emulator': 'sushy_tools',
                           'BMC': rows[0]['BMC'], 'Power': '',
                           'Result': 'failed: HTTP 401 (authentication '
                                     'failed)'}], rows)
        self.assertIn('1 of 3 BMCs failed', err)
        code, rows, err = self.json('verify', 'tk0')
        self.assertEqual(0, code, err)


class TargetsTest(base.TestCase):

    def state(self):
        state = state_model.State(cluster='c', seed='s')
        for name, emulator in (('a', 'virtualbmc'), ('b', 'sushy_tools'),
                               ('c', 'none'), ('d', 'virtualbmc'),
                               ('e', 'virtualbmc')):
            bmc = {'emulator': emulator}
            if emulator != 'none':
                bmc.update(address='127.0.0.1', port=6230)
            state.nodes[name] = {'name': name, 'bmc': bmc}
        for name, status in (('a', state_model.PRESENT),
                             ('b', state_model.UPDATING),
                             ('e', state_model.CREATING)):
            record = state_model.ResourceRecord(
                kind='bmc', name=name, driver='virtualbmc',
                hypervisor='h', props={}, status=status)
            state.resources[record.key] = record
        return state

    def test_every_node_with_a_bmc(self):
        chosen = protocol.targets(self.state())
        self.assertEqual(['a', 'b', 'd', 'e'], [t.name for t in chosen])
        problems = {t.name: t.problem for t in chosen}
        self.assertEqual('', problems['a'])
        self.assertEqual('', problems['b'])
        self.assertIn('never created', problems['d'])
        self.assertIn('creating', problems['e'])

    def test_named(self):
        chosen = protocol.targets(self.state(), ['b', 'a', 'b'])
        self.assertEqual(['b', 'a'], [t.name for t in chosen])
        error = self.assertRaises(exception.TenksError, protocol.targets,
                                  self.state(), ['a', 'c'])
        self.assertIn('c has no BMC', str(error))
        error = self.assertRaises(exception.TenksError, protocol.targets,
                                  self.state(), ['x', 'y'])
        self.assertIn('no node named x, y', str(error))

    def test_problems_are_outcomes(self):
        chosen = protocol.targets(self.state(), ['d'])
        outcome = protocol.run(None, chosen, 'verify')[0]
        self.assertFalse(outcome.ok)
        self.assertIn('never created', outcome.error)
        self.assertRaises(ValueError, protocol.run, None, chosen, 'dance')
