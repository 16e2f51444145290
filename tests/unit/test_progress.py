import fcntl
import io
import os
import pty
import struct
import termios

import fixtures

from tenks import progress
from tests.unit import base


class _Tty(io.StringIO):
    def isatty(self):
        return True


class ProgressTest(base.TestCase):

    def test_lines_when_not_a_terminal(self):
        stream = io.StringIO()
        p = progress.Progress.for_console(1, stream)
        self.assertIsNone(p.stream)
        with self.assertLogs('tenks.progress', 'INFO') as logs:
            p.start(2)
            p.step('create domain tk0', True, 0.5)
            p.step('create domain tk1', False, 0.1, 'boom')
            p.finish()
        self.assertEqual('', stream.getvalue())
        self.assertIn('[1/2] create domain tk0: done (0.50s)',
                      logs.output[0])
        self.assertIn('[2/2] create domain tk1: failed (0.10s): boom',
                      logs.output[1])
        self.assertIn('2 actions in', logs.output[2])

    def test_live_line_on_a_terminal(self):
        stream = _Tty()
        p = progress.Progress.for_console(1, stream)
        self.assertIs(stream, p.stream)
        p.start(4)
        p.step('create domain tk0', True, 0.5)
        p.step('create domain tk1', True, 0.5)
        self.assertIn('\r[2/4 50%] create domain tk1\x1b[K',
                      stream.getvalue())
        p.finish()
        self.assertTrue(stream.getvalue().endswith('\r\x1b[K'))

    def test_live_line_fits_the_terminal(self):
        self.useFixture(fixtures.EnvironmentVariable('COLUMNS', '30'))
        stream = _Tty()
        p = progress.Progress.for_console(1, stream)
        p.start(28)
        p.step('create bmc a-very-long-node-name-indeed on hv1', True, 0.5)
        line = stream.getvalue()
        self.assertEqual('\r[1/28 3%] create bmc a-ver\u2026\x1b[K', line)
        # Room for an echoed ^C, and the last column left free.
        self.assertEqual(27, len(line) - len('\r\x1b[K'))

    def test_fit(self):
        self.assertEqual('short', progress.fit('short', 80))
        self.assertEqual('abcd\u2026', progress.fit('abcdefghij', 8))
        self.assertEqual('abcde', progress.fit('abcde', 8))

    def test_width_of_a_real_terminal(self):
        master, slave = pty.openpty()
        self.addCleanup(os.close, master)
        self.addCleanup(os.close, slave)
        fcntl.ioctl(slave, termios.TIOCSWINSZ,
                    struct.pack('HHHH', 24, 61, 0, 0))
        with os.fdopen(os.dup(slave), 'w') as stream:
            self.assertEqual(61, progress.width(stream))

    def test_note_clears_the_line_and_logs(self):
        stream = _Tty()
        p = progress.Progress.for_console(1, stream)
        p.start(2)
        p.step('create domain tk0', True, 0.5)
        with self.assertLogs('tenks.progress', 'WARNING') as logs:
            p.note('SIGINT: stopping')
        self.assertTrue(stream.getvalue().endswith('\r\x1b[K'))
        self.assertIn('SIGINT: stopping', logs.output[0])
        p.abandon()     # nothing shown: nothing written
        self.assertTrue(stream.getvalue().endswith('\r\x1b[K'))
        self.assertEqual(1, stream.getvalue().count('\r\x1b[K'))

    def test_verbose_terminal_gets_lines(self):
        self.assertIsNone(progress.Progress.for_console(2, _Tty()).stream)
        self.assertIsNone(progress.Progress.for_console(0, _Tty()).stream)
