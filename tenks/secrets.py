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

"""Masking of secrets (BMC passwords) wherever tenks prints data."""

import re

MASK = '******'
_SECRET_KEY = re.compile(r'(password|passwd|secret|token)', re.I)


def is_secret_key(key):
    return bool(_SECRET_KEY.search(str(key)))


def mask(value):
    """A copy of ``value`` (dicts and lists) with secret values masked."""
    if isinstance(value, dict):
        return {k: (MASK if is_secret_key(k) and v not in (None, '')
                    else mask(v))
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask(v) for v in value]
    return value


def looks_secret(text):
    """Cheap test: might ``text`` contain a secret worth masking?"""
    lowered = text.lower()
    return ('pass' in lowered or 'secret' in lowered or 'token' in lowered)


def mask_text(text):
    """Mask ``password=...``-like secrets in free text."""
    from oslo_utils import strutils
    return strutils.mask_password(text, secret=MASK)
