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

"""Apache-style htpasswd files with bcrypt hashes (what sushy-tools reads).

sushy-tools checks the password of every Redfish request against the
file with bcrypt, so the cost factor is kept low: these are credentials
of emulated test BMCs, the file is mode 0600, and Ironic makes many
requests.
"""

#: bcrypt cost factor (2**ROUNDS iterations); sushy-tools pays it on every
#: request.
ROUNDS = 8


def render(users, rounds=ROUNDS):
    """An htpasswd file for ``users``, a list of (name, password) pairs.

    A name given twice keeps its first password, as sushy-tools would.
    """
    import bcrypt
    lines = []
    seen = set()
    for name, password in users:
        if ':' in name or '\n' in name:
            raise ValueError('user name %r cannot go in an htpasswd file'
                             % name)
        if name in seen:
            continue
        seen.add(name)
        digest = bcrypt.hashpw(password.encode('utf-8'),
                               bcrypt.gensalt(rounds=rounds, prefix=b'2b'))
        lines.append('%s:%s' % (name, digest.decode('ascii')))
    return '\n'.join(lines) + '\n'


def matches(path, users):
    """Whether the file at ``path`` holds exactly ``users``.

    Each password is checked against its hash: a file that matches need
    not be rewritten (bcrypt salts differ every time).
    """
    import bcrypt
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return False
    entries = {}
    for line in text.splitlines():
        if ':' in line:
            name, digest = line.split(':', 1)
            entries[name] = digest.encode('ascii', 'replace')
    wanted = {}
    for name, password in users:
        wanted.setdefault(name, password)
    if set(entries) != set(wanted):
        return False
    try:
        return all(bcrypt.checkpw(wanted[n].encode('utf-8'), entries[n])
                   for n in wanted)
    except ValueError:
        return False
