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

"""Running the ``tenks`` CLI end to end with in-memory plugins."""

import io
import os

import fixtures

from tenks.cli import app
from tests.unit import base
from tests.unit import fakes
from tests.unit.planner import helpers


class CLITestCase(base.TestCase):
    """A config, the planner tests' spec and a fresh fake world."""

    #: Plugin classes the application uses instead of entry points.
    plugin_classes = fakes.CLASSES

    def setUp(self):
        super().setUp()
        fakes.WORLD.__init__()
        self.conf = self.write('tenks.conf', '''\
            [DEFAULT]
            state_file = %(tmp)s/state/state.yaml
            log_dir = %(tmp)s/log
            run_dir = %(tmp)s/run
            [vbmc]
            password = s3cr3t-ipmi
            ''' % {'tmp': self.tmp})
        self.spec_path = self.write('spec.yaml', helpers.SPEC)
        self.state_path = os.path.join(self.tmp, 'state', 'state.yaml')

    def tenks(self, *args):
        """Run ``tenks --config-file <conf> ARGS``.

        :returns: ``(exit code, stdout, stderr)``.
        """
        out, err = io.StringIO(), io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', err))
        application = app.TenksApp(self.plugin_classes)
        application.stdout, application.stderr = out, err
        try:
            code = application.run(['--config-file', self.conf] +
                                   list(args))
        except SystemExit as exc:     # argparse refused the arguments
            code = exc.code
        return code, out.getvalue(), err.getvalue()

    def deploy(self):
        code, _out, err = self.tenks('deploy', '--spec', self.spec_path)
        self.assertEqual(0, code, err)
