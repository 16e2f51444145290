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

"""The openstacksdk connection of the enrolment drivers, and the one-line
errors a user sees when the cloud cannot be used.

The cloud is chosen by name: ``[ironic] cloud`` (Ironic), ``[nova] cloud``
then ``[ironic] cloud`` (Nova and Placement), then ``OS_CLOUD``. Any
clouds.yaml entry works: a keystone cloud, a standalone Ironic with
``auth_type: none`` and ``baremetal_endpoint_override``, or Bifrost's
``http_basic`` cloud. With no name at all, ``OS_*`` variables are used
when present.

openstacksdk is imported on first use only: it takes a noticeable time
to import, and runs that enrol nothing should not pay for it.
"""

import contextlib
import os
import re
import threading
import time

from oslo_log import log as logging

from tenks import exception

LOG = logging.getLogger(__name__)

#: Environment variables that configure a cloud without clouds.yaml.
_ENV_HINTS = ('OS_AUTH_URL', 'OS_ENDPOINT', 'OS_AUTH_TYPE',
              'OS_BAREMETAL_ENDPOINT_OVERRIDE')

#: HTTP statuses after which an idempotent operation is tried again.
TRANSIENT_STATUS = (500, 502, 503, 504)

#: How often, and the first pause (doubled each time).
RETRIES = 3
RETRY_DELAY = 1.0

SERVICE_NAMES = {'baremetal': 'Ironic', 'compute': 'Nova',
                 'placement': 'Placement'}


class CloudError(exception.TenksError):
    """The cloud cannot be used (unreachable, credentials, settings).

    Such an error is the same for every resource, so it is remembered:
    later calls fail at once with the same message.
    """


class CloudUnreachable(CloudError):
    pass


class CloudAuthError(CloudError):
    pass


class CloudRequestError(exception.TenksError):
    """The service refused one request (the message says which, why)."""

    def __init__(self, message, status_code=None):
        super().__init__(message)
        self.status_code = status_code

    @property
    def transient(self):
        """Whether trying again may help.

        That is a server-side failure, e.g. an Ironic on sqlite reporting
        "database is locked".
        """
        return self.status_code in TRANSIENT_STATUS


def cloud_name(conf, group):
    """The clouds.yaml cloud of option group ``group``, or None.

    ``group`` is 'ironic' or 'nova'; None means ``OS_*`` variables.
    """
    names = [conf[group].cloud]
    if group != 'ironic':
        names.append(conf.ironic.cloud)
    names.append(os.environ.get('OS_CLOUD'))
    for name in names:
        if name:
            return name
    return None


def _chain(exc):
    """``exc`` and the exceptions it was raised from or during."""
    seen = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


def _reason(exc):
    """The short cause inside a connection error's long message."""
    from keystoneauth1 import exceptions as ks_exc
    for inner in _chain(exc)[1:]:
        if isinstance(inner, ks_exc.ConnectionError):
            return _reason(inner)
    text = str(exc)
    match = re.search(r'\[Errno -?\d+\] ([^\'"\)\]]+)', text)
    if match:
        return match.group(1).strip()
    for marker in ('Read timed out', 'timed out', 'Connection refused',
                   'Name or service not known', 'certificate verify failed',
                   'Connection reset'):
        if marker in text:
            return marker
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _details(exc):
    """The service's own message in an openstacksdk HTTP error."""
    details = getattr(exc, 'details', None)
    if not details:
        # "...Exception: 400: Client Error for url: URL, <message>"
        text = str(exc)
        _head, sep, tail = text.partition(', ')
        details = tail if sep else text
    lines = str(details).strip().splitlines()
    return lines[0].strip() if lines else type(exc).__name__


class Cloud(object):
    """A lazily made, shared openstacksdk connection for one service.

    :param conf: the tenks ConfigOpts.
    :param group: option group naming the cloud ('ironic' or 'nova').
    :param service: the openstacksdk service type this driver mostly uses
        ('baremetal' or 'compute'); it names the endpoint in errors.
    """

    def __init__(self, conf, group, service):
        self.conf = conf
        self.group = group
        self.service = service
        self.name = cloud_name(conf, group)
        self._conn = None
        self._fatal = None
        self._lock = threading.Lock()

    @property
    def label(self):
        return ('cloud %r' % self.name if self.name
                else 'the cloud from OS_* variables')

    def _connect(self):
        import openstack
        from openstack import exceptions as os_exc

        if self.name is None and not any(os.environ.get(v)
                                         for v in _ENV_HINTS):
            options = '[%s] cloud' % self.group
            if self.group != 'ironic':
                options += ', [ironic] cloud'
            raise CloudError(
                'no cloud for %s: set %s or OS_CLOUD to a cloud in '
                'clouds.yaml' % (SERVICE_NAMES[self.service], options))
        kwargs = {'api_timeout': self.conf[self.group].api_timeout}
        try:
            if self.name:
                return openstack.connect(cloud=self.name, **kwargs)
            return openstack.connect(**kwargs)
        except os_exc.ConfigException as exc:
            raise CloudError('%s: %s' % (self.label, exc))
        except Exception as exc:  # noqa - keystoneauth option errors
            raise CloudError('%s cannot be used: %s' % (self.label, exc))

    @property
    def conn(self):
        """The openstack.connection.Connection (made on first use)."""
        with self._lock:
            if self._fatal is not None:
                raise self._fatal
            if self._conn is None:
                try:
                    self._conn = self._connect()
                except CloudError as exc:
                    self._fatal = exc
                    raise
            return self._conn

    def endpoint(self, service=None):
        """Where ``service`` is reached, for messages.

        No request is made when an override or auth URL is configured.
        """
        service = service or self.service
        conn = self._conn
        if conn is None:
            return None
        config = conn.config
        try:
            override = config.get_endpoint(service)
        except Exception:  # noqa - only for messages
            override = None
        if override:
            return override
        auth = config.config.get('auth') or {}
        return auth.get('auth_url') or auth.get('endpoint')

    def where(self, service=None):
        service = service or self.service
        endpoint = self.endpoint(service)
        return '%s at %s (%s)' % (SERVICE_NAMES.get(service, service),
                                  endpoint or 'its catalog endpoint',
                                  self.label)

    @contextlib.contextmanager
    def guard(self, what, service=None):
        """Turn openstacksdk/keystoneauth errors into tenks errors.

        They name ``what`` was being done, and where.

        Unreachable endpoints and refused credentials become
        :class:`CloudError` and are remembered for later calls.
        """
        from keystoneauth1 import exceptions as ks_exc
        from openstack import exceptions as os_exc

        try:
            yield
        except exception.TenksError:
            raise
        except ks_exc.EndpointNotFound as exc:
            raise self.remember(CloudError(
                '%s has no %s endpoint: %s' % (
                    self.label, SERVICE_NAMES.get(service or self.service),
                    exc)))
        except (ks_exc.ConnectionError,
                ks_exc.RetriableConnectionFailure) as exc:
            raise self.remember(CloudUnreachable(
                'cannot reach %s: %s' % (self.where(service), _reason(exc))))
        except ks_exc.DiscoveryFailure:
            # How keystoneauth reports an endpoint that does not answer,
            # or answers without an API version document.
            raise self.remember(CloudUnreachable(
                'cannot reach %s: %s' % (self.where(service),
                                         self._probe(service))))
        except (ks_exc.Unauthorized, ks_exc.AuthorizationFailure,
                ks_exc.MissingAuthPlugin, ks_exc.MissingRequiredOptions
                ) as exc:
            raise self.remember(CloudAuthError(
                'authentication failed for %s: %s' % (self.where(service),
                                                      exc)))
        except ks_exc.HttpError as exc:
            raise CloudRequestError('%s: %s' % (what, exc),
                                    getattr(exc, 'http_status', None))
        except os_exc.HttpException as exc:
            status = getattr(exc, 'status_code', None)
            if status == 401:
                raise self.remember(CloudAuthError(
                    'authentication failed for %s: %s' % (
                        self.where(service), _details(exc))))
            raise CloudRequestError('%s: %s refused (HTTP %s): %s' % (
                what, SERVICE_NAMES.get(service or self.service),
                status, _details(exc)), status)
        except os_exc.SDKException as exc:
            raise CloudRequestError('%s: %s' % (what, exc))

    def retrying(self, what, func, *args, service=None, sleep=time.sleep):
        """Run ``func(*args)`` in :meth:`guard`; retry transient errors.

        Only for idempotent operations (the drivers' ensure, update and
        delete are): a failed attempt may have done part of the work.
        """
        delay = RETRY_DELAY
        for attempt in range(RETRIES + 1):
            try:
                with self.guard(what, service):
                    return func(*args)
            except CloudRequestError as exc:
                if attempt == RETRIES or not exc.transient:
                    raise
                LOG.warning('%s; trying again in %.0fs', exc, delay)
                sleep(delay)
                delay *= 2

    def _probe(self, service):
        """Why the endpoint of ``service`` gave no version document."""
        import requests
        endpoint = self.endpoint(service)
        if not endpoint:
            return 'no endpoint for it'
        try:
            response = requests.get(endpoint,
                                    timeout=self.conf[self.group].api_timeout)
        except requests.RequestException as exc:
            return _reason(exc)
        return 'no API version document there (HTTP %d)' % (
            response.status_code)

    def remember(self, error):
        """Keep ``error`` to raise at once on later calls."""
        with self._lock:
            if self._fatal is None:
                self._fatal = error
        LOG.debug('%s', error)
        return error

    def close(self):
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa - closing must not mask results
                pass
