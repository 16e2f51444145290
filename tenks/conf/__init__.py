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

"""Settings of the tenks tool (oslo.config), one module per option group.

The application owns a :class:`oslo_config.cfg.ConfigOpts` built by
:func:`new_conf`; nothing here keeps a module-global configuration, so tests
can build as many independent ones as they like.

* One module per group, each with its ``opts``, ``register_opts`` and
  ``list_opts`` (and ``problems`` for values that must go together):
  :mod:`.default`, :mod:`.libvirt`, :mod:`.network`, :mod:`.vbmc`,
  :mod:`.redfish`, :mod:`.ironic`, :mod:`.nova`,
  :mod:`.filter_scheduler`.
* :mod:`.opts` -- ``list_opts()`` for oslo-config-generator.
* :mod:`.checks` -- every value checked at start-up, named with its file.
"""

from oslo_config import cfg

from tenks.conf import default
from tenks.conf import filter_scheduler
from tenks.conf import ironic
from tenks.conf import libvirt
from tenks.conf import network
from tenks.conf import nova
from tenks.conf import redfish
from tenks.conf import vbmc

MODULES = (default, libvirt, network, vbmc, redfish, ironic, nova,
           filter_scheduler)


def register_opts(conf):
    """Register every tenks option group on ``conf``."""
    for module in MODULES:
        module.register_opts(conf)


def new_conf(config_files=None, args=None):
    """Build and parse a new configuration.

    :param config_files: configuration files to read, in order; ``None``
        reads ``/etc/tenks/tenks.conf`` when it exists.
    :param args: command-line style overrides for oslo.config (rarely used).
    """
    conf = cfg.ConfigOpts()
    register_opts(conf)
    kwargs = {}
    if config_files is not None:
        kwargs['default_config_files'] = list(config_files)
        kwargs['default_config_dirs'] = []
    conf(args=list(args or []), project='tenks', **kwargs)
    return conf
