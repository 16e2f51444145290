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

"""The ownership contract of resource-managing plugins.

Every plugin that creates resources on a host or in a cloud keeps the
rules of :mod:`tenks.resource_driver`. The checks below are the only
place those rules are tested; a :class:`Subject` per (plugin, kind)
adapts them to one implementation.
"""

import abc
import dataclasses

import pytest

from tenks import exception


class Subject(object, metaclass=abc.ABCMeta):
    """One kind of resource of one plugin, and a way to fake a rival.

    :ivar driver: the plugin instance under test.
    :ivar kind: the resource kind.
    :ivar markable: whether the resource carries tenks' mark (False for
        e.g. libvirt volumes: the state file alone says whose they are,
        so their observation has ``owned`` None).
    :ivar shared: whether one that exists is used whoever made it (storage
        pools): then creating it reports ``{'created': False}`` and
        deleting it leaves it.
    :ivar rival_cluster: whether another cluster's resource can be made
        (its props, or :meth:`driver_of` the cluster, name its cluster).
    :ivar rival: what :meth:`make_foreign` makes: ``'unmarked'``, a
        resource of the record's name without tenks' mark;
        ``'obstacle'``, something provably not tenks' holding what the
        resource needs (a process on a service's port): creating refuses
        it, deleting ours leaves it; None when nothing can stand in the
        resource's way.
    :ivar makes_nothing: whether the kind makes nothing of its own (a
        wait, a check of what another kind made): :meth:`provide` makes
        what it relies on.
    """

    markable = True
    shared = False
    rival_cluster = True
    rival = 'unmarked'
    makes_nothing = False

    def __init__(self, driver, kind):
        self.driver = driver
        self.kind = kind

    @abc.abstractmethod
    def record(self, adopt=False, cluster=None):
        """The desired record (of ``cluster``, default the test's)."""

    @abc.abstractmethod
    def make_foreign(self, record):
        """Make a resource called like ``record`` without tenks' mark."""

    @abc.abstractmethod
    def exists(self, record):
        """Whether ``record``'s resource exists, looked up directly."""

    def cleanup(self, record):
        """Remove whatever :meth:`make_foreign` made, if still there."""

    def provide(self, record):
        """Make what a kind that makes nothing relies on."""
        raise NotImplementedError(type(self).__name__)

    def driver_of(self, cluster):
        """The driver acting for ``cluster``.

        For kinds whose cluster is the driver's configuration, not the
        props'.
        """
        return self.driver


def _observe(subject, record):
    return subject.driver.observe(subject.kind, [record]).get(record.key)


def _assert_provably_foreign(subject, record):
    """Observed as someone else's: marked by them, or in the way."""
    seen = _observe(subject, record)
    if seen is not None:
        assert (seen.exists, seen.owned, seen.unmarked) == (
            True, False, False), seen


def _expected_owned(subject):
    return True if subject.markable else None


def check_lifecycle(subject):
    """Create is an ensure, delete of what is gone is success.

    An unmarkable resource is created again as tenks does it, with
    ``adopt``: the state file, not a mark, says it is tenks'.
    """
    record = subject.record()
    seen = _observe(subject, record)
    assert seen is None or not seen.exists, seen
    subject.driver.create(subject.kind, record)
    assert subject.exists(record)
    seen = _observe(subject, record)
    if seen is not None:
        assert (seen.exists, seen.owned) == (True, _expected_owned(subject))
    subject.driver.create(subject.kind,
                          subject.record(adopt=not subject.markable))
    assert subject.exists(record)
    subject.driver.delete(subject.kind, record)
    assert not subject.exists(record)
    subject.driver.delete(subject.kind, record)


def check_unmarked_is_left_alone(subject):
    """Without ``adopt``, an unmarked resource is not taken or removed."""
    record = subject.record()
    subject.make_foreign(record)
    seen = _observe(subject, record)
    if subject.shared:
        assert seen is None or seen.exists
        outputs = subject.driver.create(subject.kind, record)
        assert outputs == {'created': False}
        record = dataclasses.replace(record, outputs=outputs)
        subject.driver.delete(subject.kind, record)
        assert subject.exists(record)
        return
    if seen is not None:
        assert seen.exists and seen.owned is (
            False if subject.markable else None), seen
        if subject.markable:
            assert seen.unmarked, seen
    with pytest.raises(exception.ResourceConflict):
        subject.driver.create(subject.kind, record)
    assert subject.exists(record)
    if subject.markable:
        with pytest.raises(exception.ResourceConflict):
            subject.driver.delete(subject.kind, record)
        assert subject.exists(record)


def check_adopt_takes_over(subject):
    """With ``adopt`` (a run that did not finish), tenks finishes it."""
    record = subject.record(adopt=True)
    subject.make_foreign(record)
    subject.driver.create(subject.kind, record)
    seen = _observe(subject, subject.record())
    if seen is not None:
        assert (seen.exists, seen.owned) == (True, _expected_owned(subject))
    subject.driver.delete(subject.kind, record)
    assert not subject.exists(record)


def check_other_cluster_is_refused(subject):
    """Create and delete of ours refuse another cluster's resource."""
    theirs = subject.record(cluster='rival')
    rival = subject.driver_of('rival')
    rival.create(subject.kind, theirs)
    try:
        record = subject.record()
        _assert_provably_foreign(subject, record)
        with pytest.raises(exception.ResourceConflict):
            subject.driver.create(subject.kind, record)
        with pytest.raises(exception.ResourceConflict):
            subject.driver.delete(subject.kind, record)
        assert subject.exists(record)
    finally:
        rival.delete(subject.kind, theirs)
    assert not subject.exists(theirs)


def check_obstacle_is_left_alone(subject):
    """Something else holding what the resource needs is kept.

    It is provably not tenks' (not unmarked): creating refuses it;
    deleting the resource then has nothing of tenks' to remove, succeeds
    and leaves it.
    """
    record = subject.record()
    subject.make_foreign(record)
    _assert_provably_foreign(subject, record)
    with pytest.raises(exception.ResourceConflict):
        subject.driver.create(subject.kind, record)
    assert subject.exists(record)
    subject.driver.delete(subject.kind, record)
    assert subject.exists(record)


def check_makes_nothing(subject):
    """A kind that makes nothing of its own never removes what it uses.

    Its delete succeeds before and after a create, and leaves what
    :meth:`Subject.provide` made.
    """
    record = subject.record()
    subject.driver.delete(subject.kind, record)
    subject.provide(record)
    assert subject.exists(record)
    subject.driver.create(subject.kind, record)
    subject.driver.create(subject.kind, record)
    seen = _observe(subject, record)
    if seen is not None:
        assert seen.exists and seen.owned is not False, seen
    subject.driver.delete(subject.kind, record)
    assert subject.exists(record)
    subject.driver.delete(subject.kind, record)
    assert subject.exists(record)


def checks(subject_cls):
    """The checks that apply to subjects of ``subject_cls``."""
    if subject_cls.makes_nothing:
        return [check_makes_nothing]
    out = [check_lifecycle]
    if subject_cls.rival == 'obstacle':
        out.append(check_obstacle_is_left_alone)
    if subject_cls.rival != 'unmarked':
        return out
    out.append(check_unmarked_is_left_alone)
    if not subject_cls.shared:
        out.append(check_adopt_takes_over)
        if subject_cls.markable and subject_cls.rival_cluster:
            out.append(check_other_cluster_is_refused)
    return out


def cases(subjects):
    """``pytest.param(subject_cls, check)`` for every applicable pair.

    :param subjects: ``{id: subject class}``.
    """
    return [pytest.param(cls, check, id='%s-%s' % (
        name, check.__name__[len('check_'):]))
        for name, cls in sorted(subjects.items()) for check in checks(cls)]
