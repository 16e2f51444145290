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

"""Two state files of the same cluster name (issue 14, item 6).

What one deployed carries the cluster's mark; a deploy through the other
state file must not take it (a teardown there would remove it from under
the first). It stops before anything is touched, saying which state file
does not record what, on a real libvirtd and real links.
"""

import os

from tests.functional import env as env_mod
from tests.functional import specs

WORDING = ('is marked for cluster %s but not recorded in this state file '
           '(%s); another state file of the same cluster name may own it')


def other_state(env, name, **options):
    """A config file with another state file (and ``options``)."""
    state = os.path.join(env.root, name, 'state.yaml')
    conf = os.path.join(env.root, '%s.conf' % name)
    with open(conf, 'w') as f:
        f.write('[DEFAULT]\nstate_file = %s\n' % state)
        for key, value in options.items():
            f.write('%s = %s\n' % (key, value))
    return conf, state


def test_second_state_file_of_a_cluster_is_refused(tenks_env):
    env = tenks_env
    spec = env.write_spec(specs.text(
        {'t': specs.node_type(ironic_driver='fake-hardware',
                              physical_networks=['physnet1'])},
        [specs.entry('t', 1)], physnet_mappings={'physnet1': None}))
    env.tenks('deploy', '--spec', spec)
    before = env_mod.host_snapshot(pattern=env.name_pattern)
    node = '%s0' % env.token
    bridge = 'bridge localhost/%s0 on localhost' % env.bridge_prefix

    # The same spec through another state file: the node, its NIC and
    # the bridge are the first state file's.
    conf, state = other_state(env, 'second')
    wording = WORDING % (env.token, state)
    for command in (['validate'], ['deploy', '--dry-run'], ['deploy']):
        code, out, err = env.tenks(*(['--config-file', conf] + command +
                                     ['--spec', spec]), check=False)
        assert code == 1, (command, out, err)
        lines = err.splitlines()
        for what in ('domain %s on localhost' % node, bridge,
                     'vif localhost/p-%s-0-tap on localhost' % node):
            assert any(what in line and wording in line
                       for line in lines), (command, what, err)
        assert 'not created by tenks' not in err, err
        assert 'Traceback' not in err, err
        assert env_mod.host_snapshot(pattern=env.name_pattern) == before

    # Other node names, so only the bridge is shared: still refused.
    conf, state = other_state(env, 'third',
                              node_name_prefix='%sb' % env.token)
    code, out, err = env.tenks('--config-file', conf, 'deploy', '--spec',
                               spec, check=False)
    assert code == 1, err
    assert ('%s: it %s' % (bridge, WORDING % (env.token, state))) in err, err
    assert env_mod.host_snapshot(pattern=env.name_pattern) == before

    # The first state file's cluster is whole and untouched.
    env.tenks('status', '--exit-code')
    code, out, err = env.tenks('deploy', '--spec', spec, '--dry-run')
    assert 'No changes' in out + err, (out, err)
