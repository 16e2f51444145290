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

"""An IPMI daemon tenks runs itself, from files in its run directory.

What its two kinds (:mod:`.embedded`, :mod:`.vbmcd`) share: the files
(:mod:`.entries`), the lock, finding the daemon again by the config file
in its command line, starting it detached (or through its systemd unit
where systemd runs the host: :mod:`tenks.hosts.launcher`), stopping it
with every process it forked, its config stamp, and the ownership rules
of entries.
A subclass says how its daemon is started, how it answers, and how an
entry is handed to it.

Every change holds the run directory's lock; waiting for a BMC to listen
happens without it, so that concurrent changes are picked up together.
"""

import contextlib
import os
import sys
import time

from tenks.bmc.virtualbmc import daemon
from tenks.bmc.virtualbmc import entries
from tenks import exception
from tenks import faults
from tenks.hosts import files
from tenks.hosts import launcher
from tenks.hosts import procs

START_TIMEOUT = 30
SERVE_TIMEOUT = 20

#: Crash points (see :mod:`tenks.faults`): a delete locked and checked,
#: nothing changed yet; the daemon no longer serving a deleted entry.
DELETE_BEGIN = 'vbmc-delete:begin'
DELETE_UNSERVED = 'vbmc-delete:unserved'
#: Every crash point of a BMC delete, in order.
DELETE_STEPS = (DELETE_BEGIN,) + entries.REMOVE_STEPS + (DELETE_UNSERVED,)
#: The daemon's config written, the daemon not restarted.
SERVICE_STEP = 'vbmc-service:configured'
#: The daemon stopped, its files not removed yet.
STOP_STEP = 'vbmc-service:stopped'


class ManagedDaemon(daemon.Daemon):
    """A daemon tenks starts, supervises and stops."""

    #: Modules run with ``python -m`` for this kind (the current one
    #: first, then older names, so a daemon an older tenks started is
    #: recognised and replaced).
    modules = ()
    #: What runs, for the description of its systemd unit.
    title = 'IPMI daemon'

    # -- what a kind says ---------------------------------------------

    def answers(self, pid):
        """Whether daemon ``pid`` is up and answering."""
        raise NotImplementedError

    def foreign(self):
        """Why the daemon cannot run, or None.

        Something that is not tenks' is in its way.
        """
        return None

    def before_start(self):
        """Remove what a previous daemon left behind."""
        remove_files(entries.path(self.run_dir, entries.PID_FILE))

    def install(self, domain, values, existing, cluster):
        """Hand a new or changed entry to the daemon (lock held)."""
        raise NotImplementedError

    def uninstall(self, domain, pid):
        """Make the daemon forget ``domain``'s entry, and remove it.

        :param pid: the daemon, or None when none answers (lock held).
        """
        raise NotImplementedError

    def after_change(self, pid):
        """Wait until the daemon took in the changed entries (no lock).

        :returns: what :meth:`serve_problem` needs, or None.
        """
        return None

    def serve_problem(self, domain, seen):
        """Why the daemon says it cannot serve ``domain``, or None."""
        return None

    # -- processes ----------------------------------------------------

    @property
    def conf(self):
        return entries.conf_path(self.run_dir)

    def family(self):
        """Every process started with this service's config.

        :returns: ``{pid: True when it is of this kind}``, children
            included.
        """
        out = {}
        for pid in procs.find_by_args('--config', self.conf):
            argv = procs.cmdline(pid)
            out[pid] = any(m in argv for m in self.modules)
        return out

    def main_daemons(self):
        """The daemons of the service, not their children."""
        family = self.family()
        return {pid: mine for pid, mine in family.items()
                if procs.parent(pid) not in family}

    def _digest(self):
        return files.digest([self.conf])

    def _launcher(self):
        """How the daemon starts: spawned, or by its systemd unit."""
        argv = [sys.executable, '-m', self.modules[0], '--config',
                self.conf]
        return launcher.Launcher(
            self.run_dir, self.conf, argv, self.log_file,
            'tenks IPMI BMCs of %s (%s)' % (self.run_dir, self.title))

    def _as_configured(self, pid, launch):
        """Whether ``pid`` answers, started with today's config."""
        return (self.answers(pid) and
                files.stamped(self.run_dir, pid, self._digest(),
                              launch.started(pid)))

    def healthy(self, pid):
        """Whether ``pid`` answers as configured, and would come back."""
        launch = self._launcher()
        return self._as_configured(pid, launch) and not launch.problem()

    def _prepare(self):
        files.makedirs(self.run_dir)
        files.makedirs(entries.path(self.run_dir, entries.ENTRIES_DIR))
        log_dir = os.path.dirname(self.log_file)
        if log_dir:
            os.makedirs(log_dir, exist_ok=True)
        return files.write_private(self.conf, entries.conf_text(
            self.run_dir, self.server_port, self.log_file))

    def _mine(self):
        return [pid for pid, mine in self.main_daemons().items() if mine]

    def _start(self):
        launch = self._launcher()
        launch.stop(list(self.family()))
        files.drop_stamp(self.run_dir)
        self.before_start()
        digest = self._digest()
        pid = launch.start(self._mine, self.answers, START_TIMEOUT, 0.1)
        if pid is not None:
            files.write_stamp(self.run_dir, pid, digest)
            return pid
        raise daemon.BMCHostError('%s did not start; its log %s ends:\n%s' % (
            launch.describe(), self.log_file, procs.tail(self.log_file)))

    def _ensure(self):
        """Make the daemon of this kind run (lock held)."""
        if self._prepare():
            faults.point(SERVICE_STEP)
            changed = True
        else:
            changed = False
        daemons = self.main_daemons()
        wrong = [pid for pid, mine in daemons.items() if not mine or changed]
        if wrong:
            self._launcher().stop(wrong)
            daemons = self.main_daemons()
        problem = self.foreign()
        if problem:
            raise exception.ResourceConflict(problem)
        for pid in daemons:
            if pid not in wrong and self.healthy(pid):
                return {'pid': pid, 'started': False}
        return {'pid': self._start(), 'started': True}

    def ensure(self):
        with files.locked(self.run_dir):
            return self._ensure()

    def _answering(self):
        """The pid of a daemon of this kind that answers, or None."""
        return next((pid for pid, mine in self.main_daemons().items()
                     if mine and self.answers(pid)), None)

    # -- status and stop ----------------------------------------------

    def status(self):
        daemons = self.main_daemons()
        out = {'pid': None, 'entries': entries.names(self.run_dir),
               'files': bool(files.leftovers(self.run_dir)), 'detail': ''}
        problem = self.foreign()
        if problem:
            return dict(out, state='foreign', detail=problem)
        launch = self._launcher()
        for pid, mine in daemons.items():
            if mine and self._as_configured(pid, launch):
                unit_problem = launch.problem()
                if unit_problem:
                    return dict(out, state='stopped', pid=pid,
                                detail=unit_problem)
                return dict(out, state='running', pid=pid)
        if any(daemons.values()):
            return dict(out, state='stopped', detail='%s runs with an older '
                        'configuration, or does not answer'
                        % self.service['mode'])
        if daemons:
            return dict(out, state='stopped', detail='a daemon of another '
                        'mode runs instead of %s' % self.service['mode'])
        if out['files'] or out['entries']:
            return dict(out, state='stopped', detail='daemon not running')
        return dict(out, state='absent')

    def stop(self, cluster=None, force=False):
        with files.locked(self.run_dir, create=False) as held:
            if not held:
                stopped = self._launcher().remove(list(self.family()))
                return {'stopped': stopped, 'kept': None}
            names = entries.names(self.run_dir)
            if names and not force:
                owners = [entries.read_owner(self.run_dir, n) for n in names]
                listed = entries.describe_owners(self.run_dir, names)
                if cluster is not None and any(o in (None, cluster)
                                               for o in owners):
                    raise exception.ResourceConflict(
                        'the IPMI daemon in %s still has BMC entries of '
                        'cluster %s, or without a tenks mark: %s'
                        % (self.run_dir, cluster, listed))
                return {'stopped': False,
                        'kept': 'BMC entries remain: %s' % listed}
            pids = list(self.family())
            self._launcher().remove(pids)
            if pids:
                faults.point(STOP_STEP)
            files.remove_locked_dir(self.run_dir)
        return {'stopped': bool(pids), 'kept': None}

    # -- entries --------------------------------------------------------

    def _check_owner(self, domain, cluster, adopt):
        if os.path.isdir(entries.entry_dir(self.run_dir, domain)):
            problem = entries.owner_problem(self.run_dir, domain, cluster,
                                            adopt)
            if problem:
                raise exception.ResourceConflict(problem)

    def add(self, domain, address, port, username, password, libvirt_uri,
            cluster, adopt=False):
        port = int(port)
        values = entries.entry_values(domain, address, port, username,
                                      password, libvirt_uri)
        with files.locked(self.run_dir):
            pid = self._ensure()['pid']
            self._check_owner(domain, cluster, adopt)
            existing = entries.read_entry(self.run_dir, domain)
            family = self.family()
            if entries.same_entry(existing, values) and any(
                    p in family for p in procs.port_owners('udp', port,
                                                           address)):
                if entries.read_owner(self.run_dir, domain) != cluster:
                    # Adopted as it is: it is tenks' from now on.
                    entries.write_owner(self.run_dir, domain, cluster)
                return {'changed': False, 'pid': pid}
            _check_domain(domain, libvirt_uri)
            holders = [p for p in procs.port_owners('udp', port, address)
                       if p not in family]
            if holders:
                # Someone else's: like a service's port, a conflict.
                raise exception.ResourceConflict(
                    'UDP port %s:%d for the BMC of %s is in use by %s' % (
                        address, port, domain, ', '.join(
                            procs.describe(p) for p in holders)))
            self.install(domain, values, existing, cluster)
        seen = self.after_change(pid)
        self._wait_served(domain, address, port, seen)
        return {'changed': True, 'pid': pid}

    def _wait_served(self, domain, address, port, seen=None):
        """Wait until ``domain``'s BMC is bound to its port."""
        deadline = time.monotonic() + SERVE_TIMEOUT
        while True:
            family = self.family()
            owners = procs.port_owners('udp', port, address)
            if any(p in family for p in owners):
                return
            problem = self.serve_problem(domain, seen)
            if problem:
                raise daemon.BMCHostError(
                    'the BMC of %s cannot listen on %s:%s: %s'
                    % (domain, address, port, problem))
            seen = None
            if time.monotonic() >= deadline:
                break
            time.sleep(0.1)
        foreign = [p for p in owners if p not in family]
        why = ('the port is in use by %s' % ', '.join(
            procs.describe(p) for p in foreign) if foreign else
            'see %s:\n%s' % (self.log_file, procs.tail(self.log_file)))
        raise daemon.BMCHostError('the BMC of %s did not start listening on '
                                  'UDP %s:%s; %s' % (domain, address, port,
                                                     why))

    def remove(self, domain, cluster, adopt=False):
        deleted = False
        pid = None
        with files.locked(self.run_dir, create=False) as held:
            if held and os.path.isdir(entries.entry_dir(self.run_dir,
                                                        domain)):
                problem = entries.owner_problem(self.run_dir, domain,
                                                cluster, adopt)
                if problem:
                    raise exception.ResourceConflict(problem)
                faults.point(DELETE_BEGIN)
                pid = self._answering()
                self.uninstall(domain, pid)
                deleted = True
        if deleted:
            if pid is not None:
                self.after_change(pid)
            faults.point(DELETE_UNSERVED)
        # The daemon stops with the last entry; others, of this cluster or
        # another, keep it running.
        result = self.stop()
        return {'deleted': deleted, 'kept': result['kept'],
                'stopped': result['stopped']}

    def entries(self):
        names = entries.names(self.run_dir)
        family = self.family() if names else {}
        bound = procs.bound_ports('udp', family) if family else set()
        out = {}
        for domain in names:
            entry = entries.read_entry(self.run_dir, domain) or {}
            served = bool(entry.get('port')) and procs.serves(
                bound, entry.get('address'), entry['port'])
            out[domain] = {'owner': entries.read_owner(self.run_dir, domain),
                           'port': entry.get('port'),
                           'address': entry.get('address'),
                           'served': served}
        return out


def _check_domain(domain, libvirt_uri):
    from virtualbmc import exception as vbmc_exc
    from virtualbmc import utils as vbmc_utils
    try:
        vbmc_utils.check_libvirt_connection_and_domain(libvirt_uri, domain)
    except vbmc_exc.VirtualBMCError as exc:
        raise daemon.BMCHostError('cannot give %s a BMC: %s' % (domain, exc))


def remove_files(*paths):
    """Remove files that may not exist."""
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
