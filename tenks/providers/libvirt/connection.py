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

"""One libvirt connection per hypervisor URI, shared by the threads of a
run, reopened when it drops.

libvirt connections are thread-safe, so every action of a plan uses the
same one. A call that fails because the connection died (libvirtd
restarted, SSH tunnel closed) is retried once on a fresh connection.
"""

import threading

from oslo_log import log as logging

from tenks import exception

LOG = logging.getLogger(__name__)

_HANDLER_LOCK = threading.Lock()
_HANDLER_SET = False
# The last libvirt error of each thread, as the error handler saw it.
_LAST = threading.local()


def _libvirt():
    import libvirt
    return libvirt


def _quiet_errors():
    """Keep libvirt from printing every error on stderr.

    tenks reports errors itself; libvirt's own are logged at debug level.
    """
    global _HANDLER_SET
    with _HANDLER_LOCK:
        if _HANDLER_SET:
            return
        libvirt = _libvirt()

        def handler(_ctx, error):
            # Keep the error before running any Python: the garbage
            # collector may free a libvirt object meanwhile, and freeing
            # resets libvirt's per-thread "last error", which libvirtError
            # reads only later, leaving it without a code.
            _LAST.error = error
            LOG.debug('libvirt: %s', error[2] if len(error) > 2 else error)

        libvirt.registerErrorHandler(handler, None)
        _HANDLER_SET = True


def error_code(exc):
    """The libvirt error code of ``exc``, or None."""
    get = getattr(exc, 'get_error_code', None)
    code = get() if get else None
    if code is None and isinstance(exc, _libvirt().libvirtError):
        error = getattr(_LAST, 'error', None)
        code = error[0] if error else None
    return code


def is_error(exc, *names):
    """Whether ``exc`` is a libvirtError with one of the named codes.

    :param names: names of codes, e.g. ``'VIR_ERR_NO_DOMAIN'``.
    """
    libvirt = _libvirt()
    if not isinstance(exc, libvirt.libvirtError):
        return False
    code = error_code(exc)
    return any(code == getattr(libvirt, name, object()) for name in names)


# Codes that mean the connection itself is gone.
_DEAD = ('VIR_ERR_SYSTEM_ERROR', 'VIR_ERR_RPC', 'VIR_ERR_NO_CONNECT',
         'VIR_ERR_INVALID_CONN', 'VIR_ERR_INTERNAL_ERROR')


class Connection(object):
    """A lazily opened, reconnecting connection to ``uri``.

    :param uri: the libvirt URI (as messages name it).
    :param opener: callable opening a URI (tests); ``libvirt.open`` by
        default.
    :param open_uri: the URI opened, when not ``uri`` (a remote one with
        the run's SSH set-up, see
        :attr:`tenks.hosts.context.HypervisorContext.connect_uri`).
    """

    def __init__(self, uri, opener=None, open_uri=None):
        self.uri = uri
        self.open_uri = open_uri or uri
        self._opener = opener
        self._conn = None
        self._lock = threading.Lock()

    def _open(self):
        _quiet_errors()
        if self._opener is not None:
            return self._opener(self.open_uri)
        libvirt = _libvirt()
        try:
            return libvirt.open(self.open_uri)
        except libvirt.libvirtError as exc:
            raise exception.TenksError('cannot connect to libvirt at %s: %s'
                                       % (self.uri, exc))

    def get(self):
        """The open connection (opened or reopened as needed)."""
        with self._lock:
            conn = self._conn
            if conn is not None:
                try:
                    if conn.isAlive():
                        return conn
                except Exception:   # noqa - a dead handle may raise
                    pass
                LOG.info('libvirt connection to %s dropped; reconnecting',
                         self.uri)
                # Not closed here: see _dropped.
                self._conn = None
            self._conn = self._open()
            return self._conn

    def _dropped(self, conn):
        """Stop handing out ``conn``; it is not closed.

        Other threads may be inside a call on it (the GIL released), and
        closing frees the handle under them: a crash, or a wait forever on
        a freed lock. Python closes it once the last thread lets go (as
        ``virConnect.__del__``).
        """
        with self._lock:
            if self._conn is conn:
                self._conn = None

    @staticmethod
    def _close(conn):
        try:
            conn.close()
        except Exception:   # noqa - closing a dead connection may fail
            pass

    def call(self, func):
        """Run ``func(conn)``, retrying once if the connection died.

        The retry runs on a new connection, so ``func`` must be safe to
        run twice (every provider operation is an ensure).
        """
        conn = self.get()
        try:
            return func(conn)
        except Exception as exc:
            if not is_error(exc, *_DEAD):
                raise
            try:
                alive = conn.isAlive()
            except Exception:   # noqa - a dead handle may raise
                alive = False
            if alive:
                raise
            LOG.info('libvirt connection to %s lost (%s); retrying',
                     self.uri, exc)
            self._dropped(conn)
            return func(self.get())

    def close(self):
        with self._lock:
            if self._conn is not None:
                self._close(self._conn)
                self._conn = None
