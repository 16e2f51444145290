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

"""tenks-functional's playbooks, run for real by ansible-playbook.

With the job's variables and the ones Zuul gives, against this machine:
run.yaml installs the packages (tools/install-deps.sh test), builds the
tox environment, sets the host up with its tenks and runs the tests; only
which tests differ: one quick test (test_job_host.py, through tox's
posargs) instead of the whole suite, in a tox work directory of its own.
post.yaml then copies the logs as the job's post-run does.
"""

import os

from tests.functional.zuul import playbook

JOB = 'tenks-functional'


def test_run_and_post_playbooks(tmp_path):
    home, zuul = playbook.zuul_home(str(tmp_path / 'home'))
    workdir = str(tmp_path / 'tox')
    variables = dict(playbook.job_vars(JOB), zuul=zuul,
                     ansible_user_dir=home, ansible_user='root',
                     tenks_tox_workdir=workdir,
                     # Its own base temporary directory: pytest makes
                     # the shared one 0700 again, which QEMU's user could
                     # then not traverse to this run's pools.
                     tenks_tox_posargs='-k test_job_host_is_ready '
                                       '--basetemp=%s' % (tmp_path / 'inner'))
    run = playbook.run('playbooks/tenks-functional/run.yaml',
                       str(tmp_path), variables)
    assert run.returncode == 0, run.output
    assert run.statuses() == [
        ('Gathering Facts', 'ok'),
        ('Install the system packages, tox and a standalone Ironic', 'ok'),
        ('Build the tox environment', 'ok'),
        ('Set the host up with that environment\'s tenks (libvirtd, '
         'virtlogd, Open vSwitch)', 'ok'),
        ('Run tox -e functional as root', 'ok'),
    ], run.output
    env = variables['tox_envlist']
    assert env == 'functional'
    tests, = run.task('Run tox -e functional as root')
    assert tests['rc'] == 0
    assert '1 passed' in tests['stdout'], tests['stdout']
    assert os.path.isfile(os.path.join(workdir, env, 'bin', 'tenks'))

    post = playbook.run('playbooks/tenks-functional/post.yaml',
                        str(tmp_path), variables)
    assert post.returncode == 0, post.output
    logs = os.path.join(home, 'zuul-output', 'logs')
    # tox's log of the test command, and the daemons' logs
    assert os.listdir(os.path.join(logs, '%s-log' % env))
    assert os.path.isdir(os.path.join(logs, 'log-libvirt'))
