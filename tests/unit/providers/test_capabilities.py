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

"""Domain type selection and capability checks.

The documents are trimmed from what libvirt 9 returned on hosts of each
kind (the parts tenks reads are kept as they were).
"""

from tenks import exception
from tenks.providers.libvirt import capabilities
from tests.unit import base

CAPS = '''<capabilities>
  <host>
    <cpu>
      <arch>x86_64</arch>
      <model>Broadwell</model>
      <vendor>Intel</vendor>
      %(features)s
      <feature name='hypervisor'/>
      <feature name='avx512f'/>
    </cpu>
  </host>
  <guest>
    <os_type>hvm</os_type>
    <arch name='i686'>
      <wordsize>32</wordsize>
      <domain type='qemu'/>
      %(kvm)s
    </arch>
  </guest>
  <guest>
    <os_type>hvm</os_type>
    <arch name='x86_64'>
      <wordsize>64</wordsize>
      <emulator>/usr/bin/qemu-system-x86_64</emulator>
      <domain type='qemu'/>
      %(kvm)s
    </arch>
  </guest>
  <guest>
    <os_type>hvm</os_type>
    <arch name='aarch64'>
      <domain type='qemu'/>
    </arch>
  </guest>
</capabilities>'''

# /dev/kvm exists (libvirt lists kvm) but the CPU has no vmx/svm: the
# host this project's CI runs on (a PVM nested host).
NO_HW = CAPS % {'features': '', 'kvm': "<domain type='kvm'/>"}
HW = CAPS % {'features': "<feature name='vmx'/>",
             'kvm': "<domain type='kvm'/>"}
AMD = CAPS % {'features': "<feature name='svm'/>",
              'kvm': "<domain type='kvm'/>"}
NO_KVM = CAPS % {'features': "<feature name='vmx'/>", 'kvm': ''}

DOMCAPS_TCG = '''<domainCapabilities>
  <domain>qemu</domain>
  <os supported='yes'>
    <enum name='firmware'>
      <value>efi</value>
    </enum>
  </os>
  <cpu>
    <mode name='host-passthrough' supported='no'/>
    <mode name='maximum' supported='yes'/>
    <mode name='host-model' supported='yes'/>
    <mode name='custom' supported='yes'/>
  </cpu>
</domainCapabilities>'''

DOMCAPS_NO_OVMF = '''<domainCapabilities>
  <os supported='yes'>
    <enum name='firmware'/>
  </os>
  <cpu>
    <mode name='host-passthrough' supported='yes'/>
  </cpu>
</domainCapabilities>'''


class DomainTypeTest(base.TestCase):

    def test_auto_is_qemu_without_hardware_virtualisation(self):
        self.assertEqual('qemu', capabilities.resolve_domain_type(
            'auto', NO_HW, 'x86_64'))

    def test_auto_is_kvm_with_vmx_or_svm(self):
        for caps in (HW, AMD):
            self.assertEqual('kvm', capabilities.resolve_domain_type(
                'auto', caps, 'x86_64'))

    def test_auto_is_qemu_when_libvirt_offers_no_kvm(self):
        self.assertEqual('qemu', capabilities.resolve_domain_type(
            'auto', NO_KVM, 'x86_64'))

    def test_auto_is_qemu_for_a_foreign_arch(self):
        self.assertEqual('qemu', capabilities.resolve_domain_type(
            'auto', HW, 'aarch64'))

    def test_qemu_is_always_qemu(self):
        self.assertEqual('qemu', capabilities.resolve_domain_type(
            'qemu', HW, 'x86_64'))

    def test_kvm_when_usable(self):
        self.assertEqual('kvm', capabilities.resolve_domain_type(
            'kvm', HW, 'x86_64'))

    def test_kvm_required_but_unusable(self):
        exc = self.assertRaises(exception.TenksError,
                                capabilities.resolve_domain_type,
                                'kvm', NO_HW, 'x86_64')
        self.assertIn('no hardware virtualisation', str(exc))

    def test_unknown_type(self):
        self.assertRaises(exception.TenksError,
                          capabilities.resolve_domain_type,
                          'xen', HW, 'x86_64')

    def test_kvm_usable_reasons(self):
        self.assertEqual((True, ''), capabilities.kvm_usable(HW, 'x86_64'))
        usable, reason = capabilities.kvm_usable(NO_KVM, 'x86_64')
        self.assertFalse(usable)
        self.assertIn('no kvm domains', reason)
        usable, reason = capabilities.kvm_usable(HW, 'aarch64')
        self.assertFalse(usable)


class DomcapsTest(base.TestCase):

    def test_cpu_modes(self):
        self.assertEqual({'host-passthrough': False, 'maximum': True,
                          'host-model': True, 'custom': True},
                         capabilities.cpu_modes(DOMCAPS_TCG))

    def test_firmware_values(self):
        self.assertEqual({'efi'},
                         capabilities.firmware_values(DOMCAPS_TCG))
        self.assertEqual(set(),
                         capabilities.firmware_values(DOMCAPS_NO_OVMF))


class FakeConnection(object):
    """Stands for a Connection: counts the documents fetched."""

    def __init__(self, caps, domcaps):
        self.caps = caps
        self.domcaps = domcaps
        self.calls = []

    def call(self, func):
        return func(self)

    def getCapabilities(self):
        self.calls.append('caps')
        return self.caps

    def getDomainCapabilities(self, emulator, arch, machine, virttype,
                              flags):
        self.calls.append(('domcaps', virttype, arch))
        return self.domcaps


class HostCapabilitiesTest(base.TestCase):

    def test_documents_fetched_once(self):
        conn = FakeConnection(NO_HW, DOMCAPS_TCG)
        host = capabilities.HostCapabilities(conn)
        for _ in range(3):
            self.assertEqual('qemu', host.domain_type('auto', 'x86_64'))
            host.check_cpu_mode('qemu', 'x86_64', 'maximum')
            host.check_uefi('qemu', 'x86_64')
        self.assertEqual(['caps', ('domcaps', 'qemu', 'x86_64')],
                         conn.calls)

    def test_host_passthrough_needs_kvm(self):
        host = capabilities.HostCapabilities(
            FakeConnection(NO_HW, DOMCAPS_TCG))
        exc = self.assertRaises(exception.TenksError, host.check_cpu_mode,
                                'qemu', 'x86_64', 'host-passthrough')
        self.assertIn('needs kvm', str(exc))

    def test_uefi_needs_firmware(self):
        host = capabilities.HostCapabilities(
            FakeConnection(HW, DOMCAPS_NO_OVMF))
        exc = self.assertRaises(exception.TenksError, host.check_uefi,
                                'kvm', 'x86_64')
        self.assertIn('install OVMF', str(exc))


DOMCAPS_TPM = '''<domainCapabilities>
  <devices>
    <tpm supported='yes'>
      <enum name='model'>
        <value>tpm-tis</value>
        <value>tpm-crb</value>
      </enum>
      <enum name='backendModel'>
        <value>passthrough</value>
        %(emulator)s
      </enum>
      <enum name='backendVersion'>
        %(versions)s
      </enum>
    </tpm>
  </devices>
</domainCapabilities>'''
WITH_SWTPM = DOMCAPS_TPM % {
    'emulator': '<value>emulator</value>',
    'versions': '<value>1.2</value><value>2.0</value>'}
NO_SWTPM = DOMCAPS_TPM % {'emulator': '', 'versions': ''}
CRB_20 = {'model': 'tpm-crb', 'version': '2.0'}


class TpmTest(base.TestCase):

    def host(self, domcaps):
        return capabilities.HostCapabilities(FakeConnection(NO_HW, domcaps))

    def test_values(self):
        self.assertEqual({'model': {'tpm-tis', 'tpm-crb'},
                          'backendModel': {'passthrough', 'emulator'},
                          'backendVersion': {'1.2', '2.0'}},
                         capabilities.tpm_values(WITH_SWTPM))
        self.assertEqual({}, capabilities.tpm_values(DOMCAPS_TCG))

    def test_emulated_tpm_with_swtpm(self):
        self.host(WITH_SWTPM).check_tpm('qemu', 'x86_64', CRB_20)

    def test_no_swtpm_says_what_to_install(self):
        exc = self.assertRaises(exception.TenksError,
                                self.host(NO_SWTPM).check_tpm, 'qemu',
                                'x86_64', CRB_20)
        self.assertEqual('this hypervisor cannot emulate a TPM (install '
                         'swtpm and swtpm-tools, e.g. with tenks host '
                         'setup)', str(exc))
        self.assertRaises(exception.TenksError,
                          self.host(DOMCAPS_TCG).check_tpm, 'qemu',
                          'x86_64', CRB_20)

    def test_a_version_swtpm_cannot_do(self):
        only_2 = DOMCAPS_TPM % {'emulator': '<value>emulator</value>',
                                'versions': '<value>2.0</value>'}
        exc = self.assertRaises(
            exception.TenksError, self.host(only_2).check_tpm, 'qemu',
            'x86_64', {'model': 'tpm-tis', 'version': '1.2'})
        self.assertIn('cannot emulate a TPM 1.2 (it offers 2.0)', str(exc))


class ArchTest(base.TestCase):

    def test_qemu_arches(self):
        self.assertEqual({'i686', 'x86_64', 'aarch64'},
                         capabilities.qemu_arches(NO_HW))

    def test_an_arch_without_emulator_is_refused(self):
        host = capabilities.HostCapabilities(
            FakeConnection(NO_HW, DOMCAPS_TCG))
        host.check_arch('aarch64')
        exc = self.assertRaises(exception.TenksError, host.check_arch,
                                's390x')
        self.assertEqual('this hypervisor cannot run s390x guests: it has '
                         'no QEMU emulator for them (it runs aarch64, i686, '
                         'x86_64; install one, e.g. with tenks host setup)',
                         str(exc))

    def test_a_driver_without_qemu_has_nothing_to_say(self):
        test_driver = ('<capabilities><guest><os_type>hvm</os_type>'
                       "<arch name='i686'><domain type='test'/></arch>"
                       '</guest></capabilities>')
        capabilities.HostCapabilities(
            FakeConnection(test_driver, None)).check_arch('x86_64')
