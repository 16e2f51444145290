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

"""Writing a file whole or not at all: the one atomic writer of tenks.

State files, emulator configs, exported inventories and daemon status
files are written to a temporary file in the same directory, flushed to
disk, given their mode, and renamed over the old one: a reader (or a run
killed half-way) sees either the old file or the new one, never a part.
"""

import contextlib
import os
import tempfile


def _fsync_dir(directory):
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path, text, mode=0o600, sync=True):
    """Replace the file at ``path`` with ``text``, all at once.

    :param mode: the file's mode (0600 by default: tenks' files often
        hold passwords).
    :param sync: flush the file and its directory to disk (off for files
        only this host's processes read, e.g. a daemon's status).
    :raises OSError: the directory does not exist or cannot be written
        (nothing is left behind).
    """
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path),
                               suffix='.tmp', dir=directory)
    try:
        with os.fdopen(fd, 'w') as f:
            os.fchmod(f.fileno(), mode)
            f.write(text)
            if sync:
                f.flush()
                os.fsync(f.fileno())
        os.rename(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if sync:
        _fsync_dir(directory)
