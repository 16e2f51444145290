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

"""The shared, reconnecting libvirt connection."""

import libvirt

from tenks import exception
from tenks.providers.libvirt import connection
from tests.unit import base


class DeadError(libvirt.libvirtError):
    """A libvirt error saying the connection is gone."""

    def __init__(self):
        super().__init__('connection lost')

    def get_error_code(self):
        return libvirt.VIR_ERR_SYSTEM_ERROR


class FakeConn(object):

    def __init__(self, number):
        self.number = number
        self.alive = True
        self.closed = False

    def isAlive(self):
        return self.alive

    def close(self):
        self.closed = True


class Opener(object):

    def __init__(self):
        self.opened = []

    def __call__(self, uri):
        conn = FakeConn(len(self.opened))
        self.opened.append(conn)
        return conn


class ConnectionTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.opener = Opener()
        self.conn = connection.Connection('qemu:///system',
                                          opener=self.opener)

    def test_opened_once(self):
        first = self.conn.get()
        self.assertIs(first, self.conn.get())
        self.assertEqual(1, len(self.opener.opened))

    def test_reopened_when_dropped(self):
        first = self.conn.get()
        first.alive = False
        second = self.conn.get()
        self.assertIsNot(first, second)
        # Another thread may be inside a call on it: closing would free
        # the handle under that call. The last reference closes it.
        self.assertFalse(first.closed)

    def test_dead_connection_left_to_threads_still_using_it(self):
        seen = []

        def work(conn):
            seen.append(conn)
            if conn.number == 0:
                conn.alive = False
                raise DeadError()
            return 'ok'

        self.assertEqual('ok', self.conn.call(work))
        self.assertEqual([0, 1], [c.number for c in seen])
        self.assertFalse(seen[0].closed)
        self.assertIs(seen[1], self.conn.get())

    def test_call_retried_once_on_a_new_connection(self):
        seen = []

        def work(conn):
            seen.append(conn.number)
            if conn.number == 0:
                conn.alive = False
                raise DeadError()
            return 'ok'

        self.assertEqual('ok', self.conn.call(work))
        self.assertEqual([0, 1], seen)

    def test_error_on_live_connection_not_retried(self):
        seen = []

        def work(conn):
            seen.append(conn.number)
            raise DeadError()

        self.assertRaises(DeadError, self.conn.call, work)
        self.assertEqual([0], seen)

    def test_other_errors_pass_through(self):
        def work(conn):
            raise exception.TenksError('nope')

        self.assertRaises(exception.TenksError, self.conn.call, work)
        self.assertEqual(1, len(self.opener.opened))

    def test_close(self):
        first = self.conn.get()
        self.conn.close()
        self.assertTrue(first.closed)
        self.assertIsNot(first, self.conn.get())

    def test_unreachable_uri_is_a_clear_error(self):
        conn = connection.Connection('qemu+unix:///system?socket=/nonexist')
        exc = self.assertRaises(exception.TenksError, conn.get)
        self.assertIn('cannot connect to libvirt at qemu+unix', str(exc))
