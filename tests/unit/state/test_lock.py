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

import os
import signal
import time

from tenks import exception
from tenks.state import lock
from tests.unit import base


class LockTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.path = os.path.join(self.tmp, 'state.yaml.lock')

    def test_second_holder_refused_with_name(self):
        first = lock.StateLock(self.path, command='tenks deploy').acquire()
        self.addCleanup(first.release)
        err = self.assertRaises(exception.LockHeld,
                                lock.StateLock(self.path).acquire)
        self.assertIn('pid %d' % os.getpid(), str(err))
        self.assertIn('tenks deploy', str(err))

    def test_release_and_reacquire(self):
        with lock.StateLock(self.path):
            pass
        with lock.StateLock(self.path):
            pass

    def test_dead_holder_recovered(self):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:   # child: take the lock, say so, wait to be killed
            os.close(read)
            lock.StateLock(self.path, command='child').acquire()
            os.write(write, b'x')
            time.sleep(60)
            os._exit(0)
        os.close(write)
        os.read(read, 1)
        os.close(read)
        self.assertRaises(exception.LockHeld,
                          lock.StateLock(self.path).acquire)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        held = lock.StateLock(self.path).acquire()
        held.release(remove=True)
        self.assertFalse(os.path.exists(self.path))
