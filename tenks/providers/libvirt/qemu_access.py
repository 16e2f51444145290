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

"""Whether QEMU can reach a storage pool's directory.

libvirt runs QEMU as its own user (``libvirt-qemu`` on Debian, set by
``user =`` in ``qemu.conf``). A pool under a directory that user may not
search defines, builds and starts fine (libvirtd is root), and takes
volumes, but every domain with a volume there fails to power on. So the
refresh before a plan asks the hypervisor's host, as that user, whether
it can reach the pool's directory (:func:`tenks.hosts.access.unreachable`)
and stops the plan if not.

QEMU's user is the one libvirt reports (the DAC base label of its
capabilities), else the ``user =`` and ``group =`` of the host's
``qemu.conf``. When QEMU runs as root there is nothing to check.
"""

import re
import xml.etree.ElementTree as ET

from oslo_log import log as logging

from tenks.hosts import access
from tenks.providers.libvirt import hostside

LOG = logging.getLogger(__name__)

QEMU_CONF = '/etc/libvirt/qemu.conf'
ROOT = ('0', '+0', 'root')
#: Pool types whose target is a directory QEMU opens volumes in.
DIRECTORY_POOLS = ('dir', 'fs', 'netfs')
_SETTING = re.compile(r'^\s*(\w+)\s*=\s*"([^"]*)"', re.MULTILINE)


def dac_labels(caps_xml):
    """``(user, group)`` pairs QEMU runs as, from libvirt's capabilities.

    libvirt writes them ``+uid:+gid`` (one per domain type).
    """
    root = ET.fromstring(caps_xml)
    out = []
    for model in root.findall('host/secmodel'):
        if model.findtext('model') != 'dac':
            continue
        for label in model.findall('baselabel'):
            user, sep, group = (label.text or '').strip().partition(':')
            if sep and (user, group) not in out:
                out.append((user, group))
    return out


def conf_setting(text, name):
    """The string setting ``name`` of a ``qemu.conf`` text, or None."""
    found = dict(m.groups() for m in _SETTING.finditer(text or ''))
    return found.get(name) or None


def conf_user(text):
    """``(user, group)`` set in a ``qemu.conf`` text, or None.

    A group left out is the user's primary group, as libvirt takes it.
    """
    user = conf_setting(text, 'user')
    if not user:
        return None
    return user, conf_setting(text, 'group')


def qemu_users(conn_type, caps_xml, agent):
    """``(user, group)`` pairs QEMU runs as on a hypervisor; root left out.

    :param conn_type: the libvirt driver's type; only ``QEMU`` runs QEMU
        (the ``test:///`` driver runs nothing).
    :param agent: the host agent of the hypervisor's host, to read its
        ``qemu.conf`` when libvirt does not say.
    :returns: a list; a group may be None (the user's own).
    """
    if conn_type != 'QEMU':
        return []
    labels = dac_labels(caps_xml)
    if not labels:
        text = agent.call(hostside.read_file, path=QEMU_CONF)['data']
        pair = conf_user(text)
        labels = [pair] if pair else []
    return [(user, group) for user, group in labels if user not in ROOT]


def pool_problem(agent, users, pool_type, path):
    """Why QEMU cannot reach the directory of a pool, or ''.

    :param users: what :func:`qemu_users` returned.
    :param pool_type: the pool's type; only those of
        :data:`DIRECTORY_POOLS` keep volumes in a directory.
    :param path: the pool's target path.
    """
    if pool_type not in DIRECTORY_POOLS or not path:
        return ''
    for user, group in users:
        try:
            found = agent.call(access.unreachable, path=path, user=user,
                               group=group)
        except Exception as exc:  # noqa - a check that cannot run is no veto
            LOG.warning('could not check whether QEMU (%s) can reach pool '
                        'path %s: %s', user, path, exc)
            continue
        if found:
            return (
                'QEMU runs as %(user)s (uid %(uid)s), which cannot reach '
                'the pool path %(path)s: it may not search directory '
                '%(directory)s (mode %(mode)s, owner %(owner)s:%(group)s); '
                'let it (e.g. chmod o+x %(directory)s) or choose another '
                'pool path' % dict(found, path=path))
    return ''
