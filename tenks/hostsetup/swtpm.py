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

"""Host setup step: swtpm's local certificate authority is libvirt's.

When a node with a TPM first powers on, libvirt runs ``swtpm_setup`` as
its swtpm user (``swtpm_user`` in ``qemu.conf``, ``tss`` by default),
which signs the TPM's certificates with ``swtpm_localca``. That keeps its
CA and a lock file in a state directory (``statedir`` in
``/etc/swtpm-localca.conf``) made by the package for that user; the files
in it are made by whichever process signs first. If that was root (a
libvirtd started before the package made its user runs swtpm as root),
every later power-on by the swtpm user fails with "Could not run
'/usr/bin/swtpm_setup'" ("Need read/write rights on ...
.lock.swtpm-localca"). This step gives the directory back to the swtpm
user, as the package intends.
"""

import re

from tenks.hostsetup import steps
from tenks.providers.libvirt import qemu_access

STEP = 'swtpm CA'
LOCALCA_CONF = '/etc/swtpm-localca.conf'
DEFAULT_USER = 'tss'
DEFAULT_STATEDIR = '/var/lib/swtpm-localca'
_STATEDIR = re.compile(r'^\s*statedir\s*=\s*(\S+)', re.MULTILINE)


def swtpm_step(runner, wanted):
    """Check (and fix) the owner of swtpm's local CA state.

    :param wanted: some node of the host has a TPM.
    :returns: a :class:`~tenks.hostsetup.steps.StepResult`, or None when
        swtpm is neither installed nor wanted (nothing to say).
    """
    rc, conf = runner.check(['cat', LOCALCA_CONF])
    if rc != 0:
        if not wanted:
            return None
        return steps.StepResult(STEP, steps.OK, '%s not there yet '
                                '(installed with swtpm-tools)'
                                % LOCALCA_CONF)
    found = _STATEDIR.search(conf)
    statedir = found.group(1) if found else DEFAULT_STATEDIR
    _rc, qemu_conf = runner.check(['cat', qemu_access.QEMU_CONF],
                                  privileged=True)
    user = qemu_access.conf_setting(qemu_conf, 'swtpm_user') or DEFAULT_USER
    if not runner.succeeds(['getent', 'passwd', user]):
        return steps.StepResult(STEP, steps.OK, 'no user %s: libvirt runs '
                                'swtpm as root' % user)
    rc, foreign = runner.check(['find', statedir, '!', '-user', user,
                                '-print'], privileged=True)
    if rc != 0:
        return steps.StepResult(STEP, steps.OK, '%s does not exist yet'
                                % statedir)
    if not foreign.strip():
        return steps.StepResult(STEP, steps.OK, '%s belongs to %s'
                                % (statedir, user))
    return runner.change(STEP, [['chown', '-R', user, statedir]])
