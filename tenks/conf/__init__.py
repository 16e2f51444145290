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
  :mod:`.filter_scheduler`, :mod:`.ssh`.
* :mod:`.log` -- oslo.log's options (``[DEFAULT] debug``, ``log_file``...).
* :mod:`.opts` -- ``list_opts()`` for oslo-config-generator.
* :mod:`.checks` -- every value checked at start-up, named with its file.
* :mod:`.names` -- unknown sections and options, named with their file.

Without ``--config-file``, tenks reads the first ``tenks.conf`` found in
``~/.tenks/``, ``~/``, ``/etc/tenks/``, ``/etc/`` (oslo.config's search),
then the ``*.conf`` files (sorted) of the first ``tenks.conf.d`` directory
found there; ``--config-dir`` replaces that directory (see
:func:`search_path`).
"""

import glob
import os

from oslo_config import cfg

from tenks.conf import default
from tenks.conf import filter_scheduler
from tenks.conf import ironic
from tenks.conf import libvirt
from tenks.conf import log
from tenks.conf import network
from tenks.conf import nova
from tenks.conf import redfish
from tenks.conf import ssh
from tenks.conf import vbmc
from tenks import exception

MODULES = (default, log, libvirt, network, vbmc, redfish, ironic, nova,
           filter_scheduler, ssh)

PROJECT = 'tenks'


def register_opts(conf):
    """Register every tenks option group on ``conf``."""
    for module in MODULES:
        module.register_opts(conf)


def _unique(paths):
    out = []
    for path in paths:
        if path not in out:
            out.append(path)
    return out


def search_path():
    """``(files, dirs)`` read when no ``--config-file`` is given.

    The first ``tenks.conf`` and the first ``tenks.conf.d`` found in
    ``~/.tenks/``, ``~/``, ``/etc/tenks/``, ``/etc/`` (oslo.config's
    search, with the program name pinned to ``tenks``: run as ``python -m``
    or by a test runner, tenks reads no ``app.conf`` or ``pytest.conf``).
    """
    return (_unique(cfg.find_config_files(project=PROJECT, prog=PROJECT)),
            _unique(cfg.find_config_dirs(project=PROJECT, prog=PROJECT)))


def new_conf(config_files=None, args=None, config_dirs=None):
    """Build and parse a new configuration.

    :param config_files: configuration files to read, in order; ``None``
        searches (:func:`search_path`). Given files must exist.
    :param args: command-line style overrides for oslo.config (rarely used).
    :param config_dirs: directories whose ``*.conf`` files are read after
        the files, each sorted by name; ``None`` searches when no
        ``config_files`` are given. Given directories must exist.
    :raises oslo_config.cfg.Error: a file is missing or cannot be parsed.
    :raises tenks.exception.ConfigError: a directory does not exist.
    """
    found_files, found_dirs = search_path()
    files = found_files if config_files is None else list(config_files)
    if config_dirs is None:
        dirs = found_dirs if config_files is None else []
    else:
        dirs = [os.path.abspath(d) for d in config_dirs]
        for directory in dirs:
            if not os.path.isdir(directory):
                raise exception.ConfigError('configuration directory %s '
                                            'does not exist' % directory)
    conf = cfg.ConfigOpts()
    register_opts(conf)
    conf(args=list(args or []), project=PROJECT, prog=PROJECT,
         default_config_files=files, default_config_dirs=dirs)
    return conf


def files_read(conf):
    """The files ``conf`` was read from, in the order they were read."""
    out = list(conf.default_config_files or ())
    for directory in conf.default_config_dirs or ():
        out += sorted(glob.glob(os.path.join(directory, '*.conf')))
    return out
