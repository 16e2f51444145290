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

"""The toy emulator: BMCs written on a switchboard file per hypervisor.

Each hypervisor's ``bmc_service`` is a JSON switchboard under the run
directory; each node's ``bmc`` is an entry on it with its own port (from
the toy's port range), credentials and power state. ``power`` flips the
entry: a toy speaks no protocol, which is all that separates it from a
real emulator's plugin.
"""

import contextlib
import fcntl
import json
import os

from tenks.bmc import base
from tenks import exception
from tenks import fileio

PORTS = range(7100, 7104)


def _load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise exception.TenksError('no toy switchboard %s' % path)


def _save(path, board):
    fileio.write_atomic(path, json.dumps(board, sort_keys=True))


@contextlib.contextmanager
def _editing(path):
    """The board at ``path``, saved on exit; one editor at a time."""
    with open(path + '.lock', 'a') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        board = _load(path)
        yield board
        _save(path, board)


class ToyBMC(base.BMCEmulator):
    """BMCs on a switchboard file."""

    port_label = 'toy'

    # -- pure half: what the planner asks -------------------------------

    @classmethod
    def port_range(cls, site):
        return PORTS

    @classmethod
    def bmc_fields(cls, node_type, site, port=None):
        return {'address': '127.0.0.1', 'port': port,
                'username': node_type.bmc_username or 'toy',
                'password': node_type.bmc_password or 'toy-secret'}

    @classmethod
    def service_props(cls, hypervisor, site, nodes, settings):
        return {'board': os.path.join(settings.run_dir, 'toy',
                                      '%s.json' % hypervisor.name)}

    @classmethod
    def bmc_props(cls, node, hypervisor, site, settings):
        board = cls.service_props(hypervisor, site, [node], settings)
        return dict(board, node=node['name'], **{
            k: node['bmc'][k]
            for k in ('address', 'port', 'username', 'password')})

    @classmethod
    def driver_info(cls, props):
        return {'toy_address': props['address'], 'toy_port': props['port'],
                'toy_username': props['username'],
                'toy_password': props['password']}

    @classmethod
    def endpoint(cls, props):
        return 'toy://%s:%s' % (props['address'], props['port'])

    # -- impure half: what the executor and the CLI ask -----------------

    def create_bmc_service(self, record):
        path = record.props['board']
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            _save(path, {})

    def delete_bmc_service(self, record):
        for path in (record.props['board'], record.props['board'] + '.lock'):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass

    def create_bmc(self, record):
        props = record.props
        with _editing(props['board']) as board:
            entry = board.setdefault(props['node'], {'power': 'off'})
            entry.update(port=props['port'], username=props['username'],
                         password=props['password'])

    def update_bmc(self, old, record):
        self.create_bmc(record)

    def delete_bmc(self, record):
        props = record.props
        if not os.path.exists(props['board']):
            return
        with _editing(props['board']) as board:
            board.pop(props['node'], None)

    def power(self, props, action):
        with _editing(props['board']) as board:
            entry = board[props['node']]
            if (entry['username'], entry['password']) != (
                    props['username'], props['password']):
                raise exception.TenksError('toy BMC of %s: wrong '
                                           'credentials' % props['node'])
            if action in ('on', 'off'):
                entry['power'] = action
            return entry['power']
