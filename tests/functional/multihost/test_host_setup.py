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

"""``tenks host setup`` installs ``tenks-host-agent`` on a remote host.

The hosts have no package index: the agent's virtualenv is made there
from the controller's wheels, shipped over SSH. A cluster then deploys
on the host with that agent (its BMC daemons run from the virtualenv),
a second setup changes nothing, and a virtualenv tenks did not make is
never replaced.
"""

import pytest

from tenks import version
from tests.functional.multihost import cluster

pytestmark = pytest.mark.multihost


def _rows(env, spec, *extra):
    rows = env.tenks_json('host', 'setup', '--spec', spec, *extra)
    return {(r['Host'], r['Step']): r for r in rows}


def test_host_setup_installs_the_agent_over_ssh(env, remote_hosts):
    lab = remote_hosts
    a, b = lab
    venv = '/root/agent-%s' % env.token
    command = '%s/bin/tenks-host-agent' % venv
    # Host a's agent is to be installed; host b has one already.
    spec = env.write_spec(cluster.spec(env, lab, ipmi=2, redfish=1, **{
        a.name: {'ssh': dict(a.ssh_identity(), agent_command=command)}}))
    try:
        rows = _rows(env, spec, '--dry-run')
        planned = rows[(a.address, 'host agent')]
        assert planned['Status'] == 'would run', planned
        assert 'pip install' in planned['Detail'], planned
        assert rows[(b.address, 'host agent')]['Status'] == 'ok'
        assert a.ssh('test -e %s' % venv)[0] == 1, 'a dry run made it'

        rows = _rows(env, spec)
        done = rows[(a.address, 'host agent')]
        assert done['Status'] == 'done', done
        assert a.check('%s --version' % command).strip() == (
            version.release_string())
        # Its own virtualenv: tenks' wheels, no path to this controller's.
        assert a.check('%s/bin/python -c "import tenks; '
                       'print(tenks.__file__)"' % venv).startswith(venv)
        assert rows[(b.address, 'host agent')]['Status'] == 'ok'

        # Again: nothing to do.
        rows = _rows(env, spec)
        assert rows[(a.address, 'host agent')]['Status'] == 'ok'

        # The installed agent serves a cluster, and its BMC daemons.
        env.tenks('deploy', '--spec', spec)
        on_a = [n for n, row in cluster.nodes(env).items()
                if row['Hypervisor'] == a.name]
        assert on_a
        ps = a.check('ps -eo args')
        assert '%s/bin/python' % venv in ps, ps
        env.tenks('verify')
        env.tenks('teardown')
        assert cluster.domains(a, env) == []
    finally:
        env.tenks('teardown', check=False)
        a.ssh('rm -rf %s' % venv)


def test_host_setup_never_replaces_a_virtualenv_it_did_not_make(
        env, remote_hosts):
    lab = remote_hosts
    a, _b = lab
    venv = '/root/foreign-%s' % env.token
    spec = env.write_spec(cluster.spec(env, lab, ipmi=1, redfish=0, **{
        a.name: {'ssh': dict(a.ssh_identity(), agent_command=(
            '%s/bin/tenks-host-agent' % venv))}}))
    a.check('mkdir -p %s/bin && echo mine > %s/keep' % (venv, venv))
    try:
        code, _out, err = env.tenks('host', 'setup', '--spec', spec,
                                    check=False)
        assert code == 1, err
        lines = [line for line in err.splitlines() if a.address in line]
        assert len(lines) == 1, err
        assert ('%s exists and tenks host setup did not make it' % venv
                in lines[0]), err
        assert 'tenks-host-agent not found' in lines[0], err
        # Untouched, on every host.
        assert a.check('ls -A %s; cat %s/keep' % (venv, venv)).split() == [
            'bin', 'keep', 'mine']
        assert cluster.domains(a, env) == []
    finally:
        a.ssh('rm -rf %s' % venv)
