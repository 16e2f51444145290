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

"""The host the tenks-functional job prepared is ready for the tests.

A quick test on its own: the job's playbook (run by
test_functional_job.py) runs it in place of the whole suite, after its
own tasks installed the packages and set the host up. It uses no
fixture that starts a daemon, so it sees what the playbook left.
"""

import os
import shutil
import subprocess
import sys


def _run(argv):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def test_job_host_is_ready():
    assert os.geteuid() == 0
    # tools/start-daemons.sh ran `tenks host setup`: libvirtd, Open vSwitch
    assert _run(['virsh', '-c', 'qemu:///system', 'version']).returncode == 0
    assert _run(['ovs-vsctl', '--timeout=5', 'show']).returncode == 0
    # tools/install-deps.sh test installed the clients the tests speak with
    for tool in ('ipmitool', 'ssh'):
        assert shutil.which(tool), tool
    # the tox environment's tenks is the checkout's
    tenks = os.path.join(os.path.dirname(sys.executable), 'tenks')
    result = _run([tenks, '--version'])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('tenks ')
