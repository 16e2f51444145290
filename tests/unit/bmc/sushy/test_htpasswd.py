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

"""HTTP basic auth users of the Redfish emulator."""


from tenks.bmc.sushy import htpasswd
from tests.unit import base


class HtpasswdTest(base.TestCase):

    def test_render_and_match(self):
        users = [('admin', 'pw'), ('rf', 'other'), ('admin', 'ignored')]
        path = self.write('htpasswd', htpasswd.render(users, rounds=4))
        with open(path) as f:
            lines = f.read().splitlines()
        self.assertEqual(['admin', 'rf'],
                         [line.split(':')[0] for line in lines])
        self.assertTrue(all(line.split(':', 1)[1].startswith('$2b$04$')
                            for line in lines))
        self.assertTrue(htpasswd.matches(path, users))
        self.assertFalse(htpasswd.matches(path, [('admin', 'pw')]))
        self.assertFalse(htpasswd.matches(path, [('admin', 'x'),
                                                 ('rf', 'other')]))
        self.assertFalse(htpasswd.matches(path + '.missing', users))

    def test_bad_name(self):
        self.assertRaises(ValueError, htpasswd.render, [('a:b', 'x')])
