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

"""A small Redfish client for ``tenks node power`` and ``tenks verify``.

It sends what Ironic's redfish driver would, with HTTP basic auth.

It uses only the standard library. Certificates are not verified (the
emulator's are usually self-signed; Ironic is told the same through
``redfish_verify_ca``).
"""

import base64
import json
import ssl
import time
import urllib.error
import urllib.request

TIMEOUT = 10
POWER_WAIT = 30
_POWER_STATES = {'on': 'on', 'poweringon': 'on', 'off': 'off',
                 'poweringoff': 'off'}


class RedfishError(Exception):
    """The emulator did not answer, or answered with an error."""


def power_state_of(system):
    """'on' or 'off' of a ComputerSystem; a transition is where it goes."""
    state = str(system.get('PowerState', '')).lower()
    try:
        return _POWER_STATES[state]
    except KeyError:
        raise RedfishError('%s: unexpected PowerState %r'
                           % (system.get('@odata.id', 'system'), state))


class Client(object):
    """Requests to one Redfish service.

    :param base_url: ``http(s)://host:port``.
    """

    def __init__(self, base_url, username=None, password=None,
                 timeout=TIMEOUT):
        self.base_url = base_url.rstrip('/')
        self.timeout = timeout
        self._auth = None
        if username is not None:
            token = base64.b64encode(('%s:%s' % (username, password or ''))
                                     .encode('utf-8')).decode('ascii')
            self._auth = 'Basic ' + token
        self._context = ssl.create_default_context()
        self._context.check_hostname = False
        self._context.verify_mode = ssl.CERT_NONE

    def request(self, method, path, body=None, auth=True):
        """Send one request; returns the decoded JSON reply (or None)."""
        url = self.base_url + path
        data = None
        headers = {'Accept': 'application/json'}
        if body is not None:
            data = json.dumps(body).encode('utf-8')
            headers['Content-Type'] = 'application/json'
        if auth and self._auth:
            headers['Authorization'] = self._auth
        req = urllib.request.Request(url, data=data, headers=headers,
                                     method=method)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout,
                                        context=self._context) as reply:
                text = reply.read()
        except urllib.error.HTTPError as exc:
            reason = 'HTTP %d' % exc.code
            if exc.code == 401:
                reason += ' (authentication failed)'
            elif exc.code == 404:
                reason += ' (not found)'
            raise RedfishError('%s %s: %s' % (method, url, reason))
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, 'reason', exc)
            raise RedfishError('%s %s: %s' % (method, url, reason))
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise RedfishError('%s %s: the reply is not JSON' % (method, url))

    def get(self, path, auth=True):
        return self.request('GET', path, auth=auth)

    def system(self, system_id):
        """The ComputerSystem resource at ``system_id`` (a path)."""
        return self.get(system_id)

    def power_state(self, system_id):
        """'on' or 'off' (a transition counts as where it goes)."""
        return power_state_of(self.system(system_id))

    def reset(self, system_id, reset_type):
        self.request('POST', '%s/Actions/ComputerSystem.Reset'
                     % system_id.rstrip('/'), {'ResetType': reset_type})

    def power(self, system_id, action, wait=POWER_WAIT):
        """Power ``on`` or ``off``, or read the ``status``.

        :returns: the power state afterwards, 'on' or 'off'.
        """
        state = self.power_state(system_id)
        if action == 'status' or state == action:
            return state
        self.reset(system_id, 'On' if action == 'on' else 'ForceOff')
        deadline = time.monotonic() + wait
        while True:
            state = self.power_state(system_id)
            if state == action or time.monotonic() >= deadline:
                break
            time.sleep(0.5)
        if state != action:
            raise RedfishError('%s%s is still %s %ss after power %s' % (
                self.base_url, system_id, state, wait, action))
        return state
