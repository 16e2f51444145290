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

"""Exceptions raised by tenks.

Every error a user can cause derives from :class:`TenksError`; the CLI
prints its message on one line and exits non-zero, showing a traceback only
with ``--debug``.
"""


class TenksError(Exception):
    """Base class for errors reported to the user."""


class ConfigError(TenksError):
    """A setting in a configuration file is invalid."""


class SpecError(TenksError):
    """One or more problems in a cluster spec.

    :param source: the file (or other source) the spec came from.
    :param problems: a list of :class:`tenks.spec.errors.Problem`.
    """

    def __init__(self, source, problems):
        self.source = source
        self.problems = list(problems)
        super().__init__(self._format())

    def _format(self):
        count = len(self.problems)
        head = '%s: %d problem%s found' % (
            self.source, count, '' if count == 1 else 's')
        if count == 1:
            return '%s: %s' % (self.source, self.problems[0])
        return '\n'.join([head] + ['  %s' % p for p in self.problems])


class StateError(TenksError):
    """The state file cannot be read or written."""


class LockHeld(StateError):
    """Another tenks process holds the state lock."""


class SchedulingError(TenksError):
    """A node fits on no hypervisor.

    :param node: the node name.
    :param reasons: mapping of hypervisor name to the reason it was refused.
    """

    def __init__(self, node, reasons):
        self.node = node
        self.reasons = dict(reasons)
        detail = '; '.join('%s: %s' % (h, r)
                           for h, r in sorted(self.reasons.items()))
        super().__init__('no hypervisor can host node %s (%s)' %
                         (node, detail or 'no hypervisors'))


class PlanError(TenksError):
    """The plan cannot be made.

    For example, a resource collides with one tenks did not create.
    """


class ExecutionError(TenksError):
    """One or more actions failed while applying a plan.

    :param failures: list of (action description, error message) pairs.
    """

    def __init__(self, failures, skipped=0):
        self.failures = list(failures)
        self.skipped = skipped
        lines = ['%d action%s failed%s' % (
            len(self.failures), '' if len(self.failures) == 1 else 's',
            ', %d skipped as dependent' % skipped if skipped else '')]
        lines += ['  %s: %s' % f for f in self.failures]
        super().__init__('\n'.join(lines))


class Interrupted(TenksError):
    """A signal stopped a run before every action of its plan was done.

    Actions that were running finished; none started after the signal.

    :param command: the command that was stopped (``deploy``,
        ``teardown``).
    :param signum: the signal (SIGINT, SIGTERM).
    :param done: how many actions were done.
    :param failures: list of (action description, error message) pairs.
    :param not_started: descriptions of the actions never started.
    :ivar exit_code: the conventional status: 128 + the signal's number.
    """

    #: Not-started actions listed by name up to this many.
    LISTED = 8

    def __init__(self, command, signum, done, failures, not_started):
        import signal
        self.command = command
        self.signum = signum
        self.exit_code = 128 + int(signum)
        self.done = done
        self.failures = list(failures)
        self.not_started = list(not_started)
        lines = ['tenks %s interrupted by %s: %d done, %d failed, %d not '
                 'started' % (command, signal.Signals(signum).name, done,
                              len(self.failures), len(self.not_started))]
        lines += ['  failed: %s: %s' % f for f in self.failures]
        if len(self.not_started) <= self.LISTED:
            lines += ['  not started: %s' % d for d in self.not_started]
        lines.append('run tenks %s again to finish' % command)
        super().__init__('\n'.join(lines))


class HostsNotReady(TenksError):
    """Remote hosts cannot be worked on; nothing was changed.

    :param verdicts: the :class:`tenks.hosts.preflight.Verdict` of each
        host that cannot, one line each.
    :param checked: how many hosts were checked.
    """

    def __init__(self, verdicts, checked=None):
        self.verdicts = list(verdicts)
        lines = [str(v) for v in self.verdicts]
        if len(lines) > 1:
            lines = ['%d of %d hosts cannot be worked on; nothing was '
                     'changed:' % (len(lines), checked or len(lines))] + [
                '  %s' % line for line in lines]
        super().__init__('\n'.join(lines))


class PluginError(TenksError):
    """A plugin could not be loaded or refused an operation."""


class ResourceConflict(TenksError):
    """A resource tenks wants exists but was not created by tenks."""
