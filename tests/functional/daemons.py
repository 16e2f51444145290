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

"""Start the system daemons functional tests need, when they are not
running (CI machines and containers have no systemd).
"""

import grp
import os
import shutil
import subprocess
import time

KVM = '/dev/kvm'


def fix_kvm_mode():
    """Give /dev/kvm the mode udev gives it on a normal Debian host.

    Without it libvirtd re-probes QEMU on every call and a define takes a
    minute (see RECIPES).
    """
    if not os.path.exists(KVM):
        return
    st = os.stat(KVM)
    try:
        gid = grp.getgrnam('kvm').gr_gid
    except KeyError:
        return
    if st.st_gid != gid or (st.st_mode & 0o777) != 0o660:
        os.chown(KVM, -1, gid)
        os.chmod(KVM, 0o660)


def _answers(argv):
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=30)
        return proc.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _wait(check, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise RuntimeError('%s did not come up within %ss' % (what, timeout))


def ensure_libvirtd():
    """Make sure libvirtd (and virtlogd) answer on qemu:///system.

    :returns: True when this call started libvirtd.
    """
    fix_kvm_mode()
    if _answers(['virsh', '-c', 'qemu:///system', 'version']):
        return False
    if not shutil.which('libvirtd'):
        raise RuntimeError('libvirtd is not installed: run '
                           'tools/install-deps.sh')
    if not _answers(['pgrep', '-x', 'virtlogd']):
        subprocess.run(['virtlogd', '-d'], check=True)
    subprocess.run(['libvirtd', '-d'], check=True)
    _wait(lambda: _answers(['virsh', '-c', 'qemu:///system', 'version']),
          'libvirtd')
    return True


def ensure_ovs():
    """Make sure ovsdb-server and ovs-vswitchd run.

    :returns: True when this call started them.
    """
    if _answers(['ovs-vsctl', '--timeout=5', 'show']):
        return False
    ctl = '/usr/share/openvswitch/scripts/ovs-ctl'
    if not os.path.exists(ctl):
        raise RuntimeError('Open vSwitch is not installed: run '
                           'tools/install-deps.sh')
    subprocess.run([ctl, 'start', '--system-id=random'], check=True,
                   capture_output=True)
    _wait(lambda: _answers(['ovs-vsctl', '--timeout=5', 'show']), 'OVS')
    return True
