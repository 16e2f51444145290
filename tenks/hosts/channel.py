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

"""Long-lived host agents: one process serves every call of a run.

A :class:`Channel` is one ``tenks-host-agent --serve`` on a host, reached
through a command (``ssh -F FILE HOST -- AGENT --serve``) whose standard
input and output carry JSON lines: the agent's greeting first
(:func:`tenks.hosts.agent_main.greeting`), then a reply per request. A
call costs a round trip on an open SSH channel instead of a connection
and a Python start-up on the host.

A :class:`Pool` keeps a host's channels: a call takes an idle one, or
opens one while fewer than its size are open, or waits. One-shot
commands count against the same size (:meth:`Pool.slot`), so the host's
sshd never has more sessions open on the master connection than that.
A channel whose call failed in transit (timed out, or the agent died) is
closed, never reused.
"""

import json
import os
import selectors
import subprocess
import tempfile
import threading
import time

#: Bytes of the agent's standard error kept for messages.
_STDERR_TAIL = 4000
#: Seconds an agent may take to exit once its input is closed.
_EXIT_WAIT = 5


class ChannelError(Exception):
    """The agent process ended, or did not answer in time.

    :ivar returncode: its exit status (None while it runs, -1 on timeout).
    :ivar stdout: what it wrote that was not a reply.
    :ivar stderr: the end of its standard error.
    """

    def __init__(self, message, returncode=None, stdout='', stderr=''):
        super().__init__(message)
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


class Channel(object):
    """One serving agent process.

    :param argv: the command that starts it (and reaches its host).
    :param timeout: seconds to wait for its greeting.
    :raises ChannelError: it ended, or did not greet in time.
    :raises OSError: the command cannot run.
    """

    def __init__(self, argv, timeout):
        self._stderr = tempfile.TemporaryFile()
        # A session of its own: a Ctrl-C at the terminal lets a call in
        # flight finish (see tenks.interrupts).
        self._proc = subprocess.Popen(
            list(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, bufsize=0, start_new_session=True)
        self._buffer = b''
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._proc.stdout, selectors.EVENT_READ)
        try:
            line = self._readline(timeout)
            try:
                #: What the agent said first (its ``tenks`` version...).
                self.greeting = json.loads(line)
            except ValueError:
                self.greeting = None
            if not isinstance(self.greeting, dict):
                raise self._failure('no greeting', line)
        except BaseException:
            self.close()
            raise

    def _stderr_text(self):
        try:
            self._stderr.seek(0, os.SEEK_END)
            size = self._stderr.tell()
            self._stderr.seek(max(0, size - _STDERR_TAIL))
            return self._stderr.read().decode('utf-8', 'replace')
        except (OSError, ValueError):
            return ''

    def _failure(self, message, stdout=b''):
        """The ChannelError of an agent that stopped serving."""
        try:
            returncode = self._proc.wait(_EXIT_WAIT)
        except subprocess.TimeoutExpired:
            returncode = None
        if isinstance(stdout, bytes):
            stdout = stdout.decode('utf-8', 'replace')
        return ChannelError(message, returncode, stdout + self._buffer.decode(
            'utf-8', 'replace'), self._stderr_text())

    def _readline(self, timeout):
        deadline = time.monotonic() + timeout
        while b'\n' not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not self._selector.select(left):
                self._kill()
                raise ChannelError('no answer within %g s' % timeout, -1,
                                   '', self._stderr_text())
            chunk = os.read(self._proc.stdout.fileno(), 1 << 16)
            if not chunk:
                raise self._failure('the agent ended')
            self._buffer += chunk
        line, _sep, self._buffer = self._buffer.partition(b'\n')
        return line

    def request(self, message, timeout):
        """Send ``message`` (a JSON-able dict); its reply.

        :raises ChannelError: the agent ended or did not answer; the
            channel is unusable then.
        """
        try:
            self._proc.stdin.write(json.dumps(message).encode() + b'\n')
        except OSError:
            raise self._failure('the agent ended')
        line = self._readline(timeout)
        try:
            reply = json.loads(line)
        except ValueError:
            reply = None
        if not isinstance(reply, dict):
            self._kill()
            raise self._failure('not a reply', line)
        return reply

    @property
    def alive(self):
        return self._proc.poll() is None

    def _kill(self):
        if self._proc.poll() is None:
            self._proc.kill()

    def shut(self):
        """Close the agent's input: it ends once its call is answered."""
        try:
            self._proc.stdin.close()
        except OSError:
            pass

    def close(self):
        """End the agent: its input closed, killed if it lingers."""
        self.shut()
        try:
            self._proc.wait(_EXIT_WAIT)
        except subprocess.TimeoutExpired:
            self._kill()
            self._proc.wait()
        self._selector.close()
        self._proc.stdout.close()
        self._stderr.close()


class Pool(object):
    """The channels of one host, at most ``size`` sessions open.

    :param opener: makes a new :class:`Channel`.
    :param size: sessions open at once, channels and one-shot commands.
    """

    def __init__(self, opener, size):
        self._opener = opener
        self._size = max(1, int(size))
        self._idle = []
        self._open = 0
        self._closed = False
        self._ending = []
        self._cond = threading.Condition()

    def _claim(self):
        """Take a session slot; a channel if an idle one was left."""
        with self._cond:
            while True:
                if self._idle:
                    return self._idle.pop()
                if self._open < self._size:
                    self._open += 1
                    return None
                self._cond.wait()

    def _free(self):
        with self._cond:
            self._open -= 1
            self._cond.notify()

    def acquire(self):
        """An idle channel, or a new one (waits while all are busy).

        :raises ChannelError, OSError: as opening one did.
        """
        channel = self._claim()
        if channel is not None:
            if channel.alive:
                return channel
            channel.close()
        try:
            return self._opener()
        except BaseException:
            self._free()
            raise

    def release(self, channel, broken=False):
        """Give ``channel`` back; a ``broken`` one is closed."""
        with self._cond:
            keep = not broken and not self._closed and channel.alive
            if keep:
                self._idle.append(channel)
                self._cond.notify()
        if not keep:
            channel.close()
            self._free()

    def add(self, channel):
        """Take in a channel opened elsewhere (a host check's), if room."""
        with self._cond:
            keep = not self._closed and self._open < self._size
            if keep:
                self._open += 1
                self._idle.append(channel)
                self._cond.notify()
        if not keep:
            channel.close()

    def slot(self):
        """A context holding one session slot for a one-shot command.

        An idle channel gives its slot up when none is free.
        """
        pool = self

        class _Slot(object):
            def __enter__(self):
                idle = pool._claim()
                if idle is not None:
                    idle.close()
                return self

            def __exit__(self, *exc):
                pool._free()

        return _Slot()

    def close(self, wait=True):
        """Close the idle channels; busy ones close when given back.

        :param wait: wait for their agents to end; without, only close
            their input (a later call with ``wait`` reaps them).
        """
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._open -= len(idle)
            self._ending.extend(idle)
            ending = list(self._ending) if wait else []
            if wait:
                self._ending = []
        for channel in idle:
            channel.shut()
        for channel in ending:
            channel.close()
