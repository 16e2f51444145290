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

"""What the hypervisor cannot honour stops the plan before any change.

Read from this host's real libvirt: it has no qemu-system-s390x, so new
s390x nodes fit on no hypervisor; and with TCG domains (``[libvirt]
domain_type = qemu``) it cannot give existing nodes the host-passthrough
CPU mode, which needs KVM, so that change is refused, one line per node.
"""

import pytest

from tests.functional import env as env_mod
from tests.functional import specs

pytestmark = pytest.mark.hardware


@pytest.fixture
def tcg_env(tmp_path, libvirtd):
    yield from env_mod.managed(
        tmp_path, extra_conf='\n[libvirt]\ndomain_type = qemu\n')


def _spec(env, x86_keys=None, s390x=0):
    types = {'x86': specs.node_type(ironic_driver='fake-hardware',
                                    volumes=[{'capacity': '16MiB'}],
                                    **(x86_keys or {})),
             'mainframe': specs.node_type(ironic_driver='fake-hardware',
                                          arch='s390x',
                                          volumes=[{'capacity': '16MiB'}])}
    return env.write_spec(specs.text(types, [specs.entry('x86', 2),
                                             specs.entry('mainframe',
                                                         s390x)]))


def _refused(env, spec, words):
    """Each planning command fails; the lines naming ``words``."""
    found = None
    for command in (('validate',), ('deploy', '--dry-run'), ('deploy',)):
        code, _out, err = env.tenks(*(command + ('--spec', spec)),
                                    check=False)
        assert code == 1, err
        lines = [line.strip() for line in err.splitlines() if words in line]
        assert 'nothing was changed' in err or len(lines) == 1, err
        assert found is None or lines == found, err
        found = lines
    return found


def test_an_architecture_without_emulator_places_nowhere(tcg_env):
    env = tcg_env
    before = env_mod.host_snapshot(pattern=env.token)
    lines = _refused(env, _spec(env, s390x=1), 'cannot run s390x guests')
    assert lines == ['no hypervisor can host node %s2 (localhost: cannot '
                     'run s390x guests (it runs %s))' % (
                         env.token, lines[0].split('(it runs ')[1][:-2])]
    assert 'x86_64' in lines[0]
    assert env_mod.host_snapshot(pattern=env.token) == before


def test_a_change_the_hypervisor_cannot_honour_changes_nothing(tcg_env):
    env = tcg_env
    env.tenks('deploy', '--spec', _spec(env))
    before = env_mod.host_snapshot(pattern=env.token)
    state = env.tenks_json('node', 'list')
    lines = _refused(env, _spec(env, {'cpu_mode': 'host-passthrough'}),
                     'host-passthrough')
    assert lines == [
        'node %s%d on localhost: CPU mode host-passthrough is not '
        'available with domain type qemu on this hypervisor (it needs '
        'kvm)' % (env.token, i) for i in (0, 1)]
    assert env_mod.host_snapshot(pattern=env.token) == before
    assert env.tenks_json('node', 'list') == state
