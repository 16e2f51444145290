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

"""What an error means to the person at the terminal.

Most of what tenks does needs root: the state file and run directory are
root's, and so are libvirt's system socket and the host's links. A user
who is not root meets a permission error somewhere deep down; whatever
wrapped it on the way up, :func:`describe` finds it in the exception's
chain and says that the command needs root.
"""

import errno
import os

#: libvirt error codes of a refused connection or operation.
_LIBVIRT_DENIED = {
    29,   # VIR_ERR_OPERATION_DENIED
    45,   # VIR_ERR_AUTH_FAILED
    79,   # VIR_ERR_AUTH_CANCELLED
    88,   # VIR_ERR_ACCESS_DENIED
    94,   # VIR_ERR_AUTH_UNAVAILABLE
}
_DENIED_ERRNOS = (errno.EACCES, errno.EPERM)
#: CAP_DAC_OVERRIDE: root's power over file permissions.
_CAP_DAC_OVERRIDE = 1

NEEDS_ROOT = ('This command needs root: run it as root, for example '
              'with sudo "$(command -v tenks)" ...')


def _chain(exc):
    seen = []
    while exc is not None and not any(exc is s for s in seen):
        seen.append(exc)
        yield exc
        exc = exc.__cause__ or exc.__context__


def _denied(exc):
    if isinstance(exc, PermissionError):
        return True
    if isinstance(exc, OSError):
        return exc.errno in _DENIED_ERRNOS
    name = type(exc).__name__
    if name == 'libvirtError':
        code = getattr(exc, 'get_error_code', lambda: None)()
        return code in _LIBVIRT_DENIED or 'Permission denied' in str(exc)
    if name == 'NetlinkError':      # pyroute2: (code, message)
        return getattr(exc, 'code', None) in _DENIED_ERRNOS
    return False


def permission_denied(exc):
    """Whether a permission error caused ``exc`` (anywhere in its chain)."""
    return any(_denied(e) for e in _chain(exc))


def is_root(status_file='/proc/self/status'):
    """Whether this process has root's power over files.

    Root without CAP_DAC_OVERRIDE (a container, ``setpriv``) has not.
    """
    if os.geteuid() != 0:
        return False
    try:
        with open(status_file) as f:
            for line in f:
                if line.startswith('CapEff:'):
                    return bool(int(line.split()[1], 16) &
                                (1 << _CAP_DAC_OVERRIDE))
    except (OSError, ValueError, IndexError):
        pass
    return True


def describe(exc):
    """The message of ``exc``, and what to do when it needs root."""
    text = str(exc) or type(exc).__name__
    if permission_denied(exc) and not is_root():
        return '%s. %s' % (text.rstrip('.'), NEEDS_ROOT)
    return text
