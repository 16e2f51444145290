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

"""Fixtures of the functional tests: real daemons, private environments.

Functional tests need root and the system packages that
``tools/install-deps.sh`` installs. A missing prerequisite is a failure,
never a skip: a skip in CI would hide a missing install step.
"""

import os
import signal

import pytest

from tests.functional.bmc import helpers as bmc_helpers
from tests.functional import daemons
from tests.functional import env as env_mod


@pytest.fixture(scope='session')
def root():
    if os.geteuid() != 0:
        pytest.fail('functional tests need root (they create VMs, bridges '
                    'and BMC emulators)')


@pytest.fixture(scope='session')
def libvirtd(root):
    """libvirtd on qemu:///system, started if it is not running.

    It is left running, as other test sessions may share it.
    """
    daemons.ensure_libvirtd()
    return 'qemu:///system'


@pytest.fixture(scope='session')
def ovs(root):
    daemons.ensure_ovs()


@pytest.fixture
def tenks_env(tmp_path, libvirtd):
    """A private tenks environment (Linux bridges).

    It is torn down and swept for leaks afterwards.
    """
    yield from env_mod.managed(tmp_path)


@pytest.fixture
def tenks_env_ovs(tmp_path, libvirtd, ovs):
    """Like tenks_env, with Open vSwitch (netdev datapath) bridges."""
    yield from env_mod.managed(tmp_path, bridge_type='openvswitch')


@pytest.fixture
def reaper():
    """Kill what a failed test leaves with the tokens added to it.

    It runs after the environment's own teardown: request it before
    ``tenks_env``.
    """
    tokens = []
    yield tokens
    for token in tokens:
        for pid in bmc_helpers.token_processes(token):
            os.kill(pid, signal.SIGKILL)
