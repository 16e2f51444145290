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
calls that host-side function if the allow-list in
:mod:`tenks.hosts.calls` has it, and writes the reply (``{"result": ...}``
or ``{"error": ..., "type": ...}``) as JSON on standard output.

``tenks-host-agent --version`` prints the tenks version, which must be the
controller's (``tenks host setup``, ``deploy`` and ``teardown`` check it
before they change anything, see :mod:`tenks.hosts.preflight`).
"""

import json
import sys

from tenks.hosts import calls


USAGE = 'usage: tenks-host-agent [--version] < request.json\n'


def main(argv=None, stdin=None, stdout=None):
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv == ['--version']:
        from tenks import version
        stdout.write('%s\n' % version.release_string())
        return 0
    if argv:
        sys.stderr.write(USAGE)
        return 2
    try:
        request = json.loads(stdin.read())
        reply = calls.run(request['function'], request.get('kwargs'))
    except (ValueError, KeyError, TypeError) as exc:
        reply = {'error': 'bad request: %s' % exc, 'type': None}
    stdout.write(json.dumps(reply))
    stdout.write('\n')
    return 0 if 'result' in reply else 1


if __name__ == '__main__':
    sys.exit(main())
