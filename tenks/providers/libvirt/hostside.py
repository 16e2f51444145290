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

"""Host-level work of the libvirt provider, run where the hypervisor is
through its host agent (:meth:`tenks.hosts.base.HostAgent.call`).

Arguments and results are JSON-serialisable.
"""

import os

from tenks.hosts import calls


@calls.exposed
def ensure_directory(path):
    """Create directory ``path`` (and its parents) when missing.

    The serial console log of a node is written by libvirt's virtlogd on
    the hypervisor's host, which does not create directories.

    :returns: the absolute path.
    """
    path = os.path.abspath(path)
    os.makedirs(path, exist_ok=True)
    return path


@calls.exposed
def first_existing(paths):
    """The first of ``paths`` that exists on this host, or None."""
    for path in paths:
        if os.path.exists(path):
            return path
    return None


@calls.exposed
def read_file(path, offset=0, limit=1 << 20):
    """Up to ``limit`` bytes of file ``path`` from ``offset``, as text.

    For following a node's serial console log: a file not written yet
    reads as empty; one that shrank (a new log) reads from its start.

    :returns: ``{'data': text, 'offset': where the next read starts,
        'size': the file's size}``; undecodable bytes are replaced.
    """
    try:
        with open(path, 'rb') as f:
            size = os.fstat(f.fileno()).st_size
            if offset > size:
                offset = 0
            f.seek(offset)
            data = f.read(limit)
    except FileNotFoundError:
        return {'data': '', 'offset': 0, 'size': 0}
    return {'data': data.decode('utf-8', 'replace'),
            'offset': offset + len(data), 'size': size}
