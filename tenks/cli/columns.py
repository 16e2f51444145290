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

"""Formattable columns: structure for -f json/yaml, short text for tables.
"""

from cliff import columns


class DictColumn(columns.FormattableColumn):
    """A mapping, shown as ``key=value, ...`` in tables."""

    def human_readable(self):
        return ', '.join('%s=%s' % (k, v if v is not None else '')
                         for k, v in sorted((self._value or {}).items()))

    def machine_readable(self):
        return dict(self._value or {})


class ListColumn(columns.FormattableColumn):
    """A list, shown comma separated in tables."""

    def human_readable(self):
        return ', '.join(str(v) for v in self._value or ())

    def machine_readable(self):
        return list(self._value or ())
