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

import json
import os
import stat

import yaml

from tenks import exception
from tenks.state import model
from tenks.state import store as store_mod
from tests.unit import base


def _record(name='tk0', kind='domain', props=None):
    return model.ResourceRecord(kind=kind, name=name, driver='libvirt',
                                hypervisor='localhost',
                                props=props or {'memory_mb': 1})


class StoreTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.path = os.path.join(self.tmp, 'sub', 'state.yaml')
        self.store = store_mod.StateStore(self.path)

    def test_missing_is_empty(self):
        state = self.store.load(cluster='c1')
        self.assertTrue(state.empty)
        self.assertEqual('c1', state.cluster)
        self.assertFalse(self.store.exists())

    def test_save_is_atomic_private_and_yaml(self):
        state = model.State(cluster='c', seed='s')
        state.nodes['tk0'] = {'name': 'tk0', 'uuid': 'u'}
        record = _record()
        state.resources[record.key] = record
        self.store.save(state)
        mode = stat.S_IMODE(os.stat(self.path).st_mode)
        self.assertEqual(0o600, mode)
        with open(self.path) as f:
            text = f.read()
        self.assertEqual(json.loads(text), yaml.safe_load(text))
        self.assertEqual([], [n for n in os.listdir(os.path.dirname(
            self.path)) if n.startswith('.state-')])
        loaded = self.store.load()
        self.assertEqual(state.to_dict(), loaded.to_dict())

    def test_journal_replay(self):
        state = model.State(cluster='c', seed='s')
        self.store.save(state)
        a, b, c = _record('a'), _record('b'), _record('c')
        entries = [
            {'op': 'allocate', 'nodes': [{'name': 'a'}],
             'hypervisors': {'localhost': {}}, 'seed': 's'},
            {'op': 'begin', 'action': 'create', 'key': a.key,
             'record': a.to_dict()},
            {'op': 'done', 'key': a.key, 'record': dict(
                a.to_dict(), outputs={'x': 1})},
            {'op': 'begin', 'action': 'create', 'key': b.key,
             'record': b.to_dict()},
            {'op': 'begin', 'action': 'create', 'key': c.key,
             'record': c.to_dict()},
            {'op': 'fail', 'key': c.key, 'error': 'boom'},
        ]
        for entry in entries:
            self.store.journal(entry)
        with open(self.store.journal_path, 'a') as f:
            f.write('{"op": "done", "key": "domain:b", "rec')   # torn line
        loaded = self.store.load()
        self.assertEqual(['a'], list(loaded.nodes))
        self.assertEqual(model.PRESENT, loaded.resources[a.key].status)
        self.assertEqual({'x': 1}, loaded.resources[a.key].outputs)
        self.assertEqual(model.CREATING, loaded.resources[b.key].status)
        self.assertEqual(model.CREATING, loaded.resources[c.key].status)
        # Saving compacts the journal away.
        self.store.save(loaded)
        self.assertFalse(os.path.exists(self.store.journal_path))
        self.assertEqual(loaded.to_dict(), self.store.load().to_dict())

    def test_delete_replay(self):
        state = model.State(cluster='c', seed='s')
        a, b = _record('a'), _record('b')
        state.resources = {a.key: a, b.key: b}
        self.store.save(state)
        self.store.journal({'op': 'begin', 'action': 'delete', 'key': a.key,
                            'record': a.to_dict()})
        self.store.journal({'op': 'done', 'key': a.key, 'deleted': True})
        self.store.journal({'op': 'begin', 'action': 'delete', 'key': b.key,
                            'record': b.to_dict()})
        loaded = self.store.load()
        self.assertNotIn(a.key, loaded.resources)
        self.assertEqual(model.DELETING, loaded.resources[b.key].status)

    def test_version_mismatch(self):
        os.makedirs(os.path.dirname(self.path))
        with open(self.path, 'w') as f:
            json.dump({'version': 99}, f)
        err = self.assertRaises(exception.StateError, self.store.load)
        self.assertIn('version 99', str(err))

    def test_garbage(self):
        os.makedirs(os.path.dirname(self.path))
        with open(self.path, 'w') as f:
            f.write('{{{not yaml')
        err = self.assertRaises(exception.StateError, self.store.load)
        self.assertIn(self.path, str(err))

    def test_remove(self):
        self.store.save(model.State())
        self.store.journal({'op': 'forget', 'key': 'x:y'})
        self.store.remove()
        self.assertFalse(self.store.exists())


class LastRunTest(base.TestCase):
    """A run that did not complete is known until one completes."""

    def setUp(self):
        super().setUp()
        self.store = store_mod.StateStore(os.path.join(self.tmp, 's.yaml'))
        self.a, self.b = _record('a'), _record('b')
        self.run = {'op': 'run', 'command': 'deploy',
                    'started': '2026-12-02T21:00:00Z', 'pending': [
                        {'op': 'create', 'key': self.a.key, 'node': 'a',
                         'hypervisor': 'localhost'},
                        {'op': 'create', 'key': self.b.key, 'node': 'b',
                         'hypervisor': 'localhost'},
                        {'op': 'create', 'key': 'pool:p', 'node': None,
                         'hypervisor': 'localhost'}]}

    def journal(self, *entries):
        for entry in entries:
            self.store.journal(entry)

    def test_killed_run(self):
        """A run-begin and no run-end: the run did not finish."""
        self.journal(self.run,
                     {'op': 'begin', 'action': 'create', 'key': self.a.key,
                      'record': self.a.to_dict()},
                     {'op': 'done', 'key': self.a.key,
                      'record': self.a.to_dict()})
        run = self.store.load().last_run
        self.assertEqual(('deploy', 'running', '2026-12-02T21:00:00Z'),
                         (run.command, run.result, run.started))
        self.assertEqual([self.b.key, 'pool:p'],
                         [p['key'] for p in run.pending])
        self.assertEqual('create domain b on localhost',
                         model.describe(run.pending[0]))

    def test_ended_runs(self):
        self.journal(self.run, {'op': 'end', 'result': 'interrupted'})
        state = self.store.load()
        self.assertEqual('interrupted', state.last_run.result)
        # Saved and read back (an unfinished run survives compaction).
        self.store.save(state)
        self.assertEqual(state.last_run, self.store.load().last_run)
        self.assertIn('last_run', json.load(open(self.store.path)))
        # A complete run ends it.
        self.journal(dict(self.run, pending=[]),
                     {'op': 'end', 'result': 'complete'})
        state = self.store.load()
        self.assertIsNone(state.last_run)
        self.store.save(state)
        self.assertNotIn('last_run', json.load(open(self.store.path)))

    def test_replace_keeps_the_create_pending(self):
        """A delete and a create of one key: each is done on its own."""
        self.journal(dict(self.run, pending=[
            {'op': 'delete', 'key': self.a.key, 'node': 'a'},
            {'op': 'create', 'key': self.a.key, 'node': 'a'}]))
        self.journal({'op': 'begin', 'action': 'create', 'key': self.a.key,
                      'record': self.a.to_dict()},
                     {'op': 'done', 'key': self.a.key, 'deleted': True})
        self.assertEqual([('create', self.a.key)],
                         [(p['op'], p['key']) for p in
                          self.store.load().last_run.pending])

    def test_older_state_files_have_none(self):
        """No ``last_run`` field: the runs that wrote it completed."""
        with open(self.store.path, 'w') as f:
            json.dump({'version': 1, 'cluster': 'c', 'nodes': [],
                       'resources': []}, f)
        self.assertIsNone(self.store.load().last_run)


class TenksStateTest(base.TestCase):

    TENKS_STATE = '''\
        localhost:
          physnet_indices:
            physnet1: 0
            physnet2: 1
          nodes:
          - name: tk0
            uuid: 9b1b6a1d-1111-4c59-9c0e-2a7a3c2f1d01
            type: type0
            memory_mb: 1024
            vcpus: 1
            volumes:
            - capacity: 4GiB
              name: tk0vol0
            physical_networks: [physnet1]
            console_log_enabled: true
            ironic_driver: ipmi
            ipmi_port: 6230
            ironic_config:
              resource_class: my_rc
          - name: tk1
            uuid: 9b1b6a1d-2222-4c59-9c0e-2a7a3c2f1d01
            type: type1
            memory_mb: 1024
            vcpus: 1
            volumes: []
            physical_networks: [physnet1, physnet2]
            ironic_driver: redfish
            ipmi_port: 0
        '''

    def test_import(self):
        path = self.write('state.yml', self.TENKS_STATE)
        state = store_mod.StateStore(path).load()
        self.assertEqual(path, state.imported_from)
        self.assertEqual({'localhost': {'physnet_indices': {
            'physnet1': 0, 'physnet2': 1}}}, state.hypervisors)
        tk0, tk1 = state.nodes['tk0'], state.nodes['tk1']
        self.assertEqual(('tk', 0, 'localhost', 6230, True),
                         (tk0['prefix'], tk0['index'], tk0['hypervisor'],
                          tk0['bmc']['port'], tk0['adopt']))
        self.assertEqual({'resource_class': 'my_rc'}, tk0['ironic_config'])
        self.assertEqual({}, tk1['bmc'])
        self.assertEqual(['physnet1', 'physnet2'],
                         [n['physnet'] for n in tk1['nics']])
        self.assertEqual({}, state.resources)
