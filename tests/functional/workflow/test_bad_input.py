"""Bad specs and settings are refused precisely, and the host is left
exactly as it was (issue: reliability, bad input)."""

import os

import pytest

from tests.functional import env as env_mod
from tests.functional import specs
from tests.unit.spec import bad_specs


@pytest.fixture(scope='module')
def snapshot_env(tmp_path_factory, libvirtd):
    env = env_mod.TenksEnv(str(tmp_path_factory.mktemp('bad')))
    before = env_mod.host_snapshot(pattern=env.name_pattern)
    yield env
    assert env_mod.host_snapshot(pattern=env.name_pattern) == before
    assert not os.path.exists(env.state_file)
    assert env_mod.sweep(env.token) == []


@pytest.mark.parametrize('name,text,where,what', bad_specs.BAD_SPECS,
                         ids=[b[0] for b in bad_specs.BAD_SPECS])
def test_bad_spec_changes_nothing(snapshot_env, name, text, where, what):
    env = snapshot_env
    path = env.write_spec(text, name='%s.yaml' % name)
    before = env_mod.host_snapshot(pattern=env.name_pattern)
    for command in (['validate'], ['deploy'], ['deploy', '--dry-run']):
        code, out, err = env.tenks(*(command + ['--spec', path]),
                                   check=False)
        assert code == 1, (command, out, err)
        assert path in err
        assert where in err and what in err, err
        assert 'Traceback' not in err
    assert env_mod.host_snapshot(pattern=env.name_pattern) == before
    assert not os.path.exists(env.state_file)


@pytest.mark.parametrize('name,text,option', bad_specs.BAD_CONFIGS,
                         ids=[b[0] for b in bad_specs.BAD_CONFIGS])
def test_bad_config_changes_nothing(snapshot_env, name, text, option):
    env = snapshot_env
    spec = env.write_spec(specs.text({'t': specs.node_type()},
                                     [specs.entry('t', 1)]))
    conf = os.path.join(env.root, 'bad-%s.conf' % name)
    with open(conf, 'w') as f:
        f.write(text)
    before = env_mod.host_snapshot(pattern=env.name_pattern)
    proc = env.tenks_process('--config-file', conf, 'deploy', '--spec', spec)
    assert proc.returncode == 1, proc
    assert conf in proc.stderr, proc.stderr
    assert option in proc.stderr, proc.stderr
    assert 'Traceback' not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert env_mod.host_snapshot(pattern=env.name_pattern) == before


def test_inputs_counted():
    assert len(bad_specs.BAD_SPECS) + len(bad_specs.BAD_CONFIGS) >= 50
