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

"""What a hypervisor can run: the domain type, and the CPU modes of it.

``domain_type: auto`` means kvm when it works, else qemu (TCG). libvirt
lists kvm for any host where ``/dev/kvm`` exists, which is not enough: a
nested host may offer a KVM device without hardware virtualisation (the
paravirtual PVM module, for instance), where a kvm domain starts but does
not run. So kvm counts as usable for an x86 guest only when the host CPU
libvirt reports has the ``vmx`` or ``svm`` feature as well, which is the
test ``virt-host-validate`` makes.

Everything here is a pure function of XML documents libvirt returned, so
it is unit-tested with captured documents; :class:`HostCapabilities` only
fetches and caches them, once per hypervisor per run.
"""

import threading
import xml.etree.ElementTree as ET

from tenks import exception
from tenks.providers.libvirt import connection as conn_mod

X86 = ('x86_64', 'i686')
HW_VIRT_FEATURES = ('vmx', 'svm')
DOMAIN_TYPES = ('auto', 'kvm', 'qemu')


def host_arch(caps_xml):
    """The host CPU architecture in a capabilities document."""
    root = ET.fromstring(caps_xml)
    return root.findtext('host/cpu/arch')


def host_cpu_features(caps_xml):
    """The set of host CPU feature names in a capabilities document."""
    root = ET.fromstring(caps_xml)
    return {f.get('name') for f in root.findall('host/cpu/feature')}


def guest_domain_types(caps_xml, arch):
    """Domain types libvirt lists for hvm guests of ``arch``."""
    root = ET.fromstring(caps_xml)
    types = set()
    for guest in root.findall('guest'):
        if guest.findtext('os_type') != 'hvm':
            continue
        guest_arch = guest.find('arch')
        if guest_arch is None or guest_arch.get('name') != arch:
            continue
        types.update(d.get('type') for d in guest_arch.findall('domain'))
    return types


def qemu_arches(caps_xml):
    """Guest architectures QEMU runs here (kvm or qemu domains)."""
    root = ET.fromstring(caps_xml)
    return {a.get('name') for guest in root.findall('guest')
            if guest.findtext('os_type') == 'hvm'
            for a in guest.findall('arch')
            if {d.get('type') for d in a.findall('domain')} &
            {'kvm', 'qemu'}}


def kvm_usable(caps_xml, arch):
    """Whether a kvm domain of ``arch`` can really run on this host.

    :returns: ``(bool, reason)``; the reason says why not.
    """
    if 'kvm' not in guest_domain_types(caps_xml, arch):
        return False, 'libvirt offers no kvm domains for %s' % arch
    hostarch = host_arch(caps_xml)
    if hostarch != arch:
        return False, 'the host is %s, not %s' % (hostarch, arch)
    if arch in X86 and not (host_cpu_features(caps_xml) &
                            set(HW_VIRT_FEATURES)):
        return False, ('the host CPU has no hardware virtualisation '
                       '(vmx/svm)')
    return True, ''


def resolve_domain_type(requested, caps_xml, arch):
    """The domain type to use for ``requested`` (auto, kvm or qemu).

    :raises TenksError: kvm was asked for and cannot run.
    """
    if requested not in DOMAIN_TYPES:
        raise exception.TenksError('unknown domain type %r (use %s)'
                                   % (requested, ', '.join(DOMAIN_TYPES)))
    if requested == 'qemu':
        return 'qemu'
    usable, reason = kvm_usable(caps_xml, arch)
    if requested == 'kvm':
        if not usable:
            raise exception.TenksError('domain type kvm is not available: '
                                       '%s' % reason)
        return 'kvm'
    return 'kvm' if usable else 'qemu'


def cpu_modes(domcaps_xml):
    """``{mode: supported}`` from a domain capabilities document."""
    root = ET.fromstring(domcaps_xml)
    return {m.get('name'): m.get('supported') == 'yes'
            for m in root.findall('cpu/mode')}


def tpm_values(domcaps_xml):
    """What the hypervisor offers for TPMs: ``{enum: {values}}``.

    The enums are ``model`` (tpm-crb, tpm-tis...), ``backendModel``
    (``emulator`` only when swtpm is installed) and ``backendVersion``
    (libvirt 8.6 and later); an empty dict when TPMs are not supported.
    """
    root = ET.fromstring(domcaps_xml)
    tpm = root.find('devices/tpm')
    if tpm is None or tpm.get('supported') != 'yes':
        return {}
    return {e.get('name'): {v.text for v in e.findall('value')}
            for e in tpm.findall('enum')}


def firmware_values(domcaps_xml):
    """Firmware kinds auto-selection offers (e.g. ``{'efi'}``)."""
    root = ET.fromstring(domcaps_xml)
    return {v.text for v in root.findall("os/enum[@name='firmware']/value")}


class HostCapabilities(object):
    """Capabilities of one hypervisor, fetched once and cached.

    :param connection: a :class:`tenks.providers.libvirt.connection.
        Connection`.
    """

    def __init__(self, connection):
        self.connection = connection
        self._lock = threading.Lock()
        self._caps = None
        self._domcaps = {}
        self._types = {}

    def caps_xml(self):
        with self._lock:
            if self._caps is None:
                self._caps = self.connection.call(
                    lambda c: c.getCapabilities())
            return self._caps

    def domcaps_xml(self, domain_type, arch, machine=None):
        """The domain capabilities document, or None.

        Of the ``machine`` type (QEMU's default for ``arch`` when None:
        for aarch64 that is a machine without UEFI, so name it). None
        when the driver has none (libvirt's test driver): the checks
        using it then pass.
        """
        key = (domain_type, arch, machine)
        with self._lock:
            if key not in self._domcaps:
                try:
                    self._domcaps[key] = self.connection.call(
                        lambda c: c.getDomainCapabilities(
                            None, arch, machine, domain_type, 0))
                except Exception as exc:
                    if not conn_mod.is_error(exc, 'VIR_ERR_NO_SUPPORT'):
                        raise
                    self._domcaps[key] = None
            return self._domcaps[key]

    def domain_type(self, requested, arch):
        """:func:`resolve_domain_type`, cached per (requested, arch)."""
        key = (requested, arch)
        if key not in self._types:
            self._types[key] = resolve_domain_type(requested,
                                                   self.caps_xml(), arch)
        return self._types[key]

    def check_cpu_mode(self, domain_type, arch, mode, machine=None):
        """Raise unless the hypervisor offers CPU ``mode``.

        For domains of ``domain_type``: host-passthrough, for one, needs
        kvm.
        """
        domcaps = self.domcaps_xml(domain_type, arch, machine)
        if domcaps is None:
            return
        modes = cpu_modes(domcaps)
        if mode in modes and not modes[mode]:
            raise exception.TenksError(
                'CPU mode %s is not available with domain type %s on this '
                'hypervisor%s' % (mode, domain_type,
                                  ' (it needs kvm)' if
                                  mode == 'host-passthrough' else ''))

    def check_arch(self, arch):
        """Raise unless the hypervisor has an emulator for ``arch``.

        Only QEMU is asked: a driver that runs no QEMU guests at all
        (libvirt's test driver) has nothing to say.
        """
        arches = qemu_arches(self.caps_xml())
        if arches and arch not in arches:
            raise exception.TenksError(
                'this hypervisor cannot run %s guests: it has no QEMU '
                'emulator for them (it runs %s; install one, e.g. with '
                'tenks host setup)' % (arch, ', '.join(sorted(arches))))

    def check_tpm(self, domain_type, arch, tpm, machine=None):
        """Raise unless the hypervisor can emulate ``tpm``.

        :param tpm: ``{model, version}`` in libvirt's terms.
        """
        domcaps = self.domcaps_xml(domain_type, arch, machine)
        if domcaps is None:
            return
        offered = tpm_values(domcaps)
        if 'emulator' not in offered.get('backendModel', ()):
            raise exception.TenksError(
                'this hypervisor cannot emulate a TPM (install swtpm and '
                'swtpm-tools, e.g. with tenks host setup)')
        if tpm['model'] not in offered.get('model', ()):
            raise exception.TenksError(
                'TPM model %s is not available for %s guests on this '
                'hypervisor (it offers %s)' % (
                    tpm['model'], arch,
                    ', '.join(sorted(offered.get('model', ()))) or 'none'))
        versions = offered.get('backendVersion')
        if versions and tpm['version'] not in versions:
            raise exception.TenksError(
                'this hypervisor\'s swtpm cannot emulate a TPM %s (it '
                'offers %s)' % (tpm['version'], ', '.join(sorted(versions))))

    def check_uefi(self, domain_type, arch, machine=None):
        """Raise when no UEFI firmware can be auto-selected."""
        domcaps = self.domcaps_xml(domain_type, arch, machine)
        if domcaps is not None and 'efi' not in firmware_values(domcaps):
            raise exception.TenksError(
                'no UEFI firmware is installed for %s guests on this '
                'hypervisor (install %s, e.g. with tenks host setup)'
                % (arch, 'AAVMF (qemu-efi-aarch64)' if arch == 'aarch64'
                   else 'OVMF'))
