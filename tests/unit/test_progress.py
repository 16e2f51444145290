import io

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
        self.assertIn('\r[2/4 50%] create domain tk1', stream.getvalue())
        p.finish()
        self.assertTrue(stream.getvalue().endswith('\r'))

    def test_verbose_terminal_gets_lines(self):
        self.assertIsNone(progress.Progress.for_console(2, _Tty()).stream)
        self.assertIsNone(progress.Progress.for_console(0, _Tty()).stream)
