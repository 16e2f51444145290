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

"""VirtualBMC's files in a service's run directory, and tenks' marks.

Layout of a managed service's ``run_dir`` (mode 0700; files 0600, as
entries hold passwords)::

    virtualbmc.conf        vbmcd's config (config_dir, pid_file,
                           server_port, log file); both modes read it
    conf/<domain>/config   one entry per node, vbmc's own format
    conf/<domain>/tenks-cluster   the cluster that made the entry (its
                           mark); written before the entry and removed
                           after it where tenks writes the entry itself
    vbmcd.pid              pid file
    embedded.json          status of the embedded server
    started.json           which config the running daemon was started
                           with (:func:`tenks.hosts.files.write_stamp`)
    .lock                  serialises changes (:mod:`tenks.hosts.files`)
"""

import configparser
import contextlib
import os
import shutil

from tenks import faults
from tenks.hosts import files

CONF_FILE = 'virtualbmc.conf'
PID_FILE = 'vbmcd.pid'
ENTRIES_DIR = 'conf'
OWNER_FILE = 'tenks-cluster'
SECTION = 'VirtualBMC'

#: Crash points of removing an entry, in order (see :mod:`tenks.faults`):
#: the entry gone, its mark still there; the mark gone too.
REMOVE_STEPS = ('vbmc-delete:entry-removed', 'vbmc-delete:mark-removed')


def path(run_dir, *parts):
    return os.path.join(run_dir, *parts)


def conf_path(run_dir):
    return path(run_dir, CONF_FILE)


def entry_dir(run_dir, domain):
    return path(run_dir, ENTRIES_DIR, domain)


def conf_text(run_dir, server_port, log_file):
    """The virtualbmc.conf of a service."""
    conf = configparser.ConfigParser()
    conf['default'] = {
        'config_dir': path(run_dir, ENTRIES_DIR),
        'pid_file': path(run_dir, PID_FILE),
        'server_port': str(server_port),
        'show_passwords': 'false',
    }
    conf['log'] = {'logfile': log_file, 'debug': 'false'}
    conf['ipmi'] = {'session_timeout': '1'}
    lines = ['# Written by tenks; changes are overwritten.']
    for section in conf.sections():
        lines.append('[%s]' % section)
        lines.extend('%s = %s' % kv for kv in conf[section].items())
        lines.append('')
    return '\n'.join(lines)


def entry_values(domain, address, port, username, password, libvirt_uri):
    return {'domain_name': domain, 'username': username,
            'password': password, 'port': str(port), 'address': address,
            'libvirt_uri': libvirt_uri, 'active': 'True'}


def entry_text(domain, address, port, username, password, libvirt_uri):
    """A per-domain config file, as ``vbmc add`` and ``start`` leave it."""
    values = entry_values(domain, address, port, username, password,
                          libvirt_uri)
    lines = ['[%s]' % SECTION]
    # vbmc reads these files with configparser's interpolation: a literal
    # '%' is written '%%'.
    lines.extend('%s = %s' % (k, v.replace('%', '%%'))
                 for k, v in values.items())
    return '\n'.join(lines) + '\n\n'


def read_entry(run_dir, domain):
    """The values of ``domain``'s entry; None when it has none."""
    parser = configparser.ConfigParser()
    try:
        if (not parser.read(path(run_dir, ENTRIES_DIR, domain, 'config')) or
                not parser.has_section(SECTION)):
            return None
        return dict(parser[SECTION])
    except configparser.Error:
        return {}


def read_owner(run_dir, domain):
    """The cluster whose mark ``domain``'s entry carries, or None."""
    try:
        with open(path(run_dir, ENTRIES_DIR, domain, OWNER_FILE)) as f:
            return f.read().strip() or None
    except OSError:
        return None


def write_owner(run_dir, domain, cluster):
    """Mark ``domain``'s entry as made by tenks for ``cluster``."""
    files.makedirs(entry_dir(run_dir, domain))
    files.write_private(path(run_dir, ENTRIES_DIR, domain, OWNER_FILE),
                        cluster + '\n')


def names(run_dir):
    """The domains with an entry directory (sorted)."""
    root = path(run_dir, ENTRIES_DIR)
    try:
        found = os.listdir(root)
    except FileNotFoundError:
        return []
    return sorted(n for n in found if os.path.isdir(os.path.join(root, n)))


def same_entry(existing, wanted):
    if not existing:
        return False
    keys = ('domain_name', 'username', 'password', 'port', 'address',
            'libvirt_uri')
    return (all(existing.get(k) == wanted[k] for k in keys) and
            str(existing.get('active', '')).lower() == 'true')


def owner_problem(run_dir, domain, cluster, adopt):
    """Why ``domain``'s entry is not tenks' to change, or None.

    It is tenks' when it carries this cluster's mark, or when it carries
    no mark and ``adopt`` says tenks began making or removing it in a run
    that did not finish.
    """
    owner = read_owner(run_dir, domain)
    if owner == cluster or (owner is None and adopt):
        return None
    where = entry_dir(run_dir, domain)
    if owner is None:
        return ('vbmc entry %s in %s carries no tenks mark, so tenks cannot '
                'tell whether it made it; remove it by hand (vbmc delete '
                '%s, or delete that directory) and run tenks again' % (
                    domain, where, domain))
    return 'vbmc entry %s in %s belongs to tenks cluster %s, not %s' % (
        domain, where, owner, cluster)


def remove(run_dir, domain):
    """Remove ``domain``'s entry, then its mark and directory."""
    where = entry_dir(run_dir, domain)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(os.path.join(where, 'config'))
    faults.point(REMOVE_STEPS[0])
    shutil.rmtree(where, ignore_errors=True)
    faults.point(REMOVE_STEPS[1])


def describe_owners(run_dir, domains):
    """``a (cluster c1), b (no tenks mark)``, for messages."""
    out = []
    for domain in domains:
        owner = read_owner(run_dir, domain)
        out.append('%s (%s)' % (domain, 'cluster %s' % owner if owner
                                else 'no tenks mark'))
    return ', '.join(out)
