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

``tenks-host-agent --serve`` serves a whole run (see
:mod:`tenks.hosts.channel`): it writes its :func:`greeting` as one JSON
line, then answers each request line with a reply line, until its input
ends. Its own standard input and output carry nothing else: what a
host-side function or a command it runs would print goes to standard
error.

``tenks-host-agent --version`` prints the tenks version, which must be the
controller's (``tenks host setup``, ``deploy`` and ``teardown`` check it
before they change anything, see :mod:`tenks.hosts.preflight`).
"""

import importlib
import json
import os
import sys
import threading

from tenks.hosts import calls


USAGE = ('usage: tenks-host-agent [--version | --serve] '
         '[< request.json]\n')
#: The version of the ``--serve`` conversation.
PROTOCOL = 1


def greeting():
    """What a serving agent says first: ``{'tenks': version, ...}``."""
    from tenks import version
    return {'tenks': version.release_string(), 'protocol': PROTOCOL}


def _private_streams():
    """The protocol's input and output, kept from everyone else.

    File descriptors 0 and 1 become ``/dev/null`` and standard error, so
    neither a function nor a child process can read a request or write
    into a reply.
    """
    requests = os.fdopen(os.dup(0), 'r', encoding='utf-8')
    replies = os.fdopen(os.dup(1), 'w', encoding='utf-8')
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdout.flush()
    os.dup2(2, 1)
    return requests, replies


def _answer(text):
    try:
        request = json.loads(text)
        return calls.run(request['function'], request.get('kwargs'))
    except (ValueError, KeyError, TypeError) as exc:
        return {'error': 'bad request: %s' % exc, 'type': None}


def _warm():
    """Import the host-side modules (pyroute2 takes a while)."""
    for name in calls.HOST_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa - a call of it will say what is wrong
            pass


def serve(requests, replies):
    """Answer request lines until ``requests`` ends.

    The host-side modules are imported in the background meanwhile, so
    the first calls do not wait for it after the greeting.
    """
    warming = threading.Thread(target=_warm, name='warm', daemon=True)
    warming.start()
    replies.write(json.dumps(greeting()) + '\n')
    replies.flush()
    for line in requests:
        if not line.strip():
            continue
        replies.write(json.dumps(_answer(line)) + '\n')
        replies.flush()
    warming.join()
    return 0


def main(argv=None, stdin=None, stdout=None):
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv == ['--version']:
        from tenks import version
        stdout.write('%s\n' % version.release_string())
        return 0
    if argv == ['--serve']:
        if stdin is sys.stdin and stdout is sys.stdout:
            stdin, stdout = _private_streams()
        return serve(stdin, stdout)
    if argv:
        sys.stderr.write(USAGE)
        return 2
    reply = _answer(stdin.read())
    stdout.write(json.dumps(reply))
    stdout.write('\n')
    return 0 if 'result' in reply else 1


if __name__ == '__main__':
    sys.exit(main())
