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

"""ipmitool runs: a session a busy BMC could not open is tried again."""

import subprocess
from unittest import mock

from tenks.bmc.virtualbmc import ipmi
from tests.unit import base

NO_SESSION = 'Error: Unable to establish IPMI v2 / RMCP+ session\n'


def done(code, out='', err=''):
    return subprocess.CompletedProcess([], code, out, err)


class RetryTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.now = 0.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def run_ipmitool(self, results, **kwargs):
        with mock.patch.object(subprocess, 'run',
                               side_effect=results) as run:
            try:
                return ipmi.ipmitool('127.0.0.1', 6230, 'u', 'p', 'power',
                                     'status', sleep=self.sleep,
                                     clock=lambda: self.now, **kwargs)
            finally:
                self.calls = run.call_count

    def test_session_failure_is_tried_again(self):
        out = self.run_ipmitool([done(1, err=NO_SESSION),
                                 done(1, err=NO_SESSION),
                                 done(0, 'Chassis Power is on\n')])
        self.assertEqual('Chassis Power is on\n', out)
        self.assertEqual(3, self.calls)

    def test_gives_up_after_the_retry_window(self):
        err = self.assertRaises(ipmi.IPMIError, self.run_ipmitool,
                                [done(1, err=NO_SESSION)] * 100,
                                retry_for=2)
        self.assertIn('Unable to establish', str(err))
        self.assertEqual(5, self.calls)     # at 0, 0.5, 1, 1.5 and 2 s

    def test_other_failures_are_not_retried(self):
        self.assertRaises(ipmi.IPMIError, self.run_ipmitool,
                          [done(1, err='Invalid user name\n')])
        self.assertEqual(1, self.calls)
        self.assertEqual([], self.sleeps)

    def test_password_stays_off_the_command_line(self):
        with mock.patch.object(subprocess, 'run',
                               return_value=done(0, 'ok')) as run:
            ipmi.ipmitool('127.0.0.1', 6230, 'u', 's3cret', 'power',
                          'status')
        argv = run.call_args[0][0]
        self.assertNotIn('s3cret', argv)
        self.assertIn('-E', argv)
        self.assertEqual('s3cret', run.call_args[1]['env']['IPMI_PASSWORD'])
