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

"""What one tenks invocation works with: its configuration, state store,
plugins and hypervisor contexts. Built once by the CLI and passed down.
"""

import functools

from tenks.hosts import context as hv_context
from tenks.hosts import local
from tenks import plugins as plugins_mod
from tenks import settings as settings_mod
from tenks.state import store as store_mod


class AppContext(object):

    def __init__(self, conf, plugin_classes=None):
        self.conf = conf
        self._plugin_classes = plugin_classes
        self._hypervisors = {}
        #: How runs report progress (a tenks.progress.Progress); None logs
        #: a line per action.
        self.progress = None
        self._agents = {}

    @functools.cached_property
    def settings(self):
        return settings_mod.Settings.from_conf(self.conf)

    @functools.cached_property
    def store(self):
        return store_mod.StateStore(self.conf.state_file)

    @functools.cached_property
    def plugins(self):
        return plugins_mod.Plugins(self.conf, self.hypervisor,
                                   self._plugin_classes)

    def set_hypervisors(self, allocations):
        """Record how to reach each hypervisor (from the state)."""
        self._hypervisors = dict(allocations)

    def agent(self, host):
        if host not in self._agents:
            if host is None:
                self._agents[host] = local.LocalAgent()
            else:
                from tenks.hosts import ssh
                self._agents[host] = ssh.SSHAgent(host)
        return self._agents[host]

    def hypervisor(self, name):
        """The :class:`HypervisorContext` of hypervisor ``name``."""
        info = self._hypervisors.get(name) or {}
        host = info.get('host')
        return hv_context.HypervisorContext(
            name=name,
            libvirt_uri=info.get('libvirt_uri') or self.conf.libvirt.uri,
            host=host, agent=self.agent(host),
            pool_name=info.get('pool_name'))

    def close(self):
        if 'plugins' in self.__dict__:
            self.plugins.close()
