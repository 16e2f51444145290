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

"""Reading and writing the state file and its journal.

The state file is written atomically (temporary file, fsync, rename) and
is JSON, which is also valid YAML, so people and YAML tools read it. While
a plan is applied, every action is journalled in ``<state>.journal``
(JSON lines, flushed before and after the action), so a run killed at any
point leaves a state that is true to what exists; the next load replays
the journal and the next run converges. A run also journals its beginning
(with the actions of its plan) and its end, so a run that did not complete
is known (``State.last_run``) until one completes.
"""

import json
import os

from tenks import exception
from tenks import fileio
from tenks.state import model
from tenks.state import tenks_format


class StateStore(object):
    """The state file at ``path``, its journal and its lock."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.journal_path = self.path + '.journal'
        self.lock_path = self.path + '.lock'
        self._journal = None

    def exists(self):
        return (os.path.exists(self.path) or
                os.path.exists(self.journal_path))

    def load(self, cluster=None):
        """Load the state: the snapshot plus the journal replayed.

        A missing file gives an empty state. A Tenks (Ansible) state.yml is
        recognised and converted.
        """
        state = None
        if os.path.exists(self.path):
            state = self._read_snapshot()
        if state is None:
            state = model.State(cluster=cluster or 'tenks')
        if os.path.exists(self.journal_path):
            self._replay(state)
        return state

    def _read_snapshot(self):
        try:
            with open(self.path, 'rb') as f:
                raw = f.read()
        except OSError as exc:
            raise exception.StateError('cannot read state file %s: %s'
                                       % (self.path, exc.strerror or exc))
        if not raw.strip():
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            data = self._yaml(raw)
        if not isinstance(data, dict):
            raise exception.StateError('state file %s is not a mapping'
                                       % self.path)
        if tenks_format.is_tenks_state(data):
            return tenks_format.convert(data, self.path)
        version = data.get('version')
        if version != model.VERSION:
            raise exception.StateError(
                'state file %s has version %r; this tenks reads version %d'
                % (self.path, version, model.VERSION))
        try:
            return model.State.from_dict(data)
        except (KeyError, TypeError, AttributeError) as exc:
            raise exception.StateError('state file %s is malformed: %s'
                                       % (self.path, exc))

    def _yaml(self, raw):
        import yaml
        try:
            return yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise exception.StateError('state file %s is not valid YAML: %s'
                                       % (self.path, exc))

    def _replay(self, state):
        with open(self.journal_path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    entry = json.loads(line)
                except ValueError:
                    # A torn last line from a killed run: the action it
                    # announced never completed, and nothing follows it.
                    break
                apply_entry(state, entry)

    def save(self, state):
        """Write ``state`` atomically and empty the journal."""
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            fileio.write_atomic(self.path, json.dumps(
                state.to_dict(), indent=1, sort_keys=False) + '\n')
        except OSError as exc:
            raise exception.StateError('cannot write state file %s: %s'
                                       % (self.path, exc.strerror or exc))
        self._close_journal()
        try:
            os.unlink(self.journal_path)
        except FileNotFoundError:
            pass

    def remove(self):
        """Delete the state file and journal (after a complete teardown)."""
        self._close_journal()
        for path in (self.path, self.journal_path):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass

    def journal(self, entry):
        """Append one entry to the journal and flush it to the kernel.

        Flushing (not fsync) is enough for a killed process: the kernel
        keeps the data. fsync happens when the state is saved.
        """
        if self._journal is None:
            fd = os.open(self.journal_path,
                         os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            self._journal = os.fdopen(fd, 'a')
        self._journal.write(json.dumps(entry, separators=(',', ':')) + '\n')
        self._journal.flush()

    def _close_journal(self):
        if self._journal is not None:
            self._journal.close()
            self._journal = None


def apply_entry(state, entry):
    """Apply one journal entry to ``state`` (used live and in replay)."""
    op = entry['op']
    if op == 'allocate':
        state.nodes = {n['name']: n for n in entry['nodes']}
        state.hypervisors = entry['hypervisors']
        if entry.get('seed'):
            state.seed = entry['seed']
        if entry.get('cluster'):
            state.cluster = entry['cluster']
        return
    if op == 'run':
        # A run begins: every action of its plan is pending.
        state.last_run = model.LastRun(command=entry['command'],
                                       started=entry['started'],
                                       pending=list(entry['pending']))
        return
    if op == 'end':
        if state.last_run is not None:
            if entry['result'] == model.COMPLETE:
                state.last_run = None
            else:
                state.last_run.result = entry['result']
        return
    key = entry['key']
    if op == 'begin':
        action = entry['action']
        if action == 'create':
            record = model.ResourceRecord.from_dict(entry['record'])
            record.status = model.CREATING
            old = state.resources.get(key)
            if old is not None and old.adopt:
                record.adopt = True
            state.resources[key] = record
        elif action == 'update':
            state.resources[key].status = model.UPDATING
        elif action == 'delete':
            state.resources[key].status = model.DELETING
    elif op == 'done':
        if state.last_run is not None:
            state.last_run.done(key, entry.get('deleted'))
        if entry.get('deleted'):
            state.resources.pop(key, None)
        else:
            record = model.ResourceRecord.from_dict(entry['record'])
            record.status = model.PRESENT
            record.adopt = False
            state.resources[key] = record
    elif op == 'forget':
        state.resources.pop(key, None)
    elif op == 'refused':
        # The plugin found the resource not provably tenks' and changed
        # nothing.
        record = state.resources.get(key)
        if record is not None:
            record.status = model.PRESENT
            record.adopt = False
    elif op == 'fail':
        # The record keeps its in-flight status: the resource may be half
        # made or half gone, and the next run finds out and converges.
        pass
