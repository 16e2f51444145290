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

"""A client of vbmcd's control protocol (what the ``vbmc`` command speaks).

vbmcd answers JSON requests ``{"command": ..., <arguments>}`` on a ZeroMQ
REP socket at ``tcp://127.0.0.1:<server_port>`` with ``{"rc": 0|1, "msg":
[...], "header": [...], "rows": [[...]]}``. Speaking it directly avoids
the ``vbmc`` command, which reads its settings from files at import time.
"""

import json


class VbmcdError(Exception):
    """vbmcd refused a request, or did not answer."""


def request(server_port, command, timeout=10, **args):
    """Send one request to the vbmcd on ``server_port``.

    :returns: the reply without ``rc``.
    :raises VbmcdError: no answer within ``timeout`` seconds, or rc != 0.
    """
    import zmq
    payload = dict(args, command=command)
    context = zmq.Context()
    sock = context.socket(zmq.REQ)
    try:
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect('tcp://127.0.0.1:%d' % server_port)
        sock.send(json.dumps(payload).encode('utf-8'))
        if not sock.poll(timeout * 1000, zmq.POLLIN):
            raise VbmcdError('vbmcd on port %d did not answer %r within '
                             '%ss' % (server_port, command, timeout))
        reply = json.loads(sock.recv().decode('utf-8'))
    finally:
        sock.close()
        context.term()
    if reply.pop('rc', 0):
        raise VbmcdError('vbmcd refused %s: %s' % (
            command, '; '.join(reply.get('msg') or ()) or 'no reason given'))
    return reply


def ping(server_port, timeout=3):
    """True when a vbmcd answers on ``server_port``."""
    try:
        request(server_port, 'list', timeout=timeout)
        return True
    except (VbmcdError, ValueError):
        return False


def entries(server_port, timeout=10):
    """``{domain: {'status', 'address', 'port'}}`` as vbmcd lists them."""
    reply = request(server_port, 'list', timeout=timeout)
    out = {}
    for row in reply.get('rows') or ():
        domain, status, address, port = row
        out[domain] = {'status': status, 'address': address,
                       'port': int(port)}
    return out


def show(server_port, domain, timeout=10):
    """One entry's settings (vbmcd masks the passwords)."""
    reply = request(server_port, 'show', timeout=timeout, domain_name=domain)
    return {k: v for k, v in reply.get('rows') or ()}


def add(server_port, domain, address, port, username, password,
        libvirt_uri, timeout=10):
    request(server_port, 'add', timeout=timeout, domain_name=domain,
            address=address, port=port, username=username,
            password=password, libvirt_uri=libvirt_uri,
            libvirt_sasl_username=None, libvirt_sasl_password=None)


def start(server_port, domain, timeout=10):
    request(server_port, 'start', timeout=timeout, domain_names=[domain])


def delete(server_port, domain, timeout=10):
    request(server_port, 'delete', timeout=timeout, domain_names=[domain])
