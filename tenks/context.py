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

"""What one tenks invocation works with: its configuration, settings,
state store, plugin catalog, host agents and SSH session. Built once by
the CLI, passed down, and never changed by a run: a run's plugin drivers
are bound to its hypervisors by :meth:`AppContext.plugins`. The CLI closes
it when the command ends, whatever the outcome (:meth:`AppContext.close`).
"""

import functools
import threading

from tenks.hosts import context as hv_context
from tenks import plugins as plugins_mod
from tenks import settings as settings_mod
from tenks.state import store as store_mod


class AppContext(object):
    """The context of one tenks invocation.

    :param conf: its oslo.config ConfigOpts.
    :param plugin_classes: optional ``{(namespace, name): class}`` that
        win over entry points (tests, embedding applications).
    """

    def __init__(self, conf, plugin_classes=None):
        self.conf = conf
        self.catalog = plugins_mod.Catalog(plugin_classes)
        #: How runs report progress (a tenks.progress.Progress); None logs
        #: a line per action.
        self.progress = None
        self._agents = {}
        self._agents_lock = threading.Lock()

    @functools.cached_property
    def settings(self):
        return settings_mod.Settings.from_conf(self.conf)

    @functools.cached_property
    def store(self):
        return store_mod.StateStore(self.conf.state_file)

    @functools.cached_property
    def ssh(self):
        """The :class:`tenks.hosts.sshsession.Session` of this invocation.

        It writes nothing until a remote host is added (:meth:`reach`).
        """
        from tenks.hosts import sshsession
        return sshsession.Session.from_conf(self.conf)

    def reach(self, allocations):
        """Learn how to reach the remote hosts of ``allocations``.

        :param allocations: ``{name: {'libvirt_uri', 'host', 'ssh'...}}``.
        :returns: the remote hosts, in order.
        """
        hosts = []
        for info in (allocations or {}).values():
            host = info.get('host')
            if host:
                self.ssh.add(host, info.get('libvirt_uri'), info.get('ssh'))
                if host not in hosts:
                    hosts.append(host)
        return hosts

    def agent(self, host):
        """The :class:`tenks.hosts.base.HostAgent` of ``host``.

        ``host`` None is this host; one agent per host for the whole
        invocation. A remote host is reached as :meth:`reach` learnt.
        """
        with self._agents_lock:
            if host not in self._agents:
                if host is None:
                    from tenks.hosts import local
                    self._agents[host] = local.LocalAgent()
                else:
                    from tenks.hosts import ssh
                    self._agents[host] = ssh.SSHAgent(self.ssh, host)
            return self._agents[host]

    def plugins(self, allocations):
        """The plugin drivers of one run (close them when it ends).

        :param allocations: how to reach each hypervisor, ``{name:
            {'libvirt_uri', 'host', 'pool_name', 'ssh'}}`` (from the
            state and spec).
        """
        self.reach(allocations)
        contexts = hv_context.Contexts(allocations, self.conf.libvirt.uri,
                                       self.agent, self.ssh.libvirt_uri)
        return plugins_mod.Plugins(self.conf, contexts, self.catalog)

    def close(self):
        """Close what the invocation opened.

        Its serving host agents, SSH master connections and their private
        directory; nothing when no host was remote.
        """
        with self._agents_lock:
            agents, self._agents = list(self._agents.values()), {}
        # The agents' input closed first, then the masters (their channels
        # end with them), then the agents reaped: no waiting in turn.
        for agent in agents:
            agent.close(wait=False)
        session = self.__dict__.get('ssh')
        if session is not None:
            session.close()
        for agent in agents:
            agent.close()
