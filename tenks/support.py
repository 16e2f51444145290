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

"""Whether each place can honour what a plan makes there, before it does.

A node may ask for what its hypervisor cannot give: a TPM without swtpm,
an architecture without its QEMU, UEFI without firmware. The driver of
each resource a plan creates or updates says which of them it cannot
make (:meth:`tenks.resource_driver.ResourceDriver.check`, reading only),
and the plan stops with one line per resource and cause before anything
is touched, instead of failing half-way through the apply.
"""

import collections

from tenks import exception
from tenks.planner import plan as plan_mod


def _where(record):
    if record.kind == 'domain':
        what = 'node %s' % record.name
    else:
        what = '%s %s' % (record.kind, record.name)
    return '%s on %s' % (what, record.hypervisor) if record.hypervisor \
        else what


def problems(plugins, plan):
    """``['node X on HV: cause', ...]`` of ``plan``'s creates and updates.

    :param plugins: the run's :class:`tenks.plugins.Plugins`.
    """
    groups = collections.OrderedDict()
    for action in plan.actions:
        if action.op not in (plan_mod.CREATE, plan_mod.UPDATE):
            continue
        record = action.record
        groups.setdefault((record.kind, record.driver, record.hypervisor),
                          []).append(record)
    lines = []
    for (kind, _driver, _hv), records in groups.items():
        driver = plugins.driver(records[0])
        for record, cause in driver.check(kind, records):
            lines.append('%s: %s' % (_where(record), cause))
    return lines


def require(plugins, plan):
    """Stop unless every resource ``plan`` makes can be made.

    :raises PlanError: one line per resource that cannot, and why.
    """
    lines = problems(plugins, plan)
    if len(lines) > 1:
        lines = ['%d resources cannot be made as the spec asks; nothing was '
                 'changed:' % len(lines)] + ['  ' + line for line in lines]
    if lines:
        raise exception.PlanError('\n'.join(lines))
