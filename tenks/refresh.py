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

"""Ask plugins what exists (the refresh before planning).

Records are grouped by kind, driver and hypervisor so each plugin is asked
once per group, in bulk: one libvirt domain listing, one link dump, one
Ironic node list.
"""

import collections

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


def observe(plugins, records):
    """Observe ``records`` (an iterable of ResourceRecord).

    :returns: dict of key to Observation. Groups whose plugin cannot be
        reached are left out (and the state trusted), with a warning.
    """
    groups = collections.OrderedDict()
    for record in records:
        groups.setdefault((record.kind, record.driver, record.hypervisor),
                          {})[record.key] = record
    out = {}
    for (kind, _driver, hypervisor), recs in groups.items():
        sample = next(iter(recs.values()))
        try:
            driver = plugins.driver(sample)
            out.update(driver.observe(kind, list(recs.values())))
        except Exception as exc:  # noqa - a refresh must not block a run
            LOG.warning('could not check %s resources%s: %s', kind,
                        ' on %s' % hypervisor if hypervisor else '', exc)
    return out
