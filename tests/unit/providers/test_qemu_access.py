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

"""Which user QEMU runs as, and the message of a pool it cannot reach."""

from tenks.hosts import access
from tenks.providers.libvirt import hostside
from tenks.providers.libvirt import qemu_access
from tests.unit import base

CAPS = '''<capabilities><host>
  <secmodel><model>none</model><doi>0</doi></secmodel>
  <secmodel><model>dac</model><doi>0</doi>
    <baselabel type='kvm'>+64055:+64055</baselabel>
    <baselabel type='qemu'>+64055:+64055</baselabel>
  </secmodel>
</host></capabilities>'''
ROOT_CAPS = CAPS.replace('+64055:+64055', '+0:+0')
NO_DAC = '<capabilities><host></host></capabilities>'
QEMU_CONF = '''# user = "nobody"
user = "qemu-user"
#group = "x"
'''


class Agent(object):
    """Answers host-side calls from a table; records them."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def call(self, function, **kwargs):
        self.calls.append((function, kwargs))
        return self.answers[function]


class UserTest(base.TestCase):

    def test_dac_labels(self):
        self.assertEqual([('+64055', '+64055')],
                         qemu_access.dac_labels(CAPS))
        self.assertEqual([], qemu_access.dac_labels(NO_DAC))

    def test_conf_setting(self):
        text = 'swtpm_user = "swtpm"\n#user = "a"\n'
        self.assertEqual('swtpm', qemu_access.conf_setting(text,
                                                           'swtpm_user'))
        self.assertIsNone(qemu_access.conf_setting(text, 'user'))

    def test_conf_user(self):
        self.assertEqual(('qemu-user', None),
                         qemu_access.conf_user(QEMU_CONF))
        self.assertEqual(('a', 'b'), qemu_access.conf_user(
            'user = "a"\ngroup = "b"\n'))
        self.assertIsNone(qemu_access.conf_user('#user = "a"\n'))

    def test_libvirt_says(self):
        agent = Agent({})
        self.assertEqual([('+64055', '+64055')],
                         qemu_access.qemu_users('QEMU', CAPS, agent))
        self.assertEqual([], agent.calls)

    def test_root_needs_no_check(self):
        self.assertEqual([], qemu_access.qemu_users('QEMU', ROOT_CAPS,
                                                    Agent({})))
        agent = Agent({hostside.read_file: {'data': 'user = "root"\n'}})
        self.assertEqual([], qemu_access.qemu_users('QEMU', NO_DAC, agent))

    def test_qemu_conf_when_libvirt_does_not_say(self):
        agent = Agent({hostside.read_file: {'data': QEMU_CONF}})
        self.assertEqual([('qemu-user', None)],
                         qemu_access.qemu_users('QEMU', NO_DAC, agent))
        self.assertEqual([(hostside.read_file,
                           {'path': qemu_access.QEMU_CONF})], agent.calls)

    def test_other_drivers_run_no_qemu(self):
        self.assertEqual([], qemu_access.qemu_users('TEST', CAPS,
                                                    Agent({})))


class PoolProblemTest(base.TestCase):

    BLOCKED = {'directory': '/srv/locked', 'mode': '0700',
               'owner': 'root', 'group': 'root', 'user': 'libvirt-qemu',
               'uid': 64055}

    def test_blocked(self):
        agent = Agent({access.unreachable: self.BLOCKED})
        msg = qemu_access.pool_problem(agent, [('+64055', '+64055')], 'dir',
                                       '/srv/locked/pool')
        self.assertEqual(
            'QEMU runs as libvirt-qemu (uid 64055), which cannot reach the '
            'pool path /srv/locked/pool: it may not search directory '
            '/srv/locked (mode 0700, owner root:root); let it (e.g. chmod '
            'o+x /srv/locked) or choose another pool path', msg)
        self.assertEqual([(access.unreachable,
                           {'path': '/srv/locked/pool', 'user': '+64055',
                            'group': '+64055'})], agent.calls)

    def test_reachable(self):
        agent = Agent({access.unreachable: None})
        self.assertEqual('', qemu_access.pool_problem(
            agent, [('+64055', '+64055')], 'dir', '/srv/pool'))

    def test_nothing_to_check(self):
        agent = Agent({})
        self.assertEqual('', qemu_access.pool_problem(
            agent, [], 'dir', '/srv/pool'))
        self.assertEqual('', qemu_access.pool_problem(
            agent, [('+1', '+1')], 'logical', '/dev/vg'))
        self.assertEqual([], agent.calls)

    def test_a_check_that_cannot_run_is_no_veto(self):
        class Broken(Agent):
            def call(self, function, **kwargs):
                raise RuntimeError('refusing to call it on a host')

        self.assertEqual('', qemu_access.pool_problem(
            Broken({}), [('+1', '+1')], 'dir', '/srv/pool'))
