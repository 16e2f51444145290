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

"""Private files, their lock, and daemon config stamps."""

import os
import threading
import time

from tenks.hosts import files
from tests.unit import base


class PrivateFilesTest(base.TestCase):

    def test_stamp(self):
        conf = os.path.join(self.tmp, 'daemon.conf')
        files.write_private(conf, 'a')
        digest = files.digest([conf])
        self.assertFalse(files.stamped(self.tmp, 42, digest))
        files.write_stamp(self.tmp, 42, digest)
        self.assertTrue(files.stamped(self.tmp, 42, digest))
        self.assertFalse(files.stamped(self.tmp, 43, digest))
        # A config rewritten after the daemon started no longer matches.
        files.write_private(conf, 'b')
        self.assertFalse(files.stamped(self.tmp, 42, files.digest([conf])))
        self.assertNotEqual(files.digest([conf]),
                            files.digest([conf, conf + '.missing']))
        files.drop_stamp(self.tmp)
        self.assertFalse(files.stamped(self.tmp, 42, digest))

    def test_stamp_of_a_restarted_daemon(self):
        # systemd restarted the daemon (a reboot, a crash) from the same
        # files: a process started after the stamp counts, one started
        # before it or with other files does not.
        conf = os.path.join(self.tmp, 'daemon.conf')
        files.write_private(conf, 'a')
        digest = files.digest([conf])
        files.write_stamp(self.tmp, 42, digest)
        written = os.stat(os.path.join(self.tmp, files.STAMP_FILE)).st_mtime
        self.assertTrue(files.stamped(self.tmp, 43, digest, written + 5))
        self.assertFalse(files.stamped(self.tmp, 43, digest, written - 5))
        self.assertFalse(files.stamped(self.tmp, 43, digest))
        files.write_private(conf, 'b')
        self.assertFalse(files.stamped(self.tmp, 43, files.digest([conf]),
                                       written + 5))

    def test_leftovers(self):
        directory = os.path.join(self.tmp, 'svc')
        self.assertEqual([], files.leftovers(directory))
        with files.locked(directory):
            self.assertEqual([], files.leftovers(directory))
            files.write_private(os.path.join(directory, 'b'), 'x')
            self.assertEqual(['b'], files.leftovers(directory))

    def test_write_private(self):
        path = os.path.join(self.tmp, 'f')
        self.assertTrue(files.write_private(path, 'a'))
        self.assertEqual(0o600, os.stat(path).st_mode & 0o777)
        self.assertFalse(files.write_private(path, 'a'))
        os.chmod(path, 0o644)
        self.assertFalse(files.write_private(path, 'a'))
        self.assertEqual(0o600, os.stat(path).st_mode & 0o777)
        self.assertTrue(files.write_private(path, 'b'))
        with open(path) as f:
            self.assertEqual('b', f.read())

    def test_lock_serialises_threads(self):
        directory = os.path.join(self.tmp, 'svc')
        inside = []
        overlaps = []

        def work():
            with files.locked(directory):
                inside.append(1)
                if len(inside) > 1:
                    overlaps.append(1)
                time.sleep(0.02)
                inside.pop()

        threads = [threading.Thread(target=work) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual([], overlaps)
        self.assertEqual(0o700, os.stat(directory).st_mode & 0o777)

    def test_lock_without_creating(self):
        directory = os.path.join(self.tmp, 'gone')
        with files.locked(directory, create=False) as held:
            self.assertFalse(held)
        self.assertFalse(os.path.exists(directory))
        with files.locked(directory) as held:
            self.assertTrue(held)
        with files.locked(directory, create=False) as held:
            self.assertTrue(held)

    def test_remove_locked_dir(self):
        directory = os.path.join(self.tmp, 'svc')
        with files.locked(directory):
            os.makedirs(os.path.join(directory, 'conf', 'tk0'))
            files.write_private(os.path.join(directory, 'a'), 'x')
            files.remove_locked_dir(directory)
        self.assertFalse(os.path.exists(directory))
