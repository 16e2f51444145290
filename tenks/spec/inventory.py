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

"""The hypervisors of a Tenks (Ansible) inventory, as spec data.

Tenks lists its hypervisors in an Ansible inventory: the hosts of the
``hypervisors`` group (through children such as ``libvirt``), with their
``physnet_mappings`` and other variables in host_vars and group_vars.
:func:`read` asks ``ansible-inventory --list`` for it, so that groups,
children, group_vars and host_vars resolve exactly as Ansible resolves
them, in any form Ansible reads (INI, YAML, a directory, a script), and
converts each host with :mod:`tenks.spec.inventory_vars`.

:func:`merge` puts the result into spec data. The spec is Tenks'
override file, which Tenks passed as extra variables
(``-e @override.yml``): as there, a key the spec sets wins over the
inventory's variable of the same name.
"""

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile

from tenks import exception
from tenks.spec import errors
from tenks.spec import inventory_vars

LOG = logging.getLogger(__name__)

#: The group whose hosts (and its children's) are Tenks' hypervisors.
GROUP = 'hypervisors'
#: Ansible's own reader of inventories (ansible-core).
COMMAND = 'ansible-inventory'
TIMEOUT = 120
#: Keys of ``--list`` output that are no group of the user's.
_IMPLICIT = ('_meta', 'all', 'ungrouped')


class InventoryProblem(errors.Problem):
    """A problem of the inventory: its file, the host and the variable.

    :ivar named: whether the text names the inventory file (not when the
        error is the inventory's own, whose head names it).
    """

    __slots__ = ('inventory', 'hosts', 'variable', 'named')

    def __init__(self, inventory, hosts, variable, message, path=()):
        super().__init__(path, message)
        self.inventory = inventory
        self.hosts = tuple(hosts or ())
        self.variable = variable
        self.named = True

    def __str__(self):
        parts = [self.inventory] if self.named else []
        if self.hosts:
            parts.append('host%s %s' % ('s' if len(self.hosts) > 1 else '',
                                        ', '.join(self.hosts)))
        if self.variable:
            parts.append(self.variable)
        return ': '.join(parts + [self.message])

    def __repr__(self):
        return 'InventoryProblem(%r, %r, %r)' % (self.hosts, self.variable,
                                                 self.message)


def _fail(path, message, hosts=(), variable=None):
    problem = InventoryProblem(path, hosts, variable, message)
    problem.named = False
    raise exception.SpecError(path, [problem])


def command_path():
    """Where ``ansible-inventory`` is, or None.

    In the PATH, or beside this Python (a virtualenv that is not
    activated).
    """
    found = shutil.which(COMMAND)
    if found:
        return found
    beside = os.path.join(os.path.dirname(sys.executable), COMMAND)
    return beside if os.access(beside, os.X_OK) else None


def _stderr_summary(text):
    lines = []
    for line in (text or '').splitlines():
        line = line.strip()
        for prefix in ('[ERROR]:', '[WARNING]:', 'ERROR!'):
            if line.startswith(prefix):
                line = line[len(prefix):].strip()
        if line and line not in lines:
            lines.append(line)
    summary = '; '.join(lines)
    return summary if len(summary) <= 600 else summary[:597] + '...'


def listing(path, run=subprocess.run):
    """``ansible-inventory -i PATH --list``, as data.

    :raises SpecError: naming ``path``, when it does not exist, when
        ``ansible-inventory`` is missing or when Ansible cannot read it.
    """
    if not os.path.exists(path):
        _fail(path, 'no such file or directory')
    command = command_path()
    if command is None:
        _fail(path, '%s not found: tenks reads an Ansible inventory with '
                    'it, as Ansible does; install ansible-core (pip '
                    'install ansible-core) beside tenks, or convert the '
                    'inventory where Ansible is (tenks spec convert)'
              % COMMAND)
    with tempfile.TemporaryDirectory(prefix='tenks-ansible-') as tmp:
        env = dict(os.environ,
                   # An inventory Ansible cannot parse is an error, not an
                   # empty inventory with a warning.
                   ANSIBLE_INVENTORY_UNPARSED_FAILED='true',
                   ANSIBLE_LOCAL_TEMP=tmp, ANSIBLE_NOCOLOR='true')
        try:
            proc = run([command, '-i', path, '--list'],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, env=env, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            _fail(path, '%s did not answer within %d s'
                  % (COMMAND, TIMEOUT))
        except OSError as exc:
            _fail(path, 'cannot run %s: %s' % (command,
                                               exc.strerror or exc))
    if proc.returncode != 0:
        _fail(path, 'Ansible cannot read it: %s' % (
            _stderr_summary(proc.stderr) or 'ansible-inventory exited '
                                            'with status %d'
            % proc.returncode))
    if proc.stderr.strip():
        LOG.debug('%s -i %s: %s', COMMAND, path, proc.stderr.strip())
    try:
        data = json.loads(proc.stdout)
    except ValueError as exc:
        _fail(path, '%s printed no inventory (%s)' % (COMMAND, exc))
    if not isinstance(data, dict):
        _fail(path, '%s printed no inventory' % COMMAND)
    return data


def hosts_of(data, group):
    """The hosts of ``group`` and of its children, in Ansible's order."""
    out = []
    seen = set()

    def walk(name):
        if name in seen:
            return
        seen.add(name)
        entry = data.get(name) or {}
        for host in entry.get('hosts') or ():
            if host not in out:
                out.append(host)
        for child in entry.get('children') or ():
            walk(child)
    walk(group)
    return out


class Found(object):
    """What an inventory says: its hypervisor hosts, in order.

    :ivar path: the inventory, as given.
    :ivar hosts: :class:`tenks.spec.inventory_vars.Host` of each host of
        the ``hypervisors`` group.
    :ivar controller: the cluster settings of ``localhost`` when it is
        no hypervisor (a Host), or None.
    """

    def __init__(self, path, hosts, controller=None):
        self.path = path
        self.hosts = list(hosts)
        self.controller = controller


def convert(path, data, cwd=None):
    """The :class:`Found` of ``ansible-inventory --list`` output ``data``.

    :raises SpecError: when it has no ``hypervisors`` group, or no host
        in it.
    """
    if GROUP not in data:
        _fail(path, 'no %s group: Tenks puts its hypervisors in the %s '
                    'group (or a child group of it, such as libvirt); '
                    'groups found: %s' % (
                        GROUP, GROUP, ', '.join(sorted(
                            k for k in data if k not in _IMPLICIT))
                        or 'none'))
    names = hosts_of(data, GROUP)
    if not names:
        _fail(path, 'the %s group has no host, itself or in its child '
                    'groups' % GROUP)
    hostvars = (data.get('_meta') or {}).get('hostvars') or {}
    cwd = cwd or os.getcwd()
    hosts = [inventory_vars.convert(name, hostvars.get(name) or {}, cwd)
             for name in names]
    controller = None
    if (inventory_vars.CONTROLLER not in names and
            inventory_vars.CONTROLLER in hostvars):
        controller = inventory_vars.cluster_settings(
            inventory_vars.CONTROLLER,
            hostvars[inventory_vars.CONTROLLER])
    return Found(path, hosts, controller)


def read(path, run=subprocess.run, cwd=None):
    """The hypervisors of the Ansible inventory at ``path``.

    :param cwd: where relative SSH key files start (default: the current
        directory, as for ``ansible-playbook``).
    :returns: a :class:`Found`.
    :raises SpecError: naming ``path``.
    """
    return convert(path, listing(path, run=run), cwd=cwd)


def _put(entry, path, value):
    for part in path[:-1]:
        entry = entry.setdefault(part, {})
    entry[path[-1]] = value


def _hosts_text(names):
    return 'host%s %s' % ('s' if len(names) > 1 else '', ', '.join(names))


class Merged(object):
    """Spec data with the inventory's hypervisors in.

    :ivar data: the spec data: the spec's keys, ``hypervisors`` and the
        settings the inventory adds.
    :ivar added: the top-level keys the inventory added, in order.
    :ivar warnings: lines to warn with.
    :ivar problems: :class:`InventoryProblem` of the inventory itself.
    """

    def __init__(self, path):
        self.path = path
        self.data = {}
        self.added = {}
        self.warnings = []
        self.problems = []
        #: (hypervisor, key path) -> the variable it comes from.
        self.origins = {}
        #: top-level key -> (variable, hosts).
        self.top_origins = {}

    def problem(self, hosts, variable, message, path=()):
        self.problems.append(InventoryProblem(self.path, hosts, variable,
                                              message, path))

    def explain(self, problem):
        """``problem`` of the spec data, told as one of the inventory.

        When it is about what the inventory gave, it names the host and
        the variable instead of the spec key.
        """
        path = problem.path
        if isinstance(problem, InventoryProblem) or not path:
            return problem
        hypervisors = self.added.get('hypervisors') or {}
        if path[0] == 'hypervisors' and len(path) > 1 and (
                path[1] in hypervisors):
            name, rest = path[1], path[2:]
            where = errors.format_path(rest) if rest else None
            for n in range(len(rest), 0, -1):
                variable = self.origins.get((name, rest[:n]))
                if variable:
                    where = errors.format_path((variable,) + rest[n:])
                    break
            return InventoryProblem(self.path, [name], where,
                                    problem.message, path)
        if path[0] in self.top_origins:
            variable, hosts = self.top_origins[path[0]]
            return InventoryProblem(self.path, hosts, errors.format_path(
                (variable,) + path[1:]), problem.message, path)
        return problem


def _shared(found, merged, spec, overridden):
    """The settings tenks has once: every hypervisor must agree."""
    for variable, default in inventory_vars.SHARED.items():
        given = [h for h in found.hosts if variable in h.shared]
        if not given:
            continue
        if variable in spec:
            overridden.setdefault(variable, []).extend(
                h.name for h in given if h.shared[variable] != spec.get(
                    variable))
            continue
        first = given[0]
        value = first.shared[variable]
        for host in found.hosts:
            if any(v == variable for v, _m in host.problems):
                continue        # said already
            other = host.shared.get(variable, default)
            if other == value:
                continue
            said = ('%r' % other if variable in host.shared else
                    'not set (Tenks\' default: %r)' % default
                    if default is not None else 'not set')
            merged.problem([host.name], variable, '%s here but %r on host '
                           '%s: tenks has one %s for every hypervisor; '
                           'give all the same value (in group_vars/%s) or '
                           'set it in the spec' % (said, value, first.name,
                                                   variable, GROUP))
            break
        else:
            merged.added[variable] = value
            merged.top_origins[variable] = (variable,
                                            [h.name for h in given])


def _cluster(found, merged, spec, overridden):
    """Cluster settings from localhost, as Tenks read them."""
    controller = found.controller
    for host in found.hosts:
        if host.name == inventory_vars.CONTROLLER:
            controller = host
    if controller is None:
        return
    for variable, value in controller.cluster.items():
        if variable in spec:
            if spec.get(variable) != value:
                overridden.setdefault(variable, []).append(controller.name)
            continue
        merged.added[variable] = value
        merged.top_origins[variable] = (variable, [controller.name])
    for variable, message in controller.problems:
        if controller not in found.hosts:
            merged.problem([controller.name], variable, message)


def merge(data, found, spec_keys=None):
    """Spec ``data`` with the hypervisors of ``found``.

    :param spec_keys: the keys the spec file sets (default: ``data``'s),
        which win over the inventory's variables of the same name.
    :returns: a :class:`Merged`; its ``problems`` are the inventory's.
    """
    merged = Merged(found.path)
    spec = dict(data)
    keys = set(spec_keys if spec_keys is not None else data)
    spec_view = {k: spec.get(k) for k in keys}
    overridden = {}
    unused = {}
    notes = {}
    hypervisors = {}
    for host in found.hosts:
        entry = {}
        for variable, path, value in host.items:
            if variable in keys:
                if spec.get(variable) != value:
                    overridden.setdefault(variable, []).append(host.name)
                continue
            _put(entry, path, value)
            merged.origins[(host.name, path)] = variable
        hypervisors[host.name] = entry
        for variable, message in host.problems:
            merged.problem([host.name], variable, message)
        for variable in host.unused:
            unused.setdefault(variable, []).append(host.name)
        for note in host.notes:
            notes.setdefault(note, []).append(host.name)
    merged.added['hypervisors'] = hypervisors
    _shared(found, merged, spec_view, overridden)
    _cluster(found, merged, spec_view, overridden)
    for note, names in notes.items():
        merged.warnings.append('%s: %s: %s' % (found.path,
                                               _hosts_text(names), note))
    for variable, names in sorted(overridden.items()):
        merged.warnings.append(
            '%s: the spec\'s %s wins over the one of %s, as the override '
            'file (-e @FILE) did in Tenks' % (found.path, variable,
                                              _hosts_text(names)))
    if unused:
        every = len(found.hosts)
        merged.warnings.append('%s: variables tenks has no use for, '
                               'ignored: %s' % (found.path, ', '.join(
                                   v if len(n) == every else
                                   '%s (%s)' % (v, _hosts_text(n))
                                   for v, n in sorted(unused.items()))))
    merged.data = dict(spec, **merged.added)
    return merged
