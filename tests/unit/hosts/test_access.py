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

"""Whether another user can reach a directory (asked of the kernel)."""

import os

from tenks.hosts import access
from tenks.hosts import calls
from tests.unit import base

NOBODY = 65534


class OnTheWayTest(base.TestCase):

    def test_existing_directories_in_order(self):
        inner = os.path.join(self.tmp, 'a', 'b')
        os.makedirs(inner)
        way = access.on_the_way(os.path.join(inner, 'c', 'd'))
        self.assertEqual('/', way[0])
        self.assertEqual(inner, way[-1])
        self.assertNotIn(os.path.join(inner, 'c'), way)

    def test_symbolic_links_resolved_too(self):
        real = os.path.join(self.tmp, 'real', 'pool')
        os.makedirs(real)
        link = os.path.join(self.tmp, 'link')
        os.symlink(os.path.join(self.tmp, 'real'), link)
        way = access.on_the_way(os.path.join(link, 'pool'))
        self.assertIn(link, way)
        self.assertIn(real, way)


class UnreachableTest(base.TestCase):

    def test_exposed_to_hosts(self):
        self.assertEqual('tenks.hosts.access.unreachable',
                         calls.name_of(access.unreachable))

    def test_blocked_by_a_directory(self):
        locked = os.path.join(self.tmp, 'locked')
        os.makedirs(os.path.join(locked, 'pool'))
        path = os.path.join(locked, 'pool')
        # The test's own user when not root: a directory it may not
        # search (mode 0600) blocks it too.
        if os.geteuid() == 0:
            user, mode = NOBODY, 0o700
            for step in access.on_the_way(self.tmp):
                os.chmod(step, os.stat(step).st_mode | 0o001)
        else:
            user, mode = os.geteuid(), 0o600
        os.chmod(locked, mode)
        self.addCleanup(os.chmod, locked, 0o700)
        found = access.unreachable(path, user, None)
        self.assertEqual(locked, found['directory'])
        self.assertEqual('%04o' % mode, found['mode'])
        os.chmod(locked, mode | 0o111)
        self.assertIsNone(access.unreachable(path, user, None))
