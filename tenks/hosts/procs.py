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

"""Host-side helpers for the daemons tenks runs (with psutil): start them
detached, find them again by their command line or by the socket they
listen on, and stop them for good.

Daemons are found by their command line rather than trusted pid files:
vbmcd 3.3.0, for one, writes ``0`` into its pid file when it daemonises
itself. Every daemon tenks starts carries the path of its own
configuration file in its command line, which is how tenks tells its
daemons from anyone else's. Stopping works on :class:`psutil.Process`
objects, which remember when their process started, so a pid reused by
another process meanwhile is never signalled.
"""

import ipaddress
import os
import subprocess
import threading
import time

import psutil

# Popen objects of the daemons this process started, so they can be
# reaped (no zombies while a long-lived tenks process, such as a test
# run, goes on) and are not reported as still running when collected.
_CHILDREN = {}
_CHILDREN_LOCK = threading.Lock()

_GONE = (psutil.NoSuchProcess, psutil.ZombieProcess)
_DEAD = (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)


class Pid(int):
    """A pid as found, with the :class:`psutil.Process` it named then.

    It compares and prints as the pid; :func:`terminate` signals the
    remembered process only, which psutil tells apart from a later
    process given the same pid by its start time.
    """

    process = None

    @classmethod
    def of(cls, proc):
        pid = cls(proc.pid)
        pid.process = proc
        return pid


def _reap():
    with _CHILDREN_LOCK:
        for pid, popen in list(_CHILDREN.items()):
            if popen.poll() is not None:
                del _CHILDREN[pid]


def _process(pid):
    """The live :class:`psutil.Process` of ``pid``, or None."""
    if not pid or pid <= 0:
        return None
    try:
        proc = psutil.Process(pid)
        if proc.status() in _DEAD:
            return None
        return proc
    except (psutil.Error, ValueError):
        return None


def cmdline(pid):
    """The argument list of process ``pid`` (empty when it is gone)."""
    proc = _process(pid)
    try:
        return proc.cmdline() if proc else []
    except psutil.Error:
        return []


def describe(pid):
    """``pid N (command line)``, for messages."""
    return 'pid %d (%s)' % (pid, ' '.join(cmdline(pid)) or '?')


def parent(pid):
    """The parent pid of ``pid`` (0 when it is gone)."""
    proc = _process(pid)
    try:
        return proc.ppid() if proc else 0
    except psutil.Error:
        return 0


def is_alive(pid):
    """True while ``pid`` runs (a zombie counts as gone)."""
    return _process(pid) is not None


def descendants(pid):
    """Pids of every live descendant of ``pid``."""
    proc = _process(pid)
    if proc is None:
        return []
    try:
        children = proc.children(recursive=True)
    except psutil.Error:
        return []
    return [c.pid for c in children if is_alive(c.pid)]


def _pid_namespace(pid):
    """The PID namespace of ``pid`` (``pid:[inode]``), or None."""
    try:
        return os.readlink('/proc/%s/ns/pid' % pid)
    except OSError:
        return None


def find_by_args(*args):
    """Live pids whose command line holds every one of ``args``.

    Each of ``args`` must be a whole argument. Processes of another PID
    namespace (a container's, or another host's on this machine) are
    left out: their daemons are not this host's, even with the same
    command line.
    """
    wanted = set(args)
    me = os.getpid()
    mine = _pid_namespace(me)
    found = []
    for proc in psutil.process_iter(['cmdline', 'status']):
        info = proc.info
        if (proc.pid != me and info['status'] not in _DEAD and
                wanted <= set(info['cmdline'] or ()) and
                _pid_namespace(proc.pid) in (mine, None)):
            found.append(Pid.of(proc))
    return sorted(found)


def _parse(address):
    if address is None or isinstance(address, ipaddress._BaseAddress):
        return address
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None     # a host name: assume it may clash


def _same_address(a, b):
    """Whether sockets bound to ``a`` and ``b`` clash on one port."""
    a, b = _parse(a), _parse(b)
    if a is None or b is None:
        return True
    if getattr(a, 'ipv4_mapped', None):
        a = a.ipv4_mapped
    if getattr(b, 'ipv4_mapped', None):
        b = b.ipv4_mapped
    if a.is_unspecified or b.is_unspecified:
        return True
    return a == b


def _bound(conn, proto):
    """Whether ``conn`` (a psutil connection) serves its port.

    TCP sockets count when they listen, UDP sockets when they are not
    connected.
    """
    if not conn.laddr:
        return False
    if proto == 'tcp':
        return conn.status == psutil.CONN_LISTEN
    return not conn.raddr


def port_owners(proto, port, address=None):
    """Pids of processes bound to ``port`` clashing with ``address``.

    One per socket: a socket several processes share (a forking daemon's)
    names one of them, so ask :func:`listens` whether a given process
    serves a port. A process that exits while the sockets are listed
    (its socket about to close with it) is left out.

    :param proto: 'tcp' or 'udp'.
    """
    owners = set()
    for conn in psutil.net_connections(kind=proto):
        if (conn.pid and _bound(conn, proto) and conn.laddr.port == port
                and _same_address(conn.laddr.ip, address)):
            owners.add(conn.pid)
    found = (_process(pid) for pid in sorted(owners))
    return [Pid.of(proc) for proc in found if proc is not None]


def bound_ports(proto, pids):
    """``{(address, port)}`` of the sockets ``pids`` serve."""
    out = set()
    for pid in pids:
        proc = _process(pid)
        if proc is None:
            continue
        try:
            conns = proc.net_connections(kind=proto)
        except psutil.Error:
            continue
        out.update((str(_parse(c.laddr.ip) or c.laddr.ip), c.laddr.port)
                   for c in conns if _bound(c, proto))
    return out


def listens(pid, proto, port, address=None):
    """Whether process ``pid`` serves ``port`` (:func:`bound_ports`)."""
    return serves(bound_ports(proto, [pid]), address, port)


def serves(bound, address, port):
    """Whether ``bound`` (see :func:`bound_ports`) covers address:port."""
    return any(p == int(port) and _same_address(a, address)
               for a, p in bound)


def spawn(argv, log_file, env=None):
    """Start ``argv`` as a daemon.

    It gets its own session, no terminal, standard output and error
    appended to ``log_file``, umask 077 (the files it writes hold
    passwords) and working directory ``/``.

    :returns: its pid.
    """
    log_dir = os.path.dirname(log_file)
    if log_dir:
        os.makedirs(log_dir, exist_ok=True)
    full_env = dict(os.environ)
    full_env.update(env or {})
    _reap()
    with open(log_file, 'ab') as log:
        popen = subprocess.Popen(
            list(argv), stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
            close_fds=True, cwd='/', env=full_env, umask=0o077)
    with _CHILDREN_LOCK:
        _CHILDREN[popen.pid] = popen
    return popen.pid


def started_at(pid):
    """When ``pid`` started (seconds since the epoch), or None."""
    proc = _process(pid)
    try:
        return proc.create_time() if proc else None
    except psutil.Error:
        return None


def wait_answering(find, answers, timeout, interval, seen=()):
    """Wait until one of the pids ``find()`` lists answers.

    :param answers: callable: whether a pid is up and answering.
    :param seen: pids already known to be starting.
    :returns: the pid that answers; None after ``timeout`` seconds, or
        as soon as a pid seen dies without having answered.
    """
    seen = set(seen)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = list(find())
        for pid in pids:
            if answers(pid):
                return pid
        if seen - set(pids):
            return None
        seen.update(pids)
        time.sleep(interval)
    return None


def _wait_gone(procs, timeout):
    """Wait until ``procs`` are gone (or zombies); returns those left."""
    deadline = time.monotonic() + timeout
    while True:
        _reap()
        left = []
        for proc in procs:
            try:
                if proc.is_running() and proc.status() not in _DEAD:
                    left.append(proc)
            except psutil.Error:
                pass
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.05)


def _signal(procs, method):
    for proc in procs:
        try:
            getattr(proc, method)()
        except psutil.Error:
            pass


def _found(pid):
    """The live process ``pid`` names: the one it was found as, if any."""
    proc = getattr(pid, 'process', None)
    if proc is None:
        return _process(pid)
    try:
        if proc.is_running() and proc.status() not in _DEAD:
            return proc
    except psutil.Error:
        pass
    return None


def terminate(pids, timeout=10):
    """Stop ``pids`` and their descendants, and wait until they are gone.

    A pid :func:`find_by_args` or :func:`port_owners` returned stops the
    process it was found as, never one that took its pid over since.

    SIGTERM first, then SIGKILL for what is still there after ``timeout``
    seconds.

    :returns: the pids that had to be killed.
    """
    family = {}
    for pid in pids:
        proc = _found(pid)
        if proc is None:
            continue
        family[proc.pid] = proc
        try:
            for child in proc.children(recursive=True):
                family.setdefault(child.pid, child)
        except psutil.Error:
            pass
    procs = [family[p] for p in sorted(family)]
    _signal(procs, 'terminate')
    left = _wait_gone(procs, timeout)
    _signal(left, 'kill')
    still = _wait_gone(left, 10)
    if still:
        raise RuntimeError('could not stop %s' % ', '.join(
            describe(p.pid) for p in still))
    return [p.pid for p in left]


def tail(path, lines=5):
    """The last ``lines`` lines of a log file, for error messages."""
    try:
        with open(path, errors='replace') as f:
            text = f.read()
    except OSError:
        text = ''
    return '\n'.join(text.strip().splitlines()[-lines:])
