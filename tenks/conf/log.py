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

"""The logging options of ``[DEFAULT]``: oslo.log's own.

``debug``, ``log_file``, ``log_dir``, ``use_stderr``, ``log_date_format``,
``default_log_levels`` and the rest are registered as oslo.log defines
them, so oslo-config-generator (namespace ``oslo.log``) and the docs list
them. tenks gives one of them its own default: ``log_dir`` is where node
consoles and BMC emulator logs go, and a relative ``log_file``.
"""

import importlib.metadata

from oslo_log import log
from oslo_log import versionutils

#: tenks' default of oslo.log's ``log_dir``.
LOG_DIR = '/var/log/tenks'

#: The oslo-config-generator namespace of these options.
NAMESPACE = 'oslo.log'


def register_opts(conf):
    log.register_options(conf)
    # Listed by oslo.log's generator entry point too.
    conf.register_opts(versionutils.deprecated_opts)
    conf.set_default('log_dir', LOG_DIR)


def list_opts():
    """oslo.log's options, as its generator entry point lists them."""
    for entry_point in importlib.metadata.entry_points(
            group='oslo.config.opts', name=NAMESPACE):
        return [opt for _group, opts in entry_point.load()() for opt in opts]
    return []


def set_defaults():
    """tenks' defaults, for oslo-config-generator and the docs.

    The ``oslo.config.opts.defaults`` hook: the generator calls it before
    it lists oslo.log's options, so the sample shows tenks' ``log_dir``.
    """
    from oslo_config import cfg
    from oslo_log import _options
    cfg.set_defaults(_options.logging_cli_opts, log_dir=LOG_DIR)
