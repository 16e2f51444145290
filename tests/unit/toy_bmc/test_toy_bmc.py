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

"""``tenks`` serves an emulator it has never heard of.

The toy is injected through ``main(argv, plugin_classes)``; nodes are
the fake provider's, so no daemon is needed.
"""

import json
import os
import pathlib
import textwrap

import pytest

from tenks.cli import app
from tests.unit.toy_bmc import emulator

PLUGINS = {('tenks.bmc', 'toy'): emulator.ToyBMC}

SPEC = '''
bmc_emulators: {toy-hardware: toy}
hypervisors:
  localhost: {provider: fake}
node_types:
  t:
    memory_mb: 64
    vcpus: 1
    ironic_driver: toy-hardware
specs:
  - type: t
    count: 2
'''


@pytest.fixture
def toy(tmp_path, capsys):
    conf = tmp_path / 'tenks.conf'
    conf.write_text(textwrap.dedent('''\
        [DEFAULT]
        state_file = %(tmp)s/state.yaml
        log_dir = %(tmp)s/log
        run_dir = %(tmp)s/run
        ''' % {'tmp': tmp_path}))
    spec = tmp_path / 'spec.yaml'
    spec.write_text(SPEC)

    def tenks(*args):
        code = app.main(['--config-file', str(conf)] + list(args),
                        plugin_classes=PLUGINS)
        out, err = capsys.readouterr()
        assert code == 0, err
        tenks.err = err
        return out

    tenks.spec = str(spec)
    tenks.board = tmp_path / 'run' / 'toy' / 'localhost.json'
    return tenks


def _board(toy):
    return json.loads(toy.board.read_text())


def test_deploy_power_export_teardown(toy):
    toy('deploy', '--spec', toy.spec)
    assert _board(toy) == {
        'tk0': {'port': 7100, 'power': 'off', 'username': 'toy',
                'password': 'toy-secret'},
        'tk1': {'port': 7101, 'power': 'off', 'username': 'toy',
                'password': 'toy-secret'}}
    # The core asks the toy what its BMCs are...
    nodes = json.loads(toy('node', 'list', '-f', 'json'))
    assert [n['BMC'] for n in nodes] == ['toy toy://127.0.0.1:7100',
                                         'toy toy://127.0.0.1:7101']
    # ...speaks to them through it...
    power = json.loads(toy('node', 'power', 'on', 'tk1', '-f', 'json'))
    assert [(p['Name'], p['Power']) for p in power] == [('tk1', 'on')]
    assert _board(toy)['tk1']['power'] == 'on'
    # ...and tells Ironic (here, its export) the toy's driver_info.
    exported = json.loads(toy('export', 'json'))
    by_name = {n['name']: n for n in exported['nodes']}
    assert by_name['tk0']['driver'] == 'toy-hardware'
    assert by_name['tk0']['driver_info']['toy_port'] == 7100
    # Nothing changes on a second deploy; teardown removes the board.
    toy('deploy', '--spec', toy.spec)
    assert 'No changes' in toy.err
    assert _board(toy)['tk1']['power'] == 'on'
    toy('teardown')
    assert not toy.board.exists()


def test_the_core_names_no_toy():
    package = pathlib.Path(app.__file__).parents[1]
    for path in package.rglob('*.py'):
        assert 'toy' not in path.read_text().lower(), path
    assert os.path.basename(str(package)) == 'tenks'
