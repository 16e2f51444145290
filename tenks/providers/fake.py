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

"""A provider without virtual machines, for scale testing.

Nodes, volumes and pools exist only as small JSON records under
``<run_dir>/fake/<hypervisor>/``, one file each, so a cluster of thousands
of nodes costs a few megabytes and its runs are as idempotent as real ones.
Pair it with ``ironic_driver: fake-hardware`` to load-test Ironic with
nodes that need no BMC (see the scale testing guide).
"""

import json
import os
import threading

from tenks import exception
from tenks import fileio
from tenks import observation
from tenks.providers import base


class FakeProvider(base.Provider):
    """Virtual bare metal without the virtual machines.

    Its hypervisors and nodes take the ``[libvirt]`` defaults, so a spec
    can switch between the two providers and nothing else.
    """

    options_group = 'libvirt'

    def __init__(self, conf, hypervisor=None):
        super().__init__(conf, hypervisor)
        name = hypervisor.name if hypervisor is not None else 'localhost'
        self.root = os.path.join(conf.run_dir, 'fake', name)
        self._lock = threading.Lock()

    def _path(self, kind, name):
        return os.path.join(self.root, kind, name.replace('/', '%') +
                            '.json')

    def _read(self, kind, name):
        try:
            with open(self._path(kind, name)) as f:
                return json.load(f)
        except FileNotFoundError:
            return None

    def _write(self, kind, name, data):
        path = self._path(kind, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fileio.write_atomic(path, json.dumps(data), sync=False)

    def _remove(self, kind, record):
        """Delete ``record``'s file unless another cluster made it."""
        current = self._read(kind, record.name)
        if current is None:
            return
        if not record.adopt and current.get('cluster') != self._cluster(
                record):
            raise exception.ResourceConflict(
                '%s %s on %s is not this cluster\'s; not deleting it'
                % (kind, record.name, self.hypervisor.name))
        try:
            os.unlink(self._path(kind, record.name))
        except FileNotFoundError:
            pass

    def _ensure(self, kind, record, mark=True):
        current = self._read(kind, record.name)
        if current is not None and not record.adopt and (
                not mark or current.get('cluster') != self._cluster(record)):
            raise exception.ResourceConflict(
                '%s %s already exists on %s and is not this cluster\'s'
                % (kind, record.name, self.hypervisor.name))
        data = dict(record.props, cluster=self._cluster(record))
        if current is not None:
            data['power'] = current.get('power', 'off')
        self._write(kind, record.name, data)
        return None

    def _cluster(self, record):
        return record.props.get('cluster') or self.conf.cluster_name

    def _observe(self, kind, records):
        try:
            present = set(os.listdir(os.path.join(self.root, kind)))
        except FileNotFoundError:
            present = set()
        out = {}
        for record in records:
            filename = os.path.basename(self._path(kind, record.name))
            if filename not in present:
                out[record.key] = observation.ABSENT
                continue
            data = self._read(kind, record.name) or {}
            if not data.get('cluster'):
                out[record.key] = observation.foreign(
                    'carries no cluster mark', unmarked=True)
            elif data['cluster'] == self._cluster(record):
                out[record.key] = observation.Observation(True, True)
            else:
                out[record.key] = observation.foreign(
                    'made by cluster %s' % data['cluster'])
        return out

    # pool: like libvirt's, one that exists is used whoever made it
    def create_pool(self, record):
        current = self._read('pool', record.name)
        if current is not None and current.get('cluster') != self._cluster(
                record):
            return {'created': False}
        self._ensure('pool', record)
        return {'created': True}

    def delete_pool(self, record):
        current = self._read('pool', record.name)
        if current is not None and (
                (record.outputs or {}).get('created') or
                current.get('cluster') == self._cluster(record)):
            self._remove('pool', record)

    def observe_pool(self, records):
        return {key: observation.Observation(True, True)
                if seen.exists else seen
                for key, seen in self._observe('pool', records).items()}

    # volume
    def create_volume(self, record):
        if record.props.get('existing'):
            return None
        return self._ensure('volume', record)

    def update_volume(self, old, record):
        if (record.props.get('capacity') or 0) < (
                old.props.get('capacity') or 0):
            raise exception.PluginError('volume %s cannot shrink'
                                        % record.name)
        self._write('volume', record.name,
                    dict(record.props, cluster=self._cluster(record)))

    def delete_volume(self, record):
        if not record.props.get('existing'):
            self._remove('volume', record)

    def observe_volume(self, records):
        return self._observe('volume', [r for r in records
                                        if not r.props.get('existing')])

    # domain
    def create_domain(self, record):
        return self._ensure('domain', record)

    def update_domain(self, old, record):
        return self._ensure('domain', record)

    def delete_domain(self, record):
        self._remove('domain', record)

    def observe_domain(self, records):
        return self._observe('domain', records)

    # power
    def _domain(self, name):
        data = self._read('domain', name)
        if data is None:
            raise exception.TenksError('no node %s on %s'
                                       % (name, self.hypervisor.name))
        return data

    def power_state(self, name):
        return self._domain(name).get('power', 'off')

    def _set_power(self, name, state):
        with self._lock:
            data = self._domain(name)
            data['power'] = state
            self._write('domain', name, data)

    def power_on(self, name):
        self._set_power(name, 'on')

    def power_off(self, name):
        self._set_power(name, 'off')

    def power_states(self, records):
        out = {}
        for record in records:
            data = self._read('domain', record.name)
            if data is None:
                out[record.name] = 'missing'
            elif data.get('cluster') != self._cluster(record):
                out[record.name] = 'foreign'
            else:
                out[record.name] = data.get('power', 'off')
        return out
