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

"""Unknown sections and options in configuration files, found by name.

oslo.config ignores a name it does not know, so a typo silently leaves the
default in place. Like ``oslo-config-validator`` (namespaces ``tenks`` and
``oslo.log``), this reads each file and names every section and option no
group registers, with its file: ``tenks.conf: [libvirt] uri_typo: unknown
option``. Deprecated names still work (oslo.config warns about them).
"""

from oslo_config import cfg

from tenks.conf import log
from tenks.conf import opts
from tenks import exception

DEFAULT = 'DEFAULT'


def known_names():
    """``{section: {names}}``: the names oslo.config reads from files."""
    groups = [(DEFAULT, log.list_opts())] + [
        (getattr(group, 'name', group), options)
        for group, options in opts.list_opts()]
    known = {}
    for section, options in groups:
        names = known.setdefault(section, set())
        for opt in options:
            # Its dest, and its deprecated names (oslo.config warns).
            names.add(opt.dest)
            for old in opt.deprecated_opts:
                known.setdefault(old.group or section, set()).add(
                    old.name or opt.dest)
    return known


def _section_key(section):
    # oslo.config matches group names case-insensitively (not DEFAULT).
    return section if section == DEFAULT else section.lower()


def problems(paths):
    """The unknown sections and options of the files ``paths``, as lines.

    :raises oslo_config.cfg.ConfigFileParseError: a file cannot be parsed.
    """
    known = {_section_key(s): names for s, names in known_names().items()}
    out = []
    for path in paths:
        sections = {}
        try:
            cfg.ConfigParser(path, sections).parse()
        except cfg.iniparser.ParseError as exc:
            raise cfg.ConfigFileParseError(path, str(exc))
        for section, options in sections.items():
            names = known.get(_section_key(section))
            if names is None:
                out.append('%s: [%s]: unknown section' % (path, section))
                continue
            out += ['%s: [%s] %s: unknown option' % (path, section, option)
                    for option in options if option not in names]
    return out


def check(paths):
    """Refuse unknown sections and options in the files ``paths``.

    :raises tenks.exception.ConfigError: every unknown name, one a line.
    """
    found = problems(paths)
    if len(found) == 1:
        raise exception.ConfigError(found[0])
    if found:
        raise exception.ConfigError('\n'.join(
            ['%d unknown names in the configuration:' % len(found)] +
            ['  %s' % line for line in found]))
