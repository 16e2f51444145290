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

"""Problems found in a spec, each tied to a key path."""


def format_path(path):
    """Format a key path: ``('specs', 1, 'type')`` -> ``specs[1].type``."""
    out = ''
    for part in path:
        if isinstance(part, int):
            out += '[%d]' % part
        elif out:
            out += '.%s' % part
        else:
            out = str(part)
    return out or '(top level)'


class Problem(object):
    """One problem: where (a key path, maybe a line) and what is wrong."""

    __slots__ = ('path', 'message', 'line')

    def __init__(self, path, message, line=None):
        self.path = tuple(path)
        self.message = message
        self.line = line

    def __str__(self):
        where = format_path(self.path)
        if self.line is not None:
            where = 'line %d: %s' % (self.line, where)
        return '%s: %s' % (where, self.message)

    def __repr__(self):
        return 'Problem(%r, %r)' % (self.path, self.message)

    def __eq__(self, other):
        return (isinstance(other, Problem) and self.path == other.path and
                self.message == other.message)

    def __hash__(self):
        return hash((self.path, self.message))


class Problems(object):
    """Collects problems; ``add`` keeps going so all are reported."""

    def __init__(self):
        self.items = []

    def add(self, path, message):
        self.items.append(Problem(path, message))

    def __bool__(self):
        return bool(self.items)

    def __len__(self):
        return len(self.items)

    def __iter__(self):
        return iter(self.items)
