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

"""Looking at the state lock without taking it (for dry runs)."""

import fcntl
import os
import threading

import fixtures

from tenks import exception
from tenks.state import lock
from tests.unit import base


class ProbeTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.path = os.path.join(self.tmp, 'state.yaml.lock')

    def test_no_lock_file_is_free_and_stays_absent(self):
        self.assertIsNone(lock.StateLock(self.path).probe())
        self.assertFalse(os.path.exists(self.path))

    def test_held_names_its_holder_and_changes_nothing(self):
        held = lock.StateLock(self.path, command='tenks deploy').acquire()
        self.addCleanup(held.release)
        before = open(self.path).read()
        holder = lock.StateLock(self.path).probe()
        self.assertEqual(os.getpid(), holder['pid'])
        self.assertEqual('tenks deploy', holder['command'])
        self.assertEqual(before, open(self.path).read())
        self.assertIn('pid %d on ' % os.getpid(), lock.describe(holder))
        self.assertIn('running "tenks deploy" since ', lock.describe(holder))

    def test_released_is_free(self):
        with lock.StateLock(self.path):
            pass
        self.assertIsNone(lock.StateLock(self.path).probe())
        # ...and taking it after a probe works.
        lock.StateLock(self.path).acquire().release()

    def test_a_moment_without_holder_is_waited_for(self):
        # Someone holds the lock without saying who (a probe, or a run
        # that has not written its name yet): acquire waits for it.
        fd = os.open(self.path, os.O_RDONLY | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_SH)
        released = threading.Event()

        def release():
            released.wait(5)
            os.close(fd)
        thread = threading.Thread(target=release)
        thread.start()
        self.addCleanup(thread.join)
        taker = lock.StateLock(self.path)
        timer = threading.Timer(0.1, released.set)
        timer.start()
        self.addCleanup(timer.cancel)
        taker.acquire()
        taker.release()
        self.assertTrue(released.is_set())

    def test_holder_that_never_says_is_refused(self):
        fd = os.open(self.path, os.O_RDONLY | os.O_CREAT, 0o600)
        self.addCleanup(os.close, fd)
        fcntl.flock(fd, fcntl.LOCK_SH)
        self.useFixture(fixtures.MonkeyPatch(
            'tenks.state.lock.SETTLE', 0.05))
        err = self.assertRaises(exception.LockHeld,
                                lock.StateLock(self.path).acquire)
        self.assertIn('a run that has just started', str(err))
