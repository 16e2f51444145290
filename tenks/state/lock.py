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

"""An exclusive, non-blocking lock on the state file.

The kernel drops a ``flock`` when its holder dies, so a lock left by a
killed run is recovered by the next one without any clean-up. The holder
writes who it is into the lock file, so a refused run can name it.
"""

import fcntl
import json
import os
import socket
import sys
import time

from tenks import exception


#: Seconds to wait for a lock held by no one who says so (see
#: :meth:`StateLock._flock`).
SETTLE = 2.0


def describe(info):
    """``pid N on HOST, running "COMMAND" since TIME`` of a lock holder.

    :param info: what :meth:`StateLock.holder` returned.
    """
    if not info:
        return 'a run that has just started'
    return 'pid %s on %s, running "%s" since %s' % (
        info.get('pid', '?'), info.get('host', '?'), info.get('command', '?'),
        time.strftime('%Y-%m-%d %H:%M:%S',
                      time.localtime(info.get('started', 0))))


class StateLock(object):

    def __init__(self, path, command=None):
        self.path = path
        self.command = command or ' '.join(os.path.basename(a) if i == 0
                                           else a
                                           for i, a in enumerate(sys.argv))
        self._fd = None

    def holder(self):
        """What the lock file says about its holder (a dict, maybe empty)."""
        try:
            with open(self.path) as f:
                return json.loads(f.read() or '{}')
        except (OSError, ValueError):
            return {}

    def _flock(self, fd):
        """Lock ``fd``, or raise BlockingIOError.

        A lock held by no one who says so is a run that has just taken
        it (its holder writes its name right after) or a dry run's
        :meth:`probe`: both last a moment, so the lock is asked for again
        for up to :data:`SETTLE` seconds before giving up.
        """
        deadline = time.monotonic() + SETTLE
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if self.holder() or time.monotonic() >= deadline:
                    raise
            time.sleep(0.02)

    def probe(self):
        """Who holds the lock now: a dict (maybe empty), or None if free.

        Changes nothing: the lock file is neither created nor written,
        and the lock is taken shared for an instant only (see
        :meth:`_flock`), so that a dry run can say that another run is
        changing the state it reads.
        """
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return self.holder()
        finally:
            os.close(fd)    # closing drops a shared lock taken above
        return None

    def acquire(self):
        directory = os.path.dirname(os.path.abspath(self.path))
        try:
            os.makedirs(directory, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise exception.StateError('cannot open lock file %s: %s'
                                       % (self.path, exc.strerror or exc))
        try:
            self._flock(fd)
        except BlockingIOError:
            os.close(fd)
            raise exception.LockHeld(
                'another tenks run holds the lock on %s (%s)'
                % (self.path, describe(self.holder())))
        info = {'pid': os.getpid(), 'host': socket.gethostname(),
                'command': self.command, 'started': int(time.time())}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        self._fd = fd
        return self

    def release(self, remove=False):
        if self._fd is None:
            return
        if remove:
            try:
                os.unlink(self.path)
            except OSError:
                pass
        else:
            os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
