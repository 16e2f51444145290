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
    for group, options in opts.list_opts():
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
    if conf.vbmc.port_range_start > conf.vbmc.port_range_end:
        raise exception.ConfigError(
            '%s: %d is below port_range_start %d' % (
                _where(conf, 'port_range_end', 'vbmc'),
                conf.vbmc.port_range_end, conf.vbmc.port_range_start))
    if conf.libvirt.cpu_mode == 'custom' and not conf.libvirt.cpu_model:
        raise exception.ConfigError(
            "%s: cpu_mode 'custom' needs cpu_model" %
            _where(conf, 'cpu_mode', 'libvirt'))
    if bool(conf.redfish.tls_cert) != bool(conf.redfish.tls_key):
        raise exception.ConfigError(
            '%s: tls_cert and tls_key go together' %
            _where(conf, 'tls_cert', 'redfish'))


def _reason(exc):
    text = str(exc)
    marker = 'is not valid'
    return text[text.find(marker):] if marker in text else text
