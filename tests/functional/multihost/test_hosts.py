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

"""The remote hosts are real, separate hosts, reached over SSH only.

SSH with the host's key works unattended and nothing else gets in; each
host has its own libvirtd, processes and links; the hosts reach each other
on the test network; ``tenks-host-agent`` answers on them; and a TCG
domain starts on a host through libvirt's SSH transport.
"""

import json
import os
import shlex
import subprocess
import sys

import libvirt
import pytest

from tests.functional.multihost import hosts as hosts_mod

pytestmark = pytest.mark.multihost

PING = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))), 'networks', 'ping.py')


def _domain_name(lab, what):
    return '%s-%s' % (lab.name, what)


def test_ssh_with_its_key_in_batch_mode(remote_hosts):
    for host in remote_hosts:
        rc, out, err = host.ssh('hostname; id -un; echo "$PATH"; '
                                'command -v tenks-host-agent')
        assert rc == 0, err
        name, user, path, agent = out.split('\n')[:4]
        assert (name, user) == (host.name, 'root')
        assert '/usr/local/sbin' in path.split(':')
        assert agent == '/usr/local/sbin/tenks-host-agent'
        argv = host.ssh_argv()
        assert 'BatchMode=yes' in argv and host.identity_file in argv
        assert 'UserKnownHostsFile=%s' % host.known_hosts_file in argv


def test_nothing_else_gets_in(remote_hosts):
    a, b = remote_hosts
    # Another host's key is refused, without a prompt.
    rc, _out, err = a.ssh('true', identity_file=b.identity_file)
    assert rc == 255
    assert 'Permission denied (publickey)' in err
    # A host key that is not the known one is refused.
    rc, _out, err = a.ssh('true', known_hosts_file=b.known_hosts_file)
    assert rc == 255
    assert 'Host key verification failed' in err
    # sshd listens on the host's address only.
    for host in remote_hosts:
        out = host.check('ss -Hltn')
        listening = sorted(line.split()[3] for line in out.splitlines())
        assert listening == ['%s:22' % host.address]


def test_each_host_has_its_own_libvirtd(remote_hosts):
    a, b = remote_hosts
    name = _domain_name(remote_hosts, 'own')
    xml = hosts_mod.TINY_DOMAIN % {'name': name}
    rc, _out, err = a.virsh('define', '/dev/stdin', input=xml)
    assert rc == 0, err
    try:
        assert a.virsh('list', '--all', '--name')[1].split() == [name]
        assert b.virsh('list', '--all', '--name')[1].split() == []
        # The controller's libvirtd does not have it either.
        local = libvirt.open('qemu:///system')
        try:
            assert name not in local.listDefinedDomains()
        finally:
            local.close()
        # Through libvirt's SSH transport: the same as on the host.
        for host, expected in ((a, [name]), (b, [])):
            conn = libvirt.open(host.libvirt_uri)
            try:
                assert conn.getHostname() == host.name
                assert conn.listDefinedDomains() == expected
            finally:
                conn.close()
    finally:
        a.virsh('undefine', name)


def test_each_host_sees_its_own_processes(remote_hosts):
    a, b = remote_hosts
    marker = '%d' % (36000 + int(remote_hosts.token, 16) % 1000)
    pattern = r'^sleep %s$' % marker
    a.check('setsid sleep %s </dev/null >/dev/null 2>&1 &' % marker)
    controller = subprocess.Popen(['sleep', marker + '1'])
    try:
        on_a = a.pids_of(pattern)
        assert len(on_a) == 1
        assert b.pids_of(pattern) == []
        # A host sees neither this machine's processes...
        assert a.pids_of(r'^sleep %s1$' % marker) == []
        # ...nor the other host's daemons, though they are the same.
        assert len(a.pids_of(r'^libvirtd$')) == 1
        out = a.check('ps -eo pid=,args=')
        first = out.split('\n')[0].split(None, 1)
        assert first[0] == '1' and hosts_mod.MODULE in first[1]
    finally:
        controller.kill()
        controller.wait()
        a.ssh('pkill -x -f %s' % shlex.quote('sleep %s' % marker))
    assert a.pids_of(pattern) == []


def test_hosts_reach_each_other(remote_hosts):
    a, b = remote_hosts
    for src, dst in ((a, b), (b, a)):
        rc, out, err = src.ssh('%s %s %s --count 3' % (
            sys.executable, PING, dst.address))
        assert rc == 0, (out, err)
    # The controller is on the test network too.
    rc, _out, err = a.ssh('%s %s %s' % (sys.executable, PING,
                                        remote_hosts.network
                                        .controller_address))
    assert rc == 0, err


def _agent(host, function, **kwargs):
    rc, out, err = host.ssh('tenks-host-agent', input=json.dumps(
        {'function': function, 'kwargs': kwargs}))
    return rc, json.loads(out), err


def test_host_agent_answers_over_ssh(remote_hosts):
    for host in remote_hosts:
        # The host's own links, as its agent sees them.
        rc, reply, err = _agent(host, 'tenks.networks.linux.inspect')
        assert rc == 0, err
        assert sorted(reply['result']) == ['eth0', 'lo']
        # Its own file system: /tmp is the host's.
        rc, reply, err = _agent(
            host, 'tenks.providers.libvirt.hostside.first_existing',
            paths=[host.directory, '/etc/ssh/authorized_keys'])
        assert rc == 0, err
        assert reply == {'result': '/etc/ssh/authorized_keys'}
        # The allow-list holds over SSH.
        rc, reply, _err = _agent(host, 'os.getcwd')
        assert rc == 1
        assert 'refusing to call os.getcwd' in reply['error']


def test_libvirt_checks_the_host_key(remote_hosts):
    a, b = remote_hosts
    # libvirt's ssh transport: B's ssh wrapper knows B's host key only.
    # libssh: B's known_hosts file.
    for uri in (a.libvirt_uri.replace(a.ssh_command_file,
                                      b.ssh_command_file),
                a.libvirt_uri_libssh.replace(a.known_hosts_file,
                                             b.known_hosts_file)):
        with pytest.raises(libvirt.libvirtError) as caught:
            libvirt.open(uri)
        message = str(caught.value).lower()
        assert 'host key' in message or 'known_hosts' in message, message


@pytest.mark.parametrize('transport', ['ssh', 'libssh'])
def test_tcg_domain_starts_over_ssh(remote_hosts, transport):
    a, b = remote_hosts
    uri = a.libvirt_uri if transport == 'ssh' else a.libvirt_uri_libssh
    name = _domain_name(remote_hosts, transport)
    conn = libvirt.open(uri)
    try:
        dom = conn.defineXML(hosts_mod.TINY_DOMAIN % {'name': name})
        try:
            dom.create()
            assert dom.isActive()
            # QEMU runs on that host (as libvirt-qemu), not on the other.
            pids = a.pids_of(r'qemu-system.*guest=%s' % name)
            assert len(pids) == 1
            assert a.check('ps -o user= -p %d' % pids[0]).strip() == (
                'libvirt-qemu')
            assert b.pids_of(r'qemu-system.*guest=%s' % name) == []
            dom.destroy()
        finally:
            if dom.isActive():
                dom.destroy()
            dom.undefine()
    finally:
        conn.close()
