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

"""The ownership contract, against the real plugins.

Every resource-managing plugin installed in tenks' namespaces (but the
``fake`` provider, which ``tests/unit/contracts`` checks) has a subject
per kind here, run with real libvirt, the kernel, Open vSwitch, the BMC
emulators, a standalone Ironic and a loopback Nova; a kind without one
fails :func:`test_every_kind_has_a_subject`. Which checks of
:mod:`tests.contracts.ownership` apply follows from what each subject
declares (``markable``, ``shared``, ``rival``, ``makes_nothing``).
"""

import pytest

from tenks import plugins
from tenks import resource_driver
from tests.contracts import ownership
from tests.functional.contracts import subjects_bmc
from tests.functional.contracts import subjects_enrolment
from tests.functional.contracts import subjects_libvirt
from tests.functional.contracts import subjects_networks
# The session's standalone Ironic, for the ironic_node subject.
from tests.functional.ironic_fixture import ironic  # noqa: F401
from tests.functional.ironic_fixture import ironic_server  # noqa: F401

#: What the unit suite covers.
UNIT_ONLY = {('tenks.providers', 'fake')}

SUBJECTS = {}
for _module in (subjects_bmc, subjects_enrolment, subjects_libvirt,
                subjects_networks):
    SUBJECTS.update(_module.SUBJECTS)


def test_every_kind_has_a_subject():
    covered = {(cls.namespace, cls.plugin, cls.kind)
               for cls in SUBJECTS.values()}
    catalog = plugins.Catalog()
    missing = []
    for namespace in sorted(plugins.NAMESPACES):
        for name in catalog.names(namespace):
            if (namespace, name) in UNIT_ONLY:
                continue
            cls = catalog.cls(namespace, name)
            if not (isinstance(cls, type) and
                    issubclass(cls, resource_driver.ResourceDriver)):
                continue
            missing += ['%s %s: %s' % (namespace, name, kind)
                        for kind in cls.kinds
                        if (namespace, name, kind) not in covered]
    assert not missing, ('resource kinds without an ownership subject in '
                         'tests/functional/contracts: %s'
                         % ', '.join(missing))


@pytest.mark.parametrize('subject_cls,check', ownership.cases(SUBJECTS))
def test_ownership(subject_cls, check, request):
    subject = subject_cls(request)
    try:
        subject.setup()
        check(subject)
    finally:
        subject.close()
