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

"""Speaking IPMI to a BMC the way Ironic's ipmitool driver does.

``ipmitool -I lanplus`` runs where tenks runs and reaches the BMC at its
address, like Ironic would. The password goes through the environment
(``-E``), never the command line.
"""

import os
import subprocess
import time

IPMITOOL = 'ipmitool'
#: Seconds ipmitool waits per try, and how many tries: a dead BMC fails
#: in a few seconds.
TIMEOUT = 1
RETRIES = 3
POWER_WAIT = 30
#: How long a command is tried again while the BMC does not let a session
#: be opened: a BMC busy serving others (all of a host's BMCs may share one
#: process) can miss ipmitool's few tries, as Ironic knows (it retries such
#: failures for [ipmi] command_retry_timeout, 60 s by default).
SESSION_RETRY_SECONDS = 15
#: ipmitool's words for a session it could not open.
RETRYABLE = ('Unable to establish IPMI v2 / RMCP+ session',
             'insufficient resources for session', 'Node busy')


class IPMIError(Exception):
    """The BMC did not answer, refused the credentials or the command."""


def ipmitool(address, port, username, password, *command, timeout=60,
             retry_for=SESSION_RETRY_SECONDS, sleep=time.sleep,
             clock=time.monotonic):
    """Run one ipmitool command against a BMC; returns its output.

    A command that failed to open a session (:data:`RETRYABLE`) is run
    again for ``retry_for`` seconds.
    """
    deadline = clock() + retry_for
    while True:
        try:
            return _ipmitool_once(address, port, username, password,
                                  command, timeout)
        except IPMIError as exc:
            if (not any(r in str(exc) for r in RETRYABLE) or
                    clock() >= deadline):
                raise
        sleep(0.5)


def _ipmitool_once(address, port, username, password, command, timeout):
    argv = [IPMITOOL, '-I', 'lanplus', '-H', str(address), '-p', str(port),
            '-U', username, '-E', '-N', str(TIMEOUT), '-R', str(RETRIES)]
    argv += list(command)
    env = dict(os.environ, IPMI_PASSWORD=password)
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env,
                              timeout=timeout)
    except FileNotFoundError:
        raise IPMIError('ipmitool is not installed (it is what Ironic uses '
                        'to speak IPMI)')
    except subprocess.TimeoutExpired:
        raise IPMIError('ipmitool %s timed out' % ' '.join(command))
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise IPMIError('ipmi://%s:%s %s failed: %s' % (
            address, port, ' '.join(command),
            detail[-1] if detail else 'exit status %d' % proc.returncode))
    return proc.stdout


def power_status(address, port, username, password):
    """'on' or 'off'."""
    out = ipmitool(address, port, username, password, 'power', 'status')
    text = out.strip().lower()
    if text.endswith(' on'):
        return 'on'
    if text.endswith(' off'):
        return 'off'
    raise IPMIError('ipmi://%s:%s: unexpected power status %r'
                    % (address, port, out.strip()))


def power(address, port, username, password, action, wait=POWER_WAIT):
    """Power the node ``on`` or ``off`` (or just read the ``status``).

    :returns: the power state afterwards, 'on' or 'off'.
    """
    state = power_status(address, port, username, password)
    if action == 'status' or state == action:
        return state
    ipmitool(address, port, username, password, 'power', action)
    deadline = time.monotonic() + wait
    while True:
        state = power_status(address, port, username, password)
        if state == action or time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    if state != action:
        raise IPMIError('ipmi://%s:%s is still %s %ss after power %s' % (
            address, port, state, wait, action))
    return state
