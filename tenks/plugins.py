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

"""Loading plugins from their stevedore namespaces.

The application builds one :class:`Plugins` and passes it down; drivers
are created lazily, once per (namespace, name, hypervisor), and closed when
the run ends.
"""

import functools
import threading

from tenks import exception
from tenks.planner import kinds

NAMESPACES = {
    'tenks.providers': 'provider',
    'tenks.networks': 'network plugin',
    'tenks.bmc': 'BMC emulator',
    'tenks.schedulers': 'scheduler',
    'tenks.exporters': 'exporter',
    'tenks.enrolment': 'enrolment driver',
}


@functools.lru_cache(maxsize=None)
def _installed():
    """``{namespace: {names}}`` of every installed tenks entry point.

    Read once per process from the distributions' metadata, without
    importing any plugin (a plugin is imported when it is used).
    """
    from importlib import metadata
    found = metadata.entry_points()     # one scan of the metadata
    return {namespace: {e.name for e in found.select(group=namespace)}
            for namespace in NAMESPACES}


def available(namespace):
    """Names of the plugins installed in ``namespace``."""
    return sorted(_installed().get(namespace, ()))


def load_class(namespace, name):
    """The plugin class registered as ``name`` in ``namespace``."""
    import warnings

    import stevedore

    def failed(_manager, entrypoint, exc):
        raise exception.PluginError('cannot load %s %r (%s): %s' % (
            NAMESPACES.get(namespace, namespace), name, entrypoint, exc))

    try:
        with warnings.catch_warnings():
            # warn_on_missing_entrypoint is deprecated, but DriverManager
            # does not pass on its replacement.
            warnings.simplefilter('ignore', DeprecationWarning)
            manager = stevedore.DriverManager(
                namespace, name, invoke_on_load=False,
                on_load_failure_callback=failed,
                warn_on_missing_entrypoint=False)
    except exception.PluginError:
        raise
    except Exception:
        raise exception.PluginError('no %s named %r (available: %s)' % (
            NAMESPACES.get(namespace, namespace), name,
            ', '.join(available(namespace)) or 'none'))
    return manager.driver


class Catalog(object):
    """The plugin classes a run can use, by namespace and name.

    Installed entry points, or the classes a caller injects (tests, and
    applications embedding tenks: ``main(argv, plugin_classes)``), which
    win over entry points of the same name.

    :param classes: optional ``{(namespace, name): class}``.
    """

    def __init__(self, classes=None):
        self._classes = dict(classes or {})
        self._complete = set()
        self._lock = threading.Lock()

    def cls(self, namespace, name):
        """The plugin class ``name`` of ``namespace``.

        :raises PluginError: there is none, or it cannot be loaded.
        """
        key = (namespace, name)
        with self._lock:
            found = self._classes.get(key)
        if found is None:
            found = load_class(namespace, name)
            with self._lock:
                found = self._classes.setdefault(key, found)
        return found

    def names(self, namespace):
        """Names of every plugin of ``namespace`` (sorted)."""
        with self._lock:
            injected = {n for ns, n in self._classes if ns == namespace}
        return sorted(set(available(namespace)) | injected)

    def all(self, namespace):
        """``{name: class}`` of every plugin of ``namespace``.

        A plugin that cannot be loaded is left out (the run fails only if
        it is used, with :meth:`cls`'s error).
        """
        out = {}
        for name in self.names(namespace):
            try:
                out[name] = self.cls(namespace, name)
            except exception.PluginError:
                continue
        return out

    def emulators(self, names=None):
        """BMC emulator classes (``tenks.bmc``): all, or those named."""
        if names is None:
            return self.all('tenks.bmc')
        return {name: self.cls('tenks.bmc', name) for name in set(names)}


class Plugins(object):
    """The plugin drivers of one run.

    :param conf: the tenks ConfigOpts.
    :param contexts: callable, hypervisor name -> HypervisorContext.
    :param catalog: the :class:`Catalog` of plugin classes (default: the
        installed entry points).
    """

    def __init__(self, conf, contexts=None, catalog=None):
        self.conf = conf
        self.contexts = contexts
        self.catalog = catalog if catalog is not None else Catalog()
        self._drivers = {}
        self._lock = threading.Lock()

    def cls(self, namespace, name):
        return self.catalog.cls(namespace, name)

    def emulators(self, names=None):
        return self.catalog.emulators(names)

    def scheduler(self, name):
        return self.cls('tenks.schedulers', name)(self.conf)

    def exporter(self, name):
        return self.cls('tenks.exporters', name)(self.conf)

    def driver_for(self, namespace, name, hypervisor):
        """The driver instance for ``name`` serving ``hypervisor``.

        :param hypervisor: a hypervisor name, or None for cloud-wide
            drivers.
        """
        key = (namespace, name, hypervisor)
        with self._lock:
            driver = self._drivers.get(key)
            if driver is None:
                cls = self.cls(namespace, name)
                context = None
                if hypervisor is not None:
                    context = self.contexts(hypervisor)
                driver = cls(self.conf, context)
                self._drivers[key] = driver
        return driver

    def driver(self, record):
        """The driver that manages resource ``record``."""
        return self.driver_for(kinds.namespace(record.kind), record.driver,
                               record.hypervisor)

    def close(self):
        with self._lock:
            drivers = list(self._drivers.values())
            self._drivers.clear()
        for driver in drivers:
            try:
                driver.close()
            except Exception:   # noqa - closing must not mask the result
                pass
