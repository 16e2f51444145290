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

"""The ownership contract, against the plugins that need no daemon.

(The real ones, libvirt, Linux bridges, Open vSwitch, the BMC emulators,
Ironic and Nova, are checked by ``tests/functional/contracts``.)
"""

import json
import os

import pytest

from tenks import conf as conf_mod
from tenks.hosts import context
from tenks.providers import fake
from tenks.state import model
from tests.contracts import ownership


class _FakeSubject(ownership.Subject):
    """A FakeProvider resource; a rival is a file without a mark."""

    props = {}

    def __init__(self, driver):
        super().__init__(driver, self.kind)

    def record(self, adopt=False, cluster=None):
        return model.ResourceRecord(
            self.kind, self.name, 'fake', 'hv0',
            dict(self.props, cluster=cluster or 'tenks'), adopt=adopt)

    def _path(self, record):
        return self.driver._path(self.kind, record.name)

    def make_foreign(self, record):
        os.makedirs(os.path.dirname(self._path(record)), exist_ok=True)
        with open(self._path(record), 'w') as f:
            json.dump({'made': 'by hand'}, f)

    def exists(self, record):
        return os.path.exists(self._path(record))


class _Domain(_FakeSubject):
    kind = 'domain'
    name = 'tk0'
    props = {'name': 'tk0', 'memory_mb': 64}


class _Volume(_FakeSubject):
    kind = 'volume'
    name = 'hv0/tenks/tk0vol0'
    props = {'name': 'tk0vol0', 'capacity': 2 ** 20}


class _Pool(_FakeSubject):
    kind = 'pool'
    name = 'hv0/tenks'
    props = {'name': 'tenks', 'path': '/nowhere'}
    shared = True


SUBJECTS = {'fake-domain': _Domain, 'fake-volume': _Volume,
            'fake-pool': _Pool}


@pytest.mark.parametrize('subject_cls,check', ownership.cases(SUBJECTS))
def test_ownership(subject_cls, check, tmp_path):
    conf = conf_mod.new_conf([])
    conf.set_override('run_dir', str(tmp_path))
    driver = fake.FakeProvider(conf, context.HypervisorContext(
        'hv0', 'fake:///'))
    check(subject_cls(driver))
