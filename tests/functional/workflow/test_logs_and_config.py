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

"""Readable logs and checked configuration, through the real ``tenks``
console script (issue 14, items 4 and 5).

* ``-v`` and ``--debug`` show tenks' own messages, never pyroute2's
  netlink dumps (a no-op deploy of one wired node wrote 27 KB of them at
  ``-v``); ``--debug -vvv`` opens other libraries on purpose.
* ``--log-file``, and ``debug``/``log_file`` in tenks.conf, write the log.
* Unknown sections and options are refused by name, with their file,
  before anything is touched; ``--config-dir`` is read; the files read
  are logged with ``-v``.
* A permission problem says that the command needs root.
* ``--version`` is pbr's full version of this checkout.
* ``host setup`` prints its steps once.
"""

import importlib.metadata
import os
import re
import subprocess
import sys

import pytest

from tests.functional import env as env_mod
from tests.functional import specs

TENKS = os.path.join(os.path.dirname(sys.executable), 'tenks')

#: What pyroute2 logs at debug level for every netlink message.
NETLINK_DUMP = re.compile(r"IFLA_|SOCK_DGRAM enqueue|await data on|"
                          r"preventing override of marshal|^get: \d+")


def tenks(env, *args, config=True, preexec=None):
    """Run the ``tenks`` console script; ``CompletedProcess``."""
    argv = [TENKS] + (['--config-file', env.config_file] if config else [])
    return subprocess.run(argv + list(args), capture_output=True, text=True,
                          timeout=600, preexec_fn=preexec)


def wired_spec(env):
    """One node on a physnet (links go through pyroute2), no BMC."""
    return env.write_spec(specs.text(
        {'t': specs.node_type(physical_networks=['physnet1'],
                              ironic_driver='fake-hardware')},
        [specs.entry('t', 1)], physnet_mappings={'physnet1': None}))


def netlink_lines(text):
    return [line for line in text.splitlines() if NETLINK_DUMP.search(line)]


@pytest.fixture
def deployed(tenks_env):
    spec = wired_spec(tenks_env)
    proc = tenks(tenks_env, 'deploy', '--spec', spec)
    assert proc.returncode == 0, proc.stderr
    return tenks_env, spec


def test_verbose_and_debug_no_op_deploys_stay_readable(deployed):
    env, spec = deployed
    for flags in (['-v'], ['-vv'], ['--debug']):
        proc = tenks(env, *(flags + ['deploy', '--spec', spec]))
        assert proc.returncode == 0, proc.stderr
        assert 'No changes' in proc.stderr
        assert netlink_lines(proc.stderr) == [], flags
        # tenks' own debug messages are there: the files read.
        assert ('configuration read from: %s' % env.config_file
                in proc.stderr), flags
        for line in proc.stderr.splitlines():
            assert len(line) < 500, (flags, line[:200])
    # The dumps are one explicit opt-in away (and this test sees them).
    proc = tenks(env, '--debug', '-vvv', 'deploy', '--spec', spec)
    assert proc.returncode == 0, proc.stderr
    assert netlink_lines(proc.stderr)
    # -vvv alone is not the opt-in.
    proc = tenks(env, '-vvv', 'deploy', '--spec', spec)
    assert netlink_lines(proc.stderr) == []


def test_log_file_option_writes_the_log(tenks_env):
    env = tenks_env
    spec = wired_spec(env)
    log = os.path.join(env.root, 'cli', 'run.log')
    proc = tenks(env, '--log-file', log, 'deploy', '--spec', spec)
    assert proc.returncode == 0, proc.stderr
    with open(log) as f:
        text = f.read()
    assert re.search(r'\d+ INFO tenks\.\S+ \[-\] Done: ', text), text
    assert ' DEBUG ' not in text
    assert netlink_lines(text) == []
    # The console kept its plain messages.
    assert 'Done: ' in proc.stderr and ' INFO ' not in proc.stderr


def test_debug_and_log_file_in_tenks_conf(tenks_env):
    env = tenks_env
    spec = wired_spec(env)
    with open(env.config_file) as f:
        text = f.read()
    with open(env.config_file, 'w') as f:
        f.write(text.replace('[DEFAULT]\n', '[DEFAULT]\ndebug = true\n'
                             'log_file = tenks.log\n', 1))
    proc = tenks(env, 'deploy', '--spec', spec)
    assert proc.returncode == 0, proc.stderr
    proc = tenks(env, 'deploy', '--spec', spec)
    assert 'No changes' in proc.stderr
    # log_file is relative to log_dir.
    with open(os.path.join(env.log_dir, 'tenks.log')) as f:
        log = f.read()
    assert ' DEBUG tenks.cli.app [-] tenks ' in log
    assert 'configuration read from: %s' % env.config_file in log
    assert 'No changes' in log
    assert netlink_lines(log) == []


def _bad_config(env, text):
    path = os.path.join(env.root, 'bad.conf')
    with open(path, 'w') as f:
        f.write(text)
    return path


@pytest.mark.parametrize('text,message', [
    ('[libvirt]\nuri_typo = qemu:///system\n',
     '%s: [libvirt] uri_typo: unknown option'),
    ('[libvrit]\nuri = qemu:///system\n', '%s: [libvrit]: unknown section'),
    ('[DEFAULT]\nlog-file = x.log\n',
     '%s: [DEFAULT] log-file: unknown option'),
], ids=['option', 'section', 'dashed-name'])
def test_unknown_names_refused_before_anything(tenks_env, text, message):
    env = tenks_env
    spec = wired_spec(env)
    bad = _bad_config(env, text)
    before = env_mod.host_snapshot(pattern=env.name_pattern)
    for command in (['deploy', '--spec', spec], ['status'],
                    ['host', 'setup', '--dry-run']):
        proc = tenks(env, '--config-file', bad, *command)
        assert proc.returncode == 1, (command, proc)
        assert proc.stderr == message % bad + '\n', proc.stderr
        assert proc.stdout == ''
    assert env_mod.host_snapshot(pattern=env.name_pattern) == before
    assert not os.path.exists(env.state_file)


def test_config_dir_is_read_and_logged(tenks_env):
    env = tenks_env
    spec = wired_spec(env)
    directory = os.path.join(env.root, 'tenks.conf.d')
    os.mkdir(directory)
    first = os.path.join(directory, '10-prefix.conf')
    second = os.path.join(directory, '20-prefix.conf')
    with open(first, 'w') as f:
        f.write('[DEFAULT]\nnode_name_prefix = overridden\n')
    with open(second, 'w') as f:
        f.write('[DEFAULT]\nnode_name_prefix = %sd\n' % env.prefix)
    with open(os.path.join(directory, 'notes.txt'), 'w') as f:
        f.write('not a configuration file')
    proc = tenks(env, '--config-dir', directory, '-v', 'deploy', '--spec',
                 spec, '--dry-run', '-f', 'value', '-c', 'Name')
    assert proc.returncode == 0, proc.stderr
    assert ('configuration read from: %s, %s, %s'
            % (env.config_file, first, second)) in proc.stderr
    assert '%sd0' % env.prefix in proc.stdout.split()
    proc = tenks(env, '--config-dir', os.path.join(env.root, 'nope'),
                 'status')
    assert proc.returncode == 1
    assert 'configuration directory %s does not exist' % os.path.join(
        env.root, 'nope') in proc.stderr


def test_version_is_pbrs(tmp_path):
    proc = subprocess.run([TENKS, '--version'], capture_output=True,
                          text=True)
    assert proc.returncode == 0
    # Outside the checkout, as the tenks command runs: python -c puts the
    # working directory first on sys.path, where a tenks.egg-info left by
    # an older build would answer instead of the installed metadata.
    pbr = subprocess.run(
        [sys.executable, '-c', 'import pbr.version; print(pbr.version.'
         'VersionInfo("tenks").release_string())'],
        capture_output=True, text=True, check=True,
        cwd=str(tmp_path)).stdout.strip()
    assert proc.stdout == 'tenks %s\n' % pbr
    assert pbr == importlib.metadata.version('tenks')
    # A checkout between releases is a .devN version, as pbr says.
    short = subprocess.run(
        [sys.executable, '-c', 'import pbr.version; print(pbr.version.'
         'VersionInfo("tenks").version_string())'],
        capture_output=True, text=True, check=True).stdout.strip()
    if pbr != short:
        assert re.fullmatch(r'\d+\.\d+\.\d+\.dev\d+', pbr), pbr


def test_permission_problem_says_needs_root(tenks_env):
    env = tenks_env
    spec = env.write_spec(specs.text({'t': specs.node_type(
        ironic_driver='fake-hardware')}, [specs.entry('t', 1)]))
    proc = tenks(env, 'deploy', '--spec', spec)
    assert proc.returncode == 0, proc.stderr
    state_dir = os.path.dirname(env.state_file)
    # The state belongs to someone else, as root's /var/lib/tenks does to
    # a user: tenks runs without root's power over files (the test
    # interpreter lives in root's 0700 home, out of a real user's reach).
    os.chown(state_dir, 65534, 65534)
    os.chown(env.state_file, 65534, 65534)
    os.chmod(env.state_file, 0o600)
    try:
        for command in (['node', 'list'], ['deploy', '--spec', spec]):
            proc = subprocess.run(
                ['setpriv', '--bounding-set=-all', '--inh-caps=-all', TENKS,
                 '--config-file', env.config_file] + command,
                capture_output=True, text=True, timeout=600)
            assert proc.returncode == 1, proc
            assert 'Permission denied' in proc.stderr
            assert 'This command needs root' in proc.stderr
            assert 'Traceback' not in proc.stderr
            assert len(proc.stderr.splitlines()) == 1, proc.stderr
    finally:
        os.chown(state_dir, 0, 0)
        os.chown(env.state_file, 0, 0)


def test_host_setup_prints_its_steps_once(tenks_env):
    proc = tenks(tenks_env, 'host', 'setup', '--dry-run')
    assert proc.returncode == 0, proc.stderr
    for step in ('platform', 'packages', 'kvm device', 'libvirtd',
                 'libvirt'):
        assert len(re.findall(r'\| %s +\|' % step, proc.stdout)) == 1
        assert step + ':' not in proc.stderr
    assert proc.stderr == ''
