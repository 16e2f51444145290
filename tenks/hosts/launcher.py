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

"""How a daemon tenks runs is started and stopped on its host.

Without systemd, tenks spawns it detached (:func:`tenks.hosts.procs.
spawn`) and stops it by its processes. Where systemd runs the host, its
enabled unit (:mod:`tenks.hosts.units`) starts it, so that it comes back
after a reboot, and stopping it for good disables and removes that unit.
Either way it runs the same command line, and is found again by it.
"""

from tenks.hosts import procs
from tenks.hosts import units


class Launcher(object):
    """Starts and stops one daemon.

    :param run_dir: its run directory; ``config``: its config file;
        ``argv``: its command line; ``log_file``: where its output goes;
        ``description``: what it is (for its unit); ``env``: extra
        environment when spawned (a unit's environment is systemd's own,
        clean one).
    """

    def __init__(self, run_dir, config, argv, log_file, description,
                 env=None):
        self.argv = list(argv)
        self.log_file = log_file
        self.env = env
        self.unit = units.for_daemon(run_dir, config, argv, log_file,
                                     description)

    def problem(self):
        """Why the daemon would not come back after a reboot, or None."""
        return units.problem(self.unit) if self.unit else None

    def started(self, pid):
        """When ``pid`` started, where a unit may have restarted it.

        For :func:`tenks.hosts.files.stamped`: None without a unit.
        """
        return procs.started_at(pid) if self.unit else None

    def stop(self, pids):
        """Stop ``pids``, the daemon's processes; its unit first.

        :returns: the pids that had to be killed.
        """
        if self.unit:
            units.stop(self.unit)
        return procs.terminate(pids)

    def start(self, find, answers, timeout, interval):
        """Start the daemon and wait until it answers.

        :param find: callable: the pids that may be the daemon.
        :param answers: callable: whether a pid is up and answering.
        :returns: its pid, or None when it died or did not answer within
            ``timeout`` seconds (it is stopped then).
        """
        if self.unit is None:
            pid = procs.spawn(self.argv, self.log_file, env=self.env)
            found = procs.wait_answering(
                lambda: [pid] if procs.is_alive(pid) else [], answers,
                timeout, interval, seen=[pid])
            if found is None:
                procs.terminate([pid])
            return found
        units.start(self.unit)
        found = procs.wait_answering(find, answers, timeout, interval)
        if found is None:
            self.stop(find())
        return found

    def describe(self):
        """The command line, and the unit that runs it, for messages."""
        shown = ' '.join(self.argv)
        if self.unit:
            shown += ' (systemd unit %s)' % self.unit.name
        return shown

    def remove(self, pids):
        """Stop the daemon for good: its unit too.

        :returns: whether any process was left to stop.
        """
        if self.unit:
            units.remove(self.unit)
        procs.terminate(pids)
        return bool(pids)
