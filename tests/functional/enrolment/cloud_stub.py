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

"""A small keystone + Nova + Placement on loopback, recording every request.

A real Nova and Placement are out of reach on a test machine, so the
flavor and Placement tests talk to this server through the whole real
client stack (openstacksdk, keystoneauth, requests, sockets): version
discovery, keystone authentication and the service catalog, microversion
headers. It implements only the calls tenks makes, keeps flavors and
resource providers in memory, and records each request (method, path,
query, JSON body, microversion) so tests can check exactly what was sent.

The catalog can also point ``baremetal`` at a real Ironic, which then
sees a keystone cloud's token (and, running noauth, ignores it).
"""

import http.server
import json
import threading
import urllib.parse
import uuid as uuid_mod

from tests.functional import env as env_mod

NOVA_MAX = '2.96'
PLACEMENT_MAX = '1.39'


class Request(object):
    def __init__(self, method, path, query, body, headers):
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.headers = headers

    @property
    def microversion(self):
        value = self.headers.get('OpenStack-API-Version') or ''
        return value.split(' ')[-1] or None

    def __repr__(self):
        return '%s %s %s %s' % (self.method, self.path, self.query or '',
                                self.body if self.body is not None else '')


class CloudStub(object):
    """The server and its in-memory state.

    :param password: the keystone password it accepts.
    :param placement: whether the catalog has a placement service.
    :param baremetal: URL of an Ironic to list as ``baremetal``, or None.
    """

    def __init__(self, password='secret', placement=True, baremetal=None):
        self.password = password
        self.with_placement = placement
        self.baremetal = baremetal
        self.port = env_mod.free_tcp_port()
        self.base = 'http://127.0.0.1:%d' % self.port
        self.requests = []
        self.flavors = {}
        self.providers = {}
        self.tokens = 0
        self.on_request = None
        self._lock = threading.Lock()
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def _handle(self):
                stub._dispatch(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1',
                                                       self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # -- what tests read --------------------------------------------------

    def calls(self, service=None, method=None):
        """Recorded requests, without version discovery and auth.

        Optionally only of one service ('compute', 'placement') and method.
        """
        out = []
        for req in list(self.requests):
            parts = req.path.strip('/').split('/')
            if (parts[0] == 'identity' or len(parts) == 1 or
                    parts == ['compute', 'v2.1']):
                continue
            if service and parts[0] != service:
                continue
            if method and req.method != method:
                continue
            out.append(req)
        return out

    def clear(self):
        with self._lock:
            self.requests = []

    def cloud_entry(self, password=None):
        """A clouds.yaml entry authenticating against this keystone."""
        return {'auth_type': 'password',
                'auth': {'auth_url': self.base + '/identity/v3',
                         'username': 'admin',
                         'password': password or self.password,
                         'project_name': 'admin',
                         'user_domain_name': 'Default',
                         'project_domain_name': 'Default'},
                'region_name': 'RegionOne',
                'identity_api_version': 3}

    def add_provider(self, rc, traits=(), total=1, reserved=0, used=0,
                     name=None):
        uuid = str(uuid_mod.uuid4())
        with self._lock:
            self.providers[uuid] = {
                'name': name or uuid, 'traits': set(traits),
                'inventories': {rc: {'total': total, 'reserved': reserved,
                                     'allocation_ratio': 1.0, 'min_unit': 1,
                                     'max_unit': total, 'step_size': 1}},
                'used': {rc: used}}
        return uuid

    def add_flavor(self, name, ram=128, vcpus=1, disk=1, is_public=True,
                   extra_specs=None):
        """A flavor made by someone else."""
        flavor = self._new_flavor({'name': name, 'ram': ram,
                                   'vcpus': vcpus, 'disk': disk,
                                   'os-flavor-access:is_public': is_public})
        flavor['extra_specs'] = dict(extra_specs or {})
        return flavor

    # -- dispatch ---------------------------------------------------------

    def _dispatch(self, handler):
        url = urllib.parse.urlsplit(handler.path)
        query = dict(urllib.parse.parse_qsl(url.query,
                                            keep_blank_values=True))
        length = int(handler.headers.get('Content-Length') or 0)
        raw = handler.rfile.read(length) if length else b''
        body = json.loads(raw) if raw else None
        req = Request(handler.command, url.path, query, body,
                      dict(handler.headers.items()))
        with self._lock:
            self.requests.append(req)
        if self.on_request:
            self.on_request(self, req)
        parts = [p for p in url.path.split('/') if p]
        service = parts[0] if parts else ''
        route = {'identity': self._identity, 'compute': self._compute,
                 'placement': self._placement}.get(service)
        if route is None:
            return self._send(handler, 404, {'error': 'no such service'})
        status, payload, headers = route(req, parts[1:])
        self._send(handler, status, payload, headers)

    def _send(self, handler, status, payload, headers=None):
        data = b'' if payload is None else json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header('Content-Type', 'application/json')
        handler.send_header('Content-Length', str(len(data)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    # -- keystone ---------------------------------------------------------

    def _version_v3(self):
        return {'id': 'v3.14', 'status': 'stable',
                'updated': '2020-04-07T00:00:00Z',
                'media-types': [{'base': 'application/json',
                                 'type': 'application/'
                                         'vnd.openstack.identity-v3+json'}],
                'links': [{'rel': 'self',
                           'href': self.base + '/identity/v3/'}]}

    def _catalog(self):
        def entry(kind, url):
            return {'type': kind, 'name': kind, 'id': kind,
                    'endpoints': [{'id': kind + '-public',
                                   'interface': 'public',
                                   'region': 'RegionOne',
                                   'region_id': 'RegionOne', 'url': url}]}
        catalog = [entry('identity', self.base + '/identity'),
                   entry('compute', self.base + '/compute/v2.1')]
        if self.with_placement:
            catalog.append(entry('placement', self.base + '/placement'))
        if self.baremetal:
            catalog.append(entry('baremetal', self.baremetal))
        return catalog

    def _identity(self, req, parts):
        if req.method == 'GET' and parts in ([], ['v3']):
            if not parts:
                return 300, {'versions': {'values': [self._version_v3()]}}, {}
            return 200, {'version': self._version_v3()}, {}
        if req.method == 'POST' and parts == ['v3', 'auth', 'tokens']:
            ident = (req.body or {}).get('auth', {}).get('identity', {})
            user = ident.get('password', {}).get('user', {})
            if user.get('password') != self.password:
                return 401, {'error': {'code': 401, 'title': 'Unauthorized',
                                       'message': 'The request you have '
                                                  'made requires '
                                                  'authentication.'}}, {}
            self.tokens += 1
            domain = {'id': 'default', 'name': 'Default'}
            token = {'methods': ['password'],
                     'expires_at': '2999-01-01T00:00:00.000000Z',
                     'issued_at': '2020-01-01T00:00:00.000000Z',
                     'user': {'id': 'u1', 'name': 'admin',
                              'domain': domain},
                     'project': {'id': 'p1', 'name': 'admin',
                                 'domain': domain},
                     'roles': [{'id': 'r1', 'name': 'admin'}],
                     'catalog': self._catalog()}
            return 201, {'token': token}, {'X-Subject-Token': 'tok-%d'
                                           % self.tokens}
        return 404, {'error': 'not found'}, {}

    # -- nova -------------------------------------------------------------

    def _nova_version(self):
        return {'id': 'v2.1', 'status': 'CURRENT', 'version': NOVA_MAX,
                'min_version': '2.1', 'updated': '2013-07-23T11:33:21Z',
                'links': [{'rel': 'self',
                           'href': self.base + '/compute/v2.1/'}]}

    def _new_flavor(self, data):
        flavor_id = str(uuid_mod.uuid4())
        flavor = {'id': flavor_id, 'name': data['name'],
                  'ram': data['ram'], 'vcpus': data['vcpus'],
                  'disk': data.get('disk', 0), 'swap': 0,
                  'OS-FLV-EXT-DATA:ephemeral': 0, 'rxtx_factor': 1.0,
                  'OS-FLV-DISABLED:disabled': False,
                  'os-flavor-access:is_public':
                      data.get('os-flavor-access:is_public', True),
                  'description': data.get('description'),
                  'extra_specs': {},
                  'links': []}
        with self._lock:
            self.flavors[flavor_id] = flavor
        return flavor

    def _compute(self, req, parts):
        if not parts:
            return 200, {'versions': [self._nova_version()]}, {}
        if parts == ['v2.1']:
            return 200, {'version': self._nova_version()}, {}
        parts = parts[1:]
        if parts[:1] != ['flavors']:
            return 404, {'itemNotFound': {'code': 404}}, {}
        if parts == ['flavors', 'detail'] and req.method == 'GET':
            return 200, {'flavors': list(self.flavors.values())}, {}
        if parts == ['flavors'] and req.method == 'POST':
            return 200, {'flavor': self._new_flavor(req.body['flavor'])}, {}
        flavor = self.flavors.get(parts[1]) if len(parts) > 1 else None
        if flavor is None:
            return 404, {'itemNotFound': {'code': 404, 'message':
                                          'Flavor could not be found.'}}, {}
        if len(parts) == 2:
            if req.method == 'GET':
                return 200, {'flavor': flavor}, {}
            if req.method == 'DELETE':
                del self.flavors[flavor['id']]
                return 202, None, {}
        specs = flavor['extra_specs']
        if len(parts) == 3 and parts[2] == 'os-extra_specs':
            if req.method == 'POST':
                specs.update(req.body['extra_specs'])
            return 200, {'extra_specs': specs}, {}
        if len(parts) == 4 and parts[2] == 'os-extra_specs':
            key = parts[3]
            if req.method == 'PUT':
                specs[key] = req.body[key]
                return 200, {key: specs[key]}, {}
            if req.method == 'DELETE':
                specs.pop(key, None)
                return 200, None, {}
            if key in specs:
                return 200, {key: specs[key]}, {}
        return 404, {'itemNotFound': {'code': 404}}, {}

    # -- placement --------------------------------------------------------

    def _placement(self, req, parts):
        if not parts:
            return 200, {'versions': [{
                'id': 'v1.0', 'max_version': PLACEMENT_MAX,
                'min_version': '1.0', 'status': 'CURRENT',
                'links': [{'rel': 'self', 'href': ''}]}]}, {}
        if parts == ['resource_providers'] and req.method == 'GET':
            return 200, {'resource_providers': self._filter(req.query)}, {}
        if (len(parts) == 3 and parts[0] == 'resource_providers' and
                parts[2] == 'inventories'):
            provider = self.providers.get(parts[1])
            if provider is None:
                return 404, {'errors': [{'status': 404}]}, {}
            return 200, {'inventories': provider['inventories'],
                         'resource_provider_generation': 1}, {}
        return 404, {'errors': [{'status': 404}]}, {}

    def _filter(self, query):
        wanted = {}
        for item in (query.get('resources') or '').split(','):
            if item:
                rc, _sep, amount = item.partition(':')
                wanted[rc] = int(amount)
        required = {t for t in (query.get('required') or '').split(',')
                    if t}
        out = []
        for uuid, provider in sorted(self.providers.items()):
            if not required <= provider['traits']:
                continue
            fits = True
            for rc, amount in wanted.items():
                inv = provider['inventories'].get(rc)
                if inv is None:
                    fits = False
                    break
                free = (inv['total'] - inv['reserved'] -
                        provider['used'].get(rc, 0))
                if free < amount:
                    fits = False
            if fits:
                out.append({'uuid': uuid, 'name': provider['name'],
                            'generation': 1})
        return out
