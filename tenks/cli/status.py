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

"""``tenks status``: differences between the state file and reality.

And a run that did not complete: until one does, ``status`` names it, its
undone actions are rows found ``pending``, and ``--exit-code`` fails.
"""

import logging
import os
import socket

from cliff import lister

from tenks.cli import base
from tenks.state import lock as lock_mod
from tenks.state import model as state_model

LOG = logging.getLogger(__name__)

COLUMNS = ('Kind', 'Name', 'Hypervisor', 'Recorded', 'Found', 'Detail')


def found(record, obs):
    """One word for what a refresh found.

    ok, missing, foreign, broken, incomplete or unknown.
    """
    if obs is None:
        return 'unknown'
    if not obs.exists:
        return 'missing'
    if obs.owned is False:
        return 'foreign'
    if not obs.healthy:
        return 'broken'
    if record.status != state_model.PRESENT:
        return 'incomplete'
    return 'ok'


def _alive(holder):
    """Whether the lock holder ``holder`` (a dict) is a live process here."""
    pid = holder.get('pid')
    if not pid or holder.get('host') != socket.gethostname():
        return False
    try:
        os.kill(int(pid), 0)
    except PermissionError:
        return True     # someone else's process
    except (OSError, ValueError, TypeError):
        return False
    return True


def unfinished(run, holder):
    """One line about ``run`` (a :class:`tenks.state.model.LastRun`).

    :param holder: what the state lock says about its holder.
    """
    count = len(run.pending)
    actions = '%d action%s' % (count, '' if count == 1 else 's')
    head = 'tenks %s started %s' % (run.command, run.started)
    if run.result == state_model.RUNNING and _alive(holder):
        return '%s is still running (pid %s): %s not done yet' % (
            head, holder['pid'], actions)
    how = {state_model.INTERRUPTED: 'was interrupted',
           state_model.FAILED: 'failed'}.get(
        run.result, 'did not finish (it was killed or aborted)')
    return '%s %s: %s did not complete; run tenks %s again to finish' % (
        head, how, actions, run.command)


class Status(base.TenksCommand, lister.Lister):
    """Show which recorded resources exist, and which drifted.

    Asks every plugin what exists (libvirt domains, links, BMCs, Ironic
    nodes...) and compares with the state file. Nothing is changed: run
    ``tenks deploy`` to repair drift. A deploy or teardown that did not
    complete (interrupted, failed or killed) is named, with the actions
    it left undone, until a run completes.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--all', action='store_true',
                            help='List every resource, not only those that '
                                 'drifted.')
        parser.add_argument('--exit-code', action='store_true',
                            help='Exit with status 2 when anything drifted '
                                 'or the last deploy or teardown did not '
                                 'complete.')
        return parser

    def take_action(self, parsed_args):
        from tenks import workflow
        ctx = self.app.context
        run = workflow.require_state(ctx).last_run
        pending = {p['key']: p for p in run.pending} if run else {}
        rows = []
        drifted = 0
        for record, obs in workflow.status(ctx):
            word = found(record, obs)
            detail = obs.detail if obs else ''
            undone = pending.pop(record.key, None)
            if word == 'ok' and undone is not None:
                word, detail = 'pending', '%s not done' % undone['op']
            elif word != 'ok':
                drifted += 1
            if word == 'ok' and not parsed_args.all:
                continue
            rows.append((record.kind, record.name, record.hypervisor or '',
                         record.status, word, detail))
        for key, undone in pending.items():
            kind, _, name = key.partition(':')
            rows.append((kind, name, undone.get('hypervisor') or '', 'none',
                         'pending', '%s not done' % undone['op']))
        if (drifted or run) and parsed_args.exit_code:
            self.exit_status = 2
        if run:
            LOG.warning(unfinished(run, lock_mod.StateLock(
                ctx.store.lock_path).holder()))
        if drifted:
            LOG.warning('%d resource%s drifted; tenks deploy repairs them',
                        drifted, '' if drifted == 1 else 's')
        elif not run:
            LOG.info('No drift: every recorded resource is as recorded.')
        return COLUMNS, rows
