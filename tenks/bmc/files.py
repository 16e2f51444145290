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

"""Private files of the emulator daemons (host side).

A daemon's directory is mode 0700 and its files 0600: they hold BMC
passwords. Changes to one directory are serialised by a lock file in it,
for threads (the executor runs actions at once) and processes alike.
"""

import contextlib
import fcntl
import os
import shutil

LOCK_FILE = '.lock'


def makedirs(path):
    """Create ``path`` (and parents) and make it private."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)


def write_private(path, text):
    """Write ``text`` to ``path`` atomically, mode 0600.

    :returns: True when the content changed.
    """
    try:
        with open(path) as f:
            if f.read() == text:
                os.chmod(path, 0o600)
                return False
    except FileNotFoundError:
        pass
    tmp = '%s.%d.tmp' % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)
    return True


@contextlib.contextmanager
def locked(directory, create=True):
    """Hold the lock of ``directory``.

    :param create: create the directory when missing. Without it, a
        missing directory (or one removed while waiting) holds nothing.
    :returns: (as the context value) True when the lock is held, False
        when the directory does not exist (``create`` false).
    """
    while True:
        if create:
            makedirs(directory)
        elif not os.path.isdir(directory):
            yield False
            return
        path = os.path.join(directory, LOCK_FILE)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except FileNotFoundError:
            continue        # removed meanwhile
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            break
        # The directory was removed while we waited: look again.
        os.close(fd)
    try:
        yield True
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def remove_locked_dir(directory):
    """Remove ``directory`` and everything in it, its lock (held) last."""
    for name in os.listdir(directory):
        if name == LOCK_FILE:
            continue
        path = os.path.join(directory, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(os.path.join(directory, LOCK_FILE))
    with contextlib.suppress(OSError):
        os.rmdir(directory)
