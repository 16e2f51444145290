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

"""Stopping a daemon found earlier must not signal whoever has its pid now
(issue 14, item 9).

:func:`tenks.hosts.procs.find_by_args` and ``port_owners`` return pids
that remember the process they named. Reusing a pid on purpose is not
possible, so the test makes the by-pid lookup return the process that
has "taken over" the pid, as the kernel would after the daemon exited.
"""

import subprocess
import sys
from unittest import mock
import uuid

import psutil

from tenks.hosts import procs
from tests.unit import base


class PidReuseTest(base.TestCase):

    def sleeper(self, tag):
        popen = subprocess.Popen([sys.executable, '-c',
                                  'import time; time.sleep(60)', tag])
        self.addCleanup(popen.wait)
        self.addCleanup(popen.kill)
        return popen

    def test_terminate_spares_a_process_that_took_the_pid_over(self):
        tag = 'tenks-daemon-%s' % uuid.uuid4().hex
        daemon = self.sleeper(tag)
        other = self.sleeper('someone-else-%s' % uuid.uuid4().hex)
        found = []
        for _ in range(1000):      # until it has exec'd
            found = procs.find_by_args(tag)
            if found:
                break
        self.assertEqual([daemon.pid], found)
        # The daemon exits; its pid now names the other process.
        daemon.kill()
        daemon.wait()
        with mock.patch.object(
                procs, '_process',
                lambda pid: psutil.Process(other.pid if pid == daemon.pid
                                           else pid)):
            procs.terminate(found, timeout=1)
        self.assertIsNone(other.poll(), 'terminate() stopped a process '
                          'that was not the one found')

    def test_port_owners_remember_the_process(self):
        popen = subprocess.Popen(
            [sys.executable, '-c',
             'import socket, sys, time\n'
             's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n'
             's.bind(("127.0.0.1", 0))\n'
             'print(s.getsockname()[1], flush=True)\n'
             'time.sleep(60)'],
            stdout=subprocess.PIPE, text=True)
        self.addCleanup(popen.wait)
        self.addCleanup(popen.kill)
        port = int(popen.stdout.readline())
        owners = procs.port_owners('udp', port, '127.0.0.1')
        self.assertEqual([popen.pid], owners)
        self.assertEqual(popen.pid, owners[0].process.pid)
        self.assertEqual([], procs.terminate(owners, timeout=5))
        self.assertEqual(-15, popen.wait(timeout=5))
