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

"""The provisioning network: where nodes that boot from the network get
DHCP and their boot files, as Bifrost serves them.

A network namespace of the test holds one end of a veth pair, with an
address, a dnsmasq giving DHCP (and IPv6 router advertisements, which
iPXE otherwise waits about 13 s for) and an HTTP server of Ironic's
``http_root``. The other end is the uplink of a tenks physical network:
tenks plugs it into its bridge, so the nodes' NICs reach the namespace
and nothing else. QEMU's NIC ROMs are iPXE, which asks dnsmasq for
``boot.ipxe`` over HTTP, the file Ironic's ``ipxe`` boot interface
writes: TFTP is not needed.
"""

import os
import random
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests.functional.boot import assets
from tests.functional import ironic_fixture

HTTP_PORT = 8080

DNSMASQ_CONF = '''port=0
interface=%(ifname)s
bind-interfaces
except-interface=lo
user=root
dhcp-range=%(prefix)s.100,%(prefix)s.150,255.255.255.0,1h
dhcp-leasefile=%(dir)s/dnsmasq.leases
dhcp-authoritative
log-dhcp
dhcp-match=set:ipxe,175
dhcp-boot=tag:ipxe,http://%(prefix)s.1:%(port)d/boot.ipxe
enable-ra
dhcp-range=::,constructor:%(ifname)s,ra-only,64,1h
'''


def _ip(*args, netns=None):
    argv = ['ip'] + (['-n', netns] if netns else []) + list(args)
    subprocess.run(argv, check=True, capture_output=True)


def start_process(argv, log_file, netns=None):
    """Start ``argv`` (in ``netns``); it dies with the test process."""
    if netns:
        argv = ['ip', 'netns', 'exec', netns] + argv
    with open(log_file, 'ab') as log:
        return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL,
                                preexec_fn=ironic_fixture.die_with_parent)


def stop_process(proc):
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def http_server(directory, address, port, log_file, netns=None):
    """An HTTP server of ``directory`` on ``address:port``."""
    return start_process([sys.executable, '-m', 'http.server', str(port),
                          '--bind', address, '--directory', directory],
                         log_file, netns)


def wait_http(url, proc, netns=None, timeout=30):
    """Wait until ``url`` answers (from ``netns``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail('the HTTP server for %s exited' % url)
        if netns:
            probe = subprocess.run(
                ['ip', 'netns', 'exec', netns, sys.executable, '-c',
                 'import urllib.request as u; u.urlopen(%r, timeout=2)'
                 % url], capture_output=True)
            if probe.returncode == 0:
                return
        else:
            try:
                requests.get(url, timeout=2)
                return
            except requests.RequestException:
                pass
        time.sleep(0.2)
    pytest.fail('%s did not answer within %d s' % (url, timeout))


class ProvisioningNetwork(object):
    """A namespace with DHCP and HTTP, and the uplink tenks plugs in.

    :param token: the test's unique token: the namespace and links are
        named with it, so the leak sweep finds them.
    :param directory: for dnsmasq's files and the logs.
    :param http_root: what the HTTP server serves (Ironic's
        ``http_root``).

    :ivar uplink: the interface to give a physical network as uplink.
    :ivar http_url: the HTTP server's URL, for Ironic's ``http_url``.
    """

    def __init__(self, token, directory, http_root):
        self.netns = '%s-prov' % token
        self.uplink = '%s-up' % token
        self.inside = '%s-in' % token
        self.directory = directory
        self.http_root = http_root
        self.prefix = '10.%d.%d' % (random.randrange(64, 250),
                                    random.randrange(1, 250))
        self.address = self.prefix + '.1'
        self.http_url = 'http://%s:%d' % (self.address, HTTP_PORT)
        self._dnsmasq = None
        self._http = None

    def start(self):
        os.makedirs(self.directory, exist_ok=True)
        subprocess.run(['ip', 'netns', 'add', self.netns], check=True,
                       capture_output=True)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self):
        _ip('link', 'add', self.uplink, 'type', 'veth', 'peer', 'name',
            self.inside, 'netns', self.netns)
        _ip('link', 'set', self.uplink, 'up')
        _ip('link', 'set', 'lo', 'up', netns=self.netns)
        _ip('addr', 'add', self.address + '/24', 'dev', self.inside,
            netns=self.netns)
        ula = 'fd%02x:%x::1/64' % (random.randrange(256),
                                   random.randrange(1, 0xffff))
        _ip('-6', 'addr', 'add', ula, 'dev', self.inside, 'nodad',
            netns=self.netns)
        _ip('link', 'set', self.inside, 'up', netns=self.netns)
        conf = os.path.join(self.directory, 'dnsmasq.conf')
        with open(conf, 'w') as f:
            f.write(DNSMASQ_CONF % {'ifname': self.inside,
                                    'prefix': self.prefix,
                                    'dir': self.directory,
                                    'port': HTTP_PORT})
        dnsmasq = assets.tool('dnsmasq')
        self._dnsmasq = start_process(
            [dnsmasq, '--keep-in-foreground', '--conf-file=%s' % conf,
             '--log-facility=%s' % os.path.join(self.directory,
                                                'dnsmasq.log'),
             '--pid-file=%s' % os.path.join(self.directory,
                                            'dnsmasq.pid')],
            os.path.join(self.directory, 'dnsmasq.out'), self.netns)
        self._http = http_server(self.http_root, self.address, HTTP_PORT,
                                 os.path.join(self.directory, 'http.log'),
                                 self.netns)
        wait_http(self.http_url + '/', self._http, self.netns)
        time.sleep(0.5)
        if self._dnsmasq.poll() is not None:
            pytest.fail('dnsmasq exited: see %s' % self.directory)

    def leases(self):
        """The MACs dnsmasq gave an address to."""
        try:
            with open(os.path.join(self.directory, 'dnsmasq.leases')) as f:
                return {line.split()[1] for line in f if line.strip()}
        except OSError:
            return set()

    def stop(self):
        stop_process(self._http)
        stop_process(self._dnsmasq)
        # Deleting the namespace deletes the pair, the uplink too.
        subprocess.run(['ip', 'netns', 'delete', self.netns],
                       capture_output=True)
        subprocess.run(['ip', 'link', 'delete', self.uplink],
                       capture_output=True)
