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

"""Host side of the virtualbmc emulator: the IPMI daemon tenks runs for a
BMC site, and the node entries it serves.

Everything here runs on the hypervisor's host (called through
``HypervisorContext.agent.call('tenks.bmc.vbmcd.<function>', ...)``), takes
and returns JSON-able data, and reports a resource that is not tenks' as
``{'conflict': message}`` rather than raising, so the caller can raise
:class:`tenks.exception.ResourceConflict` whichever agent carried it.

A *service* is described by a dict (see :func:`service_args`)::

    run_dir      directory of its files (private to tenks)
    server_port  vbmcd's control port on 127.0.0.1
    log_file     where the daemon logs
    mode         'vbmcd' (VirtualBMC's daemon, one process per BMC) or
                 'embedded' (every BMC in one process,
                 :mod:`tenks.bmc.vbmc_embedded`)
    managed      False: use the vbmcd already on server_port and touch no
                 files

Layout of a managed service's ``run_dir`` (mode 0700; files 0600, as
entries hold passwords)::

    virtualbmc.conf        vbmcd's config (config_dir, pid_file,
                           server_port, log file); both modes read it
    conf/<domain>/config   one entry per node, vbmc's own format
    conf/<domain>/tenks-cluster   the cluster that made the entry
    vbmcd.pid              pid file
    embedded.json          status of the embedded server
    .lock                  serialises changes (:mod:`tenks.bmc.files`)

Daemons are found by their command line (``--config <run_dir>/
virtualbmc.conf``), never by the pid file alone, and are stopped with every
process they forked.
"""

import configparser
import contextlib
import json
import os
import shutil
import signal
import sys
import time

from tenks.bmc import files
from tenks.bmc import procs
from tenks.bmc import vbmc_embedded
from tenks.bmc import vbmcd_client
from tenks import faults

CONF_FILE = 'virtualbmc.conf'
PID_FILE = 'vbmcd.pid'
ENTRIES_DIR = 'conf'
OWNER_FILE = 'tenks-cluster'
SECTION = 'VirtualBMC'

#: mode -> module run with ``python -m``.
MODES = {'vbmcd': 'tenks.bmc.run_vbmcd',
         'embedded': 'tenks.bmc.vbmc_embedded'}

START_TIMEOUT = 30
SERVE_TIMEOUT = 20


class BMCHostError(Exception):
    """The IPMI daemon or one of its BMCs cannot be made to work."""


def service_args(props, mode):
    """The service dict of a ``bmc`` or ``bmc_service`` record's props."""
    return {'run_dir': props['run_dir'],
            'server_port': props['server_port'],
            'log_file': props['log_file'],
            'mode': mode,
            'managed': props.get('managed', True)}


# -- files ------------------------------------------------------------------

def _path(run_dir, *parts):
    return os.path.join(run_dir, *parts)


def conf_text(run_dir, server_port, log_file):
    """The virtualbmc.conf of a service."""
    conf = configparser.ConfigParser()
    conf['default'] = {
        'config_dir': _path(run_dir, ENTRIES_DIR),
        'pid_file': _path(run_dir, PID_FILE),
        'server_port': str(server_port),
        'show_passwords': 'false',
    }
    conf['log'] = {'logfile': log_file, 'debug': 'false'}
    conf['ipmi'] = {'session_timeout': '1'}
    lines = ['# Written by tenks; changes are overwritten.']
    for section in conf.sections():
        lines.append('[%s]' % section)
        lines.extend('%s = %s' % kv for kv in conf[section].items())
        lines.append('')
    return '\n'.join(lines)


def entry_text(domain, address, port, username, password, libvirt_uri):
    """A per-domain config file, as ``vbmc add`` and ``start`` leave it."""
    values = entry_values(domain, address, port, username, password,
                          libvirt_uri)
    lines = ['[%s]' % SECTION]
    # vbmc reads these files with configparser's interpolation: a literal
    # '%' is written '%%'.
    lines.extend('%s = %s' % (k, v.replace('%', '%%'))
                 for k, v in values.items())
    return '\n'.join(lines) + '\n\n'


def entry_values(domain, address, port, username, password, libvirt_uri):
    return {'domain_name': domain, 'username': username,
            'password': password, 'port': str(port), 'address': address,
            'libvirt_uri': libvirt_uri, 'active': 'True'}


def _read_entry(run_dir, domain):
    path = _path(run_dir, ENTRIES_DIR, domain, 'config')
    parser = configparser.ConfigParser()
    try:
        if not parser.read(path) or not parser.has_section(SECTION):
            return None
        return dict(parser[SECTION])
    except configparser.Error:
        return {}


def _read_owner(run_dir, domain):
    try:
        with open(_path(run_dir, ENTRIES_DIR, domain, OWNER_FILE)) as f:
            return f.read().strip() or None
    except OSError:
        return None


def _entry_names(run_dir):
    root = _path(run_dir, ENTRIES_DIR)
    try:
        names = os.listdir(root)
    except FileNotFoundError:
        return []
    return sorted(n for n in names if os.path.isdir(os.path.join(root, n)))


def _same_entry(existing, wanted):
    if not existing:
        return False
    keys = ('domain_name', 'username', 'password', 'port', 'address',
            'libvirt_uri')
    return (all(existing.get(k) == wanted[k] for k in keys) and
            str(existing.get('active', '')).lower() == 'true')


# -- daemons ----------------------------------------------------------------

def _conf_path(run_dir):
    return _path(run_dir, CONF_FILE)


def _family(run_dir):
    """Every process started with this service's config.

    :returns: ``{pid: mode}``, vbmcd's per-BMC children included.
    """
    conf = _conf_path(run_dir)
    out = {}
    for mode, module in MODES.items():
        for pid in procs.find_by_args(module, conf):
            out[pid] = mode
    return out


def _main_daemons(run_dir):
    """The daemons of the service (not their children): ``{pid: mode}``."""
    family = _family(run_dir)
    out = {}
    for pid, mode in family.items():
        if procs.parent(pid) not in family:
            out[pid] = mode
    return out


def _control_owner(server_port):
    owners = procs.port_owners('tcp', server_port, '127.0.0.1')
    return owners[0] if owners else None


def _embedded_status(run_dir):
    try:
        with open(_path(run_dir, vbmc_embedded.STATUS_FILE)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _answers(service, pid):
    run_dir = service['run_dir']
    if service['mode'] == 'embedded':
        status = _embedded_status(run_dir)
        return bool(status) and status.get('pid') == pid
    return (_control_owner(service['server_port']) == pid and
            vbmcd_client.ping(service['server_port']))


def _conf_digest(run_dir):
    return files.digest([_conf_path(run_dir)])


def _healthy(service, pid):
    """Whether daemon ``pid`` answers, started with today's config."""
    return (_answers(service, pid) and
            files.stamped(service['run_dir'], pid,
                          _conf_digest(service['run_dir'])))


def _foreign_control(service, family):
    """A message when vbmcd's control port is held by someone else."""
    if service['mode'] != 'vbmcd':
        return None
    owner = _control_owner(service['server_port'])
    if owner is not None and owner not in family:
        return ('vbmcd control port 127.0.0.1:%d is in use by %s, which '
                'tenks did not start; set [vbmc] server_port to a free '
                'port, or manage_daemon = false to use that vbmcd'
                % (service['server_port'], procs.describe(owner)))
    return None


def _prepare(service):
    run_dir = service['run_dir']
    files.makedirs(run_dir)
    files.makedirs(_path(run_dir, ENTRIES_DIR))
    log_dir = os.path.dirname(service['log_file'])
    if log_dir:
        os.makedirs(log_dir, exist_ok=True)
    return files.write_private(_conf_path(run_dir), conf_text(
        run_dir, service['server_port'], service['log_file']))


def _start(service):
    run_dir = service['run_dir']
    leftovers = list(_family(run_dir))
    if leftovers:
        procs.terminate(leftovers)
    for name in (PID_FILE, vbmc_embedded.STATUS_FILE, files.STAMP_FILE):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(_path(run_dir, name))
    argv = [sys.executable, '-m', MODES[service['mode']], '--config',
            _conf_path(run_dir)]
    digest = _conf_digest(run_dir)
    pid = procs.spawn(argv, service['log_file'])
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if not procs.is_alive(pid):
            break
        if _answers(service, pid):
            files.write_stamp(run_dir, pid, digest)
            return pid
        time.sleep(0.1)
    procs.terminate([pid])
    raise BMCHostError('%s (%s) did not start; its log %s ends:\n%s' % (
        service['mode'], ' '.join(argv), service['log_file'],
        procs.tail(service['log_file'])))


#: Crash point: the daemon's config written, the daemon not restarted.
SERVICE_STEP = 'vbmc-service:configured'
#: Crash point: the daemon stopped, its files not removed yet.
STOP_STEP = 'vbmc-service:stopped'


def _ensure_service(service):
    """Make the service's daemon run, in its mode (lock held)."""
    changed = _prepare(service)
    if changed:
        faults.point(SERVICE_STEP)
    run_dir = service['run_dir']
    daemons = _main_daemons(run_dir)
    wrong = [pid for pid, mode in daemons.items()
             if mode != service['mode'] or changed]
    if wrong:
        procs.terminate(wrong)
    conflict = _foreign_control(service, _family(run_dir))
    if conflict:
        return {'conflict': conflict}
    for pid, mode in daemons.items():
        if pid not in wrong and _healthy(service, pid):
            return {'pid': pid, 'started': False}
    return {'pid': _start(service), 'started': True}


def ensure_service(service):
    """Make the IPMI daemon of ``service`` run (host side).

    With ``managed`` false, check that a vbmcd answers on server_port.

    :returns: ``{'pid', 'started'}`` or ``{'conflict': message}``.
    :raises BMCHostError: it cannot be started.
    """
    if not service.get('managed', True):
        if vbmcd_client.ping(service['server_port']):
            return {'pid': _control_owner(service['server_port']),
                    'started': False, 'managed': False}
        raise BMCHostError(
            'no vbmcd answers on 127.0.0.1:%d ([vbmc] manage_daemon is '
            'false, so tenks uses an existing vbmcd: start it, or let '
            'tenks run its own)' % service['server_port'])
    with files.locked(service['run_dir']):
        return _ensure_service(service)


def service_status(service):
    """What runs for ``service`` (host side).

    :returns: ``{'state', 'detail', 'pid', 'entries', 'files'}``; state is
        'running' (ours, in the configured mode, answering), 'foreign'
        (someone else holds the control port), 'stopped' (files or
        entries but no healthy daemon of the configured mode) or
        'absent'.
    """
    if not service.get('managed', True):
        up = vbmcd_client.ping(service['server_port'])
        return {'state': 'running' if up else 'stopped',
                'detail': '' if up else 'no vbmcd answers on port %d'
                % service['server_port'],
                'pid': _control_owner(service['server_port']),
                'entries': [], 'files': False}
    run_dir = service['run_dir']
    family = _family(run_dir)
    daemons = _main_daemons(run_dir)
    entries = _entry_names(run_dir)
    has_files = bool(files.leftovers(run_dir))
    out = {'pid': None, 'entries': entries, 'files': has_files,
           'detail': ''}
    conflict = _foreign_control(service, family)
    if conflict:
        return dict(out, state='foreign', detail=conflict)
    for pid, mode in daemons.items():
        if mode == service['mode'] and _healthy(service, pid):
            return dict(out, state='running', pid=pid)
    if service['mode'] in daemons.values():
        return dict(out, state='stopped', detail='%s runs with an older '
                    'configuration, or does not answer' % service['mode'])
    if daemons:
        detail = '%s runs instead of %s' % (
            ', '.join(sorted(set(daemons.values()))), service['mode'])
        return dict(out, state='stopped', detail=detail)
    if has_files or entries:
        return dict(out, state='stopped', detail='daemon not running')
    return dict(out, state='absent')


def stop_service(service, cluster=None, force=False):
    """Stop the service's daemon and remove its files (host side).

    Nothing is done while BMC entries remain, unless ``force``. The log
    is kept.

    :param cluster: the tenks cluster asking; entries of other clusters
        sharing the service keep it running, which is no failure.
    :returns: ``{'stopped': bool, 'kept': reason or None}``, or
        ``{'conflict': message}`` when entries remain that are this
        cluster's, or carry no mark (so that tenks cannot tell whose they
        are): a teardown must not report success while it leaves them.
    """
    if not service.get('managed', True):
        return {'stopped': False, 'kept': 'not managed by tenks'}
    run_dir = service['run_dir']
    with files.locked(run_dir, create=False) as held:
        if not held:
            pids = list(_family(run_dir))
            if pids:
                procs.terminate(pids)
            return {'stopped': bool(pids), 'kept': None}
        entries = _entry_names(run_dir)
        if entries and not force:
            owners = {e: _read_owner(run_dir, e) for e in entries}
            listed = ', '.join('%s (%s)' % (e, 'cluster %s' % owners[e]
                                            if owners[e] else 'no tenks mark')
                               for e in entries)
            if cluster is not None and any(o in (None, cluster)
                                           for o in owners.values()):
                return {'conflict': 'the IPMI daemon in %s still has BMC '
                        'entries of cluster %s, or without a tenks mark: %s'
                        % (run_dir, cluster, listed)}
            return {'stopped': False, 'kept': 'BMC entries remain: %s'
                    % listed}
        pids = list(_family(run_dir))
        if pids:
            procs.terminate(pids)
            faults.point(STOP_STEP)
        files.remove_locked_dir(run_dir)
    return {'stopped': bool(pids), 'kept': None}


# -- entries ----------------------------------------------------------------

def _reload_embedded(run_dir, pid):
    """Make the embedded server rescan now; returns its status.

    A daemon restarted meanwhile (by a concurrent change) is asked in
    its place. When none runs any more (a concurrent delete stopped it,
    having no BMC left to serve) there is nothing to wait for: returns
    None.
    """
    since = time.time_ns()
    try:
        os.kill(pid, signal.SIGHUP)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + SERVE_TIMEOUT
    while time.monotonic() < deadline:
        status = _embedded_status(run_dir)
        if status and status.get('scanned_at', 0) >= since:
            return status
        if not procs.is_alive(pid):
            current = [p for p, m in _main_daemons(run_dir).items()
                       if m == 'embedded']
            if not current:
                return None
            pid = current[0]
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGHUP)
        time.sleep(0.05)
    raise BMCHostError('the embedded VirtualBMC server of %s did not '
                       'rescan its entries; see its log' % run_dir)


def _port_holders(address, port, family):
    owners = procs.port_owners('udp', port, address)
    return [p for p in owners if p not in family]


def _wait_served(service, domain, address, port, pid, status=None):
    """Wait until ``domain``'s BMC is bound to its port by the service."""
    run_dir = service['run_dir']
    deadline = time.monotonic() + SERVE_TIMEOUT
    while True:
        family = _family(run_dir)
        owners = procs.port_owners('udp', port, address)
        if any(p in family for p in owners):
            return
        if service['mode'] == 'embedded':
            status = status or _embedded_status(run_dir) or {}
            bmc = (status.get('bmcs') or {}).get(domain) or {}
            if bmc.get('status') == 'error':
                raise BMCHostError('the BMC of %s cannot listen on %s:%s: '
                                   '%s' % (domain, address, port,
                                           bmc.get('error')))
            status = None
        if time.monotonic() >= deadline:
            break
        time.sleep(0.1)
    foreign = [p for p in owners if p not in family]
    why = ('the port is in use by %s' % ', '.join(
        procs.describe(p) for p in foreign) if foreign else
        'see %s:\n%s' % (service['log_file'],
                         procs.tail(service['log_file'])))
    raise BMCHostError('the BMC of %s did not start listening on UDP %s:%s;'
                       ' %s' % (domain, address, port, why))


def _check_domain(domain, libvirt_uri):
    from virtualbmc import exception as vbmc_exc
    from virtualbmc import utils as vbmc_utils
    try:
        vbmc_utils.check_libvirt_connection_and_domain(libvirt_uri, domain)
    except vbmc_exc.VirtualBMCError as exc:
        raise BMCHostError('cannot give %s a BMC: %s' % (domain, exc))


def ensure_bmc(service, cluster, domain, address, port, username, password,
               libvirt_uri, adopt=False):
    """Make ``service`` serve an IPMI BMC for domain ``domain`` (host side).

    An entry that already matches is left alone.

    :param cluster: the tenks cluster; a managed entry made by another
        cluster is a conflict, and so is one without tenks' mark unless
        ``adopt``.
    :returns: ``{'changed': bool, 'pid': daemon pid}`` or
        ``{'conflict': message}``.
    :raises BMCHostError: the BMC does not come up (port in use...).
    """
    port = int(port)
    if not service.get('managed', True):
        return _ensure_unmanaged(service, domain, address, port, username,
                                 password, libvirt_uri)
    run_dir = service['run_dir']
    wanted = entry_values(domain, address, port, username, password,
                          libvirt_uri)
    with files.locked(run_dir):
        result = _ensure_service(service)
        if 'conflict' in result:
            return result
        pid = result['pid']
        existing = _read_entry(run_dir, domain)
        if os.path.isdir(_path(run_dir, ENTRIES_DIR, domain)):
            problem = _owner_problem(run_dir, domain, cluster, adopt)
            if problem:
                return {'conflict': problem}
        family = _family(run_dir)
        if _same_entry(existing, wanted):
            served = procs.port_owners('udp', port, address)
            if any(p in family for p in served):
                return {'changed': False, 'pid': pid}
        _check_domain(domain, libvirt_uri)
        holders = _port_holders(address, port, family)
        if holders:
            raise BMCHostError(
                'UDP port %s:%d for the BMC of %s is in use by %s' % (
                    address, port, domain, ', '.join(
                        procs.describe(p) for p in holders)))
        if service['mode'] == 'embedded':
            entry_dir = _path(run_dir, ENTRIES_DIR, domain)
            files.makedirs(entry_dir)
            files.write_private(os.path.join(entry_dir, OWNER_FILE),
                                cluster + '\n')
            files.write_private(os.path.join(entry_dir, 'config'), entry_text(
                domain, address, port, username, password, libvirt_uri))
        else:
            server_port = service['server_port']
            if existing is not None:
                vbmcd_client.delete(server_port, domain)
                _stop_strays(service, address, int(existing.get('port', 0)))
            # A BMC child whose entry went in an interrupted delete may
            # still serve this port for another domain.
            _stop_strays(service, address, port)
            # vbmcd makes the entry's directory itself, so the mark comes
            # second; a run killed in between left a CREATING record, and
            # the next one adopts the unmarked entry.
            vbmcd_client.add(server_port, domain, address, port, username,
                             password, libvirt_uri)
            files.write_private(
                _path(run_dir, ENTRIES_DIR, domain, OWNER_FILE),
                cluster + '\n')
            vbmcd_client.start(server_port, domain)
    # Waiting happens without the lock, so that concurrent changes to an
    # embedded server are picked up by one rescan.
    status = None
    if service['mode'] == 'embedded':
        status = _reload_embedded(run_dir, pid)
    _wait_served(service, domain, address, port, pid, status)
    return {'changed': True, 'pid': pid}


def _stop_strays(service, address, port):
    """Stop vbmcd children still serving ``port`` after their entry went.

    vbmcd only stops the children of entries it still lists.
    """
    if not port:
        return
    run_dir = service['run_dir']
    mains = _main_daemons(run_dir)
    family = _family(run_dir)
    strays = [p for p in procs.port_owners('udp', port, address)
              if p in family and p not in mains]
    if strays:
        procs.terminate(strays)


def _ensure_unmanaged(service, domain, address, port, username, password,
                      libvirt_uri):
    server_port = service['server_port']
    listing = vbmcd_client.entries(server_port)
    if domain in listing:
        shown = vbmcd_client.show(server_port, domain)
        same = (str(shown.get('port')) == str(port) and
                shown.get('address') == address and
                shown.get('username') == username and
                shown.get('libvirt_uri') == libvirt_uri)
        if same and listing[domain]['status'] == 'running':
            return {'changed': False, 'pid': None}
        vbmcd_client.delete(server_port, domain)
    vbmcd_client.add(server_port, domain, address, port, username, password,
                     libvirt_uri)
    vbmcd_client.start(server_port, domain)
    deadline = time.monotonic() + SERVE_TIMEOUT
    while time.monotonic() < deadline:
        state = vbmcd_client.entries(server_port).get(domain) or {}
        if (state.get('status') == 'running' and
                procs.port_owners('udp', port, address)):
            return {'changed': True, 'pid': None}
        time.sleep(0.2)
    raise BMCHostError('the BMC of %s did not start listening on UDP %s:%s '
                       '(vbmcd on port %d reports %s)' % (
                           domain, address, port, server_port,
                           state.get('status', 'no entry')))


#: Crash points of a BMC delete, in order (see :mod:`tenks.faults`):
#: locked, nothing changed yet; the entry gone, its mark still there; the
#: mark gone too; the daemon no longer serving it.
DELETE_STEPS = ('vbmc-delete:begin', 'vbmc-delete:entry-removed',
                'vbmc-delete:mark-removed', 'vbmc-delete:unserved')


def _owner_problem(run_dir, domain, cluster, adopt):
    """Why ``domain``'s entry is not tenks' to change, or None.

    It is tenks' when it carries this cluster's mark, or when it carries
    no mark and ``adopt`` says tenks began making or removing it in a run
    that did not finish (the mark is written before the entry and removed
    after it, but vbmcd writes and removes whole entry directories).
    """
    owner = _read_owner(run_dir, domain)
    if owner == cluster or (owner is None and adopt):
        return None
    if owner is None:
        return ('vbmc entry %s in %s carries no tenks mark, so tenks cannot '
                'tell whether it made it; remove it by hand (vbmc delete '
                '%s, or delete that directory) and run tenks again' % (
                    domain, _path(run_dir, ENTRIES_DIR, domain), domain))
    return ('vbmc entry %s in %s belongs to tenks cluster %s, not %s' % (
        domain, _path(run_dir, ENTRIES_DIR, domain), owner, cluster))


def _remove_entry(service, domain, pid):
    """Remove ``domain``'s entry, then its mark (lock held).

    :returns: the pid of an embedded server to make rescan, or None.
    """
    run_dir = service['run_dir']
    entry_dir = _path(run_dir, ENTRIES_DIR, domain)
    entry = _read_entry(run_dir, domain) or {}
    if service['mode'] == 'vbmcd' and pid is not None:
        # vbmcd stops the BMC and removes the whole directory.
        vbmcd_client.delete(service['server_port'], domain)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(os.path.join(entry_dir, 'config'))
    faults.point(DELETE_STEPS[1])
    shutil.rmtree(entry_dir, ignore_errors=True)
    faults.point(DELETE_STEPS[2])
    if service['mode'] == 'vbmcd':
        _stop_strays(service, entry.get('address'),
                     int(entry.get('port') or 0))
        return None
    return pid


def delete_bmc(service, cluster, domain, adopt=False):
    """Stop and remove ``domain``'s BMC if it is tenks' (host side).

    The daemon is stopped and its files removed when it serves nothing any
    more.

    :param adopt: tenks began making or removing this BMC in a run that
        did not finish: an entry without a mark is taken as tenks'.
    :returns: ``{'deleted': bool, 'stopped': bool, 'kept': reason or
        None}`` (kept: why the daemon still runs), or ``{'conflict':
        message}`` when the entry is not provably tenks' (nothing
        changed).
    """
    if not service.get('managed', True):
        server_port = service['server_port']
        if domain in vbmcd_client.entries(server_port):
            vbmcd_client.delete(server_port, domain)
            return {'deleted': True, 'kept': None, 'stopped': False}
        return {'deleted': False, 'kept': None, 'stopped': False}
    run_dir = service['run_dir']
    deleted = False
    reload_pid = None
    with files.locked(run_dir, create=False) as held:
        entry_dir = _path(run_dir, ENTRIES_DIR, domain)
        if held and os.path.isdir(entry_dir):
            problem = _owner_problem(run_dir, domain, cluster, adopt)
            if problem:
                return {'conflict': problem}
            faults.point(DELETE_STEPS[0])
            daemons = _main_daemons(run_dir)
            pid = next((p for p, m in daemons.items()
                        if m == service['mode'] and _answers(service, p)),
                       None)
            reload_pid = _remove_entry(service, domain, pid)
            deleted = True
    if reload_pid is not None:
        _reload_embedded(run_dir, reload_pid)
    if deleted:
        faults.point(DELETE_STEPS[3])
    # The daemon stops with the last entry; others, of this cluster or
    # another, keep it running.
    result = stop_service(service)
    return {'deleted': deleted, 'kept': result['kept'],
            'stopped': result['stopped']}


def list_bmcs(service):
    """The BMC entries of ``service`` (host side).

    :returns: ``{domain: {'owner', 'port', 'address', 'served'}}``;
        ``owner`` is the cluster that made it, or None when unknown
        (unmanaged vbmcd) or unmarked; ``served`` whether its UDP port is
        bound by the service's daemon.
    """
    if not service.get('managed', True):
        return {domain: {'owner': None, 'port': e['port'],
                         'address': e['address'],
                         'served': e['status'] == 'running'}
                for domain, e in vbmcd_client.entries(
                    service['server_port']).items()}
    run_dir = service['run_dir']
    out = {}
    names = _entry_names(run_dir)
    family = _family(run_dir) if names else {}
    bound = procs.bound_ports('udp', family) if family else set()
    for domain in names:
        entry = _read_entry(run_dir, domain) or {}
        served = bool(entry.get('port')) and procs.serves(
            bound, entry.get('address'), entry['port'])
        out[domain] = {'owner': _read_owner(run_dir, domain),
                       'port': entry.get('port'),
                       'address': entry.get('address'),
                       'served': served}
    return out
