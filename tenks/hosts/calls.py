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

"""Host-side functions: which ones a host runs, and how a call travels.

Plugins call host-side functions by reference, ``agent.call(
linux.ensure_bridge, name=...)``, so imports and editors can follow who
calls what. A function is callable on a host only when it is marked with
:func:`exposed` in one of :data:`HOST_MODULES`: that is the allow-list the
remote agent (``tenks-host-agent``) keeps, and the local agent checks the
same, so a call that works locally works over SSH.

Arguments and results are JSON. An exception raised on the host comes
back as the same kind of tenks error (:data:`ERRORS`): a
:class:`tenks.exception.ResourceConflict` stays a conflict, so a race
with someone else's resource can never look like a failure tenks would
retry (and then adopt).
"""

import importlib

from tenks import exception

#: Modules whose exposed functions run on hypervisor hosts.
HOST_MODULES = (
    'tenks.networks.linux',
    'tenks.bmc.virtualbmc.host',
    'tenks.bmc.sushy.host',
    'tenks.providers.libvirt.hostside',
    'tenks.hosts.access',
    'tenks.hosts.files',
)

#: Exceptions that keep their type across an agent (name -> class).
ERRORS = {cls.__name__: cls for cls in (
    exception.ResourceConflict, exception.PluginError, exception.TenksError)}

_MARK = '_tenks_host_call'


class HostCallError(exception.TenksError):
    """A host-side function failed on the host with another error."""


def exposed(function):
    """Mark ``function`` as callable on a host (see :data:`HOST_MODULES`)."""
    setattr(function, _MARK, True)
    return function


def name_of(function):
    """The dotted name of an exposed host-side function.

    :raises ValueError: it is not one.
    """
    name = '%s.%s' % (getattr(function, '__module__', None),
                      getattr(function, '__qualname__', None))
    if (function.__module__ not in HOST_MODULES or
            not getattr(function, _MARK, False)):
        raise ValueError('%s is not a host-side function' % name)
    return name


def resolve(name):
    """The exposed host-side function called ``name``.

    Anything else is refused, before any module outside
    :data:`HOST_MODULES` is imported.

    :raises ValueError: it is not one.
    """
    module, _sep, attr = str(name).rpartition('.')
    if module not in HOST_MODULES:
        raise ValueError('refusing to call %s on a host' % name)
    function = getattr(importlib.import_module(module), attr, None)
    if function is None or not getattr(function, _MARK, False):
        raise ValueError('refusing to call %s on a host' % name)
    return function


def run(name, kwargs):
    """Call host-side function ``name``; the reply as a JSON-able dict.

    ``{'result': ...}``, or ``{'error': message, 'type': class name}``.
    """
    try:
        return {'result': resolve(name)(**(kwargs or {}))}
    except Exception as exc:  # noqa - every failure goes back as a reply
        kind = next((n for n, cls in ERRORS.items()
                     if type(exc) is cls), None)
        if kind is None:
            message = '%s: %s' % (type(exc).__name__, exc)
        else:
            message = str(exc)
        return {'error': message, 'type': kind}


def raise_error(reply, where):
    """Raise the exception a failed reply describes.

    :param where: the host, for errors that are not tenks' own.
    """
    cls = ERRORS.get(reply.get('type'))
    if cls is not None:
        raise cls(reply['error'])
    raise HostCallError('on %s: %s' % (where, reply['error']))
