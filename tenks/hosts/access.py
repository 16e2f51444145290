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

"""Host side: whether another user can reach a directory.

A daemon running as its own user (QEMU as ``libvirt-qemu``) opens files
under a directory only if it may search every directory on the way. The
answer comes from the kernel: a short shell run as that user (with its
groups) changes into each directory in turn, so modes, ACLs and mount
options all count, as they do for the daemon.
"""

import grp
import os
import pwd
import stat
import subprocess

from tenks.hosts import calls

#: Changes into each argument in turn; prints the first it cannot.
_WALK = ('for d in "$@"; do cd "$d" 2>/dev/null || '
         '{ printf "%s" "$d"; exit 3; }; done')
_BLOCKED = 3
_TIMEOUT = 30


def _uid(user):
    if isinstance(user, int) or str(user).lstrip('+').isdigit():
        return int(str(user).lstrip('+'))
    return pwd.getpwnam(user).pw_uid


def _gid(group):
    if isinstance(group, int) or str(group).lstrip('+').isdigit():
        return int(str(group).lstrip('+'))
    return grp.getgrnam(group).gr_gid


def _primary_gid(uid):
    try:
        return pwd.getpwuid(uid).pw_gid
    except KeyError:
        return uid


def _name(lookup, number):
    try:
        return lookup(number)[0]
    except KeyError:
        return str(number)


def on_the_way(path):
    """The existing directories from ``/`` down to ``path``, in order.

    Both as written and with symbolic links resolved; those not made yet
    are left out (whoever makes them sets their modes).
    """
    path = os.path.normpath(os.path.abspath(path))
    out = []
    for candidate in (path, os.path.realpath(path)):
        steps, current = ['/'], '/'
        for part in (p for p in candidate.split('/') if p):
            current = os.path.join(current, part)
            steps.append(current)
        for step in steps:
            if not os.path.exists(step):
                break
            if step not in out:
                out.append(step)
    return out


@calls.exposed
def unreachable(path, user, group):
    """Where ``user`` (with ``group``) cannot reach directory ``path``.

    :param user: a user name or uid (``+64055`` as libvirt writes it).
    :param group: its primary group, by name or gid; None for the
        user's own.
    :returns: None when it can (or when this agent cannot switch to it,
        not being root), else ``{'directory': the first directory it may
        not search, 'mode': '0700', 'owner': ..., 'group': ..., 'user':
        its name, 'uid': ...}``.
    """
    uid = _uid(user)
    gid = _gid(group) if group is not None else _primary_gid(uid)
    if os.geteuid() not in (0, uid):
        return None
    name = _name(pwd.getpwuid, uid)
    try:
        groups = os.getgrouplist(name, gid)
    except (KeyError, OSError):
        groups = [gid]
    switch = {}
    if os.geteuid() != uid:
        switch = {'user': uid, 'group': gid, 'extra_groups': groups}
    proc = subprocess.run(['/bin/sh', '-c', _WALK, 'sh'] + on_the_way(path),
                          capture_output=True, text=True, cwd='/',
                          env={'PATH': '/usr/bin:/bin'}, timeout=_TIMEOUT,
                          **switch)
    if proc.returncode != _BLOCKED:
        return None
    blocked = proc.stdout
    st = os.stat(blocked)
    return {'directory': blocked, 'mode': '%04o' % stat.S_IMODE(st.st_mode),
            'owner': _name(pwd.getpwuid, st.st_uid),
            'group': _name(grp.getgrgid, st.st_gid), 'user': name,
            'uid': uid}
