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

"""Compare desired resources with recorded ones (and with what a refresh
observed) and produce the :class:`tenks.planner.plan.Plan`.
"""

from tenks import exception
from tenks.planner import kinds
from tenks.planner import plan as plan_mod
from tenks.state import model as state_model


def _changed(old, new):
    keys = sorted(set(old) | set(new))
    return [k for k in keys if old.get(k) != new.get(k)]


def _conflict(key, record, obs):
    detail = (': %s' % obs.detail) if obs.detail else ''
    where = ' on %s' % record.hypervisor if record.hypervisor else ''
    return ('%s %s%s already exists and was not created by tenks%s'
            % (record.kind, record.name, where, detail))


def diff(desired, state, observations=None, nodes=None, hypervisors=None,
         seed=None, cluster=None, gone_reason='no longer in spec'):
    """Plan the actions from ``state`` to ``desired``.

    :param desired: ordered dict of key to desired ResourceRecord.
    :param state: the :class:`tenks.state.model.State`.
    :param observations: dict of key to
        :class:`tenks.observation.Observation` from a refresh; missing keys
        are unknown and the state is trusted.
    :param nodes: node records to store (None: no nodes, as in teardown).
    :param hypervisors: hypervisor allocations to store.
    :param seed: the cluster's seed (default: the state's).
    :param cluster: the cluster ``desired`` belongs to (default: the
        state's; an empty state takes the spec's).
    :param gone_reason: why recorded resources not desired are deleted.
    :raises PlanError: when a resource tenks would create already exists
        and was not made by tenks; every such collision is listed.
    """
    observations = observations or {}
    actions = []
    conflicts = []
    forget = []
    warnings = []
    for key, new in desired.items():
        old = state.resources.get(key)
        obs = observations.get(key)
        if obs is not None and obs.problem:
            conflicts.append('%s %s%s: %s' % (
                new.kind, new.name,
                ' on %s' % new.hypervisor if new.hypervisor else '',
                obs.problem))
            continue
        if (new.props.get('existing') and obs is not None and
                not obs.exists):
            conflicts.append('%s %s%s must already exist and does not' % (
                new.kind, new.name,
                ' on %s' % new.hypervisor if new.hypervisor else ''))
            continue
        if old is None:
            # Not recorded, so not ours: anything of that name that does
            # not carry our mark is a collision (unless adopting).
            if (obs is not None and obs.exists and obs.owned is not True and
                    not new.adopt):
                conflicts.append(_conflict(key, new, obs))
                continue
            reason = 'new'
            if obs is not None and obs.exists and new.adopt:
                reason = 'adopt existing'
            actions.append(plan_mod.Action(plan_mod.CREATE, new,
                                           reason=reason))
            continue
        # A create or delete tenks began and did not finish may have left
        # the resource half made, before it carried tenks' mark: it is
        # tenks' own to finish, not a collision.
        resuming = old.status in (state_model.CREATING,
                                  state_model.DELETING)
        if (obs is not None and obs.exists and obs.owned is False and
                not new.adopt and not resuming):
            conflicts.append(_conflict(key, new, obs))
            continue
        replace = []
        if old.hypervisor != new.hypervisor:
            replace.append('hypervisor')
        if old.driver != new.driver:
            replace.append('driver')
        replace += kinds.needs_replace(new.kind, old.props, new.props)
        if replace:
            delete = plan_mod.Action(plan_mod.DELETE, old,
                                     reason='replace: %s changed'
                                     % ', '.join(replace))
            actions.append(delete)
            actions.append(plan_mod.Action(plan_mod.CREATE, new,
                                           reason='replace: %s changed'
                                           % ', '.join(replace)))
            continue
        if old.status == state_model.CREATING:
            reason = 'resume interrupted create'
        elif old.status == state_model.DELETING:
            reason = 'resume: it was being deleted'
        elif obs is not None and not obs.exists:
            reason = 'missing: removed outside tenks'
        elif obs is not None and not obs.healthy:
            reason = 'broken: %s' % (obs.detail or 'not working')
        else:
            reason = None
        if reason:
            new.outputs = dict(old.outputs)
            # What a create or delete tenks did not finish left in place,
            # or what drifted but exists, is tenks' own to take over.
            new.adopt = new.adopt or resuming or (
                obs is not None and obs.exists)
            actions.append(plan_mod.Action(plan_mod.CREATE, new,
                                           reason=reason))
            continue
        if old.props == new.props and old.status == state_model.PRESENT:
            continue
        changed = _changed(old.props, new.props)
        if changed or old.status == state_model.UPDATING:
            reason = ('changed: %s' % ', '.join(changed) if changed
                      else 'resume interrupted update')
            new.outputs = dict(old.outputs)
            actions.append(plan_mod.Action(plan_mod.UPDATE, new, old=old,
                                           reason=reason))
    for key, old in state.resources.items():
        if key in desired:
            continue
        obs = observations.get(key)
        if obs is not None and not obs.exists:
            forget.append(key)
            continue
        resuming = old.status in (state_model.CREATING,
                                  state_model.DELETING)
        reason = (gone_reason if old.status != state_model.DELETING
                  else 'resume interrupted delete')
        if resuming:
            # Half made or half deleted by tenks, maybe before or after it
            # carried tenks' mark: still tenks' to delete.
            old = old.copy()
            old.adopt = True
        elif obs is not None and obs.owned is False and not obs.unmarked:
            # Someone else's now: tenks' own is gone.
            forget.append(key)
            warnings.append('%s %s is no longer tenks\' own (%s); leaving '
                            'it alone' % (old.kind, old.name,
                                          obs.detail or 'foreign'))
            continue
        elif obs is not None and obs.owned is False:
            # Neither provably tenks' nor provably someone else's: the
            # plugin refuses to delete it, and the run says so and fails
            # rather than leave something of this cluster behind quietly.
            reason = 'its tenks mark is gone (%s)' % (obs.detail or
                                                      'unmarked')
        actions.append(plan_mod.Action(plan_mod.DELETE, old, old=old,
                                       reason=reason))
    if conflicts:
        raise exception.PlanError(
            'nothing was changed: %d problem%s found before starting:\n  '
            % (len(conflicts), '' if len(conflicts) == 1 else 's') +
            '\n  '.join(conflicts))
    return plan_mod.Plan(actions, nodes or {}, hypervisors or {},
                         forget=forget, warnings=warnings,
                         seed=seed or state.seed,
                         cluster=cluster or state.cluster)
