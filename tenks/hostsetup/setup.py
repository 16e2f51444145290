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

"""Host setup of every hypervisor host: what each needs, and the steps.

Without a spec, the host set up is this one, with the bridge type and
guest architecture of the configuration. With a spec, it is every host
its hypervisors live on (each once, however many hypervisors share it),
with the spec's bridge type and the architectures of its node types.
"""

import collections

from oslo_log import log as logging

from tenks.hostsetup import platform as platform_mod
from tenks.hostsetup import steps
from tenks.hostsetup import swtpm

LOG = logging.getLogger(__name__)


def _openvswitch(settings, catalog):
    network = catalog.cls('tenks.networks', settings.bridge_type)
    return 'openvswitch' in network.host_services


def _arch(settings, catalog):
    """The default node architecture (the default provider's)."""
    provider = catalog.cls('tenks.providers', settings.provider)
    return provider.node_defaults(settings)['arch']


def needs_from_settings(settings, catalog):
    """``{host: Needs}`` for this host alone, from the configuration."""
    return collections.OrderedDict([(None, platform_mod.Needs(
        openvswitch=_openvswitch(settings, catalog),
        arches=(_arch(settings, catalog),), hypervisors=()))])


def needs_from_spec(spec, catalog):
    """``{host: Needs}`` of the hosts of a spec's hypervisors.

    The host ``None`` is this host.
    """
    openvswitch = _openvswitch(spec.settings, catalog)
    arches = tuple(sorted({t.arch for t in spec.node_types.values()} or
                          {_arch(spec.settings, catalog)}))
    tpm = any(t.tpm for t in spec.node_types.values())
    hosts = collections.OrderedDict()
    for hv in spec.hypervisors:
        hosts.setdefault(hv.host, []).append(hv.name)
    return collections.OrderedDict(
        (host, platform_mod.Needs(openvswitch=openvswitch, arches=arches,
                                  hypervisors=tuple(names),
                                  agent=host is not None, tpm=tpm))
        for host, names in hosts.items())


def setup_host(agent, needs, dry_run=False, sleep=None, report=None,
               last=()):
    """Set up one host.

    :param agent: the host's :class:`tenks.hosts.base.HostAgent`.
    :param needs: a :class:`tenks.hostsetup.platform.Needs`.
    :param dry_run: only check; list what would change.
    :param sleep: waiting function (tests).
    :param report: optional callable given each
        :class:`~tenks.hostsetup.steps.StepResult` as it is made; a step
        that fails is reported ``failed`` before :class:`StepFailed` is
        raised.
    :param last: steps run after the others (callables given the host's
        :class:`~tenks.hostsetup.steps.Runner`, returning a
        :class:`~tenks.hostsetup.steps.StepResult`).
    :returns: the list of step results, in order.
    :raises StepFailed: a step failed; the steps after it did not run.
    """
    info = platform_mod.detect(agent)
    kwargs = {'sleep': sleep} if sleep is not None else {}
    runner = steps.Runner(agent, root=info.root, dry_run=dry_run, **kwargs)
    results = []

    def add(result):
        results.append(result)
        if report is not None:
            report(result)
        return result

    add(steps.StepResult('platform', steps.OK, '%s, %s' % (
        info.platform.name,
        'systemd' if info.systemd else 'no systemd (daemons started '
        'directly)')))
    try:
        _run_steps(runner, info, needs, add)
        for step in last:
            add(step(runner))
    except steps.StepFailed as exc:
        add(steps.StepResult(exc.step, steps.FAILED, str(exc.error)))
        raise
    return results


def _run_steps(runner, info, needs, add):
    wanted = info.platform.packages(needs.arches, needs.openvswitch,
                                    needs.agent, needs.tpm)
    add(steps.packages_step(runner, info.platform, wanted))
    add(steps.kvm_step(runner))
    started = False
    for daemon in platform_mod.daemons(needs.openvswitch):
        result = add(steps.daemon_step(runner, daemon, info.platform,
                                       info.systemd))
        if daemon is platform_mod.LIBVIRTD and result.status != steps.OK:
            started = True
    add(steps.libvirt_step(runner, started=started))
    result = swtpm.swtpm_step(runner, needs.tpm)
    if result is not None:
        add(result)
