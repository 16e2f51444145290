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

"""What a plugin saw of a resource when asked (the refresh before a plan).
"""

import dataclasses
import typing


@dataclasses.dataclass(frozen=True)
class Observation(object):
    """One resource as found on the host or in the cloud.

    :ivar exists: whether something with the resource's name exists.
    :ivar owned: whether it carries tenks' mark for this cluster (domain
        metadata, link alias, Ironic extra, ...); None when the resource
        cannot carry a mark, in which case the state file decides.
    :ivar detail: a short human description, e.g. why it is foreign or
        what is wrong with it.
    :ivar healthy: False when it exists but does not work as it should
        (e.g. a BMC whose process is gone); the next deploy repairs it by
        creating it again (creates are ensures).
    :ivar problem: why it cannot be created as desired (e.g. its uplink
        does not exist); planning then stops with this message, before
        anything is touched.
    :ivar unmarked: with ``owned`` False, it carries no owner's mark at
        all, so tenks cannot tell whether it made it (a run killed between
        making a resource and marking it, or between removing its mark and
        the resource, leaves one). Only a resource that carries someone
        else's mark, or is of another identity (UUID, link kind), is
        provably foreign.
    :ivar marked: it carries this cluster's mark, whether or not it is the
        very resource of the record (a domain of another UUID may carry
        it). One the state file does not record was made by a run of
        another state file of the same cluster name, or of a state file
        lost since: see :func:`unrecorded`.
    """
    exists: bool
    owned: typing.Optional[bool] = None
    detail: str = ''
    healthy: bool = True
    problem: str = ''
    unmarked: bool = False
    marked: bool = False


ABSENT = Observation(False)


def ours(detail='', healthy=True):
    """An existing resource that carries this cluster's mark."""
    return Observation(True, True, detail, healthy=healthy, marked=True)


def with_problem(observation, problem):
    """``observation`` with ``problem`` (see :class:`Observation`)."""
    return dataclasses.replace(observation, problem=problem)


def foreign(detail, unmarked=False):
    """An existing resource that is not tenks' own (see ``unmarked``)."""
    return Observation(True, False, detail, unmarked=unmarked)


def unrecorded(observation, cluster, state_path):
    """The observation of a resource this state file does not record.

    One that carries the cluster's mark is not this state file's to
    take: two state files of the same cluster name would share it, and
    the teardown of either would remove it from under the other. Its
    observation then carries the problem that stops planning, in the same
    words for every plugin.

    :param observation: what a plugin saw of a resource the state file
        at ``state_path`` does not record.
    :returns: ``observation``, or a copy of it with that problem.
    """
    if not observation.exists or not observation.marked:
        return observation
    return with_problem(observation, (
        'it is marked for cluster %s but not recorded in this state file '
        '(%s); another state file of the same cluster name may own it'
        % (cluster, state_path)))
