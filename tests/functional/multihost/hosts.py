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

"""Extra hosts on this machine, reached over SSH only.

A :class:`RemoteHost` is

* a network namespace: its own links (``lo`` and ``eth0``) and address,
  on a :class:`TestNetwork` (a Linux bridge on the controller);
* a private mount namespace: its own ``/run``, ``/tmp``, ``/var/tmp``,
  ``/root`` (a new Debian root's dot files), ``/etc/ssh``,
  ``/usr/local/sbin`` and libvirt directories
  (``/etc/libvirt`` without definitions, ``/var/lib/libvirt``,
  ``/var/cache/libvirt``, ``/var/log/libvirt``), bind-mounted from a
  directory of its own; the rest of the file system is this machine's
  (so tenks' paths on a host, such as its run directory and pool path,
  belong under ``/tmp`` to be the host's own), and this Python's
  directories under ``/root`` (a pyenv interpreter) are there read-only;
* a PID namespace: it sees its own processes only (two hosts' BMC
  daemons have the same command lines), and a UTS namespace (its own host
  name).

Its init (this module run as a script, PID 1 there: :func:`_init`) starts
virtlogd, libvirtd and sshd, and reaps orphans. sshd listens on the host's
address only; the test makes the host key and the one key it authorizes
(for ``root``). ``tenks-host-agent`` is on root's non-interactive PATH
there: ``/usr/local/sbin/tenks-host-agent`` runs this virtualenv's.

The *controller* (this machine's own namespaces, where the tests and
tenks run) reaches a host only over SSH and libvirt's SSH transport. Do
not hand a test the host's files or sockets: that is the point of them.

Everything a run makes carries its token: ``tkmh-<4 hex digits>`` names
its bridges, veths (``tkmh-1a2b-0h1``: network 0, host 1), namespaces
(``tkmh-1a2b-h1``, also the host's name) and its directory under the
system's temporary directory. :meth:`Lab.close` removes it all and
reports what was left; :func:`sweep_stale` removes what a run that was
killed left behind. A host dies with the process that started it
(``PR_SET_PDEATHSIG``), even when that one is killed.
"""

import ctypes
import ipaddress
import json
import os
import random
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from tests.functional import daemons

#: The repository (``python -m`` runs the init from here).
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
MODULE = 'tests.functional.multihost.hosts'
PREFIX = 'tkmh-'
USER = 'root'
#: Test networks are /24s of this /16.
SUPERNET = ipaddress.ip_network('10.250.0.0/16')
#: The controller virtualenv's agent, which the hosts run.
AGENT = os.path.join(sys.prefix, 'bin', 'tenks-host-agent')
CONNECT_TIMEOUT = 10
START_TIMEOUT = 90
#: A host's private directories: (directory under the host's, mount point).
#: /tmp comes last: the host's own directory is below it.
PRIVATE = (('etc-libvirt', '/etc/libvirt'),
           ('lib-libvirt', '/var/lib/libvirt'),
           ('cache-libvirt', '/var/cache/libvirt'),
           ('log-libvirt', '/var/log/libvirt'),
           ('ssh', '/etc/ssh'),
           ('sbin', '/usr/local/sbin'),
           ('root', '/root'),
           ('var-tmp', '/var/tmp'),
           ('tmp', '/tmp'))
#: root's dot files on a new Debian host (this machine's root has more).
ROOT_SKELETON = (('/usr/share/base-files/dot.bashrc', '.bashrc'),
                 ('/usr/share/base-files/dot.profile', '.profile'))
#: What a host's init starts: (name, argv).
DAEMONS = (('virtlogd', ['virtlogd']),
           ('libvirtd', ['libvirtd']),
           ('sshd', ['/usr/sbin/sshd', '-D', '-e',
                     '-f', '/etc/ssh/sshd_config']))
SSHD_CONFIG = '''\
# A tenks multihost test host: %(name)s
ListenAddress %(address)s
Port 22
HostKey /etc/ssh/ssh_host_ed25519_key
PidFile /run/sshd.pid
AuthorizedKeysFile /etc/ssh/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
# Keys only: no PAM account or session modules.
UsePAM no
UseDNS no
X11Forwarding no
PrintMotd no
PrintLastLog no
Subsystem sftp internal-sftp
LogLevel VERBOSE
'''
#: One SSH call listing what a host has (see :meth:`RemoteHost.inventory`).
INVENTORY = '''\
echo '## processes'; ps -eo pid=,ppid=,args=
echo '## domains'; virsh -q -c qemu:///system list --all --name
echo '## pools'; virsh -q -c qemu:///system pool-list --all --name
echo '## links'; ip -o link show
'''
#: A TCG domain that starts in about a second and boots nothing.
TINY_DOMAIN = '''<domain type='qemu'>
  <name>%(name)s</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os>
  <on_poweroff>destroy</on_poweroff>
  <devices><memballoon model='none'/></devices>
</domain>
'''
_PR_SET_PDEATHSIG = 1


class HostError(RuntimeError):
    """A host did not start, or a call to it failed."""


def _run(*argv, check=True, timeout=60):
    proc = subprocess.run(argv, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=timeout)
    if check and proc.returncode != 0:
        raise HostError('%s exited %d: %s' % (
            shlex.join(argv), proc.returncode, proc.stderr.strip()))
    return proc


def _die_with_parent():
    """In a child before exec: SIGKILL it when its parent dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _tail(path, size=3000):
    try:
        with open(path, errors='replace') as f:
            return f.read()[-size:]
    except OSError as exc:
        return '(%s)' % exc


def _links():
    """Names of this namespace's links."""
    out = _run('ip', '-j', 'link', 'show').stdout
    return [link['ifname'] for link in json.loads(out or '[]')]


def _addresses():
    """``(link, /24)`` of this namespace's IPv4 addresses."""
    found = []
    for link in json.loads(_run('ip', '-j', 'addr', 'show').stdout or '[]'):
        for info in link.get('addr_info', []):
            if info.get('family') == 'inet':
                found.append((link['ifname'], ipaddress.ip_network(
                    '%s/24' % info['local'], strict=False)))
    return found


def _used_subnets():
    """The /24s of :data:`SUPERNET` with an address or route here."""
    used = {net for _link, net in _addresses()}
    routes = json.loads(_run('ip', '-j', 'route', 'show').stdout or '[]')
    for route in routes:
        dst = route.get('dst', '')
        if dst and dst != 'default':
            net = ipaddress.ip_network(dst, strict=False)
            if net.prefixlen >= 24:
                used.add(net.supernet(new_prefix=24))
            elif net.overlaps(SUPERNET):
                used.update(SUPERNET.subnets(new_prefix=24))
    return {net for net in used if net.subnet_of(SUPERNET)}


class TestNetwork(object):
    """An L2 segment on the controller: a Linux bridge hosts plug into.

    :ivar bridge: the bridge's name.
    :ivar subnet: its IPv4 /24 (hosts get ``.2``, ``.3``...).
    :ivar controller_address: the controller's address on it (``.1``),
        or None when the controller has none there.
    """

    __test__ = False    # not a test class, whatever pytest thinks

    def __init__(self, token, index, controller_address=True):
        self.token = token
        self.index = index
        self.bridge = '%s%s-n%d' % (PREFIX, token, index)
        self.subnet = None
        self.controller_address = None
        self._with_address = controller_address
        self.veths = []

    def create(self):
        _run('ip', 'link', 'add', self.bridge, 'type', 'bridge')
        _run('ip', 'link', 'set', self.bridge, 'up')
        for _ in range(20):
            free = sorted(set(SUPERNET.subnets(new_prefix=24)) -
                          _used_subnets())
            if not free:
                raise HostError('no free /24 in %s for a test network'
                                % SUPERNET)
            self.subnet = random.choice(free)
            if not self._with_address:
                return self
            address = self.address(1)
            _run('ip', 'addr', 'add', '%s/24' % address, 'dev', self.bridge)
            # Another run may have taken the same /24 at the same moment.
            if not [link for link, net in _addresses()
                    if net == self.subnet and link != self.bridge]:
                self.controller_address = address
                return self
            _run('ip', 'addr', 'del', '%s/24' % address, 'dev', self.bridge)
        raise HostError('could not find a free /24 for a test network')

    def address(self, n):
        """The ``n``-th address of the subnet (``.n``), as a string."""
        return str(self.subnet.network_address + n)

    def attach(self, host, ifname, address=None):
        """Plug ``host`` in as its link ``ifname`` (a veth pair).

        :param address: its IPv4 address on this network, or None.
        :returns: the name of the controller's end (a port of the bridge).
        """
        veth = '%s%s-%dh%d' % (PREFIX, self.token, self.index, host.index)
        _run('ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name',
             ifname, 'netns', host.netns)
        self.veths.append(veth)
        _run('ip', 'link', 'set', veth, 'master', self.bridge, 'up')
        if address:
            _run('ip', '-n', host.netns, 'addr', 'add', '%s/%d' % (
                address, self.subnet.prefixlen), 'dev', ifname)
        _run('ip', '-n', host.netns, 'link', 'set', ifname, 'up')
        host.ifnames.append(ifname)
        return veth

    def delete(self):
        for name in self.veths + [self.bridge]:
            if name in _links():
                _run('ip', 'link', 'delete', name, check=False)


class RemoteHost(object):
    """A host of its own on this machine; see the module's description.

    :ivar name: its name: the name of its network namespace and its host
        name (``hostname`` on it says so); unique to the run.
    :ivar index: its number in the run (1, 2...).
    :ivar address: its IPv4 address on the test network; sshd listens
        there only.
    :ivar user: ``root``.
    :ivar identity_file: the private key it authorizes (ed25519, no
        passphrase).
    :ivar known_hosts_file: a known_hosts file with its host key.
    :ivar ssh_command_file: an ``ssh`` that uses those two (and the
        other options of :meth:`ssh_options`): libvirt's ``command=``.
    """

    def __init__(self, lab, index, address):
        self.lab = lab
        self.index = index
        self.name = '%s%s-h%d' % (PREFIX, lab.token, index)
        self.netns = self.name
        self.address = address
        self.user = USER
        self.directory = os.path.join(lab.directory, 'h%d' % index)
        client = os.path.join(lab.directory, 'client')
        self.identity_file = os.path.join(client, 'h%d_ed25519' % index)
        self.known_hosts_file = os.path.join(client,
                                             'h%d_known_hosts' % index)
        self.ssh_command_file = os.path.join(client, 'h%d_ssh' % index)
        self.log_dir = os.path.join(self.directory, 'logs')
        #: Its links from the test networks (``eth0``...).
        self.ifnames = []
        self.process = None
        self.baseline = set()

    def __repr__(self):
        return '<RemoteHost %s %s>' % (self.name, self.address)

    # -- how to reach it ------------------------------------------------

    @property
    def destination(self):
        """``root@ADDRESS``, an SSH destination."""
        return '%s@%s' % (self.user, self.address)

    def ssh_options(self, identity_file=None, known_hosts_file=None):
        """The options ``ssh`` needs to reach this host unattended.

        Its own key only, its own known_hosts only (strict), no prompts,
        a connect timeout, and no user or system ssh_config.
        """
        return ['-F', '/dev/null',
                '-i', identity_file or self.identity_file,
                '-o', 'IdentitiesOnly=yes',
                '-o', 'UserKnownHostsFile=%s' % (
                    known_hosts_file or self.known_hosts_file),
                '-o', 'GlobalKnownHostsFile=/dev/null',
                '-o', 'StrictHostKeyChecking=yes',
                '-o', 'BatchMode=yes',
                '-o', 'ConnectTimeout=%d' % CONNECT_TIMEOUT]

    def ssh_argv(self, **options):
        """``ssh OPTIONS root@ADDRESS``: append ``--`` and a command."""
        return ['ssh'] + self.ssh_options(**options) + [self.destination]

    @property
    def libvirt_uri(self):
        """Its libvirtd over libvirt's ``ssh`` transport.

        That transport runs the ``ssh`` binary and takes ``keyfile``, but
        has no ``known_hosts`` parameter (only its libssh and libssh2
        transports have one, see libvirt's ``uri.rst``): its ``command``
        is :attr:`ssh_command_file`, an ``ssh`` with this host's
        known_hosts file and options.
        """
        return ('qemu+ssh://%s/system?keyfile=%s&no_tty=1&command=%s'
                % (self.destination, self.identity_file,
                   self.ssh_command_file))

    @property
    def libvirt_uri_libssh(self):
        """Its libvirtd over libvirt's ``libssh`` transport.

        With the ``keyfile`` and ``known_hosts`` parameters, checking the
        host key strictly (``known_hosts_verify=normal``).
        """
        return ('qemu+libssh://%s/system?keyfile=%s&known_hosts=%s'
                '&known_hosts_verify=normal&sshauth=privkey'
                % (self.destination, self.identity_file,
                   self.known_hosts_file))

    def ssh_identity(self):
        """Its identity as a spec's hypervisor ``ssh`` mapping."""
        return {'user': self.user, 'identity_file': self.identity_file,
                'known_hosts_file': self.known_hosts_file,
                'connect_timeout': CONNECT_TIMEOUT}

    def spec_entry(self, **keys):
        """A spec's ``hypervisors`` entry for this host.

        ``host`` (its address) and ``ssh`` (:meth:`ssh_identity`); tenks
        derives the libvirt URI from them. ``keys`` add to them
        (``physnet_mappings``, ``pool_path``...).
        """
        entry = {'host': self.address, 'ssh': self.ssh_identity()}
        entry.update(keys)
        return entry

    def ssh(self, command, input=None, timeout=60, **options):
        """Run shell ``command`` on the host as root.

        :param options: see :meth:`ssh_options` (e.g. another key).
        :returns: ``(exit code, stdout, stderr)``; 255 when SSH failed.
        """
        try:
            proc = subprocess.run(
                self.ssh_argv(**options) + ['--', command], input=input,
                capture_output=True, text=True, timeout=timeout,
                stdin=None if input is not None else subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return -1, '', 'timed out after %ss: %s' % (timeout, command)
        return proc.returncode, proc.stdout, proc.stderr

    def check(self, command, input=None, timeout=60):
        """Like :meth:`ssh`; its stdout, or :class:`HostError`."""
        rc, out, err = self.ssh(command, input=input, timeout=timeout)
        if rc != 0:
            raise HostError('on %s, %r exited %d: %s' % (
                self.name, command, rc, err.strip()))
        return out

    def pids_of(self, pattern):
        """PIDs (on the host) of its processes matching ``pattern``.

        ``pattern`` is a regular expression searched in each whole
        command line (as ``pgrep -f`` does); the SSH session asking is
        left out.
        """
        _rc, out, _err = self.ssh('ps -eo pid=,ppid=,args=')
        processes = _parse_ps(out)
        session = _session_pids(processes)
        regex = re.compile(pattern)
        return sorted(pid for pid, (_ppid, args) in processes.items()
                      if pid not in session and regex.search(args))

    def virsh(self, *args, input=None):
        """``virsh -c qemu:///system ARGS`` run on the host.

        :returns: ``(exit code, stdout, stderr)``.
        """
        return self.ssh(shlex.join(['virsh', '-q', '-c', 'qemu:///system'] +
                                   list(args)), input=input)

    # -- faults (the test's doing, never tenks') ------------------------

    def silence(self):
        """Drop every packet to its sshd: a host that does not answer.

        Not a closed port (that is refused at once): a connection attempt
        hears nothing, as from a host that hangs or is switched off.
        """
        _run('ip', 'netns', 'exec', self.netns, 'iptables', '-I', 'INPUT',
             '-p', 'tcp', '--dport', '22', '-j', 'DROP')

    def unsilence(self):
        """Undo :meth:`silence`."""
        _run('ip', 'netns', 'exec', self.netns, 'iptables', '-D', 'INPUT',
             '-p', 'tcp', '--dport', '22', '-j', 'DROP')

    def stop_daemon(self, daemon):
        """Stop one of its daemons (``libvirtd``...), over SSH."""
        argv = dict(DAEMONS)[daemon]
        self.check('pkill -TERM -x %s; for i in $(seq 100); do '
                   'pgrep -x %s >/dev/null || exit 0; sleep 0.1; done; '
                   'exit 1' % ((shlex.quote(os.path.basename(argv[0])),) * 2))

    def start_daemon(self, daemon):
        """Start it again (its init reaps it); it joins the baseline."""
        argv = dict(DAEMONS)[daemon]
        # (Its first log is the controller's file: out of the host's
        # reach, whose /tmp is its own.)
        self.check('setsid %s </dev/null >/dev/null 2>&1 &'
                   % shlex.join(argv))
        name = os.path.basename(argv[0])
        for _ in range(100):
            pids = self.pids_of(r'^%s( |$)' % re.escape(argv[0]))
            if pids and (daemon != 'libvirtd' or self.virsh(
                    'list', '--all')[0] == 0):
                self.baseline.update(pids)
                return
            time.sleep(0.1)
        raise HostError('%s did not start again on %s:\n%s' % (
            name, self.name, self.logs()))

    # -- life cycle -----------------------------------------------------

    def prepare(self):
        """Write its directories, keys and configuration (no processes)."""
        os.makedirs(self.log_dir)
        for sub, target in PRIVATE:
            path = os.path.join(self.directory, sub)
            if target == '/etc/libvirt':
                shutil.copytree('/etc/libvirt', path, symlinks=True,
                                ignore=_no_definitions)
                continue
            os.makedirs(path)
            os.chmod(path, 0o1777 if target.endswith('tmp') else
                     0o700 if target == '/root' else 0o755)
        for src, name in ROOT_SKELETON:
            if os.path.exists(src):
                shutil.copy(src, os.path.join(self.directory, 'root', name))
        ssh_dir = os.path.join(self.directory, 'ssh')
        host_key = os.path.join(ssh_dir, 'ssh_host_ed25519_key')
        _keygen(host_key, 'root@%s' % self.name)
        client = os.path.dirname(self.identity_file)
        os.makedirs(client, mode=0o700, exist_ok=True)
        _keygen(self.identity_file, 'controller@%s' % self.lab.name)
        with open(self.identity_file + '.pub') as f:
            authorized = f.read()
        _write(os.path.join(ssh_dir, 'authorized_keys'), authorized, 0o600)
        with open(host_key + '.pub') as f:
            kind, key = f.read().split()[:2]
        _write(self.known_hosts_file,
               '%s %s %s\n' % (self.address, kind, key), 0o600)
        _write(os.path.join(ssh_dir, 'sshd_config'), SSHD_CONFIG % {
            'name': self.name, 'address': self.address}, 0o644)
        # The controller imports tenks, and its metadata (the version),
        # from the repository; the agent must too, not the virtualenv's
        # install metadata, which is older after a commit.
        _write(os.path.join(self.directory, 'sbin', 'tenks-host-agent'),
               '#!/bin/sh\n# The controller virtualenv\'s agent.\n'
               'PYTHONPATH=%s exec %s "$@"\n' % (
                   shlex.quote(REPO), shlex.quote(AGENT)), 0o755)
        _write(self.ssh_command_file,
               '#!/bin/sh\n# ssh to %s, as libvirt\'s command=.\n'
               'exec ssh %s "$@"\n' % (self.name, shlex.join(
                   self.ssh_options())), 0o755)

    def launch(self):
        """Start its init in its namespaces (see :func:`_init`)."""
        _run('ip', 'netns', 'add', self.netns)
        _run('ip', '-n', self.netns, 'link', 'set', 'lo', 'up')
        self.lab.network.attach(self, 'eth0', self.address)
        log = open(os.path.join(self.log_dir, 'init.log'), 'ab')
        try:
            self.process = subprocess.Popen(
                ['ip', 'netns', 'exec', self.netns,
                 'unshare', '--mount', '--propagation', 'private',
                 '--uts', '--pid', '--fork', '--mount-proc', '--kill-child',
                 sys.executable, '-m', MODULE, 'init', self.directory,
                 self.name],
                cwd=REPO, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, preexec_fn=_die_with_parent,
                start_new_session=True)
        finally:
            log.close()

    def wait_ready(self, deadline):
        """Wait until SSH and its libvirtd answer, or :class:`HostError`."""
        last = ''
        init_log = os.path.join(self.log_dir, 'init.log')
        while time.monotonic() < deadline:
            if (self.process.poll() is not None or
                    ' exited (status ' in _tail(init_log)):
                break
            if _port_open(self.address, 22):
                rc, _out, err = self.ssh(
                    'virsh -q -c qemu:///system list --all', timeout=30)
                if rc == 0:
                    # What it runs now is its own; anything more, a leak.
                    self.baseline = set(self.inventory()['processes'])
                    return
                last = err.strip()
            time.sleep(0.1)
        raise HostError(
            'host %s (%s) did not answer over SSH with its libvirtd '
            '(last: %s)\n%s' % (self.name, self.address, last or '-',
                                self.logs()))

    def logs(self):
        """The tails of its init's and daemons' logs, for error messages."""
        return '\n'.join('--- %s.log:\n%s' % (name, _tail(os.path.join(
            self.log_dir, name + '.log'))) for name in
            ['init'] + [d for d, _argv in DAEMONS])

    def stop(self):
        """Stop it: its PID namespace, its network namespace, its files.

        Killing the init's parent (``unshare --kill-child``) kills the
        init, and with it every process of the host. Safe to call twice
        and after a failed start.
        """
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                pass
        _kill_netns(self.netns)
        if self.netns in _netns_list():
            _run('ip', 'netns', 'delete', self.netns, check=False)
        if os.path.isdir(self.directory) and not _mounts_below(
                self.directory):
            shutil.rmtree(self.directory, ignore_errors=True)

    # -- what it has ----------------------------------------------------

    def inventory(self):
        """What is on the host: processes, domains, pools and links.

        One SSH call. Processes are ``{pid: (ppid, args)}`` without the
        SSH session asking; the rest are lists of names.
        """
        out = self.check(INVENTORY)
        sections, current = {}, None
        for line in out.splitlines():
            if line.startswith('## '):
                current = sections.setdefault(line[3:], [])
            elif current is not None and line.strip():
                current.append(line)
        processes = _parse_ps('\n'.join(sections.get('processes', [])))
        session = _session_pids(processes)
        return {
            'processes': {pid: v for pid, v in processes.items()
                          if pid not in session},
            'domains': [d.strip() for d in sections.get('domains', [])],
            'pools': [p.strip() for p in sections.get('pools', [])],
            'links': [line.split(':')[1].strip().split('@')[0]
                      for line in sections.get('links', [])],
        }

    def leaks(self, clean=True, tries=3):
        """What is left on the host since it started.

        Processes (besides its daemons and SSH sessions), domains,
        pools, and links besides ``lo`` and the test networks'. A
        process must be there on ``tries`` looks (a second apart) to
        count: libvirtd runs short-lived helpers.

        :param clean: remove what is found (kill, destroy, undefine,
            delete).
        :returns: descriptions of what was found.
        """
        for attempt in range(tries):
            inv = self.inventory()
            extra = {pid: args for pid, (_ppid, args)
                     in inv['processes'].items() if pid not in self.baseline}
            if not extra:
                break
            if attempt < tries - 1:
                time.sleep(1)
        ifnames = {'lo'} | set(self.ifnames)
        found = (['process %d %s' % item for item in sorted(extra.items())] +
                 ['domain %s' % d for d in inv['domains']] +
                 ['pool %s' % p for p in inv['pools']] +
                 ['link %s' % n for n in inv['links'] if n not in ifnames])
        if clean and found:
            commands = ['kill -9 %d' % pid for pid in extra]
            for dom in inv['domains']:
                q = shlex.quote(dom)
                commands.append('virsh -q -c qemu:///system destroy %s' % q)
                commands.append('virsh -q -c qemu:///system undefine '
                                '--nvram %s' % q)
            for pool in inv['pools']:
                q = shlex.quote(pool)
                commands.append('virsh -q -c qemu:///system pool-destroy '
                                '%s' % q)
                commands.append('virsh -q -c qemu:///system pool-undefine '
                                '%s' % q)
            for name in inv['links']:
                if name not in ifnames:
                    commands.append('ip link delete %s' % shlex.quote(name))
            self.ssh('; '.join(c + ' >/dev/null 2>&1' for c in commands))
        return ['%s: %s' % (self.name, f) for f in found]


class Lab(object):
    """One run's hosts on one test network (and any other networks).

    Iterating over it gives its hosts: ``a, b = lab``.

    :ivar token: the run's token (``1a2b``); every name has
        ``tkmh-<token>``.
    :ivar name: ``tkmh-<token>``.
    :ivar directory: the run's directory (the hosts' and client files).
    :ivar network: the test network: the controller reaches the hosts on
        it (:attr:`TestNetwork.controller_address`).
    :ivar hosts: the :class:`RemoteHost` list.
    """

    def __init__(self):
        base = tempfile.gettempdir()
        for _ in range(100):
            self.token = '%04x' % random.randrange(0x10000)
            self.name = PREFIX + self.token
            self.directory = os.path.join(base, self.name)
            if self.name in ' '.join(_links() + _netns_list()):
                continue
            try:
                os.mkdir(self.directory, 0o755)
            except FileExistsError:
                continue
            break
        else:
            raise HostError('no free token for a multihost run')
        _write(os.path.join(self.directory, 'owner'), '%d\n' % os.getpid(),
               0o644)
        self.networks = []
        self.hosts = []
        self.network = None

    def __iter__(self):
        return iter(self.hosts)

    def __len__(self):
        return len(self.hosts)

    def __getitem__(self, index):
        return self.hosts[index]

    def add_network(self, controller_address=True):
        """A new :class:`TestNetwork` (bridge made, nothing plugged)."""
        network = TestNetwork(self.token, len(self.networks),
                              controller_address)
        self.networks.append(network)
        return network.create()

    def start(self, count=2):
        """Start ``count`` hosts on a new test network; wait for them."""
        self.network = self.add_network()
        for index in range(1, count + 1):
            self.hosts.append(RemoteHost(self, index,
                                         self.network.address(index + 1)))
        for host in self.hosts:
            host.prepare()
        for host in self.hosts:
            host.launch()
        deadline = time.monotonic() + START_TIMEOUT
        for host in self.hosts:
            host.wait_ready(deadline)
        return self

    def leaks(self, clean=True):
        """What the hosts have that they did not have at start.

        See :meth:`RemoteHost.leaks`; the hosts are looked at together.
        """
        results = {}
        errors = []

        def look(host):
            results[host.name] = host.leaks(clean=clean)

        threads = [threading.Thread(target=_collect, args=(
            lambda h=host: look(h), errors)) for host in self.hosts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return [leak for host in self.hosts for leak in results[host.name]]

    def close(self):
        """Stop the hosts, delete the networks and the run's directory.

        :returns: what was still there afterwards with the run's name
            (that is a bug of this module), removed by a sweep.
        """
        errors = []
        threads = [threading.Thread(target=_collect, args=(host.stop,
                                                           errors))
                   for host in self.hosts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for network in reversed(self.networks):
            _collect(network.delete, errors)
        if not _mounts_below(self.directory):
            shutil.rmtree(self.directory, ignore_errors=True)
        left = leftovers(self.token)
        if left:
            cleanup(self.token)
        return ['%s' % e for e in errors] + left


def _collect(function, errors):
    try:
        function()
    except Exception as exc:  # noqa - every failure is reported
        errors.append(exc)


def start_hosts(count=2):
    """A :class:`Lab` of ``count`` running hosts on one test network.

    It is closed again (everything removed) when a host fails to start.
    Stale runs (whose test process died) are swept first.

    :raises HostError: a prerequisite is missing or a host did not start
        (its logs are in the message).
    """
    missing = [tool for tool in ('ip', 'unshare', 'ssh', 'ssh-keygen',
                                 'virsh', 'libvirtd', 'virtlogd')
               if not shutil.which(tool)]
    missing += [path for path in ('/usr/sbin/sshd', AGENT)
                if not os.access(path, os.X_OK)]
    if missing:
        raise HostError('multihost tests need %s: run tools/install-deps.sh '
                        'test (sshd: openssh-server) and tox'
                        % ', '.join(missing))
    # QEMU on the hosts uses this machine's /dev/kvm (see RECIPES).
    daemons.fix_kvm_mode()
    sweep_stale()
    lab = Lab()
    try:
        return lab.start(count)
    except BaseException:
        lab.close()
        raise


# -- clean-up of runs ------------------------------------------------------


def _netns_list():
    out = _run('ip', 'netns', 'list', check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def _kill_netns(netns):
    """SIGKILL whatever still runs in network namespace ``netns``."""
    for _ in range(50):
        if netns not in _netns_list():
            return
        pids = _run('ip', 'netns', 'pids', netns, check=False).stdout.split()
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        time.sleep(0.1)


def _mounts_below(directory):
    with open('/proc/self/mountinfo') as f:
        return [line.split()[4] for line in f
                if (line.split()[4] + '/').startswith(directory + '/')]


def _token_processes(name):
    """PIDs of this namespace's processes with ``name`` in their args."""
    mine = os.getpid()
    pids = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) == mine:
            continue
        try:
            with open('/proc/%s/cmdline' % entry, 'rb') as f:
                args = f.read().replace(b'\0', b' ').decode(errors='replace')
        except OSError:
            continue
        if name in args:
            pids.append(int(entry))
    return pids


def leftovers(token):
    """What exists with run ``token``'s name.

    Namespaces, links, processes and its directory.
    """
    name = PREFIX + token
    found = ['netns %s' % n for n in _netns_list() if name in n]
    found += ['link %s' % n for n in _links() if name in n]
    found += ['process %d' % pid for pid in _token_processes(name)]
    directory = os.path.join(tempfile.gettempdir(), name)
    if os.path.exists(directory):
        found.append('directory %s' % directory)
    return found


def cleanup(token):
    """Remove everything of run ``token`` (see :func:`leftovers`)."""
    name = PREFIX + token
    for netns in _netns_list():
        if name in netns:
            _kill_netns(netns)
    for pid in _token_processes(name):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for netns in _netns_list():
        if name in netns:
            _run('ip', 'netns', 'delete', netns, check=False)
    links = _links()
    # Veths first, then the bridges they were ports of.
    for link in sorted((n for n in links if name in n),
                       key=lambda n: '-n' in n):
        _run('ip', 'link', 'delete', link, check=False)
    directory = os.path.join(tempfile.gettempdir(), name)
    if os.path.isdir(directory) and not _mounts_below(directory):
        shutil.rmtree(directory, ignore_errors=True)


def sweep_stale(grace=120):
    """Clean up runs whose test process is gone.

    A run's directory names its owner's PID; a run without one (it is
    being made) counts as stale after ``grace`` seconds. Namespaces and
    links of a token without a directory are stale too.
    """
    base = tempfile.gettempdir()
    tokens = set()
    pattern = re.compile(re.escape(PREFIX) + r'([0-9a-f]{4})')
    for entry in os.listdir(base):
        match = pattern.fullmatch(entry)
        if not match:
            continue
        try:
            with open(os.path.join(base, entry, 'owner')) as f:
                owner = int(f.read().strip())
        except (OSError, ValueError):
            try:
                age = time.time() - os.stat(os.path.join(base, entry)).st_mtime
            except OSError:
                continue
            if age > grace:
                tokens.add(match.group(1))
            continue
        if not _alive(owner):
            tokens.add(match.group(1))
    for name in _netns_list() + _links():
        match = pattern.match(name)
        if match and not os.path.exists(os.path.join(base, match.group(0))):
            tokens.add(match.group(1))
    for token in sorted(tokens):
        cleanup(token)
    return sorted(tokens)


# -- small helpers ---------------------------------------------------------


def _write(path, text, mode):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, 'w') as f:
        f.write(text)
    os.chmod(path, mode)


def _keygen(path, comment):
    _run('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment,
         '-f', path)


def _no_definitions(directory, names):
    """copytree's filter: /etc/libvirt without definitions.

    No domains, pools, secrets or autostart links: the host starts with
    none.
    """
    rel = os.path.relpath(directory, '/etc/libvirt')
    if rel in ('storage', 'secrets', 'qemu/autostart',
               'qemu/networks/autostart', 'storage/autostart'):
        return [n for n in names if n != 'autostart']
    if rel == 'qemu':
        return [n for n in names if n.endswith('.xml')]
    return []


def _port_open(address, port):
    try:
        with socket.create_connection((address, port), timeout=0.5):
            return True
    except OSError:
        return False


def _parse_ps(text):
    """``ps -eo pid=,ppid=,args=`` -> ``{pid: (ppid, args)}``."""
    processes = {}
    for line in text.splitlines():
        parts = line.split(None, 2)
        if len(parts) >= 2 and parts[0].isdigit():
            processes[int(parts[0])] = (int(parts[1]),
                                        parts[2] if len(parts) > 2 else '')
    return processes


def _session_pids(processes):
    """SSH sessions' processes: all below the host's sshd listener.

    A process started over SSH that outlives its session is reparented
    to the host's init, and is no longer one.
    """
    listeners = {pid for pid, (ppid, args) in processes.items()
                 if ppid == 1 and 'sshd' in args.split(None, 1)[0]}
    session = set()
    changed = True
    while changed:
        changed = False
        for pid, (ppid, _args) in processes.items():
            if (ppid in listeners or ppid in session) and pid not in session:
                session.add(pid)
                changed = True
    return session


# -- the host's init (PID 1 in its namespaces) -----------------------------


def _under_root():
    """This Python's directories that are under /root."""
    paths = set()
    for path in (sys.base_prefix, sys.prefix, REPO):
        path = os.path.realpath(path)
        if path.startswith('/root/'):
            paths.add(path)
    return sorted(paths)


def _init(directory, name):
    """Mount the host's private directories, start its daemons, reap.

    Runs as PID 1 of the host's PID namespace, in its private mount, UTS
    and network namespaces. SIGTERM stops the daemons and exits (and the
    kernel kills what is left in the namespace).
    """
    logs = os.path.join(directory, 'logs')
    # Opened before /tmp is covered: the logs stay where the test reads.
    outputs = {d: open(os.path.join(logs, d + '.log'), 'ab')
               for d, _argv in DAEMONS}
    socket.sethostname(name)
    subprocess.run(['mount', '-t', 'tmpfs', '-o', 'mode=0755', 'tmpfs',
                    '/run'], check=True)
    # What this Python needs and the private /root would hide (a pyenv
    # interpreter), read-only.
    private_root = os.path.join(directory, 'root')
    for path in _under_root():
        inside = os.path.join(private_root, os.path.relpath(path, '/root'))
        os.makedirs(inside, exist_ok=True)
        subprocess.run(['mount', '--bind', path, inside], check=True)
        subprocess.run(['mount', '-o', 'remount,bind,ro', inside],
                       check=True)
    for sub, target in PRIVATE:
        subprocess.run(['mount', '--rbind', os.path.join(directory, sub),
                        target], check=True)
    for path in ('/run/libvirt', '/run/sshd', '/run/lock'):
        os.makedirs(path, mode=0o755, exist_ok=True)
    children = {}
    for daemon, argv in DAEMONS:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=outputs[daemon],
                                stderr=subprocess.STDOUT)
        children[proc.pid] = daemon
    print('%s: started %s' % (name, ', '.join(
        '%s (%d)' % (d, p) for p, d in children.items())), flush=True)

    def stop(signum, frame):
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        time.sleep(0.5)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            time.sleep(1)
            continue
        if pid in children:
            print('%s: %s exited (status %d)' % (name, children.pop(pid),
                                                 status), flush=True)


if __name__ == '__main__':
    if len(sys.argv) != 4 or sys.argv[1] != 'init':
        sys.exit('usage: python -m %s init DIRECTORY NAME' % MODULE)
    _init(sys.argv[2], sys.argv[3])
