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

"""Nova flavors for the node types, and the wait for Placement.

A ``flavor`` resource is one Nova flavor: name, ram, vcpus, disk and
visibility from the spec, and extra specs asking for one unit of the
nodes' custom resource class, zero VCPU/MEMORY_MB/DISK_GB (as Ironic
flavors need), required and forbidden traits and the spec's own extra
specs.

tenks marks its flavors with the extra spec ``tenks:cluster`` = the
cluster name. A scoped key is ignored by Nova's scheduler filters:
ComputeCapabilitiesFilter and AggregateInstanceExtraSpecsFilter only look
at unscoped keys and their own scopes (``capabilities:``,
``aggregate_instance_extra_specs:``), and Nova's extra spec validation
(API 2.86) accepts namespaces it does not know. Flavors without the mark
are never changed or deleted.

A ``placement_wait`` resource waits until Placement offers the nodes
(:mod:`tenks.enrolment.placement`); a cloud without a placement service,
e.g. a standalone Ironic, skips it.
"""

import collections
import contextlib

from oslo_log import log as logging

from tenks.enrolment import base
from tenks.enrolment import cloud as cloud_mod
from tenks.enrolment import fields
from tenks.enrolment import placement
from tenks import exception
from tenks import observation
from tenks.spec import schema
from tenks.spec import units

LOG = logging.getLogger(__name__)

MARK = 'tenks:cluster'

#: Flavor list responses carry extra specs from this compute API version.
EXTRA_SPECS_IN_LIST = (2, 61)

SIZES = (('ram', 'ram'), ('vcpus', 'vcpus'), ('disk', 'disk'),
         ('is_public', 'is_public'))


class NovaDriver(base.Enrolment):
    """``flavor`` and ``placement_wait`` resources through openstacksdk.

    The cloud is ``[nova] cloud``, else ``[ironic] cloud``, else
    ``OS_CLOUD``.
    """

    kinds = ('flavor', 'placement_wait')
    options_group = 'nova'
    spec_options = {'wait_for_placement': 'wait_for_placement'}
    key_schema = {'wait_for_placement': schema.BOOLEAN}

    # -- pure half: used by the planner ---------------------------------

    @classmethod
    def flavor_props(cls, flavor, node_type, settings):
        """The props of the ``flavor`` resource of spec ``flavor``."""
        extra = {
            'resources:%s' % fields.custom_resource_class(
                flavor.resource_class): '1',
            'resources:VCPU': '0',
            'resources:MEMORY_MB': '0',
            'resources:DISK_GB': '0',
        }
        for trait in flavor.required_traits:
            extra['trait:%s' % trait] = 'required'
        for trait in flavor.forbidden_traits:
            extra['trait:%s' % trait] = 'forbidden'
        extra.update({k: str(v) for k, v in flavor.custom_specs.items()})
        return {'name': flavor.name, 'ram': node_type.memory_mb,
                'vcpus': node_type.vcpus,
                'disk': units.to_gb_ceil(node_type.disk_bytes),
                'is_public': flavor.is_public,
                'resource_class': flavor.resource_class,
                'extra_specs': extra, 'cluster': settings.cluster_name}

    @classmethod
    def placement_props(cls, ironic_nodes, settings):
        """Props of the wait until Placement offers the nodes, or None.

        :param ironic_nodes: props of every ``ironic_node`` resource.
        """
        if not cls.options(settings)['wait_for_placement']:
            return None
        expected = collections.OrderedDict()
        for props in ironic_nodes:
            group = (fields.custom_resource_class(props['resource_class']),
                     tuple(props['traits']))
            expected[group] = expected.get(group, 0) + 1
        if not expected:
            return None
        return {'expected': [{'resource_class': rc, 'traits': list(traits),
                              'amount': amount}
                             for (rc, traits), amount in expected.items()]}

    def __init__(self, conf, hypervisor=None):
        super().__init__(conf, hypervisor)
        self.cloud = cloud_mod.Cloud(conf, 'nova', 'compute')
        self._compute_version = None

    # -- helpers ----------------------------------------------------------

    @property
    def compute(self):
        return self.cloud.conn.compute

    @contextlib.contextmanager
    def _guard(self, what):
        with self.cloud.guard(what, 'compute'):
            self._require_compute()
            yield

    def _retrying(self, what, func, *args):
        def run():
            self._require_compute()
            return func(*args)
        return self.cloud.retrying(what, run, service='compute')

    def _require_compute(self):
        conn = self.cloud.conn
        if self._compute_version is not None:
            return
        if not conn.endpoint_for('compute'):
            raise self.cloud.remember(cloud_mod.CloudError(
                '%s has no compute (Nova) service: flavors need Nova; '
                'remove nova_flavors from the spec or set [nova] cloud'
                % self.cloud.label))
        data = self.compute.get_endpoint_data()
        self._compute_version = tuple(
            (data and data.max_microversion) or (2, 1))[:2]

    def _list(self):
        """Every flavor (public and private) by name."""
        flavors = {}
        for flavor in self.compute.flavors(details=True, is_public=None):
            flavors.setdefault(flavor.name, flavor)
        return flavors

    def _specs(self, flavor):
        if self._compute_version < EXTRA_SPECS_IN_LIST:
            flavor = self.compute.fetch_flavor_extra_specs(flavor)
        return dict(flavor.extra_specs or {})

    def _find(self, name):
        """(flavor, extra specs) named ``name``, or (None, None)."""
        flavor = self._list().get(name)
        if flavor is None:
            return None, None
        return flavor, self._specs(flavor)

    @staticmethod
    def _desired_specs(props):
        specs = {k: str(v) for k, v in
                 (props.get('extra_specs') or {}).items()}
        specs[MARK] = props['cluster']
        return specs

    def _check_ours(self, flavor, specs, record):
        mark = specs.get(MARK)
        if mark == record.props['cluster']:
            return
        if record.adopt and mark is None:
            return
        raise exception.ResourceConflict(
            'Nova flavor %s (%s) exists and was not created by this tenks '
            'cluster: %s' % (record.props['name'], flavor.id,
                             'it has no %s extra spec' % MARK
                             if mark is None else
                             'it belongs to tenks cluster %r' % mark))

    # -- flavor -----------------------------------------------------------

    def create_flavor(self, record):
        """Ensure the flavor exists with these sizes and extra specs."""
        return self._retrying('create Nova flavor %s' % record.props['name'],
                              self._ensure_flavor, record)

    def _ensure_flavor(self, record):
        props = record.props
        flavor, specs = self._find(props['name'])
        if flavor is not None:
            self._check_ours(flavor, specs, record)
            if any(getattr(flavor, attr) != props[key]
                   for key, attr in SIZES):
                # Flavors cannot change size: this one is ours, so make it
                # again.
                LOG.info('Nova flavor %s has other sizes; replacing it',
                         props['name'])
                self.compute.delete_flavor(flavor)
                flavor = None
        if flavor is None:
            flavor = self.compute.create_flavor(
                name=props['name'], ram=props['ram'], vcpus=props['vcpus'],
                disk=props['disk'], is_public=props['is_public'])
            self.compute.create_flavor_extra_specs(
                flavor, self._desired_specs(props))
            LOG.info('created Nova flavor %s (%s)', props['name'],
                     flavor.id)
        else:
            self._converge(flavor, specs, None, props)
        return {'id': flavor.id}

    def _converge(self, flavor, specs, old_props, props):
        want = self._desired_specs(props)
        before = set((old_props or {}).get('extra_specs') or ())
        for key, value in sorted(want.items()):
            if specs.get(key) != value:
                self.compute.update_flavor_extra_specs_property(
                    flavor, key, value)
        for key in sorted(before - set(want)):
            if key in specs:
                self.compute.delete_flavor_extra_specs_property(flavor, key)

    def update_flavor(self, old, record):
        """Change the extra specs in place.

        Sizes cannot change: a size change is a replace.
        """
        return self._retrying('update Nova flavor %s' % record.props['name'],
                              self._update_flavor, old, record)

    def _update_flavor(self, old, record):
        props = record.props
        flavor, specs = self._find(props['name'])
        if flavor is None:
            return self._ensure_flavor(record)
        self._check_ours(flavor, specs, record)
        self._converge(flavor, specs, old.props, props)
        return {'id': flavor.id}

    def delete_flavor(self, record):
        """Delete the flavor, only if it carries this cluster's mark."""
        self._retrying('delete Nova flavor %s' % record.props['name'],
                       self._remove_flavor, record)

    def _remove_flavor(self, record):
        props = record.props
        flavor, specs = self._find(props['name'])
        if flavor is None:
            return
        self._check_ours(flavor, specs, record)
        self.compute.delete_flavor(flavor)
        LOG.info('deleted Nova flavor %s', props['name'])

    def observe_flavor(self, records):
        """One flavor list for all ``records``."""
        with self._guard('list Nova flavors'):
            flavors = self._list()
            out = {}
            for record in records:
                flavor = flavors.get(record.props['name'])
                if flavor is None:
                    out[record.key] = observation.ABSENT
                    continue
                mark = self._specs(flavor).get(MARK)
                if mark == record.props['cluster']:
                    out[record.key] = observation.Observation(True, True)
                else:
                    out[record.key] = observation.foreign(
                        'flavor %s %s' % (
                            flavor.id, 'has no %s extra spec' % MARK
                            if mark is None else 'belongs to tenks cluster '
                            '%r' % mark), mark is None)
            return out

    # -- placement --------------------------------------------------------

    def _placement_get(self, path, params, version):
        from openstack import exceptions as os_exc
        response = self.cloud.conn.placement.get(
            path, params=params, microversion=version)
        os_exc.raise_from_response(response)
        return response.json()

    def create_placement_wait(self, record):
        """Wait until Placement shows the expected inventory.

        Skipped when the cloud has no placement service.
        """
        expected = record.props.get('expected') or []
        if not expected:
            return None
        with self.cloud.guard('wait for Placement', 'placement'):
            if not self.cloud.conn.endpoint_for('placement'):
                LOG.info('%s has no placement service: not waiting for '
                         'inventory', self.cloud.label)
                return {'skipped': True}
            counter = placement.Counter(self._placement_get)
            seen = placement.wait(
                counter, expected, self.conf.nova.placement_timeout,
                self.conf.nova.placement_poll_interval, log=LOG.info)
        return {'skipped': False, 'providers': seen}

    def update_placement_wait(self, old, record):
        return self.create_placement_wait(record)

    def delete_placement_wait(self, record):
        """Nothing to undo: a wait leaves nothing behind."""
        return None

    def close(self):
        self.cloud.close()
