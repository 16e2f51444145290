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

"""Crash points: test hooks that kill tenks where a test asks.

Crash-safety tests need to kill a run at an exact point, not only between
actions, to prove that every half-done change is found and finished by
the next run. Code that changes two things which must agree (an entry and
its ownership mark, a config file and the daemon started from it) names
the points between its steps with :func:`point`; a test sets
``TENKS_TEST_CRASH_AT`` to one of those names and the process dies there
with SIGKILL, as if the machine had lost power. Without the variable a
point costs one dictionary lookup.

``TENKS_TEST_KILL_AFTER=N`` kills the run once N actions have completed
(see :class:`tenks.executor.Executor`).
"""

import os
import signal

CRASH_AT_ENV = 'TENKS_TEST_CRASH_AT'
KILL_AFTER_ENV = 'TENKS_TEST_KILL_AFTER'


def die():
    """Kill this process at once (SIGKILL: no clean-up runs)."""
    os.kill(os.getpid(), signal.SIGKILL)


def point(name):
    """A named crash point: die here when the test hook names it."""
    if os.environ.get(CRASH_AT_ENV) == name:
        die()


def kill_after():
    """How many completed actions a run may survive, or None."""
    value = os.environ.get(KILL_AFTER_ENV)
    return int(value) if value else None
