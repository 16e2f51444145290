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

"""One host of several fails (issue 13, item 6).

A host that does not answer at all (its SSH port drops every packet) and
a host whose libvirtd is down each stop the plan before anything changes
anywhere, with one line naming the host and the cause; once the host is
back the next run converges. A host gone for good is forgotten by
``teardown --forget-host``: the others are cleaned, it is not touched.
Teardown leaves no empty run directory on any host.
"""

import os
import time

import pytest

from tests.functional import env as env_mod
from tests.functional.multihost import cluster

pytestmark = pytest.mark.multihost


def _mine(env):
    """This test's names on the controller (other runs share it)."""
    return '%s|%s' % (env.token, env.bridge_prefix)


def _lines_naming(err, *words):
    return [line for line in err.splitlines()
            if any(word in line for word in words)]


def _has_run_dir(host, env):
    return host.ssh('test -e %s' % env.run_dir)[0] == 0


def test_silent_host_stops_the_plan_and_can_be_forgotten(env, remote_hosts):
    lab = remote_hosts
    a, b = lab
    spec = env.write_spec(cluster.spec(env, lab, ipmi=3, redfish=0))
    env.tenks('deploy', '--spec', spec)
    nodes = cluster.nodes(env)
    on_b = sorted(n for n, v in nodes.items() if v['Hypervisor'] == b.name)
    on_a = sorted(n for n, v in nodes.items() if v['Hypervisor'] == a.name)
    assert on_a and on_b
    local_before = env_mod.host_snapshot(pattern=_mine(env))

    b.silence()
    try:
        for command in (['deploy', '--spec', spec], ['teardown']):
            start = time.monotonic()
            code, out, err = env.tenks(*command, check=False)
            print('%s with a silent host: exit %d after %.1f s' % (
                command[0], code, time.monotonic() - start))
            assert code == 1, (out, err)
            lines = _lines_naming(err, b.address, b.name)
            assert len(lines) == 1, err
            assert 'timeout' in lines[0], err
            assert not _lines_naming(err, a.address, a.name), err
        # Nothing changed anywhere.
        assert cluster.domains(a, env) == on_a
        assert env_mod.host_snapshot(pattern=_mine(env)) == local_before

        # Gone for good: the others are cleaned, it is never asked.
        code, out, err = env.tenks('teardown', '--forget-host', b.address,
                                   check=False)
        assert code == 0, (out, err)
        assert not os.path.exists(env.state_file)
        assert cluster.local_domains(env) == []
        assert a.leaks(clean=False) == []
        assert not _has_run_dir(a, env)
    finally:
        b.unsilence()
    # tenks never touched it: what it made there is still there. (The
    # leak check would fail on it: the test removes it.)
    assert cluster.domains(b, env) == on_b
    left = b.leaks(clean=True)
    assert sorted('%s: domain %s' % (b.name, n) for n in on_b) == sorted(
        f for f in left if ': domain ' in f)


def test_missing_libvirtd_stops_the_plan(env, remote_hosts):
    lab = remote_hosts
    a, b = lab
    spec = env.write_spec(cluster.spec(env, lab, ipmi=2, redfish=1))
    local_before = env_mod.host_snapshot(pattern=_mine(env))

    b.stop_daemon('libvirtd')
    try:
        code, out, err = env.tenks('deploy', '--spec', spec, check=False)
        assert code == 1, (out, err)
        lines = _lines_naming(err, b.address, b.name)
        assert len(lines) == 1, err
        assert 'libvirt' in lines[0], err
        assert not _lines_naming(err, a.address, a.name), err
        # Nothing changed anywhere.
        assert lab.leaks(clean=False) == []
        assert env_mod.host_snapshot(pattern=_mine(env)) == local_before
        assert not os.path.exists(env.state_file) or not cluster.nodes(env)
    finally:
        b.start_daemon('libvirtd')

    # Back, the next deploy converges; the one after is a no-op.
    cluster.converges(env, spec, lab, 3, b)
    for host in lab:
        assert not _has_run_dir(host, env), host
