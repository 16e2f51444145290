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

"""Memory and disk sizes in a spec: parsed, and checked against limits.

Each function reports a bad value as a problem at its path (and returns
None), so every size problem of a spec is found at once.
"""

from tenks.spec import units

MIN_MEMORY_MB = 16
MAX_MEMORY_MB = 16 * 1024 * 1024
MAX_VOLUME = 64 * 1024 ** 4
MIN_VOLUME = 1024 ** 2


def memory_mb(value, path, problems, maximum=MAX_MEMORY_MB):
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            mib = value
        else:
            mib = units.to_mib(units.parse_size(value))
    except ValueError as exc:
        problems.add(path, str(exc))
        return None
    if mib < MIN_MEMORY_MB:
        problems.add(path, 'memory %s MiB is below the minimum of %d MiB'
                     % (mib, MIN_MEMORY_MB))
        return None
    if mib > maximum:
        problems.add(path, 'memory %s MiB is above the maximum of %d MiB'
                     % (mib, maximum))
        return None
    return mib


def volume_size(value, path, problems):
    try:
        size = units.parse_size(value)
    except ValueError as exc:
        problems.add(path, str(exc))
        return None
    if size < MIN_VOLUME:
        problems.add(path, 'size %s is below the minimum of 1MiB'
                     % units.format_size(size))
        return None
    if size > MAX_VOLUME:
        problems.add(path, 'size %s is above the maximum of 64TiB'
                     % units.format_size(size))
        return None
    return size
