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

"""A second, independent libvirtd on this machine: a second hypervisor.

Two privileged libvirtd would share ``/etc/libvirt`` (persistent domain
and pool definitions), ``/run/libvirt``, ``/var/lib/libvirt`` (NVRAM) and
``/var/cache/libvirt``. The second one runs in its own mount namespace
(``unshare --mount --propagation private``) where private directories
under the test's temporary directory are bind-mounted over those, with
its own virtlogd and its own socket. Its URI is
``qemu+unix:///system?socket=<dir>/sock/libvirt-sock``.

Run as a script (``python second_hypervisor.py DIR``) it is the part that
runs inside the namespace: it mounts, starts virtlogd and becomes
libvirtd. :func:`start` and :func:`stop` are the parts the test runs.
"""

import os
import shutil
import signal
import subprocess
import sys
import time

# Directories a second libvirtd must not share with the first.
PRIVATE = (('etc', '/etc/libvirt'), ('run', '/run/libvirt'),
           ('lib', '/var/lib/libvirt'), ('cache', '/var/cache/libvirt'))
# Settings copied from the host's own libvirt (no definitions).
COPIED = ('qemu.conf', 'virtlogd.conf', 'libvirt.conf',
          'libvirt-admin.conf', 'qemu-lockd.conf')


class SecondHypervisor(object):
    """A running second libvirtd.

    :ivar directory: where all its files are.
    :ivar uri: its libvirt URI.
    """

    def __init__(self, directory, process):
        self.directory = directory
        self.process = process
        self.socket = os.path.join(directory, 'sock', 'libvirt-sock')
        self.uri = 'qemu+unix:///system?socket=%s' % self.socket
        self.log = os.path.join(directory, 'libvirtd.log')


def _prepare(directory):
    for sub, _target in PRIVATE:
        os.makedirs(os.path.join(directory, sub), exist_ok=True)
    os.makedirs(os.path.join(directory, 'sock'), exist_ok=True)
    etc = os.path.join(directory, 'etc')
    for name in COPIED:
        src = os.path.join('/etc/libvirt', name)
        if os.path.exists(src):
            shutil.copy2(src, os.path.join(etc, name))
    for sub in ('qemu', 'storage'):
        os.makedirs(os.path.join(etc, sub), exist_ok=True)
    with open(os.path.join(etc, 'libvirtd.conf'), 'w') as f:
        f.write('unix_sock_dir = "%s"\n' % os.path.join(directory, 'sock'))


def _answers(uri):
    return subprocess.run(['virsh', '-c', uri, 'version'],
                          capture_output=True, timeout=30).returncode == 0


def start(directory, timeout=60):
    """Start a second libvirtd with its files under ``directory``.

    :returns: a :class:`SecondHypervisor` answering on its URI.
    """
    _prepare(directory)
    log = open(os.path.join(directory, 'libvirtd.log'), 'wb')
    process = subprocess.Popen(
        ['unshare', '--mount', '--propagation', 'private',
         sys.executable, os.path.abspath(__file__), directory],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    hv = SecondHypervisor(directory, process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if os.path.exists(hv.socket) and _answers(hv.uri):
            return hv
        time.sleep(0.2)
    stop(hv)
    with open(hv.log, errors='replace') as f:
        tail = f.read()[-2000:]
    raise RuntimeError('second libvirtd did not answer on %s:\n%s'
                       % (hv.uri, tail))


def _pid(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def _kill(pid, wait=15):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def stop(hv):
    """Stop the second libvirtd and its virtlogd, by their pids."""
    if hv.process.poll() is None:
        hv.process.terminate()
        try:
            hv.process.wait(15)
        except subprocess.TimeoutExpired:
            hv.process.kill()
            hv.process.wait(15)
    pid = _pid(os.path.join(hv.directory, 'virtlogd.pid'))
    if pid:
        _kill(pid)


def _inside(directory):
    """Mount, start virtlogd and become libvirtd (in the new namespace)."""
    for sub, target in PRIVATE:
        subprocess.run(['mount', '--bind', os.path.join(directory, sub),
                        target], check=True)
    for path in ('/var/lib/libvirt/qemu', '/run/libvirt/qemu'):
        os.makedirs(path, exist_ok=True)
    subprocess.run(['virtlogd', '-d', '-p',
                    os.path.join(directory, 'virtlogd.pid')], check=True)
    os.execvp('libvirtd', ['libvirtd', '--config',
                           '/etc/libvirt/libvirtd.conf', '--pid-file',
                           os.path.join(directory, 'libvirtd.pid')])


if __name__ == '__main__':
    _inside(sys.argv[1])
