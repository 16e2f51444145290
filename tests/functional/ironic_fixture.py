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

"""A real standalone Ironic for functional tests.

:class:`IronicServer` runs one all-in-one ``ironic`` process (API and
conductor together) from the virtualenv ``tools/install-ironic.sh`` makes,
with sqlite, no RPC bus and either no authentication or HTTP basic
authentication (as Bifrost runs it). It listens on a free loopback port
and writes a ``clouds.yaml`` naming it, so openstacksdk (and tenks) reach
it with ``OS_CLOUD`` alone.

Use it through the pytest fixtures (import them into a test module or a
conftest: ``from tests.functional.ironic_fixture import ironic,
ironic_server  # noqa``):

* ``ironic_server`` (session): the running server, started once per test
  session and stopped at its end, also when tests fail or the session is
  interrupted (the process also dies with the test process).
* ``ironic`` (function): the same server, checked empty after the test:
  nodes left behind are deleted and reported as a failure.

What a test gets (an :class:`IronicServer`): ``.endpoint``
(``http://127.0.0.1:<port>``), ``.cloud_name`` and ``.clouds_yaml`` (a
cloud entry for it), ``.env()`` (``OS_CLIENT_CONFIG_FILE`` and
``OS_CLOUD`` to set), ``.conn()`` (an openstacksdk connection),
``.log_file``, and ``.api_calls(since)`` with ``.log_offset()`` (the
requests Ironic logged, to check exactly what a client sent).
``IronicServer(dir, auth_strategy='http_basic', users={...})`` runs
another one the way Bifrost does (start() / stop() it yourself).

The server's log stays in its directory for debugging; the session's
base directory is printed when the server starts.

A missing Ironic is a test failure, never a skip:
``tools/install-deps.sh test`` installs it.
"""

import ctypes
import os
import re
import signal
import subprocess
import tempfile
import textwrap
import time
import uuid

import pytest
import requests

from tests.functional import env as env_mod

VENV_ENV = 'TENKS_TEST_IRONIC_VENV'
DEFAULT_VENV = '/opt/tenks-test/ironic-venv'
READY_TIMEOUT = 180
DRIVERS = ('ipmi', 'redfish', 'fake-hardware')

_PR_SET_PDEATHSIG = 1

#: An API request in Ironic's log: "127.0.0.1 - PATCH /v1/nodes/X - 200".
_API_LINE = re.compile(r' - (GET|POST|PUT|PATCH|DELETE) (\S+) - (\d{3}) ')


def ironic_venv():
    """The virtualenv holding Ironic (``$TENKS_TEST_IRONIC_VENV``)."""
    return os.environ.get(VENV_ENV) or DEFAULT_VENV


def die_with_parent():
    """Run in the child before exec: die with the test process.

    The child gets SIGTERM when the test process dies, so a killed test
    run leaves no daemon behind.
    """
    os.setsid()
    try:
        libc = ctypes.CDLL('libc.so.6', use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


class IronicNotReady(RuntimeError):
    pass


class IronicServer(object):
    """One all-in-one Ironic process.

    :param base_dir: directory for its config, database, log and
        clouds.yaml (created).
    :param auth_strategy: ``noauth`` or ``http_basic``.
    :param users: for ``http_basic``: mapping of user name to password.
    :param extra_conf: text appended to ironic.conf.

    :ivar endpoint: ``http://127.0.0.1:<port>``.
    :ivar cloud_name: the cloud's name in :attr:`clouds_yaml`.
    :ivar clouds_yaml: path of a clouds.yaml with that cloud.
    :ivar log_file: Ironic's log.
    """

    def __init__(self, base_dir, auth_strategy='noauth', users=None,
                 extra_conf=''):
        self.venv = ironic_venv()
        self.base_dir = base_dir
        self.auth_strategy = auth_strategy
        self.users = dict(users or {})
        self.extra_conf = extra_conf
        self.port = None
        self.endpoint = None
        self.cloud_name = 'tenks-ironic-%s' % uuid.uuid4().hex[:6]
        self.clouds_yaml = os.path.join(base_dir, 'clouds.yaml')
        self.config_file = os.path.join(base_dir, 'ironic.conf')
        self.log_dir = os.path.join(base_dir, 'log')
        self.log_file = os.path.join(self.log_dir, 'ironic.log')
        self.stdout_file = os.path.join(self.log_dir, 'stdout.log')
        self.process = None

    # -- files ------------------------------------------------------------

    def _binary(self, name):
        path = os.path.join(self.venv, 'bin', name)
        if not os.access(path, os.X_OK):
            raise IronicNotReady(
                '%s not found: install a standalone Ironic with '
                'tools/install-ironic.sh (or set %s)' % (path, VENV_ENV))
        return path

    def _write_htpasswd(self):
        path = os.path.join(self.base_dir, 'htpasswd')
        script = ('import bcrypt, json, sys\n'
                  'for user, pw in json.load(sys.stdin).items():\n'
                  '    h = bcrypt.hashpw(pw.encode(), bcrypt.gensalt(4))\n'
                  '    print("%s:%s" % (user, h.decode()))\n')
        import json
        out = subprocess.run([self._binary('python'), '-c', script],
                             input=json.dumps(self.users), text=True,
                             capture_output=True, check=True).stdout
        with open(path, 'w') as f:
            f.write(out)
        return path

    def _write_config(self):
        s = self.base_dir
        for sub in ('httpboot', 'tftpboot', 'master_images', 'locks',
                    'log'):
            os.makedirs(os.path.join(s, sub), exist_ok=True)
        auth = 'auth_strategy = %s\n' % self.auth_strategy
        if self.auth_strategy == 'http_basic':
            auth += 'http_basic_auth_user_file = %s\n' % (
                self._write_htpasswd())
        conf = textwrap.dedent('''\
            [DEFAULT]
            %(auth)s
            rpc_transport = none
            host = tenks-test
            enabled_hardware_types = ipmi,redfish,fake-hardware
            enabled_boot_interfaces = ipxe,pxe,redfish-virtual-media,fake
            enabled_deploy_interfaces = direct,ramdisk,fake
            enabled_management_interfaces = ipmitool,redfish,fake
            enabled_power_interfaces = ipmitool,redfish,fake
            enabled_inspect_interfaces = no-inspect,redfish,fake
            enabled_network_interfaces = noop
            enabled_bios_interfaces = no-bios,redfish,fake
            enabled_console_interfaces = no-console,fake
            enabled_raid_interfaces = no-raid,agent,redfish,fake
            enabled_vendor_interfaces = no-vendor,ipmitool,redfish,fake
            default_network_interface = noop
            default_deploy_interface = direct
            minimum_memory_warning_only = true
            log_file = %(s)s/log/ironic.log

            [api]
            host_ip = 127.0.0.1
            port = %(port)d
            api_workers = 1

            [conductor]
            automated_clean = false
            sync_power_state_interval = 5
            force_power_state_during_sync = false

            [ipmi]
            min_command_interval = 1
            command_retry_timeout = 10

            [database]
            connection = sqlite:///%(s)s/ironic.sqlite

            [dhcp]
            dhcp_provider = none

            [deploy]
            http_url = http://127.0.0.1:8088
            http_root = %(s)s/httpboot

            [pxe]
            tftp_root = %(s)s/tftpboot
            tftp_master_path = %(s)s/master_images

            [oslo_concurrency]
            lock_path = %(s)s/locks
            ''') % {'auth': auth.rstrip('\n'), 's': s, 'port': self.port}
        with open(self.config_file, 'w') as f:
            f.write(conf + self.extra_conf)

    def cloud_entry(self, username=None, password=None):
        """The clouds.yaml entry (a dict) reaching this Ironic."""
        if self.auth_strategy == 'http_basic':
            if username is None:
                username, password = next(iter(self.users.items()))
            return {'auth_type': 'http_basic',
                    'auth': {'username': username, 'password': password,
                             'endpoint': self.endpoint}}
        return {'auth_type': 'none',
                'baremetal_endpoint_override': self.endpoint}

    def write_clouds_yaml(self, path, clouds):
        """Write ``{'clouds': clouds}`` to ``path``."""
        import yaml
        with open(path, 'w') as f:
            yaml.safe_dump({'clouds': clouds}, f, default_flow_style=False)
        return path

    def env(self):
        """Environment variables that make openstacksdk use this Ironic."""
        return {'OS_CLIENT_CONFIG_FILE': self.clouds_yaml,
                'OS_CLOUD': self.cloud_name}

    # -- life cycle -------------------------------------------------------

    def start(self):
        os.makedirs(self.base_dir, exist_ok=True)
        self.port = env_mod.free_tcp_port()
        self.endpoint = 'http://127.0.0.1:%d' % self.port
        self._write_config()
        self.write_clouds_yaml(self.clouds_yaml,
                               {self.cloud_name: self.cloud_entry()})
        subprocess.run([self._binary('ironic-dbsync'), '--config-file',
                        self.config_file, 'create_schema'],
                       check=True, capture_output=True)
        with open(self.stdout_file, 'ab') as out:
            self.process = subprocess.Popen(
                [self._binary('ironic'), '--config-file', self.config_file],
                stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        try:
            self._wait_ready()
        except Exception:
            self.stop()
            raise
        return self

    def _auth(self):
        if self.auth_strategy == 'http_basic':
            return next(iter(self.users.items()))
        return None

    def _log_has_traceback(self):
        try:
            with open(self.log_file, errors='replace') as f:
                return 'Traceback' in f.read()
        except FileNotFoundError:
            return False

    def _ready(self):
        headers = {'X-OpenStack-Ironic-API-Version': '1.49'}
        drivers = requests.get(self.endpoint + '/v1/drivers',
                               headers=headers, auth=self._auth(),
                               timeout=5)
        if drivers.status_code != 200:
            return False
        names = {d['name'] for d in drivers.json()['drivers']}
        if not set(DRIVERS) <= names:
            return False
        conductors = requests.get(self.endpoint + '/v1/conductors',
                                  headers=headers, auth=self._auth(),
                                  timeout=5)
        return conductors.status_code == 200 and any(
            c.get('alive') for c in conductors.json()['conductors'])

    def _wait_ready(self):
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise IronicNotReady('ironic exited with %s; see %s and %s'
                                     % (self.process.returncode,
                                        self.log_file, self.stdout_file))
            if self._log_has_traceback():
                raise IronicNotReady('ironic logged a Traceback while '
                                     'starting; see %s' % self.log_file)
            try:
                if self._ready():
                    if self._log_has_traceback():
                        raise IronicNotReady(
                            'ironic logged a Traceback while starting; '
                            'see %s' % self.log_file)
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise IronicNotReady('ironic did not become ready on %s within %ss;'
                             ' see %s' % (self.endpoint, READY_TIMEOUT,
                                          self.log_file))

    def stop(self):
        """Stop Ironic (its master and worker processes)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        try:
            # Workers left behind by a master that ignored SIGTERM.
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=15)

    def log_offset(self):
        """Where the log ends now (for :meth:`api_calls`)."""
        try:
            return os.path.getsize(self.log_file)
        except FileNotFoundError:
            return 0

    def api_calls(self, since=0):
        """The API requests Ironic logged after log offset ``since``.

        :returns: ``(method, path, status)`` tuples, oldest first.
        """
        calls = []
        with open(self.log_file, errors='replace') as f:
            f.seek(since)
            for line in f:
                match = _API_LINE.search(line)
                if match:
                    calls.append((match.group(1), match.group(2),
                                  int(match.group(3))))
        return calls

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    # -- clients ----------------------------------------------------------

    def conn(self, **kwargs):
        """An openstacksdk Connection to this Ironic.

        It ignores any clouds.yaml and OS_* variables.
        """
        import openstack
        args = dict(self.cloud_entry(), **kwargs)
        return openstack.connect(load_yaml_config=False,
                                 load_envvars=False, **args)

    def purge(self):
        """Delete every node (maintenance first). Returns their names."""
        conn = self.conn()
        names = []
        for node in conn.baremetal.nodes(details=True):
            names.append(node.name or node.id)
            if not node.is_maintenance:
                conn.baremetal.set_node_maintenance(node, 'test cleanup')
            conn.baremetal.delete_node(node)
        conn.close()
        return names


@pytest.fixture(scope='session')
def ironic_server():
    """The session's standalone Ironic (noauth), stopped at the end."""
    base = tempfile.mkdtemp(prefix='tenks-ironic-')
    server = IronicServer(base)
    try:
        server.start()
    except Exception as exc:
        server.stop()
        pytest.fail('cannot start a standalone Ironic: %s' % exc)
    print('standalone Ironic at %s, files in %s' % (server.endpoint, base))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def ironic(ironic_server):
    """The session's Ironic, which must be left empty by the test."""
    if not ironic_server.running:
        pytest.fail('the standalone Ironic died; see %s'
                    % ironic_server.log_file)
    yield ironic_server
    leaks = ironic_server.purge()
    assert not leaks, 'Ironic nodes left behind: %s' % ', '.join(leaks)
