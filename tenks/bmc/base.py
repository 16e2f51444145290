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

"""The BMC emulator contract.

An emulator plugin gives nodes a BMC that speaks a real protocol (IPMI,
Redfish). It has two halves:

* class methods, pure, that the planner calls to describe the resources it
  needs: an optional ``bmc_service`` (a daemon, e.g. vbmcd or a Redfish
  emulator) per *scope*, one ``bmc`` per node, and the Ironic
  ``driver_info`` that reaches that BMC;
* instance methods, run by the executor on the hypervisor's host, that
  create, update and delete those resources, and speak the protocol for
  ``tenks node power`` and ``tenks verify``.
"""

import abc

from tenks import observation
from tenks import resource_driver

#: Ironic boot interfaces that insert an image into the BMC's virtual
#: media.
VIRTUAL_MEDIA_BOOT = ('redfish-virtual-media', 'redfish-https')


def service_observation(status, owned=True):
    """The observation of an emulator service from its host-side status.

    :param status: ``{'state': 'running' | 'foreign' | 'stopped' | ...,
        'detail': ...}`` as the emulator's host-side functions report it.
    :param owned: what a service found running counts as (None when tenks
        uses one it does not manage).
    """
    state = status['state']
    if state == 'running':
        return observation.Observation(True, owned)
    if state == 'foreign':
        return observation.Observation(True, False, status['detail'])
    if state == 'stopped':
        # A deploy starts it again; a teardown removes its files.
        return observation.Observation(True, owned, status['detail'],
                                       healthy=False)
    return observation.ABSENT


class BMCEmulator(resource_driver.ResourceDriver, metaclass=abc.ABCMeta):
    """Base class of BMC emulators.

    An emulator declares what it needs, and the planner asks it (the core
    names no emulator):

    * its option group (:attr:`options_group`), and the Tenks spec keys
      that override those options, at the top of a spec
      (:attr:`spec_options`) or per hypervisor
      (:attr:`hypervisor_options`), with their schema (:attr:`key_schema`);
    * a port of its own for every node, from a range per site
      (:meth:`port_range`, :meth:`port_pool`), when :attr:`port_label` is
      set (e.g. IPMI's UDP ports);
    * the BMC fields of a node (:meth:`bmc_fields`: address, port,
      credentials), the service it runs and where (:meth:`service_props`,
      :meth:`service_scope`), and the props of a node's BMC
      (:meth:`bmc_props`).
    """

    kinds = ('bmc_service', 'bmc')

    #: The option group (``tenks.conf``) the emulator reads, or None.
    options_group = None
    #: Top-level spec keys that override its options: ``{key: option}``.
    spec_options = {}
    #: Spec keys a hypervisor may set: ``{key: option}``.
    hypervisor_options = {}
    #: JSON schema of each of those spec keys: ``{key: schema}``.
    key_schema = {}
    #: Set (to e.g. ``'IPMI'``, for messages) when every node gets a port
    #: of its own from :meth:`port_range`.
    port_label = None

    # -- pure half: used by the spec and the planner ------------------

    @classmethod
    def site(cls, settings, overrides=None):
        """Its options on one hypervisor.

        :param settings: the run's :class:`tenks.settings.Settings`
            (spec overrides applied).
        :param overrides: the hypervisor's spec keys, ``{key: value}``.
        :returns: ``{option: value}``.
        """
        if cls.options_group is None:
            return {}
        site = dict(settings.options(cls.options_group))
        for key, value in (overrides or {}).items():
            if key in cls.hypervisor_options:
                site[cls.hypervisor_options[key]] = value
        return site

    @classmethod
    def check_sites(cls, sites, used, problems):
        """Add spec problems of its options across hypervisors.

        :param sites: ``[(hypervisor, site, overrides)]`` (spec
            :class:`~tenks.spec.model.Hypervisor`, :meth:`site`, the
            hypervisor's own spec keys).
        :param used: whether a node type uses this emulator.
        :param problems: a :class:`tenks.spec.errors.Problems`.
        """

    @classmethod
    def boot_problem(cls, boot_interface, site):
        """Why Ironic could not boot a node through this BMC so, or None.

        :param boot_interface: the node's Ironic ``boot_interface``.
        :param site: its options on the hypervisor (:meth:`site`).
        """
        return None

    @classmethod
    def port_range(cls, site):
        """The ports nodes get on a site (with :attr:`port_label`)."""
        return range(0)

    @classmethod
    def port_pool(cls, hypervisor, site):
        """What hypervisors sharing one pool of ports have in common."""
        return hypervisor.name

    @classmethod
    def bmc_fields(cls, node_type, site, port=None):
        """A node's BMC as the allocation records it.

        :param node_type: the spec :class:`~tenks.spec.model.NodeType`.
        :param port: the node's own port (with :attr:`port_label`).
        :returns: ``{'address', 'port', 'username', 'password'}``, or
            ``{}`` for no BMC.
        """
        return {}

    @classmethod
    def service_scope(cls, hypervisor, site):
        """Where its service runs: hypervisors of one scope share one.

        The default is one per hypervisor.
        """
        return hypervisor.name

    @classmethod
    def service_props(cls, hypervisor, site, nodes, settings):
        """Props of the ``bmc_service`` serving ``nodes`` on ``hypervisor``.

        :param nodes: node dicts (see :mod:`tenks.planner.allocate`).
        :returns: the props, or None when the emulator needs no service.
        """
        return None

    @classmethod
    @abc.abstractmethod
    def bmc_props(cls, node, hypervisor, site, settings):
        """Props of the node's ``bmc`` resource, or None for no BMC.

        They must include ``address``, ``port``, ``username`` and
        ``password``; passwords are masked wherever tenks prints props.
        """

    @classmethod
    @abc.abstractmethod
    def driver_info(cls, props):
        """Ironic ``driver_info`` reaching the BMC described by ``props``."""

    @classmethod
    def endpoint(cls, props):
        """A short human description of the BMC, e.g. ``ipmi://h:6230``."""
        return '%s:%s' % (props.get('address'), props.get('port'))

    # -- impure half: used by the executor and CLI ----------------------

    def _call(self, function, **kwargs):
        """Call host-side ``function`` where the hypervisor is.

        :param function: a function exposed in the emulator's host module
            (see :mod:`tenks.hosts.calls`); a resource that is not tenks'
            raises :class:`tenks.exception.ResourceConflict` there.
        """
        return self.hypervisor.agent.call(function, **kwargs)

    def create_bmc_service(self, record):
        """Ensure the service runs with ``record.props``."""
        return None

    def update_bmc_service(self, old, record):
        return self.create_bmc_service(record)

    def delete_bmc_service(self, record):
        """Stop the service and remove its files."""

    @abc.abstractmethod
    def create_bmc(self, record):
        """Ensure the node's BMC exists and answers."""

    @abc.abstractmethod
    def update_bmc(self, old, record):
        """Make the node's BMC match new props (port, credentials...)."""

    @abc.abstractmethod
    def delete_bmc(self, record):
        """Remove the node's BMC."""

    @abc.abstractmethod
    def power(self, props, action):
        """Speak the BMC protocol: ``action`` is 'on', 'off' or 'status'.

        :returns: the power state after the action, 'on' or 'off'.
        """

    def verify(self, props):
        """Check the BMC answers, with the right credentials.

        :returns: the power state it reports.
        :raises Exception: with a readable message when it does not.
        """
        return self.power(props, 'status')
