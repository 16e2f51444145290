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

"""What the embedded server relies on in pyghmi and virtualbmc.

:mod:`tenks.bmc.virtualbmc.server` serves many BMCs from one pyghmi
event loop, which means using pyghmi's session internals. pyghmi is
capped in requirements.txt; these tests say exactly what a new pyghmi
must still offer before the cap is raised. (What it needs of virtualbmc's
``VirtualBMC``, its ``serversocket``, the server's own tests use.)
"""

import collections
import threading

from pyghmi.ipmi.private import session

from tenks.bmc.virtualbmc import server
from tests.unit import base


class SessionInternalsTest(base.TestCase):

    def test_module_state_the_server_uses(self):
        self.assertIsInstance(session.iosockets, list)
        self.assertIsInstance(session.ioqueue, collections.deque)
        self.assertTrue(callable(session._monotonic_time))
        self.assertIsInstance(session._monotonic_time(), float)
        self.assertTrue(hasattr(session, 'iothread'))
        self.assertIsInstance(session.Session.bmc_handlers, dict)
        self.assertTrue(callable(session.Session.wait_for_rsp))

    def anchor(self):
        """The server's wake-up socket.

        Never closed: a socket closed under pyghmi's I/O thread ends the
        thread.
        """
        return server.Server._open_anchor(
            type('S', (), {'_session': session})())

    def test_a_server_socket_joins_the_io_loop(self):
        sock = self.anchor()
        self.assertIn(sock, session.iosockets)
        self.assertEqual('127.0.0.1', sock.getsockname()[0])
        # The I/O thread runs once a socket is assigned.
        self.assertTrue(session.iothread.is_alive())

    def test_short_packets_only_wake_the_loop(self):
        # The server wakes the I/O thread with a 1-byte packet to its
        # anchor: pyghmi must skip it, not hand it to a session.
        handlers = dict(session.Session.bmc_handlers)
        queued = len(session.sessionqueue)
        sock = self.anchor()
        sock.sendto(b'\0', sock.getsockname())
        session._io_graball([sock], {})
        self.assertEqual(handlers, session.Session.bmc_handlers)
        self.assertEqual(queued, len(session.sessionqueue))

    def test_a_queued_wait_is_answered_after_a_turn(self):
        # What Server._turn queues: (deadline, event, None).
        anchor = self.anchor()
        done = threading.Event()
        session.ioqueue.append((session._monotonic_time() + 1, done, None))
        for _ in range(100):
            anchor.sendto(b'\0', anchor.getsockname())
            if done.wait(0.01):
                break
        self.assertTrue(done.is_set())
