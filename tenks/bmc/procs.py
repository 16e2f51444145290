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

"""Host-side helpers for the emulator daemons tenks runs: start them
detached, find them again by their command line or by the socket they
listen on, and stop them for good.

Daemons are found through ``/proc`` rather than trusted pid files: vbmcd
3.3.0, for one, writes ``0`` into its pid file when it daemonises itself.
Every daemon tenks starts carries the path of its own configuration file
in its command line, which is how tenks tells its daemons from anyone
else's.
"""

import ipaddress
import os
import signal
import subprocess
import threading
import time

# Popen objects of the daemons this process started, so they can be
# reaped (no zombies while a long-lived tenks process, such as a test
# run, goes on) and are not reported as still running when collected.
_CHILDREN = {}
_CHILDREN_LOCK = threading.Lock()

_TCP_LISTEN = '0A'
_UDP_UNCONNECTED = '07'


def _reap():
    with _CHILDREN_LOCK:
        for pid, popen in list(_CHILDREN.items()):
            if popen.poll() is not None:
                del _CHILDREN[pid]


def _read(path, binary=False):
    try:
        with open(path, 'rb' if binary else 'r') as f:
            return f.read()
    except (OSError, UnicodeDecodeError):
        return None


def cmdline(pid):
    """The argument list of process ``pid`` (empty when it is gone)."""
    raw = _read('/proc/%d/cmdline' % pid, binary=True)
    if not raw:
        return []
    return [a.decode('utf-8', 'replace') for a in raw.split(b'\0') if a]


def describe(pid):
    """``pid N (command line)``, for messages."""
    return 'pid %d (%s)' % (pid, ' '.join(cmdline(pid)) or '?')


def _stat(pid):
    raw = _read('/proc/%d/stat' % pid)
    if not raw:
        return None
    # The command name is in parentheses and may hold spaces.
    rest = raw[raw.rfind(')') + 2:].split()
    return rest


def parent(pid):
    """The parent pid of ``pid`` (0 when it is gone)."""
    stat = _stat(pid)
    return int(stat[1]) if stat else 0


def is_alive(pid):
    """True while ``pid`` runs (a zombie counts as gone)."""
    if not pid or pid <= 0:
        return False
    stat = _stat(pid)
    return stat is not None and stat[0] not in ('Z', 'X')


def _all_pids():
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            yield int(entry)


def descendants(pid):
    """Pids of every live descendant of ``pid``."""
    children = {}
    for other in _all_pids():
        stat = _stat(other)
        if stat is not None:
            children.setdefault(int(stat[1]), []).append(other)
    out = []
    stack = list(children.get(pid, ()))
    while stack:
        child = stack.pop()
        if is_alive(child):
            out.append(child)
        stack.extend(children.get(child, ()))
    return out


def find_by_args(*args):
    """Live pids whose command line holds every one of ``args``.

    Each of ``args`` must be a whole argument.
    """
    wanted = set(args)
    found = []
    me = os.getpid()
    for pid in _all_pids():
        if pid == me:
            continue
        argv = cmdline(pid)
        if argv and wanted <= set(argv) and is_alive(pid):
            found.append(pid)
    return sorted(found)


def _hex_address(text):
    """Decode an address from /proc/net/{tcp,udp}[6].

    IPv4 is one, IPv6 four 32-bit words, each in host (little-endian)
    byte order.
    """
    raw = bytes.fromhex(text)
    raw = b''.join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return ipaddress.ip_address(raw)


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


def listeners(proto, port, address=None):
    """Socket inodes bound to ``port`` that clash with ``address``.

    TCP sockets count when they listen, UDP sockets when they are not
    connected.

    :param proto: 'tcp' or 'udp'.
    :returns: list of ``(address, inode)``.
    """
    state = _TCP_LISTEN if proto == 'tcp' else _UDP_UNCONNECTED
    out = []
    for table in (proto, proto + '6'):
        text = _read('/proc/net/%s' % table) or ''
        for line in text.splitlines()[1:]:
            fields = line.split()
            if len(fields) < 10 or fields[3] != state:
                continue
            local_addr, _sep, local_port = fields[1].partition(':')
            if int(local_port, 16) != port:
                continue
            addr = _hex_address(local_addr)
            if _same_address(addr, address):
                out.append((str(addr), int(fields[9])))
    return out


def _fd_targets(pid):
    """What the open file descriptors of ``pid`` point to.

    Nothing when the process is gone or not ours to read.
    """
    fd_dir = '/proc/%d/fd' % pid
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        return
    for fd in fds:
        try:
            yield os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue


def socket_owners(inodes):
    """Map socket inode -> pid of a process holding it."""
    wanted = {'socket:[%d]' % i: i for i in inodes}
    found = {}
    if not wanted:
        return found
    for pid in _all_pids():
        for target in _fd_targets(pid):
            inode = wanted.get(target)
            if inode is not None and inode not in found:
                found[inode] = pid
        if len(found) == len(wanted):
            break
    return found


def bound_ports(proto, pids):
    """``{(address, port)}`` of the sockets ``pids`` are bound to.

    TCP sockets count when they listen, UDP sockets when they are not
    connected.
    """
    inodes = set()
    for pid in pids:
        for target in _fd_targets(pid):
            if target.startswith('socket:['):
                inodes.add(int(target[8:-1]))
    state = _TCP_LISTEN if proto == 'tcp' else _UDP_UNCONNECTED
    out = set()
    for table in (proto, proto + '6'):
        text = _read('/proc/net/%s' % table) or ''
        for line in text.splitlines()[1:]:
            fields = line.split()
            if (len(fields) < 10 or fields[3] != state or
                    int(fields[9]) not in inodes):
                continue
            local_addr, _sep, local_port = fields[1].partition(':')
            out.add((str(_hex_address(local_addr)), int(local_port, 16)))
    return out


def serves(bound, address, port):
    """Whether ``bound`` (see :func:`bound_ports`) covers address:port."""
    return any(p == int(port) and _same_address(a, address)
               for a, p in bound)


def port_owners(proto, port, address=None):
    """Pids of the processes bound to ``port`` (see :func:`listeners`)."""
    inodes = [inode for _addr, inode in listeners(proto, port, address)]
    return sorted(set(socket_owners(inodes).values()))


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


def _wait_gone(pids, timeout):
    deadline = time.monotonic() + timeout
    while True:
        _reap()
        left = [p for p in pids if is_alive(p)]
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.05)


def terminate(pids, timeout=10):
    """Stop ``pids`` and their descendants, and wait until they are gone.

    SIGTERM first, then SIGKILL for what is still there after ``timeout``
    seconds.

    :returns: the pids that had to be killed.
    """
    family = []
    for pid in pids:
        if is_alive(pid):
            family.append(pid)
            family.extend(descendants(pid))
    family = sorted(set(family))
    for pid in family:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    left = _wait_gone(family, timeout)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    still = _wait_gone(left, 10)
    if still:
        raise RuntimeError('could not stop %s' % ', '.join(
            describe(p) for p in still))
    return left


def tail(path, lines=5):
    """The last ``lines`` lines of a log file, for error messages."""
    text = _read(path) or ''
    return '\n'.join(text.strip().splitlines()[-lines:])
