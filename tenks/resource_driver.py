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

"""The contract every plugin that manages resources fulfils.

A plan is a list of actions on resources (see :mod:`tenks.planner.kinds`);
the executor hands each to the driver named by the resource's ``driver``
in the namespace of its kind. A driver instance serves one hypervisor
(``None`` for cloud-wide drivers such as Ironic enrolment).

Dispatch is by name: ``create(kind, record)`` calls
``self.create_<kind>(record)`` and so on, so each plugin base class lists
the methods of its kinds as abstract methods, with the contract in their
docstrings. Rules every implementation keeps:

* ``create_*`` is an *ensure*. Finding the resource already there is
  success when it carries tenks' mark for this cluster (domain metadata,
  link alias, OVS external_ids, Ironic extra...) or when ``record.adopt``
  is set: the node was imported from Tenks, or tenks itself began creating
  the resource in a run that did not finish. Otherwise a resource of that
  name is not tenks': raise :class:`tenks.exception.ResourceConflict` and
  change nothing. Resources that cannot carry a mark (e.g. volumes) are
  therefore only taken over when ``record.adopt`` is set.
* ``delete_*`` of something already gone is success; it never deletes
  what tenks did not create. With ``record.adopt`` set (tenks began
  creating or deleting it in a run that did not finish) a missing mark
  does not stop the delete: the resource may not have been marked yet, or
  may have lost its mark first. What it finds and will not delete (another
  cluster's mark; no mark without ``record.adopt``) makes it raise
  :class:`tenks.exception.ResourceConflict`, having changed nothing: a
  teardown must never report success while something of its cluster may
  be left behind.
* ``observe_*`` reports a resource without any owner's mark as
  :func:`tenks.observation.foreign` with ``unmarked=True``: tenks cannot
  tell whose it is.
* Return values of ``create_*``/``update_*`` are stored as the record's
  ``outputs`` (JSON-serialisable dict, or None).
"""

from tenks import exception


class ResourceDriver(object):
    """Base of plugins that create, update and delete resources.

    :param conf: the tenks ConfigOpts.
    :param hypervisor: a :class:`tenks.hosts.context.HypervisorContext`, or
        None for cloud-wide drivers.
    """

    #: Resource kinds this driver manages.
    kinds = ()

    def __init__(self, conf, hypervisor=None):
        self.conf = conf
        self.hypervisor = hypervisor

    def _method(self, verb, kind):
        if kind not in self.kinds:
            raise exception.PluginError('%s does not manage %s resources'
                                        % (type(self).__name__, kind))
        return getattr(self, '%s_%s' % (verb, kind))

    def create(self, kind, record):
        return self._method('create', kind)(record)

    def update(self, kind, old, record):
        return self._method('update', kind)(old, record)

    def delete(self, kind, record):
        return self._method('delete', kind)(record)

    def observe(self, kind, records):
        """Look at many resources of ``kind`` at once (a refresh).

        :param records: list of :class:`tenks.state.model.ResourceRecord`
            (recorded or desired).
        :returns: dict of record key to
            :class:`tenks.observation.Observation`; keys left out are
            unknown, and the state file is trusted for them.
        """
        method = getattr(self, 'observe_%s' % kind, None)
        if method is None:
            return {}
        return method(records)

    def check(self, kind, records):
        """Say what of ``records`` this driver's place cannot honour.

        Called before a plan that creates or updates them changes
        anything (see :mod:`tenks.support`): only reads.

        :param records: the desired records of ``kind`` to create or
            update.
        :returns: ``[(record, cause)]``, one per record that cannot be
            made as it is; empty when all can.
        """
        method = getattr(self, 'check_%s' % kind, None)
        if method is None:
            return []
        return method(records)

    def close(self):
        """Release connections; called once when a run ends."""
