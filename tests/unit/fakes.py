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

"""In-memory plugins for unit tests of the planner, executor and CLI.

A :class:`World` stands for the hosts and clouds: fake drivers create,
update and delete entries in it, and observe from it, so tests can check
what exists, break things behind tenks' back and inject failures.
"""

from tenks.bmc import none as bmc_none
from tenks.bmc.sushy import plugin as sushy_tools
from tenks.bmc.virtualbmc import plugin as virtualbmc
from tenks.enrolment import ironic
from tenks.enrolment import nova
from tenks import exception
from tenks.networks import linuxbridge
from tenks.networks import openvswitch
from tenks import observation
from tenks.providers.libvirt import driver as libvirt_driver
from tenks import resource_driver


class World(object):
    """What exists: ``things[(kind, name)] = props``, plus a call log."""

    def __init__(self):
        self.things = {}
        self.foreign = set()      # (kind, name) created by someone else
        self.calls = []
        self.fail = {}            # (verb, kind, name) -> exception
        #: (kind, name) -> why the place cannot make it (driver.check).
        self.unsupported = {}

    def reset_calls(self):
        self.calls = []

    def names(self, kind):
        return sorted(n for k, n in self.things if k == kind)


WORLD = World()


class _FakeMixin(object):
    """CRUD on the shared :data:`WORLD`."""

    def _do(self, verb, kind, record, old=None):
        world = WORLD
        key = (kind, record.name)
        world.calls.append((verb, kind, record.name))
        error = world.fail.get((verb, kind, record.name))
        if error is not None:
            raise error
        if verb == 'create':
            if key in world.foreign and not record.adopt:
                raise exception.ResourceConflict('%s %s is not ours'
                                                 % (kind, record.name))
            world.foreign.discard(key)
            world.things[key] = dict(record.props)
            return {'made': True}
        if verb == 'update':
            world.things[key] = dict(record.props)
            return dict(old.outputs or {}, updated=True)
        if key in world.foreign:
            raise AssertionError('tenks deleted a foreign %s %s'
                                 % (kind, record.name))
        world.things.pop(key, None)
        return None

    def _observe(self, kind, records):
        out = {}
        for record in records:
            key = (kind, record.name)
            if key in WORLD.foreign:
                out[record.key] = observation.Observation(True, False,
                                                          'foreign')
            elif key in WORLD.things:
                out[record.key] = observation.Observation(True, True)
            else:
                out[record.key] = observation.ABSENT
        return out


def _crud(kind):
    def create(self, record):
        return self._do('create', kind, record)

    def update(self, old, record):
        return self._do('update', kind, record, old)

    def delete(self, record):
        return self._do('delete', kind, record)

    def observe(self, records):
        return self._observe(kind, records)

    def check(self, records):
        return [(r, WORLD.unsupported[(kind, r.name)]) for r in records
                if (kind, r.name) in WORLD.unsupported]
    return {'create_%s' % kind: create, 'update_%s' % kind: update,
            'delete_%s' % kind: delete, 'observe_%s' % kind: observe,
            'check_%s' % kind: check}


def _fake(real, kinds, **extra):
    """``real`` plugin class with its CRUD done in :data:`WORLD`.

    Its pure half (what it declares to the spec and the planner) is the
    real one.
    """
    namespace = {'kinds': tuple(kinds),
                 '__init__': resource_driver.ResourceDriver.__init__,
                 'close': lambda self: None}
    for kind in kinds:
        namespace.update(_crud(kind))
    namespace.update(extra)
    return type('Fake' + real.__name__, (_FakeMixin, real), namespace)


def _power_state(self, name):
    return WORLD.things.get(('power', name), 'off')


def _power_on(self, name):
    WORLD.things[('power', name)] = 'on'


def _power_off(self, name):
    WORLD.things[('power', name)] = 'off'


def _power_states(self, records):
    return {r.name: ('missing' if ('domain', r.name) not in WORLD.things
                     else _power_state(self, r.name)) for r in records}


def _host_facts(self):
    return {'memory_mb': 64 * 1024, 'vcpus': 16, 'disk_bytes': 1024 ** 4}


FakeProvider = _fake(libvirt_driver.LibvirtProvider,
                     ('pool', 'volume', 'domain'),
                     power_state=_power_state, power_on=_power_on,
                     power_off=_power_off, power_states=_power_states,
                     host_facts=_host_facts)


def _bmc_class(real):
    return _fake(real, ('bmc_service', 'bmc'),
                 power=lambda self, props, action: 'off')


CLASSES = {
    ('tenks.providers', 'libvirt'): FakeProvider,
    ('tenks.networks', 'linuxbridge'): _fake(linuxbridge.LinuxBridge,
                                             ('bridge', 'vif')),
    ('tenks.networks', 'openvswitch'): _fake(openvswitch.OpenVSwitch,
                                             ('bridge', 'vif')),
    ('tenks.bmc', 'virtualbmc'): _bmc_class(virtualbmc.VirtualBMC),
    ('tenks.bmc', 'sushy_tools'): _bmc_class(sushy_tools.SushyTools),
    ('tenks.bmc', 'none'): bmc_none.NoBMC,
    ('tenks.enrolment', 'ironic'): _fake(ironic.IronicDriver,
                                         ('ironic_node',)),
    ('tenks.enrolment', 'nova'): _fake(nova.NovaDriver,
                                       ('flavor', 'placement_wait')),
}
