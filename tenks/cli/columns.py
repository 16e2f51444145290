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

Text is never a Python repr: mappings read ``key=value``, lists are comma
separated, nested values are shown in ``{...}`` and ``[...]`` without
quotes, booleans are ``true``/``false`` and None is empty.
"""

from cliff import columns

#: Formatters that keep structure; every other one prints text.
STRUCTURED = ('json', 'yaml')


def _nested(value):
    return isinstance(value, (dict, list, tuple))


def text(value, nested=False):
    """``value`` as text for people (see the module docstring)."""
    if isinstance(value, columns.FormattableColumn):
        return value.human_readable()
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, dict):
        pairs = ['%s=%s' % (k, text(v, True))
                 for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))]
        if nested:
            return '{%s}' % ', '.join(pairs)
        # A flat mapping fits a line; a deep one reads better a key a line.
        deep = any(_nested(v) for v in value.values())
        return ('\n' if deep else ', ').join(pairs)
    if isinstance(value, (list, tuple)):
        if nested:
            return '[%s]' % ', '.join(text(v, True) for v in value)
        # Items that are mappings or lists get a line each.
        deep = any(_nested(v) for v in value)
        return ('\n' if deep else ', ').join(text(v) for v in value)
    return str(value)


def for_format(values, formatter):
    """``values`` (a row) as ``formatter`` should print them.

    json and yaml keep structure (a :class:`cliff.columns.
    FormattableColumn` gives its machine-readable value); every other
    formatter (table, value, csv, shell) gets text for mappings, lists,
    booleans and None, because cliff would print their Python repr.
    Numbers and strings stay as they are.
    """
    if formatter in STRUCTURED:
        return tuple(values)
    return tuple(text(v) if v is None or isinstance(
        v, (bool, dict, list, tuple, columns.FormattableColumn)) else v
        for v in values)


class DictColumn(columns.FormattableColumn):
    """A mapping, shown as ``key=value, ...`` in tables."""

    def human_readable(self):
        return text(dict(self._value or {}))

    def machine_readable(self):
        return dict(self._value or {})


class DictLinesColumn(DictColumn):
    """A mapping, one ``key=value`` a line in tables (for ``show``)."""

    def human_readable(self):
        return '\n'.join(text({k: v}) for k, v in
                         sorted((self._value or {}).items(),
                                key=lambda kv: str(kv[0])))


class ListColumn(columns.FormattableColumn):
    """A list, shown comma separated in tables (mappings a line each)."""

    def human_readable(self):
        return text(list(self._value or ()))

    def machine_readable(self):
        return list(self._value or ())
