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

"""The embedded server's bookkeeping: which BMCs it opens and closes.

The server runs in this process here (no daemon): its BMC sockets are
bound on 127.0.0.1; the IPMI protocol itself is covered by the functional
tests with ipmitool.
"""

import collections
import io
import json
import logging
import os
import random
import shutil
import socket
import threading
import time
from unittest import mock

import fixtures

from tenks.bmc.virtualbmc import entries
from tenks.bmc.virtualbmc import server
from tenks.hosts import procs
from tests.unit import base


def _free_udp_ports(count):
    for _ in range(100):
        start = random.randrange(30000, 40000)
        socks = []
        try:
            for port in range(start, start + count):
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(sock)
                sock.bind(('127.0.0.1', port))
            return list(range(start, start + count))
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
    raise RuntimeError('no free ports')


class ServerTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.config_dir = os.path.join(self.tmp, 'conf')
        os.makedirs(self.config_dir)
        self.status_file = os.path.join(self.tmp, 'embedded.json')
        self.server = server.Server(
            self.config_dir, self.status_file, logging.getLogger('test'))
        self.addCleanup(self.server.close_all)
        self.ports = _free_udp_ports(4)

    def entry(self, name, port, password='pw', active=True):
        os.makedirs(os.path.join(self.config_dir, name), exist_ok=True)
        text = entries.entry_text(name, '127.0.0.1', port, 'admin',
                                  password, 'qemu:///system')
        if not active:
            text = text.replace('active = True', 'active = False')
        with open(os.path.join(self.config_dir, name, 'config'), 'w') as f:
            f.write(text)

    def bound(self):
        return {p for _a, p in procs.bound_ports('udp', [os.getpid()])}

    def status(self):
        with open(self.status_file) as f:
            return json.load(f)

    def wait_free(self, port):
        for _ in range(100):
            if port not in self.bound():
                return
            time.sleep(0.02)
        self.fail('port %d still bound' % port)

    def test_reopening_under_the_io_loop_keeps_it_alive(self):
        """BMCs closed while pyghmi's I/O thread turns do not kill it.

        The main loop wakes the thread every LOOP_SECONDS, as here; a
        socket closed while the thread passes it to select() ended the
        thread (EBADF) and silenced every BMC of the process.
        """
        stop = threading.Event()

        def spin():
            while not stop.is_set():
                self.server._session.Session.wait_for_rsp(0)
        loop = threading.Thread(target=spin, daemon=True)
        loop.start()
        self.addCleanup(loop.join, 5)
        self.addCleanup(stop.set)
        for round_ in range(40):
            for n, port in enumerate(self.ports):
                self.entry('n%d' % n, port, password='pw%d' % round_)
            self.server.scan()
            self.assertTrue(self.server.io_alive(), 'round %d' % round_)
        self.assertEqual({'n0', 'n1', 'n2', 'n3'}, set(self.server.served))
        self.assertLessEqual(set(self.ports), self.bound())

    def test_scan_opens_changes_and_closes(self):
        p0, p1, p2, p3 = self.ports
        self.entry('n0', p0)
        self.entry('n1', p1)
        self.entry('n2', p2, active=False)
        before = time.time_ns()
        self.server.scan()
        self.assertEqual({'n0', 'n1'}, set(self.server.served))
        self.assertLessEqual({p0, p1}, self.bound())
        self.assertNotIn(p2, self.bound())
        status = self.status()
        self.assertEqual(os.getpid(), status['pid'])
        self.assertGreaterEqual(status['scanned_at'], before)
        self.assertEqual({'n0': {'port': p0, 'address': '127.0.0.1',
                                 'status': 'running', 'error': None},
                          'n1': {'port': p1, 'address': '127.0.0.1',
                                 'status': 'running', 'error': None}},
                         status['bmcs'])

        # Unchanged entries keep their BMC object (and socket).
        kept = self.server.served['n0'][1]
        self.entry('n1', p3)
        self.entry('n0', p0, password='new')   # same port, new password
        self.server.scan()
        self.assertIsNot(kept, self.server.served['n0'][1])
        self.assertEqual('new', self.server.served['n0'][0]['password'])
        self.assertEqual(p3, self.server.served['n1'][0]['port'])
        self.wait_free(p1)
        self.assertLessEqual({p0, p3}, self.bound())
        unchanged = self.server.served['n1'][1]
        self.server.scan()
        self.assertIs(unchanged, self.server.served['n1'][1])

        shutil.rmtree(os.path.join(self.config_dir, 'n1'))
        self.server.scan()
        self.assertEqual({'n0'}, set(self.server.served))
        self.wait_free(p3)
        self.assertEqual({'n0'}, set(self.status()['bmcs']))

    def test_port_in_use_is_an_error_then_retried(self):
        port = self.ports[0]
        self.entry('n0', port)
        holder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        holder.bind(('127.0.0.1', port))
        self.server.scan()
        holder.close()
        bmc = self.status()['bmcs']['n0']
        self.assertEqual('error', bmc['status'])
        self.assertIn('in use', bmc['error'])
        self.assertEqual({}, self.server.served)
        self.server.scan()
        self.assertEqual('running', self.status()['bmcs']['n0']['status'])

    def test_bad_entry_is_reported(self):
        os.makedirs(os.path.join(self.config_dir, 'bad'))
        with open(os.path.join(self.config_dir, 'bad', 'config'), 'w') as f:
            f.write('[VirtualBMC]\nactive = True\n')
        self.server.scan()
        bmc = self.status()['bmcs']['bad']
        self.assertEqual('error', bmc['status'])
        self.assertIn('bad config', bmc['error'])

    def test_sockets_the_io_thread_may_hold_are_closed_later(self):
        port = self.ports[0]
        self.entry('n0', port)
        self.server.scan()
        shutil.rmtree(os.path.join(self.config_dir, 'n0'))
        with mock.patch.object(self.server, '_turn', return_value=False):
            self.server.scan()
        self.assertEqual({}, self.server.served)
        self.assertIn(port, self.bound(), 'closed while the thread may '
                      'still select() on it')
        self.server.scan()
        self.wait_free(port)
        self.assertTrue(self.server.io_alive())


class _FakeIOModule(object):
    """pyghmi's session module as the main loop sees it.

    Its wait is pyghmi's own pattern: queue an event for the I/O thread
    and wait for it without a bound. Nobody answers: the I/O thread is
    stuck or gone.
    """

    def __init__(self, alive):
        self.ioqueue = collections.deque()
        self.waiting = threading.Event()
        self.iothread = mock.Mock(is_alive=lambda: alive[0])
        fake = self

        class Session(object):
            bmc_handlers = {}

            @staticmethod
            def wait_for_rsp(timeout):
                evt = threading.Event()
                fake.ioqueue.append((timeout, evt, None))
                fake.waiting.set()
                evt.wait()

        self.Session = Session


class WatchdogTest(base.TestCase):
    """The main loop never waits for ever on pyghmi's I/O thread."""

    def run_server(self, alive, stuck_file=None):
        served = server.Server(
            os.path.join(self.tmp, 'conf'), os.path.join(self.tmp, 's.json'),
            logging.getLogger('test'), stuck_file=stuck_file)
        real = served._session
        self.addCleanup(setattr, served, '_session', real)
        served._session = _FakeIOModule(alive)
        flags = {'stop': False, 'scan': False}
        result = []
        loop = threading.Thread(
            target=lambda: result.append(served.run(flags)), daemon=True)
        loop.start()
        self.assertTrue(served._session.waiting.wait(10))
        return flags, loop, result

    def test_a_dead_io_thread_ends_the_server(self):
        alive = [True]
        _flags, loop, result = self.run_server(alive)
        alive[0] = False
        loop.join(10)
        self.assertEqual([1], result)

    def test_stop_is_heard_while_waiting(self):
        flags, loop, result = self.run_server([True])
        flags['stop'] = True
        loop.join(10)
        self.assertEqual([0], result)

    def test_a_stuck_turn_writes_the_stacks(self):
        # A request the main loop answers (a libvirt call...) that does
        # not return: the log says where every thread is.
        self.useFixture(fixtures.MonkeyPatch(
            'tenks.bmc.virtualbmc.server.STUCK_SECONDS', 0.3))
        path = os.path.join(self.tmp, 'vbmcd.log')
        with open(path, 'a') as stuck_file:
            flags, loop, result = self.run_server([True], stuck_file)
            time.sleep(1)
            flags['stop'] = True
            loop.join(10)
        self.assertEqual([0], result)
        with open(path) as f:
            text = f.read()
        self.assertIn('Timeout (0:00:00.300000)!', text)
        self.assertIn('in wait_for_rsp', text)

    def test_no_stack_dumps_without_a_file_descriptor(self):
        # Standard error replaced by an object without one (as when the
        # caller captures it) must not stop the server.
        flags, loop, result = self.run_server([True], io.StringIO())
        flags['stop'] = True
        loop.join(10)
        self.assertEqual([0], result)


class _Session(object):
    servermode = True

    def __init__(self):
        self.sequencenumber = 0
        self.remseqnumber = 0


class PruneTest(base.TestCase):
    """Client sessions pyghmi would keep for ever are dropped when idle."""

    def test_idle_sessions_go(self):
        from pyghmi.ipmi.private import session
        served = server.Server(
            os.path.join(self.tmp, 'conf'), os.path.join(self.tmp, 's.json'),
            logging.getLogger('test'))
        self.addCleanup(served.close_all)
        handlers = session.Session.bmc_handlers
        busy, idle = _Session(), _Session()
        keys = [('127.0.0.1', 40001), ('127.0.0.1', 40002)]
        handlers[keys[0]] = {6230: busy}
        handlers[keys[1]] = {6230: idle}
        self.addCleanup(lambda: [handlers.pop(k, None) for k in keys])
        limit = server.SESSION_IDLE_SECONDS
        served.prune_sessions(1000.0)
        busy.sequencenumber += 1
        served.prune_sessions(1000.0 + limit / 2)
        self.assertEqual({keys[0], keys[1]}, set(keys) & set(handlers))
        busy.sequencenumber += 1
        served.prune_sessions(1000.0 + limit + 1)
        self.assertIn(keys[0], handlers)
        self.assertNotIn(keys[1], handlers)
