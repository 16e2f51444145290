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

"""Progress of a run: ``[n/total]`` lines, or one live line on a terminal.

In CI logs (standard error is not a terminal) every completed action is a
plain log line. On a terminal at the default verbosity one line is
rewritten in place with a counter and the latest action, so long runs are
neither silent nor flooded; failures always get a full line. The live
line fits the terminal's width (it is cut with an ellipsis), so it never
wraps.
"""

import os
import shutil
import sys
import threading
import time

from oslo_log import log as logging

LOG = logging.getLogger(__name__)

#: Erase from the cursor to the end of the line.
_ERASE = '\x1b[K'
#: Columns of a live line left free (see :func:`fit`).
_FREE = 3


def width(stream):
    """How many columns the terminal of ``stream`` has."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        # Not a real terminal (or closed): $COLUMNS, else 80.
        return shutil.get_terminal_size().columns


def fit(text, columns):
    """``text`` cut to fit a line of ``columns``, with an ellipsis.

    Three columns stay free: the ``^C`` a terminal echoes when Ctrl-C is
    typed, and the last column (writing it makes some terminals wrap).
    Then the line never wraps, and clearing it leaves nothing behind.
    """
    room = max(columns - _FREE, 1)
    if len(text) <= room:
        return text
    return text[:room - 1] + '\u2026'


class Progress(object):
    """Reports completed actions.

    :param stream: where a live line goes (a terminal); None logs lines.
    """

    def __init__(self, stream=None):
        self.stream = stream
        self.total = 0
        self.count = 0
        self.started = None
        # Reentrant: a signal handler (tenks.interrupts) may report while
        # the main thread holds it.
        self._lock = threading.RLock()
        self._shown = False

    @classmethod
    def for_console(cls, verbose_level, stream=None):
        """A live line on a terminal at default verbosity, else lines."""
        stream = stream or sys.stderr
        if verbose_level == 1 and getattr(stream, 'isatty', lambda: False)():
            return cls(stream)
        return cls()

    def start(self, total):
        self.total = total
        self.count = 0
        self.started = time.monotonic()

    def step(self, description, ok, seconds, detail=''):
        """Count one completed action; returns how many are done."""
        with self._lock:
            self.count += 1
            count = self.count
            line = '[%d/%d] %s: %s (%.2fs)' % (
                count, self.total, description, 'done' if ok else 'failed',
                seconds)
            if not ok:
                self._clear()
                LOG.error('%s: %s', line, detail)
            elif self.stream is None:
                LOG.info(line)
            else:
                self._live('[%d/%d %d%%] %s' % (
                    count, self.total, 100 * count // max(self.total, 1),
                    description))
        return count

    def _live(self, text):
        self.stream.write('\r' + fit(text, width(self.stream)) + _ERASE)
        self.stream.flush()
        self._shown = True

    def _clear(self):
        if self.stream is not None and self._shown:
            self.stream.write('\r' + _ERASE)
            self.stream.flush()
            self._shown = False

    def note(self, text):
        """Say something now, on its own line (the live line goes on)."""
        with self._lock:
            self._clear()
            LOG.warning(text)

    def abandon(self):
        """Clear the live line: the run ends here, unfinished."""
        with self._lock:
            self._clear()

    def finish(self):
        with self._lock:
            self._clear()
        if self.total and self.started is not None:
            LOG.info('%d action%s in %.1fs', self.count,
                     '' if self.count == 1 else 's',
                     time.monotonic() - self.started)
