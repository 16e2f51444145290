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

"""Checks of a loaded configuration, reported with file and option.

oslo.config checks each value's type and choices only when the option is
read; reading every option here makes a bad value fail at start-up, before
anything is touched, with a message naming the file, the option and what
is wrong.
"""

from oslo_config import cfg

from tenks.conf import log
from tenks.conf import opts
from tenks import exception


def _where(conf, name, group):
    try:
        location = conf.get_location(name, group)
    except Exception:  # noqa - location is a nicety
        location = None
    detail = getattr(location, 'detail', None) if location else None
    files = detail or ', '.join(conf.config_file or ()) or 'defaults'
    section = group or 'DEFAULT'
    return '%s: [%s] %s' % (files, section, name)


def check(conf):
    """Read every option and check cross-option rules.

    :raises tenks.exception.ConfigError: naming file, option and problem.
    """
    for group, options in [('DEFAULT', log.list_opts())] + opts.list_opts():
        group_name = getattr(group, 'name', group)
        section = None if group_name == 'DEFAULT' else group_name
        for opt in options:
            try:
                if section:
                    getattr(conf[section], opt.dest)
                else:
                    getattr(conf, opt.dest)
            except (cfg.ConfigFileValueError, ValueError) as exc:
                raise exception.ConfigError('%s: %s' % (
                    _where(conf, opt.dest, section), _reason(exc)))
    from tenks import conf as conf_mod
    for module in conf_mod.MODULES:
        group = getattr(getattr(module, 'group', None), 'name', None)
        for option, problem in getattr(module, 'problems',
                                       lambda conf: ())(conf):
            raise exception.ConfigError('%s: %s' % (
                _where(conf, option, group), problem))


def check_plugins(conf, catalog):
    """Check that the plugins the options name are installed.

    :param catalog: the :class:`tenks.plugins.Catalog`.
    :raises tenks.exception.ConfigError: naming the option and what is
        installed.
    """
    for option, namespace in (('bridge_type', 'tenks.networks'),
                              ('provider', 'tenks.providers'),
                              ('scheduler', 'tenks.schedulers')):
        names = catalog.names(namespace)
        value = getattr(conf, option)
        if value not in names:
            raise exception.ConfigError(
                '%s: %r is not an installed %s plugin (installed: %s)' % (
                    _where(conf, option, None), value, namespace,
                    ', '.join(names) or 'none'))


def _reason(exc):
    text = str(exc)
    marker = 'is not valid'
    return text[text.find(marker):] if marker in text else text
