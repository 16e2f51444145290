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

"""Structural checks of a spec with jsonschema, as readable problems."""

import difflib

from tenks import secrets
from tenks.spec import errors
from tenks.spec import schema

_VALIDATORS = {}

_TYPE_NAMES = {'integer': 'an integer', 'string': 'a string',
               'boolean': 'true or false', 'object': 'a mapping',
               'array': 'a list', 'number': 'a number', 'null': 'null'}


def _validator(catalog):
    """A validator of the spec schema with the plugins' keys.

    Built once per set of plugins (the schema of a run does not change).
    """
    document = schema.spec_schema(catalog)
    key = repr(document)
    validator = _VALIDATORS.get(key)
    if validator is None:
        import jsonschema
        validator = _VALIDATORS[key] = jsonschema.Draft7Validator(document)
    return validator


def _describe(value):
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'a boolean (%s)' % str(value).lower()
    if isinstance(value, dict):
        return 'a mapping'
    if isinstance(value, list):
        return 'a list'
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + '...'
    return '%s %s' % (type(value).__name__.replace('str', 'string')
                      .replace('int', 'integer'), text)


def _short(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + '...'


def _problems_for(error):
    path = tuple(error.absolute_path)
    kind = error.validator
    sch = error.schema if isinstance(error.schema, dict) else {}
    inst = error.instance
    if (path and secrets.is_secret_key(path[-1]) and
            isinstance(inst, (str, int, float)) and inst != ''):
        inst = secrets.MASK     # say what is wrong without echoing it
    if kind == 'additionalProperties' and isinstance(inst, dict):
        known = set(sch.get('properties', {}))
        out = []
        for key in inst:
            if key in known:
                continue
            msg = 'unknown key %s' % _short(key)
            close = difflib.get_close_matches(str(key), sorted(known), n=1)
            if close:
                msg += " (did you mean '%s'?)" % close[0]
            out.append(errors.Problem(path + (key,), msg))
        return out
    if kind == 'required':
        missing = error.message.split("'")[1] if "'" in error.message else ''
        return [errors.Problem(path, "missing required key '%s'" % missing)]
    if kind == 'type':
        wanted = error.validator_value
        if isinstance(wanted, str):
            wanted = [wanted]
        names = ' or '.join(_TYPE_NAMES.get(w, w) for w in wanted)
        return [errors.Problem(path, 'expected %s, got %s'
                               % (names, _describe(inst)))]
    if kind == 'enum':
        return [errors.Problem(path, 'must be one of %s; got %s' % (
            ', '.join(str(v) for v in error.validator_value),
            _short(inst)))]
    if kind == 'propertyNames' or 'propertyNames' in error.schema_path:
        return [errors.Problem(path + (inst,), 'invalid name %s: use '
                               'letters, digits, _ . : -, starting with a '
                               'letter or digit' % _short(inst))]
    if kind == 'pattern':
        detail = sch.get('x-error', 'contains characters that are not '
                                    'allowed here')
        return [errors.Problem(path, '%s %s' % (_short(inst), detail))]
    if kind == 'minimum':
        return [errors.Problem(path, 'must be at least %s; got %s'
                               % (error.validator_value, _short(inst)))]
    if kind == 'maximum':
        return [errors.Problem(path, 'must be at most %s; got %s'
                               % (error.validator_value, _short(inst)))]
    if kind in ('maxItems', 'maxLength'):
        return [errors.Problem(path, 'too long: at most %s allowed'
                               % error.validator_value)]
    if kind in ('minItems', 'minLength'):
        return [errors.Problem(path, 'too short: at least %s required'
                               % error.validator_value)]
    return [errors.Problem(path, error.message)]


def check(data, catalog):
    """Return the structural problems of spec ``data``, sorted by path.

    :param catalog: the :class:`tenks.plugins.Catalog`: its plugins add
        the spec keys they declare, and name the valid bridge types.
    """
    problems = []
    for error in _validator(catalog).iter_errors(data):
        problems.extend(_problems_for(error))
    problems.sort(key=lambda p: [str(x) for x in p.path])
    return problems
