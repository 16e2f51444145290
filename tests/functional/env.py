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

"""A private tenks environment per test, so that tests never collide.

Each has its own config, state, names and ports, so tests (and several
test runs on one machine) never collide.

Everything a test creates carries its token (node names, bridge prefix,
pool, cluster name); :func:`sweep` removes anything left with that token
after the test, pass or fail, and reports it as a leak.
"""

import contextlib
import io
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import textwrap

from tenks.cli import app


def free_tcp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _udp_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(('127.0.0.1', port))
        except OSError:
            return False
    return True


def free_udp_range(size):
    """A random range of ``size`` UDP ports free on 127.0.0.1."""
    for _ in range(200):
        start = random.randrange(20000, 45000)
        if all(_udp_free(p) for p in range(start, start + size)):
            return start, start + size - 1
    raise RuntimeError('no free UDP port range')


def searchable(path):
    """Let every user traverse the directories down to ``path``.

    QEMU runs as its own user and must reach a pool under it, while pytest
    makes its directories 0700 (and a pytest run started by a test, as the
    Zuul job tests do, must not reset them: give it a ``--basetemp``).
    """
    while path != os.path.dirname(path):
        mode = os.stat(path).st_mode
        if not mode & 0o001:
            os.chmod(path, (mode & 0o7777) | 0o001)
        path = os.path.dirname(path)


class TenksEnv(object):
    """One test's tenks: config file, state dir and unique names.

    :ivar token: a short unique string (``t``, 3 hex digits and a
        letter) in every name this environment's clusters use.
    """

    def __init__(self, base, domain_type='qemu', bridge_type='linuxbridge',
                 extra_conf='', ipmi_ports=20):
        # Ends with a letter: node names append an index, and a name may
        # not end in too many digits.
        self.token = 't%03x%s' % (random.randrange(0x1000),
                                  random.choice('abcdef'))
        # The token is in every path too, so emulator processes started
        # with files from here can be found by it.
        self.root = os.path.join(base, self.token)
        os.makedirs(self.root)
        searchable(self.root)
        root = self.root
        self.prefix = self.token          # node name prefix
        self.bridge_prefix = 'b%s' % self.token[1:]   # e.g. b1a2b
        self.state_file = os.path.join(root, 'state', 'state.yaml')
        self.log_dir = os.path.join(root, 'log')
        self.run_dir = os.path.join(root, 'run')
        self.pool_name = 'pool-%s' % self.token
        self.pool_path = os.path.join(root, 'pool')
        self.ipmi_range = free_udp_range(ipmi_ports)
        self.redfish_port = free_tcp_port()
        self.vbmc_server_port = free_tcp_port()
        self.config_file = os.path.join(root, 'tenks.conf')
        with open(self.config_file, 'w') as f:
            f.write(textwrap.dedent('''\
                [DEFAULT]
                cluster_name = %(token)s
                state_file = %(state)s
                log_dir = %(log)s
                run_dir = %(run)s
                node_name_prefix = %(prefix)s
                bridge_type = %(bridge_type)s
                max_workers = 4

                [libvirt]
                domain_type = %(domain_type)s
                pool_name = %(pool)s
                pool_path = %(pool_path)s

                [network]
                bridge_prefix = %(bridge_prefix)s
                ovs_datapath_type = netdev

                [vbmc]
                port_range_start = %(ipmi_start)d
                port_range_end = %(ipmi_end)d
                server_port = %(vbmc_port)d

                [redfish]
                port = %(redfish_port)d
                ''') % {
                'token': self.token, 'state': self.state_file,
                'log': self.log_dir, 'run': self.run_dir,
                'prefix': self.prefix, 'bridge_type': bridge_type,
                'domain_type': domain_type, 'pool': self.pool_name,
                'pool_path': self.pool_path,
                'bridge_prefix': self.bridge_prefix,
                'ipmi_start': self.ipmi_range[0],
                'ipmi_end': self.ipmi_range[1],
                'vbmc_port': self.vbmc_server_port,
                'redfish_port': self.redfish_port})
            f.write(extra_conf)

    @property
    def name_pattern(self):
        """Names this environment's tenks could create.

        Its token and bridge prefix, and tenks' default names.
        """
        return r'%s|%s|^tk\d|^brtenks|^p-' % (self.token, self.bridge_prefix)

    def write_spec(self, text, name='spec.yaml'):
        path = os.path.join(self.root, name)
        with open(path, 'w') as f:
            f.write(textwrap.dedent(text))
        return path

    def tenks(self, *args, check=True):
        """Run the tenks CLI in this process.

        :returns: ``(exit code, stdout, stderr)``.
        """
        out, err = io.StringIO(), io.StringIO()
        application = app.TenksApp()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            application.stdout = out
            application.stderr = err
            code = application.run(['--config-file', self.config_file] +
                                   list(args))
        if check and code != 0:
            raise AssertionError('tenks %s exited %d:\n%s' % (
                ' '.join(args), code, err.getvalue()))
        return code, out.getvalue(), err.getvalue()

    def tenks_json(self, *args):
        return json.loads(self.tenks(*(list(args) + ['-f', 'json']))[1])

    def tenks_process(self, *args, env=None, timeout=600):
        """Run the tenks CLI in a subprocess (for kill tests)."""
        full_env = dict(os.environ)
        full_env.update(env or {})
        return subprocess.run([sys.executable, '-m', 'tenks.cli.app',
                               '--config-file', self.config_file] +
                              list(args), capture_output=True, text=True,
                              env=full_env, timeout=timeout)


def _run(argv):
    return subprocess.run(argv, capture_output=True, text=True)


def managed(tmp_path, **kwargs):
    """A :class:`TenksEnv` for a fixture to yield from.

    It is torn down afterwards (also after a failure) and swept: nothing
    of it may be left.
    """
    env = TenksEnv(str(tmp_path), **kwargs)
    yield env
    env.tenks('teardown', check=False)
    leaks = sweep(env.token)
    assert not leaks, 'left behind: %s' % ', '.join(leaks)


def sweep(token, uris=('qemu:///system',)):
    """Remove anything carrying ``token``; return what was found.

    Domains, volumes, pools, links, namespaces, OVS bridges, processes:
    everything found is a leak.
    """
    leaks = []
    pattern = re.compile(re.escape(token) + '|' +
                         re.escape('b' + token[1:]))
    for uri in uris:
        out = _run(['virsh', '-c', uri, 'list', '--all', '--name']).stdout
        for name in out.split():
            if pattern.search(name):
                leaks.append('domain %s' % name)
                _run(['virsh', '-c', uri, 'destroy', name])
                _run(['virsh', '-c', uri, 'undefine', '--nvram', name])
        out = _run(['virsh', '-c', uri, 'pool-list', '--all',
                    '--name']).stdout
        for pool in out.split():
            if pattern.search(pool):
                leaks.append('pool %s' % pool)
                _run(['virsh', '-c', uri, 'pool-destroy', pool])
                _run(['virsh', '-c', uri, 'pool-undefine', pool])
    links = _run(['ip', '-o', 'link', 'show']).stdout
    for line in links.splitlines():
        name = line.split(':')[1].strip().split('@')[0]
        if pattern.search(name):
            leaks.append('link %s' % name)
            _run(['ip', 'link', 'delete', name])
    for line in _run(['ip', 'netns', 'list']).stdout.splitlines():
        ns = line.split()[0] if line.strip() else ''
        if ns and pattern.search(ns):
            leaks.append('netns %s' % ns)
            _run(['ip', 'netns', 'delete', ns])
    if shutil.which('ovs-vsctl'):
        out = _run(['ovs-vsctl', '--timeout=5', 'list-br']).stdout
        for br in out.split():
            if pattern.search(br):
                leaks.append('ovs bridge %s' % br)
                _run(['ovs-vsctl', '--timeout=5', 'del-br', br])
    # Not "'pytest' in cmd": every test's files are below
    # /tmp/pytest-of-<user>/, so that skipped every leaked emulator.
    mine = _ancestors()
    out = _run(['pgrep', '-af', token]).stdout
    for line in out.splitlines():
        pid, _, cmd = line.partition(' ')
        if int(pid) in mine:
            continue
        leaks.append('process %s' % cmd)
        _run(['kill', '-9', pid])
    return leaks


def _ancestors():
    """This process and its ancestors (e.g. ``pytest -k <token>``)."""
    pids = set()
    pid = os.getpid()
    while pid > 1 and pid not in pids:
        pids.add(pid)
        try:
            with open('/proc/%d/stat' % pid) as f:
                pid = int(f.read().rsplit(')', 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return pids


def host_snapshot(uris=('qemu:///system',), pattern=None):
    """What exists on the host that tenks could touch.

    Domains, pools, volumes, links and OVS bridges.

    :param pattern: a regular expression; when given, only names matching
        it are listed (so that other test runs on a shared machine do not
        disturb the comparison).
    """
    snap = {}
    for uri in uris:
        snap['domains ' + uri] = sorted(_run(
            ['virsh', '-c', uri, 'list', '--all', '--name']).stdout.split())
        pools = sorted(_run(['virsh', '-c', uri, 'pool-list', '--all',
                             '--name']).stdout.split())
        snap['pools ' + uri] = pools
        for pool in pools:
            snap['volumes %s %s' % (uri, pool)] = sorted(_run(
                ['virsh', '-c', uri, 'vol-list', pool]).stdout.split())
    links = json.loads(_run(['ip', '-j', 'link', 'show']).stdout or '[]')
    snap['links'] = sorted((link['ifname'], link.get('master', ''),
                            link.get('operstate', '')) for link in links)
    if shutil.which('ovs-vsctl'):
        snap['ovs'] = sorted(_run(['ovs-vsctl', '--timeout=5',
                                   'list-br']).stdout.split())
    if pattern is not None:
        regex = re.compile(pattern)
        snap = {k: [x for x in v
                    if regex.search(x if isinstance(x, str) else x[0])]
                for k, v in snap.items() if regex.search(k) or
                k.startswith(('domains', 'pools', 'links', 'ovs'))}
    return snap
