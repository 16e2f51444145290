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

"""Parsing of human sizes in specs: ``2GB``, ``2GiB``, ``2048`` (MiB)."""

import re

MIB = 1024 ** 2
GIB = 1024 ** 3

_FACTORS = {
    'b': 1,
    'k': 1000, 'kb': 1000, 'kib': 1024,
    'm': 1000 ** 2, 'mb': 1000 ** 2, 'mib': MIB,
    'g': 1000 ** 3, 'gb': 1000 ** 3, 'gib': GIB,
    't': 1000 ** 4, 'tb': 1000 ** 4, 'tib': 1024 ** 4,
    'p': 1000 ** 5, 'pb': 1000 ** 5, 'pib': 1024 ** 5,
}
_SIZE = re.compile(r'^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$')


def parse_size(value, default_unit='mib'):
    """Return a size in bytes.

    :param value: an int (in ``default_unit``) or a string such as
        ``'4GiB'``, ``'4 GB'``, ``'512M'`` or ``'2048'``. Decimal units
        (``GB``) are powers of 1000, binary units (``GiB``) powers of 1024,
        as in libvirt and virsh. A bare ``G``/``M`` is decimal, like
        ``virsh vol-create-as``.
    :raises ValueError: with a message saying what is wrong.
    """
    if isinstance(value, bool):
        raise ValueError('expected a size such as 4GiB, got a boolean')
    if isinstance(value, int):
        number, unit = value, default_unit
    elif isinstance(value, float):
        number, unit = value, default_unit
    elif isinstance(value, str):
        match = _SIZE.match(value)
        if not match:
            raise ValueError('%r is not a size (use e.g. 4GiB, 500MB or a '
                             'number of MiB)' % value)
        number = float(match.group(1))
        unit = match.group(2).lower() or default_unit
    else:
        raise ValueError('expected a size such as 4GiB, got %s' %
                         type(value).__name__)
    if unit not in _FACTORS:
        raise ValueError('unknown size unit %r in %r (use B, KiB, MiB, GiB, '
                         'TiB or KB, MB, GB, TB)' % (unit, value))
    if number < 0:
        raise ValueError('size %r is negative' % (value,))
    size = int(number * _FACTORS[unit])
    return size


def to_mib(size_bytes):
    """Bytes to MiB, rounded up."""
    return -(-size_bytes // MIB)


def to_gib_floor(size_bytes):
    """Bytes to whole GiB, rounded down (Ironic local_gb)."""
    return size_bytes // GIB


def to_gb_ceil(size_bytes):
    """Bytes to decimal GB, rounded up (Nova flavor disk, as Tenks)."""
    return -(-size_bytes // 1000 ** 3)


def format_size(size_bytes):
    """A short human form: ``4GiB``, ``512MiB`` or bytes."""
    for unit, factor in (('TiB', 1024 ** 4), ('GiB', GIB), ('MiB', MIB),
                         ('KiB', 1024)):
        if size_bytes >= factor and size_bytes % factor == 0:
            return '%d%s' % (size_bytes // factor, unit)
    return '%dB' % size_bytes
