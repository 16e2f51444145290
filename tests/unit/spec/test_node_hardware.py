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

"""A node type's TPM and architecture keys, to the domain's props."""

from tenks import exception
from tests.unit import base
from tests.unit.planner import helpers

SPEC = '''
node_types:
  t0:
    memory_mb: 256
    vcpus: 1
    tpm: %s
specs:
  - type: t0
    count: 1
'''


class TpmSpecTest(base.TestCase):

    def tpm(self, value, arch=None):
        text = SPEC % value
        if arch:
            text = text.replace('vcpus: 1', 'vcpus: 1\n    arch: %s' % arch)
        return self.spec(text).node_types['t0'].tpm

    def test_true_is_a_tpm_2_of_the_machines_model(self):
        self.assertEqual(('crb', '2.0'), self.tpm('true'))
        self.assertEqual(('tis', '2.0'), self.tpm('true', arch='aarch64'))
        self.assertEqual(('tis', '1.2'), self.tpm('{version: "1.2"}'))
        self.assertEqual(('tis', '2.0'), self.tpm('{model: tis}'))

    def test_false_is_none(self):
        self.assertIsNone(self.tpm('false'))

    def test_crb_is_x86_only(self):
        exc = self.assertRaises(exception.SpecError, self.tpm,
                                '{model: crb}', arch='aarch64')
        self.assertIn('node_types.t0.tpm.model', str(exc))
        self.assertIn('a CRB TPM is for x86 machines', str(exc))


class TpmPropsTest(base.TestCase):

    def domain(self, value):
        desired, _plan = helpers.plan(self.spec(SPEC % value),
                                      self.empty_state())
        return [r for r in desired.resources.values()
                if r.kind == 'domain'][0].props

    def test_the_domain_has_it_only_when_asked(self):
        self.assertEqual({'model': 'crb', 'version': '2.0'},
                         self.domain('true')['tpm'])
        # Domains recorded before TPMs existed keep equal props.
        self.assertNotIn('tpm', self.domain('false'))


class ArchDefaultsTest(base.TestCase):
    """Other architectures get their own machine by default."""

    def node_type(self, keys):
        return self.spec('''
            node_types:
              t0:
                memory_mb: 256
                vcpus: 1
                %s
            specs:
              - type: t0
                count: 1
            ''' % keys).node_types['t0']

    def test_aarch64_is_a_virt_machine_unless_told(self):
        self.assertEqual('virt', self.node_type('arch: aarch64').machine)
        self.assertEqual('q35', self.node_type('arch: x86_64').machine)
        self.assertEqual('virt-7.2', self.node_type(
            'arch: aarch64\n                machine: virt-7.2').machine)

    def test_aarch64_has_no_bios(self):
        exc = self.assertRaises(exception.SpecError, self.node_type,
                                'arch: aarch64\n                boot_mode: '
                                'bios')
        self.assertIn('aarch64 nodes boot UEFI only', str(exc))
