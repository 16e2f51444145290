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

"""Choosing the cloud, and the one-line errors of an unusable cloud."""

import subprocess
import sys

import fixtures
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as os_exc

from tenks.enrolment import cloud
from tenks import exception
from tests.unit import base


class CloudNameTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.EnvironmentVariable('OS_CLOUD'))

    def test_order(self):
        conf = self.make_conf('[ironic]\ncloud = irc\n[nova]\ncloud = nc\n')
        self.assertEqual('irc', cloud.cloud_name(conf, 'ironic'))
        self.assertEqual('nc', cloud.cloud_name(conf, 'nova'))
        conf = self.make_conf('[ironic]\ncloud = irc\n')
        self.assertEqual('irc', cloud.cloud_name(conf, 'nova'))
        conf = self.make_conf()
        self.assertIsNone(cloud.cloud_name(conf, 'nova'))
        self.useFixture(fixtures.EnvironmentVariable('OS_CLOUD', 'env'))
        self.assertEqual('env', cloud.cloud_name(conf, 'ironic'))

    def test_no_cloud_at_all_is_a_clear_error(self):
        for var in cloud._ENV_HINTS:
            self.useFixture(fixtures.EnvironmentVariable(var))
        c = cloud.Cloud(self.make_conf(), 'ironic', 'baremetal')
        err = self.assertRaises(cloud.CloudError, lambda: c.conn)
        self.assertEqual('no cloud for Ironic: set [ironic] cloud or '
                         'OS_CLOUD to a cloud in clouds.yaml', str(err))
        # Remembered: the same error again, without trying.
        self.assertIs(err, self.assertRaises(cloud.CloudError,
                                             lambda: c.conn))

    def test_unknown_cloud(self):
        path = self.write('clouds.yaml', 'clouds: {}\n')
        self.useFixture(fixtures.EnvironmentVariable('OS_CLIENT_CONFIG_FILE',
                                                     path))
        c = cloud.Cloud(self.make_conf('[ironic]\ncloud = nope\n'),
                        'ironic', 'baremetal')
        err = self.assertRaises(cloud.CloudError, lambda: c.conn)
        self.assertIn("cloud 'nope'", str(err))
        self.assertIn('nope', str(err))


class GuardTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.EnvironmentVariable('OS_CLOUD'))
        self.cloud = cloud.Cloud(self.make_conf('[ironic]\ncloud = lab\n'),
                                 'ironic', 'baremetal')

    def _raise(self, exc):
        with self.cloud.guard('enrol Ironic node tk0'):
            raise exc

    def test_connect_failure(self):
        exc = ks_exc.ConnectFailure(
            'Unable to establish connection to http://h:6385/v1: '
            "HTTPConnectionPool(host='h', port=6385): Max retries exceeded "
            "(Caused by NewConnectionError('<urllib3...>: Failed to "
            "establish a new connection: [Errno 111] Connection refused'))")
        err = self.assertRaises(cloud.CloudUnreachable, self._raise, exc)
        self.assertEqual("cannot reach Ironic at its catalog endpoint "
                         "(cloud 'lab'): Connection refused", str(err))
        # Every later call fails the same way at once.
        again = self.assertRaises(cloud.CloudUnreachable, lambda:
                                  self.cloud.conn)
        self.assertIs(err, again)

    def test_auth_failures(self):
        err = self.assertRaises(cloud.CloudAuthError, self._raise,
                                ks_exc.Unauthorized('The request you have '
                                                    'made requires '
                                                    'authentication.'))
        self.assertIn("authentication failed for Ironic", str(err))
        self.assertIn("(cloud 'lab')", str(err))

    def test_http_401_from_service(self):
        exc = os_exc.HttpException(message='Unauthorized',
                                   details='Incorrect username or password',
                                   http_status=401)
        err = self.assertRaises(cloud.CloudAuthError, self._raise, exc)
        self.assertIn('Incorrect username or password', str(err))

    def test_refused_request_names_what_and_why(self):
        exc = os_exc.BadRequestException(
            message='Client Error for url: http://h/v1/nodes',
            details='No valid host was found.', http_status=400)
        err = self.assertRaises(cloud.CloudRequestError, self._raise, exc)
        self.assertEqual('enrol Ironic node tk0: Ironic refused (HTTP 400): '
                         'No valid host was found.', str(err))
        self.assertEqual(400, err.status_code)
        # Not remembered: other requests may work.
        self.assertIsNone(self.cloud._fatal)

    def test_tenks_errors_pass_through(self):
        exc = exception.ResourceConflict('not ours')
        self.assertIs(exc, self.assertRaises(exception.ResourceConflict,
                                             self._raise, exc))

    def test_endpoint_not_found(self):
        err = self.assertRaises(cloud.CloudError, self._raise,
                                ks_exc.EndpointNotFound('baremetal'))
        self.assertIn("cloud 'lab' has no Ironic endpoint", str(err))


class LazyImportTest(base.TestCase):

    def test_drivers_do_not_import_openstacksdk(self):
        code = ('import sys\n'
                'import tenks.enrolment.ironic, tenks.enrolment.nova\n'
                'print(sorted(m for m in sys.modules if m == "openstack" or '
                'm.startswith("keystoneauth1")))\n')
        out = subprocess.run([sys.executable, '-c', code], check=True,
                             capture_output=True, text=True).stdout
        self.assertEqual('[]', out.strip())


class RetryTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.EnvironmentVariable('OS_CLOUD'))
        self.cloud = cloud.Cloud(self.make_conf('[ironic]\ncloud = lab\n'),
                                 'ironic', 'baremetal')
        self.pauses = []

    def _flaky(self, failures, status=500):
        calls = []

        def func(arg):
            calls.append(arg)
            if len(calls) <= failures:
                raise os_exc.HttpException(
                    message='Server Error', http_status=status,
                    details='(sqlite3.OperationalError) database is locked\n'
                            '[SQL: DELETE FROM node_traits]')
            return 'done %s' % arg
        return func, calls

    def test_transient_errors_are_tried_again(self):
        func, calls = self._flaky(2)
        self.assertEqual('done x', self.cloud.retrying(
            'enrol tk0', func, 'x', sleep=self.pauses.append))
        self.assertEqual(3, len(calls))
        self.assertEqual([1.0, 2.0], self.pauses)

    def test_gives_up_with_one_line(self):
        func, calls = self._flaky(10)
        err = self.assertRaises(cloud.CloudRequestError, self.cloud.retrying,
                                'enrol tk0', func, 'x',
                                sleep=self.pauses.append)
        self.assertEqual(cloud.RETRIES + 1, len(calls))
        self.assertEqual('enrol tk0: Ironic refused (HTTP 500): '
                         '(sqlite3.OperationalError) database is locked',
                         str(err))

    def test_client_errors_are_not_retried(self):
        func, calls = self._flaky(1, status=400)
        self.assertRaises(cloud.CloudRequestError, self.cloud.retrying,
                          'enrol tk0', func, 'x', sleep=self.pauses.append)
        self.assertEqual(1, len(calls))
        self.assertEqual([], self.pauses)
