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

"""tenks-devstack-ironic's post-run playbook, run for real.

The cluster is what the job has when the playbook starts: the DevStack
plugin's stack phases made it (tests/functional/devstack: the real tenks,
libvirt domain, VirtualBMC and the session's standalone Ironic, which the
node is enrolled in). Then ansible-playbook runs post.yaml with the job's
variables: ``tenks node list``, ``tenks verify`` (real IPMI), the Ironic
node list, its assert, the exports, ``unstack.sh`` and the checks after
it. Two stand-ins, in DevStack's places: ``openstack`` runs the same
``baremetal node list`` with python-ironicclient's own command against
the standalone Ironic, and ``unstack.sh`` runs the plugin's unstack phase
as DevStack does. Nothing else is changed.
"""

import os
import shlex
import stat
import sys

from tests.functional.devstack.test_deploy import devstack  # noqa: F401
from tests.functional.ironic_fixture import ironic  # noqa: F401
from tests.functional.ironic_fixture import ironic_server  # noqa: F401
from tests.functional.zuul import playbook
from tests.unit.devstack import harness

JOB = 'tenks-devstack-ironic'
PLAYBOOK = 'playbooks/tenks-devstack-ironic/post.yaml'

OPENSTACK = '''#!/bin/bash
# DevStack's `openstack baremetal ...` for this test: python-ironicclient's
# own `baremetal` command, against the test's Ironic.
set -eu
[ "$1" = --os-cloud ] && [ "$3" = baremetal ] || {
    echo "unexpected: openstack $*" >&2; exit 2; }
export OS_CLIENT_CONFIG_FILE=%(clouds)s
exec %(baremetal)s --os-cloud %(cloud)s "${@:4}"
'''

UNSTACK = '''#!/bin/bash
# DevStack's unstack.sh for this test: the tenks plugin's unstack phase,
# in the environment DevStack gives its plugins.
exec env -i %(env)s bash %(phase)s unstack
'''


def _executable(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP |
             stat.S_IXOTH)


def devstack_layout(stack):
    """DevStack's files the playbook uses, below the plugin's DEST."""
    base = stack.runner.dest
    bin_dir = os.path.dirname(sys.executable)
    venv_bin = os.path.join(base, 'data', 'venv', 'bin')
    os.makedirs(venv_bin)
    os.symlink(os.path.join(bin_dir, 'tenks'),
               os.path.join(venv_bin, 'tenks'))
    _executable(os.path.join(venv_bin, 'openstack'), OPENSTACK % {
        'clouds': shlex.quote(stack.ironic.clouds_yaml),
        'baremetal': shlex.quote(os.path.join(bin_dir, 'baremetal')),
        'cloud': shlex.quote(stack.ironic.cloud_name)})
    phase = os.path.join(base, 'devstack', 'plugin-phase.sh')
    _executable(phase, harness.SCRIPT)
    _executable(os.path.join(base, 'devstack', 'unstack.sh'), UNSTACK % {
        'env': ' '.join('%s=%s' % (k, shlex.quote(v))
                        for k, v in sorted(stack.runner.env.items())),
        'phase': shlex.quote(phase)})
    return base


def post_vars(stack, base, node_count):
    variables = playbook.job_vars(JOB)
    variables['devstack_localrc'] = dict(variables['devstack_localrc'],
                                         TENKS_NODE_COUNT=node_count)
    variables.update(devstack_base_dir=base,
                     tenks_config_file=stack.runner.conf_file,
                     tenks_stack_user='root')
    return variables


def let_qemu_traverse(path):
    """QEMU's user must reach the storage pool below ``path``."""
    while path != os.path.dirname(path):
        mode = os.stat(path).st_mode
        if not mode & stat.S_IXOTH:
            os.chmod(path, stat.S_IMODE(mode) | stat.S_IXOTH)
        path = os.path.dirname(path)


def test_post_playbook(devstack, tmp_path):  # noqa: F811
    let_qemu_traverse(devstack.runner.root)
    devstack.stack()
    ansible_dir = str(tmp_path / 'ansible')
    os.mkdir(ansible_dir)
    base = devstack_layout(devstack)
    # The job's own count (2) is not this cluster's (1): the check fails,
    # and nothing after it runs.
    job_count = playbook.job_vars(JOB)['devstack_localrc'][
        'TENKS_NODE_COUNT']
    assert job_count != 1
    wrong = playbook.run(PLAYBOOK, ansible_dir,
                         post_vars(devstack, base, job_count),
                         groups=['controller'])
    assert wrong.returncode != 0
    assert wrong.statuses()[-1] == (
        'Check Ironic has exactly the tenks nodes', 'failed'), wrong.output
    assert devstack.domain_exists()

    run = playbook.run(PLAYBOOK, ansible_dir,
                       post_vars(devstack, base, 1), groups=['controller'])
    assert run.returncode == 0, run.output
    assert run.statuses() == [
        ('Gathering Facts', 'ok'),
        ('List the tenks nodes', 'ok'),
        ('Check that every BMC answers', 'ok'),
        ('List the Ironic nodes', 'ok'),
        ('Check Ironic has exactly the tenks nodes', 'ok'),
        ('Export the cluster in every format, for the logs', 'ok'),
        ('Unstack', 'ok'),
        ('List the libvirt domains left', 'ok'),
        ('Look for the tenks state file', 'ok'),
        ('Check unstack removed the tenks nodes and their state', 'ok'),
    ], run.output
    check, = run.task('Check Ironic has exactly the tenks nodes')
    assert check['msg'] == 'All assertions passed'
    ironic_list, = run.task('List the Ironic nodes')
    assert devstack.node in ironic_list['stdout']
    for fmt in ('bifrost', 'ironic', 'devstack', 'json'):
        path = os.path.join(base, 'logs', 'tenks', 'export-%s.txt' % fmt)
        assert os.path.getsize(path) > 0, path
    # unstack.sh removed the node and the state, and forgot it in Ironic
    # (which DevStack has stopped by then).
    assert not devstack.domain_exists()
    assert not os.path.exists(devstack.state_file)
    assert devstack.ironic.purge() == [devstack.node]
