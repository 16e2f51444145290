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

"""Fixtures of the multihost tests: two real hosts reached over SSH.

Every test collected here carries the ``multihost`` marker, so that
``tools/run-tests.sh -m multihost`` runs exactly these.
"""

import pytest

from tests.functional import env as env_mod
from tests.functional import markers
from tests.functional.multihost import hosts as hosts_mod


def pytest_collection_modifyitems(config, items):
    markers.mark_below(items, __file__, pytest.mark.multihost)


@pytest.fixture(scope='module')
def remote_hosts(libvirtd):
    """Two hosts (a :class:`hosts.Lab`: ``a, b = remote_hosts``).

    Each is reached over SSH only, has its own libvirtd and sees only its
    own processes; see :mod:`tests.functional.multihost.hosts`. They are
    shared by the module's tests, which must leave them as they found
    them (checked after each test), and are removed at the end; anything
    of theirs left on this machine then is a failure.
    """
    try:
        lab = hosts_mod.start_hosts(2)
    except hosts_mod.HostError as exc:
        pytest.fail('could not start the remote hosts: %s' % exc,
                    pytrace=False)
    try:
        yield lab
        leaks = lab.leaks(clean=True)
    finally:
        left = lab.close()
    assert not leaks, 'left on the remote hosts: %s' % ', '.join(leaks)
    assert not left, 'left on this machine: %s' % ', '.join(left)


@pytest.fixture(autouse=True)
def remote_leak_check(request):
    """After each test using ``remote_hosts``: nothing left on them.

    No process besides the hosts' own daemons, no domain, pool or link
    they did not start with. What is found is removed (the next test gets
    clean hosts) and fails the test.
    """
    if 'remote_hosts' not in request.fixturenames:
        yield
        return
    lab = request.getfixturevalue('remote_hosts')
    yield
    leaks = lab.leaks(clean=True)
    assert not leaks, 'left on the remote hosts: %s' % ', '.join(leaks)


@pytest.fixture
def env(tmp_path, libvirtd, remote_hosts):
    """A tenks environment with the round-robin scheduler.

    Torn down afterwards (also after a failure); then nothing of it may
    be left here (swept) or on the hosts (the conftest's leak check).
    """
    yield from env_mod.managed(tmp_path, extra_conf=(
        '\n[DEFAULT]\nscheduler = round_robin\n'))
