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

"""The bash completion file tenks ships is current, valid and completes.

``etc/bash_completion.d/tenks`` is what ``tenks complete`` (cliff's
``CompleteCommand``) prints; the wheel installs it as
``share/bash-completion/completions/tenks``, where bash-completion loads it
the first time ``tenks`` is completed. These tests regenerate it with the
installed CLI and fail, naming the command that regenerates it, when the
shipped file is stale (a command or an option was added).
"""

import configparser
import glob
import os
import pty
import select
import shlex
import subprocess
import sys
import time
import zipfile

import fixtures

from tests.unit import base

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
COMPLETION = 'etc/bash_completion.d/tenks'
INSTALLED_AS = 'share/bash-completion/completions/tenks'
#: The one command that brings the shipped file up to date.
REGENERATE = ('tenks --config-file /dev/null complete --shell bash > %s'
              % COMPLETION)
#: bash-completion's library (Debian's bash-completion package), which
#: defines the helpers cliff's script calls (_get_comp_words_by_ref).
BASH_COMPLETION = '/usr/share/bash-completion/bash_completion'
TENKS = os.path.join(os.path.dirname(sys.executable), 'tenks')


def generate():
    """What the installed ``tenks complete`` prints now."""
    result = subprocess.run(
        [TENKS, '--config-file', '/dev/null', 'complete', '--shell', 'bash'],
        capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise AssertionError('tenks complete failed (%d):\n%s'
                             % (result.returncode, result.stderr))
    return result.stdout


def shipped():
    with open(os.path.join(REPO, COMPLETION)) as f:
        return f.read()


def complete(words):
    """``COMPREPLY`` of ``_tenks`` for the command line ``words``.

    The last word is the one being completed (``''`` for a new word).
    """
    line = ' '.join(words)
    script = '\n'.join([
        'source %s' % shlex.quote(BASH_COMPLETION),
        'source %s' % shlex.quote(os.path.join(REPO, COMPLETION)),
        'COMP_WORDS=(%s)' % ' '.join(shlex.quote(w) for w in words),
        'COMP_CWORD=%d' % (len(words) - 1),
        'COMP_LINE=%s' % shlex.quote(line),
        'COMP_POINT=%d' % len(line),
        '_tenks',
        'printf "%s\\n" "${COMPREPLY[@]}"',
    ])
    result = subprocess.run(['bash', '-c', script], capture_output=True,
                            text=True, timeout=60)
    if result.returncode != 0:
        raise AssertionError('completion failed: %s' % result.stderr)
    return [w for w in result.stdout.split('\n') if w]


def build_wheel(out):
    """Build tenks' wheel from the checkout into ``out``; its path."""
    result = subprocess.run(
        [sys.executable, '-m', 'pip', 'wheel', '--quiet', '--no-deps',
         '--wheel-dir', out, REPO],
        capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise AssertionError('pip wheel failed:\n%s' % result.stderr)
    wheel, = glob.glob(os.path.join(out, 'tenks-*.whl'))
    return wheel


class CompletionFileTest(base.TestCase):

    def test_shipped_file_is_what_tenks_complete_prints(self):
        self.assertTrue(
            generate() == shipped(),
            '%s is stale: the CLI has other commands or options now. '
            'Regenerate it from the top of the checkout, in the test '
            'environment (after `pip install -e .` if setup.cfg changed):\n'
            '    %s' % (COMPLETION, REGENERATE))

    def test_every_command_in_setup_cfg_is_completed(self):
        # Catches a stale editable install, which would regenerate a stale
        # file: every tenks.cli entry point is in the shipped file.
        parser = configparser.ConfigParser()
        parser.read(os.path.join(REPO, 'setup.cfg'))
        names = [line.split('=')[0].strip() for line in
                 parser['entry_points']['tenks.cli'].splitlines()
                 if line.strip()]
        text = shipped()
        for name in names:
            self.assertIn("cmds_%s='" % name, text,
                          '%s has no %s: run `pip install -e .` and then\n'
                          '    %s' % (COMPLETION, name, REGENERATE))

    def test_is_valid_bash(self):
        result = subprocess.run(['bash', '-n', os.path.join(REPO,
                                                            COMPLETION)],
                                capture_output=True, text=True)
        self.assertEqual(0, result.returncode, result.stderr)

    def test_completes_commands_subcommands_and_options(self):
        commands = complete(['tenks', ''])
        for name in ('deploy', 'teardown', 'node', 'status', 'complete'):
            self.assertIn(name, commands)
        self.assertEqual(['deploy'], complete(['tenks', 'dep']))
        nodes = complete(['tenks', 'node', ''])
        for name in ('list', 'show', 'power', 'console'):
            self.assertIn(name, nodes)
        self.assertIn('--dry-run', complete(['tenks', 'deploy', '--']))
        self.assertEqual(['--spec'], complete(['tenks', 'deploy', '--sp']))
        self.assertIn('--long', complete(['tenks', 'teardown', '--l']))

    def test_wheel_installs_it_for_bash_completion(self):
        wheel = build_wheel(self.useFixture(fixtures.TempDir()).path)
        with zipfile.ZipFile(wheel) as z:
            data = [n for n in z.namelist()
                    if n.endswith('.data/data/' + INSTALLED_AS)]
            self.assertEqual(1, len(data), z.namelist())
            self.assertEqual(shipped(), z.read(data[0]).decode())


class InteractiveCompletionTest(base.TestCase):
    """Tab in a real interactive bash, on a terminal."""

    def start_bash(self, source, **env):
        """An interactive bash with bash-completion and ``source``."""
        self.master, slave = pty.openpty()
        env.update({'PATH': '%s:%s' % (os.path.dirname(TENKS),
                                       os.environ.get('PATH',
                                                      '/usr/bin:/bin')),
                    'HOME': self.tmp, 'TERM': 'dumb', 'PS1': 'PROMPT$ ',
                    'INPUTRC': '/dev/null', 'LC_ALL': 'C.UTF-8'})
        self.bash = subprocess.Popen(
            ['bash', '--norc', '--noprofile', '-i'], stdin=slave,
            stdout=slave, stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.addCleanup(self._stop)
        self.screen = ''
        # (split, so that the echo of the typed line does not match)
        self.type('source %s; %s; echo RE""ADY\n'
                  % (BASH_COMPLETION, source))
        self.wait_for('READY\r\n')

    def _stop(self):
        self.bash.kill()
        self.bash.wait()
        os.close(self.master)

    def type(self, text):
        os.write(self.master, text.encode())

    def wait_for(self, text, deadline=60):
        """Read the terminal until ``text`` appears after what was read."""
        start = len(self.screen)
        end = time.monotonic() + deadline
        while text not in self.screen[start:]:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError('%r never appeared; the terminal '
                                     'showed:\n%s' % (text, self.screen))
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                self.screen += os.read(self.master, 4096).decode(
                    errors='replace')

    def test_tab_completes_a_command_and_lists_subcommands(self):
        self.start_bash('source %s' % os.path.join(REPO, COMPLETION))
        self.type('tenks hyp\t')
        self.wait_for('tenks hypervisor ')
        self.type('\x15')          # ^U: clear the line
        self.type('tenks node \t\t')
        self.wait_for('console')
        for name in ('list', 'power', 'show'):
            self.assertIn(name, self.screen)

    def test_installed_file_is_loaded_on_demand(self):
        # Installed from the wheel in a virtualenv of its own (as in
        # /opt/tenks-venv), and reached the way tools/quickstart.sh links
        # it (a completions directory bash-completion searches, here
        # through XDG_DATA_DIRS): the first Tab loads it, nothing sources
        # it. (Not pip's --prefix: it uninstalls tenks from the running
        # environment.)
        wheel = build_wheel(os.path.join(self.tmp, 'wheel'))
        venv = os.path.join(self.tmp, 'venv')
        subprocess.run([sys.executable, '-m', 'venv', '--without-pip',
                        venv], check=True, timeout=600)
        subprocess.run([sys.executable, '-m', 'pip', '--python',
                        os.path.join(venv, 'bin', 'python'), 'install',
                        '--quiet', '--no-deps', '--no-compile', wheel],
                       check=True, capture_output=True, timeout=600)
        installed = os.path.join(venv, INSTALLED_AS)
        self.assertEqual(shipped(), open(installed).read())
        share = os.path.join(self.tmp, 'share')
        os.makedirs(os.path.join(share, 'bash-completion', 'completions'))
        os.symlink(installed, os.path.join(share, INSTALLED_AS[6:]))
        self.start_bash('complete -p tenks || echo NOT-YET',
                        XDG_DATA_DIRS=share)
        self.assertIn('\nNOT-YET\r\n', self.screen)   # not loaded yet
        self.type('tenks verif\t')
        self.wait_for('tenks verify ')
