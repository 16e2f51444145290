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

"""What a hypervisor host runs, and what it needs installed and started.

A :class:`Platform` names the packages and systemd units of one family of
distributions (apt: Debian, Ubuntu; dnf: CentOS Stream, Rocky, Fedora).
A :class:`Daemon` says how to tell whether a daemon runs and how to start
it, with systemd and without. :func:`detect` finds out which applies to
a host, through its agent.
"""

import dataclasses
import typing

from tenks import exception

OVS_CTL = '/usr/share/openvswitch/scripts/ovs-ctl'
SYSTEM_URI = 'qemu:///system'


@dataclasses.dataclass(frozen=True)
class Platform(object):
    """Packages and units of a family of distributions.

    :ivar name: the package manager, ``apt`` or ``dnf``.
    :ivar libvirt_packages: libvirt, its QEMU driver and QEMU tools.
    :ivar arch_packages: per guest architecture, the emulator and its
        UEFI firmware.
    :ivar ovs_packages: Open vSwitch.
    :ivar tpm_packages: swtpm, which emulates nodes' TPMs.
    :ivar agent_packages: Python and its venv module, for the
        virtualenv of ``tenks-host-agent`` on a remote host.
    :ivar units: systemd unit of each daemon (see :data:`DAEMONS`).
    """
    name: str
    libvirt_packages: typing.Tuple[str, ...]
    arch_packages: typing.Mapping[str, typing.Tuple[str, ...]]
    ovs_packages: typing.Tuple[str, ...]
    tpm_packages: typing.Tuple[str, ...]
    agent_packages: typing.Tuple[str, ...]
    units: typing.Mapping[str, str]

    def packages(self, arches, openvswitch, agent=False, tpm=False):
        """The packages a hypervisor needs, in a stable order.

        :param arches: guest architectures of the nodes (e.g. x86_64).
        :param openvswitch: whether Open vSwitch is used.
        :param agent: the host is remote: it runs ``tenks-host-agent``.
        :param tpm: some nodes have an emulated TPM.
        :raises TenksError: an architecture this platform has no emulator
            package for.
        """
        wanted = list(self.libvirt_packages)
        for arch in sorted(set(arches)):
            if arch not in self.arch_packages:
                raise exception.TenksError(
                    'no QEMU package is known for %s guests on %s hosts'
                    % (arch, self.name))
            wanted += self.arch_packages[arch]
        if openvswitch:
            wanted += self.ovs_packages
        if tpm:
            wanted += self.tpm_packages
        if agent:
            wanted += self.agent_packages
        out = []
        for package in wanted:
            if package not in out:
                out.append(package)
        return out


APT = Platform(
    name='apt',
    libvirt_packages=('libvirt-daemon-system', 'libvirt-daemon-driver-qemu',
                      'libvirt-clients', 'qemu-utils', 'ipmitool'),
    arch_packages={'x86_64': ('qemu-system-x86', 'ovmf'),
                   'aarch64': ('qemu-system-arm', 'qemu-efi-aarch64'),
                   'ppc64le': ('qemu-system-ppc',),
                   's390x': ('qemu-system-s390x',)},
    ovs_packages=('openvswitch-switch',),
    tpm_packages=('swtpm', 'swtpm-tools'),
    agent_packages=('python3', 'python3-venv'),
    units={'virtlogd': 'virtlogd', 'libvirtd': 'libvirtd',
           'openvswitch': 'openvswitch-switch'})

DNF = Platform(
    name='dnf',
    libvirt_packages=('libvirt-daemon-kvm', 'libvirt-client', 'qemu-img',
                      'ipmitool'),
    arch_packages={'x86_64': ('qemu-kvm', 'edk2-ovmf'),
                   'aarch64': ('qemu-kvm', 'edk2-aarch64')},
    ovs_packages=('openvswitch',),
    tpm_packages=('swtpm', 'swtpm-tools'),
    agent_packages=('python3',),
    units={'virtlogd': 'virtlogd', 'libvirtd': 'libvirtd',
           'openvswitch': 'openvswitch'})

PLATFORMS = (APT, DNF)


@dataclasses.dataclass(frozen=True)
class Daemon(object):
    """A daemon a hypervisor runs.

    :ivar name: its name (and key in :attr:`Platform.units`).
    :ivar check: command that succeeds when it runs (without systemd).
    :ivar start: command that starts it (without systemd).
    :ivar check_as_root: the check needs root (e.g. to reach a socket).
    """
    name: str
    check: typing.Tuple[str, ...]
    start: typing.Tuple[str, ...]
    check_as_root: bool = False


VIRTLOGD = Daemon('virtlogd', ('pgrep', '-x', 'virtlogd'),
                  ('virtlogd', '-d'))
LIBVIRTD = Daemon('libvirtd', ('pgrep', '-x', 'libvirtd'),
                  ('libvirtd', '-d'))
OPENVSWITCH = Daemon('openvswitch', ('ovs-vsctl', '--timeout=5', 'show'),
                     (OVS_CTL, 'start', '--system-id=random'),
                     check_as_root=True)


def daemons(openvswitch):
    """The daemons a hypervisor runs, in the order they start."""
    out = [VIRTLOGD, LIBVIRTD]
    if openvswitch:
        out.append(OPENVSWITCH)
    return out


@dataclasses.dataclass(frozen=True)
class HostInfo(object):
    """What :func:`detect` found about a host."""
    platform: Platform
    systemd: bool
    root: bool


def _succeeds(agent, argv):
    return agent.run(list(argv), check=False)[0] == 0


def detect(agent):
    """Find the platform of the host behind ``agent``.

    :raises TenksError: neither apt-get nor dnf is there.
    """
    platform = None
    for candidate, probe in ((APT, ('apt-get', '--version')),
                             (DNF, ('dnf', '--version'))):
        if _succeeds(agent, probe):
            platform = candidate
            break
    if platform is None:
        raise exception.TenksError('%s: neither apt-get nor dnf found; '
                                   'tenks host setup supports Debian, '
                                   'Ubuntu and Red Hat family hosts'
                                   % agent.name)
    systemd = _succeeds(agent, ('test', '-d', '/run/systemd/system'))
    _rc, out, _err = agent.run(['id', '-u'], check=False)
    return HostInfo(platform, systemd, out.strip() == '0')


@dataclasses.dataclass(frozen=True)
class Needs(object):
    """What one host must offer.

    :ivar openvswitch: Open vSwitch is used.
    :ivar arches: guest architectures of its nodes.
    :ivar hypervisors: names of the hypervisors on the host (messages).
    :ivar agent: the host is remote and runs ``tenks-host-agent``.
    :ivar tpm: some of its nodes have an emulated TPM.
    """
    openvswitch: bool
    arches: typing.Tuple[str, ...] = ('x86_64',)
    hypervisors: typing.Tuple[str, ...] = ()
    agent: bool = False
    tpm: bool = False
