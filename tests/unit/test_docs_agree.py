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

"""The README, the quick start script and the install docs agree.

They name one virtualenv (``tools/quickstart.sh``'s default), run the same
commands, run tenks as root in a way that works (``sudo tenks`` does not:
sudo resets ``PATH``), and every ``tenks`` command they show is one the
real CLI accepts.
"""

import contextlib
import io
import os
import re
import shlex

from tenks.cli import app
from tests.unit import base

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SCRIPT = 'tools/quickstart.sh'
QUICKSTART = 'doc/source/quickstart.rst'
INSTALL = 'doc/source/install.rst'
#: The documents that show how to install and run tenks.
DOCS = ('README.rst', QUICKSTART, INSTALL, 'doc/source/deploying.rst',
        'doc/source/bmc.rst')


def read(path):
    with open(os.path.join(REPO, path)) as f:
        return f.read()


def script_defaults():
    """``(venv, spec)``: tools/quickstart.sh's defaults."""
    text = read(SCRIPT)
    venv = re.search(r'^venv=\$\{TENKS_VENV:-([^}]+)\}$', text, re.M)
    spec = re.search(r'^spec=\$\{1:-([^}]+)\}$', text, re.M)
    return venv.group(1), spec.group(1)


def script_commands():
    """The commands tools/quickstart.sh runs, variables filled in.

    Output-only flags (``--quiet``) are left out.
    """
    venv, spec = script_defaults()
    out = []
    for line in read(SCRIPT).splitlines():
        line = line.strip()
        if not re.match(r'(tools/|python3 |"\$venv/bin/|mkdir |ln )', line):
            continue
        words = [w for w in shlex.split(line) if w != '--quiet']
        out.append(' '.join(words).replace('$venv', venv).replace(
            '$spec', spec))
    return out


def script_teardown_hint():
    venv, _spec = script_defaults()
    hint = re.search(r'echo "  (sudo .*teardown)"', read(SCRIPT)).group(1)
    return hint.replace('$venv', venv)


def console_lines(path):
    """``(prompt, command)`` of every console block line of ``path``.

    A trailing ``# comment`` is dropped; continued lines are joined.
    """
    out = []
    indent = None           # of the directive of the block we are in
    pending = None
    for line in read(path).splitlines():
        directive = re.match(r'( *)\.\. code-block:: console', line)
        if directive:
            indent = len(directive.group(1))
            continue
        if indent is not None and line.strip() and (
                len(line) - len(line.lstrip()) <= indent):
            indent = None
        if indent is None:
            continue
        text = line.strip()
        if pending is not None:
            pending[1] += ' ' + text.rstrip('\\').strip()
            if not text.endswith('\\'):
                out.append(tuple(pending))
                pending = None
            continue
        match = re.match(r'([$#]) (.*)$', text)
        if not match:
            continue
        command = re.split(r'\s+# ', match.group(2))[0].strip()
        if command.endswith('\\'):
            pending = [match.group(1), command.rstrip('\\').strip()]
        else:
            out.append((match.group(1), command))
    return out


def root_commands(path, venv):
    """What ``path`` runs as root, with ``tenks`` resolved.

    :returns: ``(commands, problems)``: the commands as root would run
        them (``tenks`` given as ``<venv>/bin/tenks``), and the lines that
        would not work.
    """
    commands, problems = [], []
    activated = False
    for prompt, command in console_lines(path):
        words = command.split()
        if prompt == '$':
            if words[:1] != ['sudo']:
                if re.search(r'(^|/)tenks$', words[0]):
                    problems.append('%s: "$ %s" runs tenks as a user; it '
                                    'needs root' % (path, command))
                continue
            words = words[1:]
            if words[:1] == ['-i']:
                continue
            if words[:1] == ['tenks']:
                problems.append('%s: "$ %s" fails: sudo resets PATH'
                                % (path, command))
                continue
        elif words[:1] == ['.'] and words[1:] == [venv + '/bin/activate']:
            activated = True
            continue
        elif command == 'export PATH=%s/bin:$PATH' % venv:
            activated = True
            continue
        elif words[:1] == ['tenks']:
            if not activated:
                problems.append('%s: "# %s" before the virtualenv is '
                                'activated' % (path, command))
                continue
            words = ['%s/bin/tenks' % venv] + words[1:]
        commands.append(' '.join(words))
    return commands, problems


def tenks_commands(commands, venv):
    """The argument lists of the ``<venv>/bin/tenks`` commands."""
    prefix = '%s/bin/tenks ' % venv
    return [shlex.split(c[len(prefix):]) for c in commands
            if c.startswith(prefix)]


class DocsAgreeTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.venv, self.spec = script_defaults()

    def test_one_virtualenv_everywhere(self):
        self.assertEqual('/opt/tenks-venv', self.venv)
        for path in DOCS + (SCRIPT,):
            found = {m.lstrip('-') for m in
                     re.findall(r'[\w~./$-]*tenks-venv\b', read(path))}
            self.assertEqual(set(), found - {self.venv},
                             '%s names another virtualenv' % path)
        for path in ('README.rst', QUICKSTART, INSTALL):
            self.assertIn(self.venv, read(path))

    def test_tenks_runs_as_root_in_a_way_that_works(self):
        problems = []
        for path in DOCS:
            problems += root_commands(path, self.venv)[1]
            # Literal blocks too (prose may name ``sudo tenks`` to say
            # that it fails).
            for number, line in enumerate(read(path).splitlines(), 1):
                if re.match(r'\s+([$#] )?sudo(\s+-E)?\s+tenks\b', line):
                    problems.append('%s:%d: %s (sudo resets PATH)'
                                    % (path, number, line.strip()))
        self.assertEqual([], problems)

    def test_quickstart_page_runs_what_the_script_runs(self):
        page, _problems = root_commands(QUICKSTART, self.venv)
        for command in script_commands():
            self.assertIn(command, page, 'tools/quickstart.sh runs "%s", '
                          'doc/source/quickstart.rst does not' % command)
        self.assertIn(script_teardown_hint(),
                      ['sudo ' + c for c in page])

    def test_install_page_installs_as_the_quickstart_does(self):
        install, _problems = root_commands(INSTALL, self.venv)
        page, _problems = root_commands(QUICKSTART, self.venv)
        steps = [c for c in script_commands()
                 if not c.startswith(self.venv + '/bin/tenks')]
        self.assertEqual(5, len(steps), steps)
        for step in steps:
            self.assertIn(step, install)
            self.assertIn(step, page)
        self.assertIn('%s/bin/tenks host setup' % self.venv, install)

    def test_readme_points_at_the_script_and_the_venv(self):
        readme = read('README.rst')
        self.assertIn('sudo %s' % SCRIPT, readme)
        self.assertIn('``%s``' % self.venv, readme)
        self.assertIn('sudo %s' % SCRIPT, read(QUICKSTART))
        # What the README says the script does, it does.
        for command in script_commands():
            if command.startswith(self.venv + '/bin/tenks'):
                words = command.split()[1:]
                if words[:1] != ['node']:
                    self.assertIn(' '.join(['tenks'] + words),
                                  ' '.join(readme.split()))

    def test_every_documented_tenks_command_parses(self):
        application = app.TenksApp()
        for path in DOCS:
            commands, _problems = root_commands(path, self.venv)
            for argv in tenks_commands(commands, self.venv):
                try:
                    factory, name, rest = (
                        application.command_manager.find_command(argv))
                except ValueError:
                    self.fail('%s: no command tenks %s' % (path,
                                                           ' '.join(argv)))
                command = factory(application, None, cmd_name=name)
                parser = command.get_parser('tenks ' + name)
                err = io.StringIO()
                try:
                    with contextlib.redirect_stderr(err):
                        parser.parse_args(rest)
                except SystemExit:
                    self.fail('%s: tenks %s: %s' % (path, ' '.join(argv),
                                                    err.getvalue()))

    def test_quickstart_validate_command_runs(self):
        # The page's validate command through the real CLI (with a private
        # state file instead of /var/lib/tenks).
        page, _problems = root_commands(QUICKSTART, self.venv)
        argv, = [a for a in tenks_commands(page, self.venv)
                 if a[0] == 'validate']
        conf = self.write('tenks.conf', '''\
            [DEFAULT]
            state_file = %(tmp)s/state/state.yaml
            log_dir = %(tmp)s/log
            run_dir = %(tmp)s/run
            ''' % {'tmp': self.tmp})
        out, err = io.StringIO(), io.StringIO()
        application = app.TenksApp()
        application.stdout, application.stderr = out, err
        cwd = os.getcwd()
        os.chdir(REPO)
        self.addCleanup(os.chdir, cwd)
        code = application.run(['--config-file', conf] + argv +
                               ['-f', 'value', '-c', 'valid'])
        self.assertEqual(0, code, err.getvalue())
        self.assertEqual('True', out.getvalue().strip())
