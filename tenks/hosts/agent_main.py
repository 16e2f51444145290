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

"""``tenks-host-agent``: the host side of :class:`tenks.hosts.ssh.SSHAgent`.

Reads ``{"function": ..., "kwargs": {...}}`` as JSON on standard input,
calls that tenks host-side function and writes ``{"result": ...}`` or
``{"error": ...}`` as JSON on standard output.
"""

import json
import sys

from tenks.hosts import local


def main(stdin=None, stdout=None):
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    try:
        request = json.loads(stdin.read())
        func = local.resolve(request['function'])
        result = {'result': func(**request.get('kwargs', {}))}
    except Exception as exc:  # noqa - every failure goes back as JSON
        result = {'error': '%s: %s' % (type(exc).__name__, exc)}
    stdout.write(json.dumps(result))
    stdout.write('\n')
    return 0 if 'result' in result else 1


if __name__ == '__main__':
    sys.exit(main())
