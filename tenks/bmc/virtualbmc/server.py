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

"""Many VirtualBMCs in one process: ``[vbmc] mode = embedded``.

vbmcd forks one process per BMC, each a whole Python interpreter with
libvirt and pyghmi loaded (about 29 MB resident apiece). pyghmi's IPMI
server does not need that: every :class:`pyghmi.ipmi.bmc.Bmc` registers
its UDP socket with one shared select loop
(:meth:`pyghmi.ipmi.private.session.Session.wait_for_rsp`), so a single
process can serve any number of :class:`virtualbmc.vbmc.VirtualBMC`
objects. This module is that process.

It reads the same files as vbmcd: the ``virtualbmc.conf`` named by
``--config`` gives ``config_dir``, ``pid_file`` and the log file, and each
``<config_dir>/<domain>/config`` (the ``[VirtualBMC]`` section ``vbmc add``
writes) whose ``active`` is true is served. A tenks run switching between
vbmcd and this process therefore keeps every BMC.

Control:

* ``SIGHUP``: scan ``config_dir`` again now (it is also scanned every
  ``RESCAN_SECONDS``). BMCs whose settings changed are restarted, removed
  ones closed, new ones opened; the others are left alone.
* ``SIGTERM``/``SIGINT``: close every BMC and exit.

After each scan it writes ``<run dir>/embedded.json`` atomically:
``{"pid", "scanned_at" (time.time_ns() when the scan began), "bmcs":
{domain: {"port", "address", "status": "running"|"error", "error"}}}``.
A caller that changed a file at time T and sent SIGHUP waits for a
``scanned_at`` after T.

Run as ``python -m tenks.bmc.virtualbmc.server --config FILE``.
"""

import argparse
import configparser
import datetime
import errno
import faulthandler
import json
import os
import signal
import sys
import threading
import time

from tenks import fileio

RESCAN_SECONDS = 10
LOOP_SECONDS = 0.2
#: How long a BMC whose settings changed waits for its old port.
REBIND_SECONDS = 2
#: A client session that has shown no traffic for this long is dropped.
#: pyghmi never forgets server sessions; ipmitool (and so Ironic) opens a
#: new one for every command.
SESSION_IDLE_SECONDS = 120
#: The longest wait for one turn of pyghmi's I/O loop.
QUIESCE_SECONDS = 1.0
#: How often the watchdog checks that the main loop can wake.
WATCH_SECONDS = 0.5
#: A turn of the main loop (BMC requests are answered in it, libvirt
#: calls included) that takes this long writes every thread's stack to the
#: log: a BMC that stops answering can then be explained.
STUCK_SECONDS = 10
SECTION = 'VirtualBMC'
STATUS_FILE = 'embedded.json'

# The process's wake-up socket (see Server._open_anchor).
_ANCHOR = None


def status_path(config_file):
    return os.path.join(os.path.dirname(os.path.abspath(config_file)),
                        STATUS_FILE)


def read_entry(path):
    """The BMC settings in a vbmc per-domain config file.

    :returns: keyword arguments of VirtualBMC, or None when the entry is
        not active.
    """
    parser = configparser.ConfigParser()
    if not parser.read(path):
        raise ValueError('cannot read %s' % path)
    section = parser[SECTION]
    if section.get('active', 'false').strip().lower() != 'true':
        return None
    entry = {
        'username': section['username'],
        'password': section['password'],
        'address': section.get('address', '::'),
        'port': section.getint('port'),
        'domain_name': section['domain_name'],
        'libvirt_uri': section.get('libvirt_uri', 'qemu:///system'),
        'libvirt_sasl_username': section.get('libvirt_sasl_username'),
        'libvirt_sasl_password': section.get('libvirt_sasl_password'),
    }
    return entry


def _with_fd(stream):
    """``stream`` if it has a file descriptor (faulthandler needs one)."""
    try:
        stream.fileno()
    except (AttributeError, ValueError, OSError):
        return None
    return stream


class Server(object):
    """The BMCs of one config_dir, served from this process.

    :param config_dir: vbmc's per-domain config directory.
    :param status_file: where to write the status after each scan.
    :param log: a logging.Logger.
    """

    def __init__(self, config_dir, status_file, log, stuck_file=None):
        from pyghmi.ipmi.private import session
        self._session = session
        self.config_dir = config_dir
        self.status_file = status_file
        self.log = log
        #: Where a stuck turn of the main loop dumps the stacks (a file
        #: with a descriptor), or None.
        self.stuck_file = _with_fd(stuck_file or sys.stderr)
        #: ``(turn number, when it began)`` of the main loop's turn.
        self._turn_started = (0, float('inf'))
        self.served = {}        # domain -> (entry, VirtualBMC)
        self.errors = {}        # domain -> (entry or None, message)
        self._seen = {}         # session key -> (marker, first seen)
        self._unclosed = []     # (domain, entry, socket) to close later
        self._anchor = self._open_anchor()

    def _open_anchor(self):
        """A loopback socket that is always first in pyghmi's socket list.

        pyghmi wakes its select loop by sending to ``iosockets[0]``; with
        BMCs coming and going that must never be a BMC's socket, nor may
        the list become empty. One per process, never closed: a socket
        closed while pyghmi's I/O thread watches it ends that thread.
        """
        global _ANCHOR
        if _ANCHOR is None:
            import socket
            info = socket.getaddrinfo('127.0.0.1', 0, 0,
                                      socket.SOCK_DGRAM)[0]
            _ANCHOR = self._session.Session._assignsocket(server=info)
        return _ANCHOR

    # -- scanning ---------------------------------------------------------

    def wanted(self):
        """The entries of config_dir.

        :returns: ``({domain: entry}, {domain: problem})``: the active
            entries, and those that cannot be read.
        """
        out = {}
        bad = {}
        try:
            names = sorted(os.listdir(self.config_dir))
        except FileNotFoundError:
            names = []
        for name in names:
            path = os.path.join(self.config_dir, name, 'config')
            if not os.path.isfile(path):
                continue
            try:
                entry = read_entry(path)
            except (ValueError, KeyError, configparser.Error) as exc:
                bad[name] = (None, 'bad config %s: %s' % (path, exc))
                continue
            if entry is not None:
                out[name] = entry
        return out, bad

    def scan(self):
        started = time.time_ns()
        wanted, bad = self.wanted()
        gone = [d for d, (entry, _bmc) in self.served.items()
                if wanted.get(d) != entry]
        closed = {(e['address'], e['port'])
                  for e, _bmc in (self.served[d] for d in gone)}
        self.close(*gone)
        if self._unclosed:
            self._close_sockets([])
        self.errors = {d: e for d, e in self.errors.items() if d in wanted}
        self.errors.update(bad)
        for domain, entry in wanted.items():
            if domain in self.served:
                continue
            just_closed = (entry['address'], entry['port']) in closed
            self.open(domain, entry, retry=just_closed)
        self.write_status(started)

    def _quiesce(self):
        """Return once pyghmi's I/O thread no longer holds removed sockets.

        The thread passes the socket list to select() again on every turn
        of its loop, and a select() in progress holds every socket it
        watches (a closed BMC socket keeps its port until it returns).
        Closing a socket the thread is about to pass to select() makes
        select() fail with EBADF, which ends the thread for good (and
        with it every BMC of this process). So, after taking sockets out
        of the list, wait for two turns of the thread's loop: the second
        select() started after they left the list.

        :returns: whether it did (False: the thread did not answer in
            time, or is gone).
        """
        return self._turn() and self._turn()

    def _turn(self):
        """Wait for the I/O thread to finish a turn of its loop.

        pyghmi's own wait (``_io_wait``) has no bound: queue the same kind
        of request, wake the thread, and give up after QUIESCE_SECONDS (a
        dead thread never answers; :meth:`run` notices it).
        """
        session = self._session
        done = threading.Event()
        session.ioqueue.append((session._monotonic_time() + QUIESCE_SECONDS,
                                done, None))
        # The thread answers the request after the select() that follows
        # the one it was queued in: wake it until it has.
        deadline = time.monotonic() + QUIESCE_SECONDS
        while time.monotonic() < deadline:
            self._anchor.sendto(b'\0', self._anchor.getsockname())
            if done.wait(0.002):
                return True
        return False

    def open(self, domain, entry, retry=False):
        from virtualbmc import vbmc
        deadline = time.monotonic() + (REBIND_SECONDS if retry else 0)
        while True:
            try:
                bmc = vbmc.VirtualBMC(**entry)
                break
            except OSError as exc:
                if (exc.errno != errno.EADDRINUSE or
                        time.monotonic() >= deadline):
                    return self._failed(domain, entry, exc)
                time.sleep(0.02)
            except Exception as exc:  # noqa - reported in the status file
                return self._failed(domain, entry, exc)
        self.errors.pop(domain, None)
        self.served[domain] = (entry, bmc)
        self.log.info('serving BMC of %s on %s:%s', domain,
                      entry['address'], entry['port'])

    def _failed(self, domain, entry, exc):
        message = str(exc) or type(exc).__name__
        if self.errors.get(domain) != (entry, message):
            self.log.error('cannot serve BMC of %s on %s:%s: %s', domain,
                           entry['address'], entry['port'], message)
        self.errors[domain] = (entry, message)

    def close(self, *domains):
        """Stop serving ``domains`` and close their sockets."""
        if not domains:
            return
        session = self._session
        handlers = session.Session.bmc_handlers
        closing = []
        for domain in domains:
            entry, bmc = self.served.pop(domain)
            sock = bmc.serversocket
            handlers.pop(sock, None)
            for key, ports in list(handlers.items()):
                if isinstance(ports, dict):
                    for port, handler in list(ports.items()):
                        if getattr(handler, 'bmc', None) is bmc:
                            del ports[port]
                    if not ports:
                        handlers.pop(key, None)
            closing.append((domain, entry, sock))
        # Rebind rather than mutate: pyghmi's I/O thread may be iterating
        # over the old list.
        gone = {id(sock) for _d, _e, sock in closing}
        session.iosockets = [s for s in session.iosockets
                             if id(s) not in gone]
        self._close_sockets(closing)

    def _close_sockets(self, closing):
        """Close sockets out of the I/O thread's list, once it let go.

        A busy host can keep the thread from answering in time: the
        sockets are then kept (their ports stay taken) and closed at a
        later scan, since closing them now could end the thread.
        """
        closing = self._unclosed + list(closing)
        self._unclosed = []
        if not closing:
            return
        if not self._quiesce():
            self.log.warning('pyghmi\'s I/O thread did not answer in %ss; '
                             'closing %d socket(s) later', QUIESCE_SECONDS,
                             len(closing))
            self._unclosed = closing
            return
        for domain, entry, sock in closing:
            sock.close()
            self.log.info('closed BMC of %s on %s:%s', domain,
                          entry['address'], entry['port'])

    def close_all(self):
        self.close(*list(self.served))

    def io_alive(self):
        """Whether pyghmi's I/O thread (every BMC's traffic) runs."""
        thread = getattr(self._session, 'iothread', None)
        return thread is None or thread.is_alive()

    def prune_sessions(self, now):
        """Forget client sessions with no traffic for a while."""
        handlers = self._session.Session.bmc_handlers
        current = {}
        for key, ports in list(handlers.items()):
            if not isinstance(ports, dict) or not isinstance(key, tuple):
                continue
            for port, handler in list(ports.items()):
                if not getattr(handler, 'servermode', False):
                    continue
                marker = (id(handler), getattr(handler, 'sequencenumber',
                                               None),
                          getattr(handler, 'remseqnumber', None))
                ident = (key, port)
                seen = self._seen.get(ident)
                if seen is None or seen[0] != marker:
                    seen = (marker, now)
                elif now - seen[1] > SESSION_IDLE_SECONDS:
                    del ports[port]
                    continue
                current[ident] = seen
            if not ports:
                handlers.pop(key, None)
        self._seen = current

    def write_status(self, started):
        bmcs = {}
        for domain, (entry, _bmc) in self.served.items():
            bmcs[domain] = {'port': entry['port'],
                            'address': entry['address'],
                            'status': 'running', 'error': None}
        for domain, (entry, message) in self.errors.items():
            bmcs[domain] = {'port': entry and entry['port'],
                            'address': entry and entry['address'],
                            'status': 'error', 'error': message}
        data = {'pid': os.getpid(), 'scanned_at': started, 'bmcs': bmcs}
        fileio.write_atomic(self.status_file,
                            json.dumps(data, sort_keys=True), sync=False)

    # -- the loop -----------------------------------------------------------

    def _watch(self, flags, finished):
        """Wake the main loop whenever it might otherwise wait for ever.

        pyghmi's wait (``_io_wait``) has no bound of its own: it returns
        when the I/O thread answers. Were that thread gone, the main loop
        would wait for ever, deaf to SIGTERM and SIGHUP (their handlers
        only set flags). When the thread is gone or a stop was asked,
        every waiter is woken, so :meth:`run` sees it.
        """
        dumped = None
        while not finished.wait(WATCH_SECONDS):
            if flags['stop'] or not self.io_alive():
                for item in list(self._session.ioqueue):
                    item[1].set()
            turn, started = self._turn_started
            if (turn != dumped and
                    time.monotonic() - started >= STUCK_SECONDS):
                self._dump_stacks()
                dumped = turn

    def _dump_stacks(self):
        """Write every thread's stack: a turn took STUCK_SECONDS."""
        if self.stuck_file is None:
            return
        try:
            self.stuck_file.write('Timeout (%s)!\n' % datetime.timedelta(
                seconds=STUCK_SECONDS))
            self.stuck_file.flush()
            faulthandler.dump_traceback(file=self.stuck_file)
        except (ValueError, OSError, RuntimeError) as exc:
            self.log.warning('no stack dumps of stuck turns: %s', exc)
            self.stuck_file = None

    def run(self, flags):
        """Serve until ``flags['stop']``; rescan on ``flags['scan']``."""
        finished = threading.Event()
        watchdog = threading.Thread(target=self._watch,
                                    args=(flags, finished), daemon=True,
                                    name='tenks-bmc-watchdog')
        watchdog.start()
        try:
            return self._serve(flags)
        finally:
            finished.set()

    def _serve(self, flags):
        next_scan = 0
        while not flags['stop']:
            now = time.monotonic()
            if flags['scan'] or now >= next_scan:
                flags['scan'] = False
                try:
                    self.scan()
                    self.prune_sessions(now)
                except Exception:  # noqa - keep serving the others
                    self.log.exception('scan of %s failed', self.config_dir)
                next_scan = now + RESCAN_SECONDS
            if not self.io_alive():
                # Nothing would answer any more: exit, so that tenks sees
                # the server gone and starts it again.
                self.log.error('the IPMI I/O thread died; exiting')
                return 1
            # Seen by the watchdog (one tuple, replaced whole).
            self._turn_started = (self._turn_started[0] + 1,
                                  time.monotonic())
            try:
                self._session.Session.wait_for_rsp(LOOP_SECONDS)
            except Exception:  # noqa - one bad packet must not stop all
                self.log.exception('IPMI event loop error')
                time.sleep(LOOP_SECONDS)
        self.close_all()
        return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m tenks.bmc.virtualbmc.server',
        description='Serve every active VirtualBMC of a vbmc config '
                    'directory from one process.')
    parser.add_argument('--config', required=True,
                        help='virtualbmc.conf naming config_dir, pid_file '
                             'and the log file.')
    args = parser.parse_args(argv)
    config_file = os.path.abspath(args.config)
    # virtualbmc reads its configuration when first imported.
    os.environ['VIRTUALBMC_CONFIG'] = config_file
    from virtualbmc import config as vbmc_config
    from virtualbmc import log as vbmc_log
    conf = vbmc_config.get_config()
    log = vbmc_log.get_logger()
    pid_file = conf['default']['pid_file']
    flags = {'stop': False, 'scan': True}

    def on_hup(_signum, _frame):
        flags['scan'] = True

    def on_term(_signum, _frame):
        flags['stop'] = True

    signal.signal(signal.SIGHUP, on_hup)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    logfile = conf['log'].get('logfile')
    stuck_file = open(logfile, 'a') if logfile else None
    server = Server(conf['default']['config_dir'], status_path(config_file),
                    log, stuck_file=stuck_file)
    with open(pid_file, 'w') as f:
        f.write('%d\n' % os.getpid())
    log.info('embedded VirtualBMC server started (pid %d, config %s)',
             os.getpid(), config_file)
    try:
        code = server.run(flags)
    finally:
        for path in (pid_file, server.status_file):
            try:
                os.unlink(path)
            except OSError:
                pass
        log.info('embedded VirtualBMC server stopped')
    return code


if __name__ == '__main__':
    sys.exit(main())
