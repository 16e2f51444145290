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
Once a cluster is gone, :func:`remove_empty_dirs` removes the directories
left empty (on every host it used).
"""

import contextlib
import fcntl
import hashlib
import json
import os
import shutil

from tenks import faults
from tenks import fileio
from tenks.hosts import calls

LOCK_FILE = '.lock'
STAMP_FILE = 'started.json'
#: Crash point: a private directory partly removed.
REMOVE_STEP = 'private-dir:partly-removed'


@calls.exposed
def remove_empty_dirs(paths):
    """Remove those of ``paths`` that are empty directories.

    Anything else (a directory with something in it, a file, nothing)
    is left as it is.

    :returns: the paths removed.
    """
    removed = []
    for path in paths:
        try:
            os.rmdir(path)
        except OSError:
            continue
        removed.append(path)
    return removed


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
    fileio.write_atomic(path, text)
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


def leftovers(directory):
    """What ``directory`` holds besides its lock (sorted names)."""
    try:
        return sorted(n for n in os.listdir(directory) if n != LOCK_FILE)
    except FileNotFoundError:
        return []


def remove_locked_dir(directory):
    """Remove ``directory`` and everything in it, its lock (held) last.

    A removal cut short leaves some files: :func:`leftovers` finds them,
    so the next run knows there is something left to remove.
    """
    for i, name in enumerate(leftovers(directory)):
        if i == 1:
            faults.point(REMOVE_STEP)
        path = os.path.join(directory, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(os.path.join(directory, LOCK_FILE))
    with contextlib.suppress(OSError):
        os.rmdir(directory)


def digest(paths):
    """A digest of the contents of ``paths`` (a missing file counts)."""
    sha = hashlib.sha256()
    for path in paths:
        try:
            with open(path, 'rb') as f:
                data = f.read()
        except FileNotFoundError:
            data = None
        sha.update(b'%d:' % (-1 if data is None else len(data)))
        sha.update(data or b'')
    return sha.hexdigest()


def write_stamp(directory, pid, config_digest):
    """Record that daemon ``pid`` runs with the config of that digest.

    Written once the daemon answers: a config rewritten by a run killed
    before it restarted the daemon no longer matches, and the next run
    restarts it (see :func:`stamped`).
    """
    write_private(os.path.join(directory, STAMP_FILE),
                  json.dumps({'pid': pid, 'digest': config_digest}))


def stamped(directory, pid, config_digest, started=None):
    """Whether daemon ``pid`` was started with the config of that digest.

    :param started: when ``pid`` started (epoch seconds), for a daemon
        that systemd restarts from the same files (at boot, after a
        crash): one started after the stamp was written counts too.
    """
    try:
        with open(os.path.join(directory, STAMP_FILE)) as f:
            stamp = json.load(f)
            written = os.fstat(f.fileno()).st_mtime
    except (OSError, ValueError):
        return False
    return (isinstance(stamp, dict) and
            stamp.get('digest') == config_digest and
            (stamp.get('pid') == pid or
             (started is not None and started > written)))


def drop_stamp(directory):
    with contextlib.suppress(FileNotFoundError):
        os.unlink(os.path.join(directory, STAMP_FILE))
