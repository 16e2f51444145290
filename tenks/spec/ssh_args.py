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

"""``ssh`` command-line arguments as the keys of a hypervisor's ``ssh``.

Ansible hands ``ansible_ssh_common_args`` (and ``_extra_args``,
``ansible_ssh_args``) to ``ssh`` on its command line; tenks writes one
OpenSSH client configuration per host instead (see
:mod:`tenks.hosts.sshconfig`). :func:`parse` reads such arguments as
``ssh`` keys: ``-o Name=value`` and the short flags that stand for an
option. What tenks sets itself (the master connection, ``BatchMode``) is
left out with a note; what it cannot express is a problem.
"""

import re
import shlex

#: Options with a key of their own in a hypervisor's ``ssh`` (lower case).
KEYED = {'user': 'user', 'port': 'port', 'identityfile': 'identity_file',
         'userknownhostsfile': 'known_hosts_file',
         'connecttimeout': 'connect_timeout'}

#: Options tenks sets itself: left out, not refused (lower case).
MANAGED = ('batchmode', 'controlmaster', 'controlpath', 'controlpersist')

#: Flags without a value, as the option each stands for.
FLAGS = {'-4': ('AddressFamily', 'inet'), '-6': ('AddressFamily', 'inet6'),
         '-A': ('ForwardAgent', 'yes'), '-a': ('ForwardAgent', 'no'),
         '-C': ('Compression', 'yes'), '-q': ('LogLevel', 'QUIET'),
         '-T': ('RequestTTY', 'no'), '-x': ('ForwardX11', 'no')}

#: Flags taking a value, as the option (or ``ssh`` key) each sets.
VALUED = {'-o': None, '-i': 'IdentityFile', '-p': 'Port', '-l': 'User',
          '-J': 'ProxyJump', '-c': 'Ciphers', '-m': 'MACs',
          '-b': 'BindAddress', '-B': 'BindInterface'}

_OPTION = re.compile(r'^\s*([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+)(.*?)\s*$')

#: A known hosts file that keeps nothing.
NO_FILE = '/dev/null'


class Parsed(object):
    """What arguments say: ``keys``, ``options``, ``notes``, ``problems``.

    :ivar keys: ``ssh`` keys other than ``options`` (``user``, ``port``,
        ``identity_file``, ``known_hosts_file``, ``connect_timeout``).
    :ivar options: ``{OpenSSH option: value}``, the first value of each
        as ``ssh`` takes it.
    :ivar notes: what was left out on purpose, for a warning.
    :ivar problems: what tenks cannot do, one sentence each.
    """

    def __init__(self):
        self.keys = {}
        self.options = {}
        self.notes = []
        self.problems = []


def _split(text, parsed):
    try:
        return shlex.split(text)
    except ValueError as exc:
        parsed.problems.append('cannot be split into arguments: %s' % exc)
        return []


def _pairs(words, parsed):
    """``(option name, value)`` of each argument, in order."""
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        flag, rest = word[:2], word[2:]
        if flag in FLAGS and not rest:
            yield FLAGS[flag]
        elif flag in VALUED:
            if not rest:
                if i >= len(words):
                    parsed.problems.append('%s needs a value' % flag)
                    return
                rest = words[i]
                i += 1
            if VALUED[flag] is not None:
                yield VALUED[flag], rest
                continue
            match = _OPTION.match(rest)
            if not match:
                parsed.problems.append('-o %s is not Name=value' % rest)
                continue
            value = match.group(2)
            if len(value) > 1 and value[0] == value[-1] == '"':
                value = value[1:-1]
            yield match.group(1), value
        else:
            parsed.problems.append(
                '%s has no place in a tenks ssh configuration (only -o '
                'options and %s)' % (word, ' '.join(sorted(set(FLAGS) |
                                                           set(VALUED)))))


def _integer(name, value, parsed):
    if str(value).isdigit():
        return int(value)
    parsed.problems.append('%s %r is not a number' % (name, value))
    return None


def parse(text):
    """What ``ssh`` arguments ``text`` say, as a :class:`Parsed`.

    An option given twice takes its first value, as in ``ssh``.
    """
    parsed = Parsed()
    seen = set()
    for name, value in _pairs(_split(str(text), parsed), parsed):
        lower = name.lower()
        if lower in seen:
            continue
        seen.add(lower)
        if lower in MANAGED:
            parsed.notes.append('%s left out: tenks sets it (one master '
                                'connection per host, no prompts)' % name)
        elif lower == 'hostname':
            parsed.problems.append('HostName cannot be set here: use '
                                   'ansible_host')
        elif lower == 'userknownhostsfile' and value == NO_FILE:
            parsed.notes.append(
                'UserKnownHostsFile %s left out: host keys go to '
                '~/.ssh/known_hosts instead' % NO_FILE)
        elif lower in KEYED:
            key = KEYED[lower]
            if key in ('port', 'connect_timeout'):
                value = _integer(name, value, parsed)
                if value is None:
                    continue
            parsed.keys[key] = value
        else:
            parsed.options[name] = value
    return parsed
