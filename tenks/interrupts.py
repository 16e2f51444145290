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

"""SIGINT and SIGTERM while a plan is applied: stop, then abort.

The first signal asks the run to stop: no action starts after it, and the
actions in progress finish (they are plugin calls in threads, journalled
as usual). A second signal aborts at once, as a kill would: the journal
already records what was in progress, so the state stays true.

Handlers are installed only from the main thread (Python delivers signals
there), and the previous ones are put back when the run ends.
"""

import contextlib
import signal
import threading

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopRequest(object):
    """Whether, and by which signal, a run was asked to stop."""

    def __init__(self):
        self.signum = None

    @property
    def requested(self):
        return self.signum is not None

    @property
    def name(self):
        return signal.Signals(self.signum).name if self.signum else None


@contextlib.contextmanager
def stop_on_signals(on_stop, on_abort):
    """Catch SIGINT and SIGTERM while the block runs.

    :param on_stop: called with the :class:`StopRequest` at the first
        signal (in the main thread, between two bytecodes of whatever it
        was doing: keep it short and take no lock it may hold).
    :param on_abort: called with the signal number at a second signal;
        it is expected not to return (it ends the process).
    :yields: the :class:`StopRequest`.
    """
    stop = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum, frame):
        if stop.requested:
            on_abort(signum)
        else:
            stop.signum = signum
            on_stop(stop)

    previous = {}
    try:
        for signum in SIGNALS:
            previous[signum] = signal.signal(signum, handler)
        yield stop
    finally:
        for signum, old in previous.items():
            # None: a handler not installed from Python; the default is
            # the closest.
            signal.signal(signum, old if old is not None else signal.SIG_DFL)
