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

"""The variables of one Tenks (Ansible) hypervisor as tenks spec keys.

Each variable of a host of the ``hypervisors`` group is one of:

* a key of its hypervisor (:data:`HYPERVISOR_KEYS`), or part of how SSH
  reaches the host (``ansible_host``, ``ansible_user``, ... -> ``host``
  and ``ssh``);
* a setting Tenks reads per host but tenks has once per cluster
  (:data:`SHARED`): the hosts must agree (:mod:`tenks.spec.inventory`);
* a cluster setting Tenks reads from ``localhost`` (:data:`CLUSTER`);
* a variable that would change what happens and has no tenks equivalent
  (:data:`REFUSED`, other connection types, Jinja templates): a problem;
* anything else: unused, listed in one warning.

Nothing here runs anything: :func:`convert` reads the variables
``ansible-inventory`` resolved for one host.
"""

import os
import urllib.parse

import yaml

from tenks.spec import ssh_args

#: Tenks variables of a hypervisor -> its key in the spec's hypervisors.
HYPERVISOR_KEYS = {
    'physnet_mappings': 'physnet_mappings',
    'bridge_prefix': 'bridge_prefix',
    'ipmi_address': 'ipmi_address',
    'ipmi_port_range_start': 'ipmi_port_range_start',
    'ipmi_port_range_end': 'ipmi_port_range_end',
    'redfish_address': 'redfish_address',
    'libvirt_pool_name': 'pool_name',
    'libvirt_pool_path': 'pool_path',
}

#: Tenks variables read per host that are one top-level spec key in tenks,
#: with what a host that does not set one gets in Tenks (its defaults).
SHARED = {
    'bridge_type': 'openvswitch',
    'ipmi_username': 'username',
    'ipmi_password': 'password',
    'redfish_username': 'username',
    'redfish_password': 'password',
    'libvirt_vm_arch': 'x86_64',
    'libvirt_vm_engine': None,
}

#: Cluster settings: Tenks reads them from localhost's variables.
CLUSTER = ('node_types', 'specs', 'nova_flavors', 'deploy_kernel',
           'deploy_ramdisk', 'default_boot_mode', 'default_ironic_driver',
           'bmc_emulators', 'wait_for_placement', 'node_name_prefix',
           'vol_name_prefix')

#: The host tenks reads :data:`CLUSTER` from, as Tenks did.
CONTROLLER = 'localhost'

ADDRESS = ('ansible_host', 'ansible_ssh_host')
USER = ('ansible_user', 'ansible_ssh_user')
PORT = ('ansible_port', 'ansible_ssh_port')
KEY_FILE = ('ansible_ssh_private_key_file', 'ansible_private_key_file')
TIMEOUT = ('ansible_ssh_timeout', 'ansible_timeout')
ARGS = ('ansible_ssh_args', 'ansible_ssh_common_args',
        'ansible_ssh_extra_args')
HOST_KEY_CHECKING = ('ansible_host_key_checking',
                     'ansible_ssh_host_key_checking')
#: Where a libvirt other than the system one listens, in Tenks.
LIBVIRT = ('libvirt_local_uri', 'libvirt_custom_socket_path')

_NO_PASSWORDS = ('tenks logs in with a key only (BatchMode): use '
                 'ansible_ssh_private_key_file or an SSH agent')
_NO_SUDO_PASSWORD = ('tenks cannot answer a password prompt: log in as '
                     'root, or give the user passwordless sudo')

#: Variables of a remote host that tenks cannot honour, and why.
REFUSED = {
    'ansible_password': _NO_PASSWORDS,
    'ansible_ssh_pass': _NO_PASSWORDS,
    'ansible_ssh_password': _NO_PASSWORDS,
    'ansible_become_password': _NO_SUDO_PASSWORD,
    'ansible_become_pass': _NO_SUDO_PASSWORD,
    'ansible_sudo_pass': _NO_SUDO_PASSWORD,
    'ansible_ssh_executable': 'tenks runs the ssh found in its PATH; '
                              'drop it, or put that ssh first in the PATH',
}

#: ``ansible_connection`` values that reach a host the way tenks does.
SSH_CONNECTIONS = ('ssh', 'smart', 'paramiko', 'paramiko_ssh')

_INTEGERS = frozenset(('ipmi_port_range_start', 'ipmi_port_range_end')
                      + PORT + TIMEOUT)
_BOOLEANS = frozenset(('wait_for_placement',) + HOST_KEY_CHECKING)
_STRUCTURED = frozenset(('physnet_mappings', 'node_types', 'specs',
                         'nova_flavors', 'bmc_emulators'))
_TRUE = ('true', 'yes', 'on', '1', 'y', 't')
_FALSE = ('false', 'no', 'off', '0', 'n', 'f')
_LOCAL_NAMES = ('localhost', '127.0.0.1', '::1')


class Host(object):
    """One hypervisor host as tenks keys.

    :ivar items: ``[(variable, key path, value)]``: hypervisor keys
        (``('physnet_mappings',)``, ``('ssh', 'user')``...), each with
        the variable it comes from.
    :ivar shared: ``{variable: value}`` of :data:`SHARED`.
    :ivar cluster: ``{variable: value}`` of :data:`CLUSTER`.
    :ivar unused: variables tenks has no use for.
    :ivar notes: what was left out on purpose (warnings).
    :ivar problems: ``[(variable, message)]``.
    """

    def __init__(self, name):
        self.name = name
        self.local = False
        self.items = []
        self.shared = {}
        self.cluster = {}
        self.unused = []
        self.notes = []
        self.problems = []

    def add(self, variable, path, value):
        self.items.append((variable, tuple(path), value))


def _templated(value):
    if isinstance(value, str):
        return '{{' in value or '{%' in value
    if isinstance(value, dict):
        return any(_templated(k) or _templated(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_templated(v) for v in value)
    return False


def _encrypted(value):
    if isinstance(value, dict):
        return '__ansible_vault' in value or any(
            _encrypted(v) for v in value.values())
    if isinstance(value, list):
        return any(_encrypted(v) for v in value)
    return False


def _coerce(variable, value):
    """``value`` as Ansible's templating would have read it.

    INI inventories give group variables as text.
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    if variable in _INTEGERS and text.isdigit():
        return int(text)
    if variable in _BOOLEANS and text.lower() in _TRUE + _FALSE:
        return text.lower() in _TRUE
    if variable in _STRUCTURED and text[:1] in '{[':
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError:
            return value
    return value


def _usable(host, variable, value):
    """Whether tenks can take ``value`` as it is; a problem if not."""
    if _encrypted(value):
        host.problems.append((variable, 'is encrypted with ansible-vault, '
                                        'which tenks does not decrypt: '
                                        'write its value in the spec'))
        return False
    if _templated(value):
        host.problems.append((variable, 'is a Jinja template (%r), which '
                                        'tenks does not evaluate: write '
                                        'its value' % (value,)))
        return False
    return True


def _connection(host, values):
    """Read ``ansible_connection``: local, ssh, or a problem."""
    raw = values.pop('ansible_connection', None)
    name = str(raw).rpartition('.')[2] if raw is not None else None
    if name == 'local':
        return True
    if name is None:
        address = _first(values, ADDRESS) or host.name
        return address in _LOCAL_NAMES
    if name not in SSH_CONNECTIONS:
        host.problems.append((
            'ansible_connection', '%r is not a connection tenks has: it '
                                  'reaches a remote hypervisor over SSH '
                                  '(ssh) or works here (local)' % raw))
    return False


def _first(values, names):
    for name in names:
        if values.get(name) is not None:
            return values[name]
    return None


def _one(host, values, names):
    """``(variable, value)`` of the first of ``names`` set.

    Two aliases saying different things are a problem.
    """
    found = [(n, values[n]) for n in names if values.get(n) is not None]
    for name, value in found[1:]:
        if value != found[0][1]:
            host.problems.append((name, '%r disagrees with %s (%r); say it '
                                        'once' % (value, found[0][0],
                                                  found[0][1])))
    return found[0] if found else (None, None)


def _destination(address):
    """An SSH destination: an IPv6 address goes in brackets."""
    text = str(address)
    if ':' in text and not text.startswith('['):
        return '[%s]' % text
    return text


def _ssh(host, values, cwd):
    """``host`` and ``ssh`` keys of a remote host, from its variables."""
    variable, address = _one(host, values, ADDRESS)
    if address is not None and not _usable(host, variable, address):
        address = None
    host.add(variable or 'inventory_hostname', ('host',),
             _destination(address if address is not None else host.name))
    keys = {}
    for names, key in ((USER, 'user'), (PORT, 'port'),
                       (KEY_FILE, 'identity_file'),
                       (TIMEOUT, 'connect_timeout')):
        variable, value = _one(host, values, names)
        if variable is not None and _usable(host, variable, value):
            if key == 'identity_file':
                value = os.path.join(cwd, os.path.expanduser(str(value)))
            keys[key] = (variable, value)
    options = {}
    for variable in ARGS:
        text = values.get(variable)
        if text is None or not _usable(host, variable, text):
            continue
        parsed = ssh_args.parse(text)
        host.problems.extend((variable, p) for p in parsed.problems)
        host.notes.extend('%s: %s' % (variable, n) for n in parsed.notes)
        for key, value in parsed.keys.items():
            if key == 'identity_file':
                value = os.path.join(cwd, os.path.expanduser(value))
            if key in keys and keys[key][1] != value:
                host.problems.append((variable, 'sets %s %r but %s says '
                                      '%r; say it once' % (
                                          key, value, keys[key][0],
                                          keys[key][1])))
            keys.setdefault(key, (variable, value))
        for name, value in parsed.options.items():
            options.setdefault(name, (variable, value))
    variable, checking = _one(host, values, HOST_KEY_CHECKING)
    if checking is False:
        options.setdefault('StrictHostKeyChecking', (variable, 'no'))
    for key, (variable, value) in sorted(keys.items()):
        host.add(variable, ('ssh', key), value)
    for name, (variable, value) in sorted(options.items()):
        host.add(variable, ('ssh', 'options', name), value)
    for name in (USER + PORT + KEY_FILE + TIMEOUT + ARGS + ADDRESS +
                 HOST_KEY_CHECKING):
        values.pop(name, None)


def libvirt_uri(host, values):
    """The libvirt URI of a host whose Tenks libvirt has its own socket.

    Tenks gives a custom libvirt daemon ``libvirt_custom_socket_path``
    (and derives ``libvirt_local_uri`` from it); tenks reaches it by its
    socket, over SSH for a remote host. Empty values (Tenks' defaults)
    say nothing.
    """
    uri = values.get('libvirt_local_uri') or ''
    socket_dir = values.get('libvirt_custom_socket_path') or ''
    if not (str(uri).strip() or str(socket_dir).strip()):
        return None
    variable = 'libvirt_local_uri' if str(uri).strip() else (
        'libvirt_custom_socket_path')
    if not _usable(host, variable, values[variable]):
        return None
    if str(uri).strip():
        if host.local:
            return variable, str(uri).strip()
        parts = urllib.parse.urlsplit(str(uri).strip())
        socket = dict(urllib.parse.parse_qsl(parts.query)).get('socket')
        if parts.scheme not in ('qemu', 'qemu+unix') or parts.netloc:
            host.problems.append((variable, '%r is not a local qemu URI; '
                                            'tenks cannot tell where that '
                                            'libvirt is' % uri))
            return None
        path = parts.path or '/system'
    else:
        socket = '%s/libvirt-sock' % str(socket_dir).strip().rstrip('/')
        path = '/system'
    if host.local:
        return variable, 'qemu+unix://%s%s' % (
            path, '?socket=%s' % socket if socket else '')
    destination = [v for _var, p, v in host.items if p == ('host',)][0]
    _user, _at, hostname = destination.rpartition('@')
    return variable, 'qemu+ssh://%s%s%s' % (
        hostname, path, '?socket=%s' % socket if socket else '')


def convert(name, hostvars, cwd):
    """The tenks keys of hypervisor host ``name``.

    :param hostvars: its variables, as ``ansible-inventory --list``
        resolved them.
    :param cwd: where relative key files start (Ansible hands them to
        ``ssh`` as they are, from the directory it runs in).
    :returns: a :class:`Host`.
    """
    host = Host(name)
    values = {k: _coerce(k, v) for k, v in hostvars.items()}
    host.local = _connection(host, values)
    if not host.local:
        for variable, reason in sorted(REFUSED.items()):
            if values.pop(variable, None) is not None:
                host.problems.append((variable, reason))
        _ssh(host, values, cwd)
    uri = libvirt_uri(host, values)
    if uri is not None:
        host.add(uri[0], ('libvirt_uri',), uri[1])
    for variable in LIBVIRT:
        values.pop(variable, None)
    order = list(HYPERVISOR_KEYS)
    for variable, value in sorted(values.items(), key=lambda kv: (
            order.index(kv[0]) if kv[0] in order else len(order), kv[0])):
        if variable in HYPERVISOR_KEYS:
            if _usable(host, variable, value):
                host.add(variable, (HYPERVISOR_KEYS[variable],), value)
        elif variable in SHARED:
            if _usable(host, variable, value):
                host.shared[variable] = value
        elif variable in CLUSTER and name == CONTROLLER:
            if _usable(host, variable, value):
                host.cluster[variable] = value
        else:
            host.unused.append(variable)
    return host


def cluster_settings(name, hostvars):
    """The :data:`CLUSTER` settings of ``localhost`` (no hypervisor).

    :returns: a :class:`Host` with only ``cluster`` and ``problems``.
    """
    host = Host(name)
    for variable in CLUSTER:
        if variable in hostvars:
            value = _coerce(variable, hostvars[variable])
            if _usable(host, variable, value):
                host.cluster[variable] = value
    return host
