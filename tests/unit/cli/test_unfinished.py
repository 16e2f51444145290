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

"""Interrupted, failed and killed runs through the CLI (in-memory plugins).

The real thing (libvirt, IPMI BMCs, a terminal) is in
``tests/functional/workflow/test_interrupt.py``.
"""

import json
import os
import signal
import socket

from tenks.cli import status
from tenks.state import model
from tests.unit import cli_base
from tests.unit import fakes


class UnfinishedRunTest(cli_base.CLITestCase):

    def json(self, *args):
        code, out, err = self.tenks(*(list(args) + ['-f', 'json']))
        self.assertEqual(0, code, err)
        return json.loads(out)

    def signal_at(self, kind, name, signum=signal.SIGINT):
        """Send ``signum`` while the action on ``kind name`` runs."""
        orig = fakes._FakeMixin._do

        def do(mixin, verb, k, record, old=None):
            if (k, record.name) == (kind, name):
                os.kill(os.getpid(), signum)
            return orig(mixin, verb, k, record, old)
        self.patch(fakes._FakeMixin, '_do', do)

    def test_interrupted_deploy(self):
        # One worker: the run is a sequence, and stops after the domain.
        with open(self.conf, 'a') as f:
            f.write('[DEFAULT]\nmax_workers = 1\n')
        self.signal_at('domain', 'big0')
        code, out, err = self.tenks('deploy', '--spec', self.spec_path)
        self.assertEqual(130, code, err)
        self.assertEqual('', out)
        self.assertIn('SIGINT: stopping; no new action starts', err)
        self.assertIn('tenks deploy interrupted by SIGINT: ', err)
        self.assertTrue(err.rstrip().endswith(
            'run tenks deploy again to finish'), err)
        self.assertIn(('domain', 'big0'), fakes.WORLD.things)
        self.assertNotIn(('bmc', 'big0'), fakes.WORLD.things)
        self.patch(fakes._FakeMixin, '_do', fakes._FakeMixin._do)

        # status names the run and fails with --exit-code.
        code, out, err = self.tenks('status', '--exit-code', '-f', 'json')
        self.assertEqual(2, code, err)
        self.assertRegex(err, r'tenks deploy started \S+Z was interrupted: '
                              r'\d+ actions did not complete; run tenks '
                              r'deploy again to finish')
        self.assertNotIn('No drift', err)
        rows = json.loads(out)
        self.assertIn({'Kind': 'bmc', 'Name': 'big0', 'Hypervisor':
                       'localhost', 'Recorded': 'none', 'Found': 'pending',
                       'Detail': 'create not done'}, rows)
        self.assertEqual({'pending'}, {r['Found'] for r in rows})

        # Every node is incomplete (none has its BMC yet).
        nodes = self.json('node', 'list')
        self.assertEqual({'incomplete'}, {n['Status'] for n in nodes})
        show = self.json('node', 'show', 'big0')
        self.assertEqual('incomplete', show['status'])
        self.assertIn('bmc:create pending', show['resources'])
        self.assertIn('domain:present', show['resources'])

        # A deploy finishes the job, and the record goes.
        self.json('deploy', '--spec', self.spec_path)
        code, out, err = self.tenks('status', '--exit-code')
        self.assertEqual(0, code, err)
        self.assertIn('No drift', err)
        self.assertEqual({'ready'},
                         {n['Status'] for n in self.json('node', 'list')})

    def test_interrupted_teardown(self):
        self.json('deploy', '--spec', self.spec_path)
        with open(self.conf, 'a') as f:
            f.write('[DEFAULT]\nmax_workers = 1\n')
        self.signal_at('ironic_node', 'tk0', signal.SIGTERM)
        code, out, err = self.tenks('teardown')
        self.assertEqual(143, code, err)
        self.assertIn('tenks teardown interrupted by SIGTERM', err)
        self.assertIn('run tenks teardown again to finish', err)
        self.patch(fakes._FakeMixin, '_do', fakes._FakeMixin._do)
        code, out, err = self.tenks('status', '--exit-code')
        self.assertEqual(2, code, err)
        self.assertIn('tenks teardown started', err)
        self.assertIn('run tenks teardown again to finish', err)
        nodes = {n['Name']: n['Status'] for n in self.json('node', 'list')}
        self.assertEqual('incomplete', nodes['tk0'])
        rows = self.json('teardown')
        self.assertEqual({'teardown'}, {r['Reason'] for r in rows})
        self.assertFalse(os.path.exists(self.state_path))

    def test_failed_deploy(self):
        fakes.WORLD.fail[('create', 'bmc', 'tk1')] = RuntimeError('boom')
        code, out, err = self.tenks('deploy', '--spec', self.spec_path)
        self.assertEqual(1, code)
        code, out, err = self.tenks('status', '--exit-code')
        self.assertEqual(2, code)
        self.assertIn('failed: 3 actions did not complete', err)
        nodes = {n['Name']: n['Status'] for n in self.json('node', 'list')}
        self.assertEqual({'big0': 'ready', 'tk0': 'ready',
                          'tk1': 'incomplete'}, nodes)


class UnfinishedLineTest(cli_base.CLITestCase):

    def run_(self, result):
        return model.LastRun('deploy', '2026-12-02T21:00:00Z',
                             [{'op': 'create', 'key': 'bmc:tk0'}], result)

    def test_killed(self):
        self.assertEqual(
            'tenks deploy started 2026-12-02T21:00:00Z did not finish (it '
            'was killed or aborted): 1 action did not complete; run tenks '
            'deploy again to finish',
            status.unfinished(self.run_('running'), {}))
        # A holder that is gone.
        self.assertIn('did not finish', status.unfinished(
            self.run_('running'), {'pid': 2 ** 22 + 1,
                                   'host': socket.gethostname()}))

    def test_still_running(self):
        self.assertEqual(
            'tenks deploy started 2026-12-02T21:00:00Z is still running '
            '(pid %d): 1 action not done yet' % os.getpid(),
            status.unfinished(self.run_('running'),
                              {'pid': os.getpid(),
                               'host': socket.gethostname()}))
