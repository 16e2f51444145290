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

import logging

from tenks.cli import logs
from tenks import secrets
from tests.unit import base


class MaskTest(base.TestCase):

    def test_mask_nested(self):
        data = {'bmc': {'username': 'admin', 'password': 'pw'},
                'driver_info': {'ipmi_password': 'x', 'redfish_password': ''},
                'users': [['admin', 'pw']], 'token': None}
        self.assertEqual({'bmc': {'username': 'admin', 'password': '******'},
                          'driver_info': {'ipmi_password': '******',
                                          'redfish_password': ''},
                          'users': [['admin', 'pw']], 'token': None},
                         secrets.mask(data))
        self.assertEqual('pw', data['bmc']['password'])

    def test_mask_text(self):
        text = secrets.mask_text("vbmc add --password s3cr3t 'password': "
                                 "'s3cr3t'")
        self.assertNotIn('s3cr3t', text)

    def test_log_filter(self):
        record = logging.LogRecord('x', logging.INFO, __file__, 1,
                                   'driver_info %s', ({'ipmi_password':
                                                       'hunter2'},), None)
        self.assertTrue(logs.MaskSecrets().filter(record))
        self.assertNotIn('hunter2', record.getMessage())


class ConfigChecksTest(base.TestCase):

    def test_good_defaults(self):
        from tenks.conf import checks
        checks.check(self.make_conf())

    def test_bad_configs_name_file_and_option(self):
        from oslo_config import cfg

        from tenks.conf import checks
        from tenks import exception
        from tests.unit.spec import bad_specs
        for name, text, option in bad_specs.BAD_CONFIGS:
            path = self.write('%s.conf' % name, text)
            try:
                from tenks import conf as conf_mod
                from tenks import plugins
                conf = conf_mod.new_conf([path])
                checks.check(conf)
                checks.check_plugins(conf, plugins.Catalog())
            except exception.ConfigError as exc:
                self.assertIn(path, str(exc), name)
                self.assertIn(option, str(exc), name)
            except cfg.Error as exc:
                self.assertIn(option, str(exc), name)
            else:
                self.fail('%s accepted' % name)
