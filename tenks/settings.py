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

"""An immutable snapshot of the settings the planner needs.

The planner is pure: it must not read oslo.config (or anything else)
itself. :meth:`Settings.from_conf` takes the values once: the core's own
``[DEFAULT]`` options as fields, and every option group as plain values
(:meth:`Settings.options`), so each plugin reads its own group (it names
it in ``options_group``) without the core knowing what is in it. A spec
may then override some of them (Tenks override files set e.g.
``ipmi_address``), giving the effective settings of a run.
"""

import dataclasses
import types

#: The ``[DEFAULT]`` options the core itself reads (the others are tool
#: settings: state file, workers...).
CORE = ('cluster_name', 'provider', 'scheduler', 'node_name_prefix',
        'vol_name_prefix', 'default_boot_mode', 'default_ironic_driver',
        'bmc_emulators', 'bridge_type', 'log_dir', 'run_dir')


def _frozen(mapping):
    return types.MappingProxyType(dict(mapping))


@dataclasses.dataclass(frozen=True)
class Settings(object):
    cluster_name: str
    provider: str
    scheduler: str
    node_name_prefix: str
    vol_name_prefix: str
    default_boot_mode: str
    default_ironic_driver: str
    bmc_emulators: types.MappingProxyType
    bridge_type: str
    log_dir: str
    run_dir: str
    #: option group name -> {option: value}, for every group.
    groups: types.MappingProxyType

    @classmethod
    def from_conf(cls, conf):
        """Take a snapshot of ``conf`` (an oslo.config ConfigOpts)."""
        from tenks.conf import opts
        groups = {}
        for group, options in opts.list_opts():
            name = getattr(group, 'name', group)
            if name == 'DEFAULT':
                continue
            section = conf[name]
            groups[name] = _frozen((o.dest, getattr(section, o.dest))
                                   for o in options)
        core = {name: getattr(conf, name) for name in CORE}
        core['bmc_emulators'] = _frozen(core['bmc_emulators'])
        return cls(groups=_frozen(groups), **core)

    def options(self, group):
        """The values of option group ``group`` (a read-only mapping)."""
        return self.groups[group]

    def option(self, group, name):
        return self.groups[group][name]

    def replace(self, **changes):
        """A copy with core fields changed."""
        if 'bmc_emulators' in changes:
            changes['bmc_emulators'] = _frozen(changes['bmc_emulators'])
        return dataclasses.replace(self, **changes)

    def with_options(self, group, **changes):
        """A copy with options of ``group`` changed."""
        if not changes:
            return self
        groups = dict(self.groups)
        groups[group] = _frozen(dict(groups[group], **changes))
        return dataclasses.replace(self, groups=_frozen(groups))
