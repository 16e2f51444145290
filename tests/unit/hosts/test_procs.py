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

"""Finding, starting and stopping daemons (psutil)."""

import os
import socket
import subprocess
import sys

import psutil

from tenks.hosts import procs
from tests.unit import base


class AddressTest(base.TestCase):

    def test_same_address(self):
        self.assertTrue(procs._same_address('127.0.0.1', '127.0.0.1'))
        self.assertTrue(procs._same_address('0.0.0.0', '10.0.0.1'))
        self.assertTrue(procs._same_address('::', '127.0.0.1'))
        self.assertTrue(procs._same_address('::ffff:10.0.0.1', '10.0.0.1'))
        self.assertTrue(procs._same_address('bmc.example', '10.0.0.1'))
        self.assertFalse(procs._same_address('127.0.0.1', '10.0.0.1'))
        self.assertFalse(procs._same_address('::1', '127.0.0.1'))


class SocketsTest(base.TestCase):

    def test_udp_and_tcp_owners(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, \
                socket.socket() as tcp:
            udp.bind(('127.0.0.1', 0))
            tcp.bind(('127.0.0.1', 0))
            udp_port = udp.getsockname()[1]
            tcp_port = tcp.getsockname()[1]
            self.assertEqual([os.getpid()],
                             procs.port_owners('udp', udp_port, '0.0.0.0'))
            self.assertEqual([], procs.port_owners('udp', udp_port,
                                                   '10.1.2.3'))
            # A TCP socket counts only once it listens.
            self.assertEqual([], procs.port_owners('tcp', tcp_port))
            tcp.listen()
            self.assertEqual([os.getpid()],
                             procs.port_owners('tcp', tcp_port,
                                               '127.0.0.1'))
            bound = procs.bound_ports('udp', [os.getpid()])
            self.assertIn(('127.0.0.1', udp_port), bound)
            self.assertTrue(procs.serves(bound, '127.0.0.1', udp_port))
            self.assertFalse(procs.serves(bound, '127.0.0.2', udp_port))
        self.assertEqual([], procs.port_owners('udp', udp_port))


def psutil_pids(arg):
    """Every live pid with ``arg`` in its command line, any namespace."""
    return [p.pid for p in psutil.process_iter(['cmdline', 'status'])
            if arg in (p.info['cmdline'] or ()) and
            p.info['status'] != psutil.STATUS_ZOMBIE]


class ProcessesTest(base.TestCase):

    def test_spawn_find_and_terminate(self):
        marker = os.path.join(self.tmp, 'marker')
        log = os.path.join(self.tmp, 'log', 'daemon.log')
        # A daemon that ignores SIGTERM, with a child of its own.
        code = ('import os, signal, subprocess, sys, time\n'
                'signal.signal(signal.SIGTERM, signal.SIG_IGN)\n'
                'subprocess.Popen([sys.executable, "-c", '
                '"import time; time.sleep(60)", sys.argv[1]])\n'
                'print("started", flush=True)\n'
                'time.sleep(60)\n')
        pid = procs.spawn([sys.executable, '-c', code, marker], log)
        self.addCleanup(procs.terminate, [pid], 0.1)
        self.assertTrue(procs.is_alive(pid))
        self.assertEqual(os.getsid(pid), pid)
        deadline = 100
        while len(procs.find_by_args(marker)) < 2 and deadline:
            deadline -= 1
            procs.time.sleep(0.05)
        found = procs.find_by_args(marker)
        self.assertIn(pid, found)
        self.assertEqual(2, len(found))
        self.assertEqual([p for p in found if p != pid],
                         procs.descendants(pid))
        self.assertIn(marker, procs.describe(pid))
        killed = procs.terminate([pid], timeout=0.2)
        self.assertIn(pid, killed)
        self.assertFalse(procs.is_alive(pid))
        self.assertEqual([], procs.find_by_args(marker))
        self.assertIn('started', procs.tail(log))

    def test_processes_of_another_pid_namespace_are_not_found(self):
        marker = os.path.join(self.tmp, 'marker')
        sleeper = [sys.executable, '-c', 'import time; time.sleep(60)',
                   marker]
        ours = subprocess.Popen(sleeper)
        # Another host on this machine: a PID namespace of its own (the
        # marker reaches only the process inside, through its
        # environment).
        theirs = subprocess.Popen(
            ['unshare', '--pid', '--fork', '--kill-child', 'sh', '-c',
             'exec "$0" -c "import time; time.sleep(60)" "$MARKER"',
             sys.executable], env=dict(os.environ, MARKER=marker))
        for proc in (ours, theirs):
            self.addCleanup(proc.wait)
            self.addCleanup(proc.kill)
        deadline = 100
        while (len(psutil_pids(marker)) < 2 and deadline):
            deadline -= 1
            procs.time.sleep(0.05)
        self.assertEqual(2, len(psutil_pids(marker)))
        self.assertEqual([ours.pid], procs.find_by_args(marker))

    def test_dead_and_unknown_pids(self):
        self.assertFalse(procs.is_alive(0))
        self.assertFalse(procs.is_alive(-1))
        self.assertEqual([], procs.cmdline(2 ** 22 + 7))
        self.assertEqual([], procs.terminate([2 ** 22 + 7]))

    def test_started_at(self):
        started = procs.started_at(os.getpid())
        self.assertLessEqual(started, procs.time.time())
        self.assertIsNone(procs.started_at(2 ** 22 + 7))


class WaitAnsweringTest(base.TestCase):

    def test_first_pid_that_answers(self):
        lists = iter([[], [5], [5, 6]])
        self.assertEqual(6, procs.wait_answering(
            lambda: next(lists), lambda pid: pid == 6, 5, 0))

    def test_a_pid_seen_dies(self):
        lists = iter([[5], []])
        self.assertIsNone(procs.wait_answering(
            lambda: next(lists), lambda pid: False, 5, 0))
        self.assertIsNone(procs.wait_answering(
            lambda: [], lambda pid: False, 5, 0, seen=[7]))

    def test_timeout(self):
        self.assertIsNone(procs.wait_answering(
            lambda: [5], lambda pid: False, 0.1, 0.01))
