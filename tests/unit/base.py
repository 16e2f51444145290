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

"""Helpers shared by unit tests."""

import os
import textwrap

import fixtures
from oslotest import base

from tenks import conf as conf_mod
from tenks import settings as settings_mod
from tenks.spec import load
from tenks.state import model as state_model

SEED = '0123456789abcdef0123456789abcdef'


class TestCase(base.BaseTestCase):
    """Base test case: a temporary directory and config/spec builders."""

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, 'w') as f:
            f.write(textwrap.dedent(text))
        return path

    def write_bytes(self, name, data=b'', size=None):
        """A file of ``data`` in the temporary directory.

        It is extended to ``size`` bytes (a sparse tail) when given.
        """
        path = os.path.join(self.tmp, name)
        with open(path, 'wb') as f:
            f.write(data)
            if size is not None:
                f.truncate(size)
        return path

    def make_conf(self, text=''):
        """A ConfigOpts reading a config file with ``text``.

        State and logs go under the temporary directory.
        """
        body = textwrap.dedent('''\
            [DEFAULT]
            state_file = %(tmp)s/state/state.yaml
            log_dir = %(tmp)s/log
            run_dir = %(tmp)s/run
            ''') % {'tmp': self.tmp}
        path = self.write('tenks.conf', body + textwrap.dedent(text))
        return conf_mod.new_conf([path])

    def default_settings(self, conf=''):
        """The :class:`tenks.settings.Settings` of a config with ``conf``.

        Without ``conf``, the defaults (no file is written).
        """
        if not conf:
            return settings_mod.Settings.from_conf(conf_mod.new_conf([]))
        return settings_mod.Settings.from_conf(self.make_conf(conf))

    def spec(self, text, settings=None, conf='', catalog=None, **overrides):
        """Parse spec ``text``.

        :param conf: config file text the settings come from.
        :param overrides: core settings to change.
        """
        settings = settings or self.default_settings(conf)
        if overrides:
            settings = settings.replace(**overrides)
        return load.parse_spec(textwrap.dedent(text), settings,
                               source='spec.yaml', base_dir=self.tmp,
                               catalog=catalog)

    def empty_state(self):
        return state_model.State(cluster='tenks', seed=SEED)
