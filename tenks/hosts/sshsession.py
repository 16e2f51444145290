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

"""The SSH client set-up of one tenks invocation, and its end.

The application context owns one :class:`Session`. The first remote host
it learns of makes a private directory (mode 0700, in the temporary
directory: control socket paths must stay short) holding

* ``ssh_config``: a ``Host`` block per remote host
  (:func:`tenks.hosts.sshconfig.render`), rewritten as hosts are added;
* ``ssh``: the wrapper libvirt's ssh transport runs (``command=`` in its
  URI, see :meth:`Session.libvirt_uri`);
* the control sockets of the master connections, one per host.

:meth:`Session.close` (the CLI's clean-up, after errors and Ctrl-C too)
asks every master to exit (``ssh -F FILE -O exit HOST``) and removes the
directory. A run killed outright leaves masters that exit on their own
once idle for ``[ssh] control_persist`` seconds. When no hypervisor is
remote, nothing is written.
"""

import concurrent.futures
import dataclasses
import os
import shlex
import shutil
import subprocess
import tempfile
import threading

from oslo_log import log as logging

from tenks import exception
from tenks import fileio
from tenks.hosts import sshconfig

LOG = logging.getLogger(__name__)

CONFIG = 'ssh_config'
WRAPPER = 'ssh'
#: Seconds ``ssh -O exit`` may take (it only speaks to a local socket).
EXIT_TIMEOUT = 5
#: Longest temporary directory path used for the control sockets: a unix
#: socket path holds at most 107 bytes, and OpenSSH adds a 40-character
#: hash and a 17-character temporary suffix to it.
_SHORT_TMP = 40


def run(argv, input=None, timeout=None):
    """Run ``argv``: a :class:`subprocess.CompletedProcess` of text.

    In a session of its own: a Ctrl-C at the terminal leaves a remote
    call to finish (see :mod:`tenks.interrupts`). Without ``input``,
    standard input is empty: ssh never reads the terminal's.

    :raises subprocess.TimeoutExpired: it ran longer than ``timeout``.
    """
    stdin = subprocess.DEVNULL if input is None else None
    return subprocess.run(argv, input=input, stdin=stdin,
                          capture_output=True, text=True, timeout=timeout,
                          start_new_session=True)


def _tmp_parent():
    parent = tempfile.gettempdir()
    return parent if len(parent) <= _SHORT_TMP else '/tmp'


class Session(object):
    """One invocation's SSH configuration and master connections.

    :param tuning: the ``[ssh]`` option values (a mapping).
    :param runner: how to run a command (:func:`run`'s signature; tests).
    :param ssh_binary: the OpenSSH client (default: ``ssh`` on PATH).
    :param parent: where to make the private directory (default: the
        temporary directory).
    """

    def __init__(self, tuning, runner=None, ssh_binary=None, parent=None):
        self.tuning = dict(tuning)
        #: How commands run (:func:`run`'s signature).
        self.runner = runner or run
        self._ssh = ssh_binary or shutil.which('ssh') or 'ssh'
        self._parent = parent
        self._identities = {}
        self._dir = None
        self._lock = threading.Lock()

    @classmethod
    def from_conf(cls, conf, **kwargs):
        """A session with the ``[ssh]`` options of ``conf``."""
        from tenks.conf import ssh as ssh_opts
        return cls({o.dest: getattr(conf.ssh, o.dest)
                    for o in ssh_opts.opts}, **kwargs)

    # -- hosts ----------------------------------------------------------

    def add(self, host, libvirt_uri=None, ssh=None):
        """Learn how to reach ``host``; None (this host) is ignored.

        A host added again with the same settings gains the URI's host
        name; with other settings, the new ones win (a spec's over the
        state's).

        :param ssh: its hypervisor's ``ssh`` mapping (spec or state).
        :returns: its :class:`tenks.hosts.sshconfig.Identity`, or None.
        :raises TenksError: another host already goes by one of its names.
        """
        if not host:
            return None
        identity = sshconfig.resolve(host, libvirt_uri, ssh, self.tuning)
        with self._lock:
            old = self._identities.get(host)
            if old is not None and old.settings() == identity.settings():
                names = old.names + tuple(n for n in identity.names
                                          if n not in old.names)
                identity = dataclasses.replace(old, names=names)
            if identity == old:
                return old
            for other in self._identities.values():
                shared = set(other.names) & set(identity.names)
                if other.host != host and shared:
                    raise exception.TenksError(
                        'hosts %s and %s are both %s to SSH: give each '
                        'host one destination' % (other.host, host,
                                                  sorted(shared)[0]))
            if old is not None:
                LOG.debug('ssh: %s is now reached as %s', host, identity)
            self._identities[host] = identity
            self._write()
        return identity

    def identity(self, host):
        """The :class:`~tenks.hosts.sshconfig.Identity` of ``host``.

        A host nobody added is reached with the defaults.
        """
        with self._lock:
            found = self._identities.get(host)
        return found if found is not None else self.add(host)

    @property
    def hosts(self):
        with self._lock:
            return list(self._identities)

    # -- files ----------------------------------------------------------

    @property
    def directory(self):
        """The private directory, or None before a remote host is added."""
        return self._dir

    @property
    def config_path(self):
        return os.path.join(self._dir, CONFIG) if self._dir else None

    @property
    def wrapper_path(self):
        return os.path.join(self._dir, WRAPPER) if self._dir else None

    def _write(self):
        """Write the configuration and wrapper (the lock held)."""
        if self._dir is None:
            self._dir = tempfile.mkdtemp(
                prefix='tenks-ssh-', dir=self._parent or _tmp_parent())
            LOG.debug('ssh: client configuration in %s', self._dir)
        fileio.write_atomic(self.config_path, sshconfig.render(
            self._identities.values(), self._dir, self.tuning), sync=False)
        fileio.write_atomic(self.wrapper_path, sshconfig.wrapper(
            self._ssh, self.config_path), mode=0o700, sync=False)

    # -- using it ---------------------------------------------------------

    def argv(self, host, *options):
        """The ``ssh`` command line reaching ``host``.

        :param options: more ``ssh`` options, before the destination.
        """
        identity = self.identity(host)
        return [self._ssh, '-F', self.config_path] + list(options) + [
            identity.alias]

    def command(self, host, remote_argv):
        """The ``ssh`` command line running ``remote_argv`` on ``host``.

        Quoted with :func:`shlex.join` for the remote shell, so an
        argument list stays an argument list.
        """
        return self.argv(host) + ['--', shlex.join(remote_argv)]

    def libvirt_uri(self, uri, host):
        """The URI libvirt opens to reach hypervisor ``uri`` on ``host``.

        The one door of remote libvirt connections: an ssh transport URI
        gets this run's wrapper as its ``command``, so libvirt shares
        tenks' identity, master connection and timeouts. Composed when
        the connection opens, never recorded. Local hypervisors' come
        back unchanged.
        """
        if not host:
            return uri
        self.identity(host)
        return sshconfig.libvirt_uri(uri, self.wrapper_path)

    # -- the end ----------------------------------------------------------

    def close(self):
        """Close the master connections and remove the directory.

        Safe to call more than once; a later :meth:`add` starts afresh.
        """
        with self._lock:
            directory, self._dir = self._dir, None
            identities = list(self._identities.values())
            self._identities.clear()
        if directory is None:
            return
        config = os.path.join(directory, CONFIG)
        exits = [[self._ssh, '-F', config, '-O', 'exit', identity.alias]
                 for identity in identities]
        if len(exits) > 1:
            with concurrent.futures.ThreadPoolExecutor(
                    min(len(exits), 32)) as pool:
                list(pool.map(self._exit, exits))
        elif exits:
            self._exit(exits[0])
        # Masters opened under another user or port (a libvirt URI may
        # name its own) have sockets of their own.
        for name in sorted(os.listdir(directory)):
            path = os.path.join(directory, name)
            if name not in (CONFIG, WRAPPER) and identities and (
                    not name.startswith('.')):
                self._exit([self._ssh, '-F', config, '-o',
                            'ControlPath=%s' % path.replace('%', '%%'),
                            '-O', 'exit', identities[0].alias])
        shutil.rmtree(directory, ignore_errors=True)

    def _exit(self, argv):
        try:
            proc = self.runner(argv, timeout=EXIT_TIMEOUT)
        except (OSError, subprocess.SubprocessError) as exc:
            LOG.debug('ssh: %s: %s', ' '.join(argv), exc)
            return
        LOG.debug('ssh: %s: %s', ' '.join(argv),
                  (proc.stderr or '').strip() or proc.returncode)
