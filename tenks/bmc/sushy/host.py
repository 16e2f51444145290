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

"""Host side of the sushy_tools emulator: one sushy-emulator per hypervisor.

Functions here run on the hypervisor's host (through
``HypervisorContext.agent.call(host.<function>, ...)``) and return
JSON-able data; a port held by someone else raises
:class:`tenks.exception.ResourceConflict`.

Layout of ``run_dir`` (mode 0700; files 0600)::

    emulator.conf   the emulator's config (:mod:`tenks.bmc.sushy.config`)
    htpasswd        bcrypt users for HTTP basic auth
    launch.json     how to start it again (address, port, TLS, log file)
    state/          the emulator's own state (volumes, virtual media...)
    .lock           serialises changes

The emulator runs as ``python -m tenks.bmc.sushy.emulator --config
<run_dir>/emulator.conf`` (sushy-tools' emulator, see
:mod:`tenks.bmc.sushy.emulator`); that argument is how tenks finds it
again, also one an earlier release started as ``sushy_tools.emulator.main``.
It is restarted only when its config or users change. Where systemd runs
the host, its enabled unit runs it (:mod:`tenks.hosts.launcher`), so that
it comes back after a reboot.
"""

import json
import os
import sys

from tenks.bmc.sushy import config as sushy_config
from tenks.bmc.sushy import htpasswd
from tenks.bmc.sushy import redfish
from tenks import exception
from tenks import faults
from tenks.hosts import calls
from tenks.hosts import files
from tenks.hosts import launcher
from tenks.hosts import procs

MODULE = 'tenks.bmc.sushy.emulator'
#: What earlier releases ran (found, to be replaced).
OLD_MODULES = ('sushy_tools.emulator.main',)
#: Crash point: the emulator's files written, the emulator not restarted.
SERVICE_STEP = 'sushy-service:configured'
#: Crash point: the emulator stopped, its files not removed yet.
STOP_STEP = 'sushy-service:stopped'
LAUNCH_FILE = 'launch.json'
#: How sushy-tools names the images it uploads for domain UUID ``%s``.
MEDIA_SUFFIX = '-%s.img'
START_TIMEOUT = 60
# Environment variables that would override the config file.
_OVERRIDES = ('SUSHY_EMULATOR_CONFIG', 'SUSHY_EMULATOR_LIBVIRT_URI',
              'SUSHY_EMULATOR_LIBVIRT_URL', 'OS_CLOUD')


class EmulatorError(exception.TenksError):
    """The Redfish emulator cannot be started or does not answer."""


def _config_path(run_dir):
    return os.path.join(run_dir, sushy_config.CONFIG_FILE)


def _emulators(run_dir):
    """Pids of the emulators started with this run_dir's config."""
    return sorted(pid for module in (MODULE,) + OLD_MODULES
                  for pid in procs.find_by_args(module,
                                                _config_path(run_dir)))


def local_url(address, port, tls):
    """The URL to reach an emulator listening on ``address`` from here."""
    host = address
    if host in ('0.0.0.0', ''):
        host = '127.0.0.1'
    elif host == '::':
        host = '::1'
    if ':' in host:
        host = '[%s]' % host
    return '%s://%s:%d' % ('https' if tls else 'http', host, int(port))


def _answers(launch):
    client = redfish.Client(local_url(launch['address'], launch['port'],
                                      launch['tls']), timeout=3)
    try:
        client.get('/redfish/v1/', auth=False)
        return True
    except redfish.RedfishError:
        return False


def _answering(launch, pid):
    return (procs.listens(pid, 'tcp', int(launch['port']),
                          launch['address']) and _answers(launch))


def _digest(run_dir):
    return files.digest([_config_path(run_dir),
                         os.path.join(run_dir, sushy_config.AUTH_FILE)])


def _launcher(run_dir, log_file):
    """How the emulator starts: spawned, or by its systemd unit."""
    env = {k: '' for k in _OVERRIDES if k in os.environ}
    config = _config_path(run_dir)
    argv = [sys.executable, '-m', MODULE, '--config', config]
    return launcher.Launcher(
        run_dir, config, argv, log_file,
        'tenks Redfish BMCs of %s (sushy-tools emulator)' % run_dir, env=env)


def _as_configured(run_dir, launch, pid, starter):
    """Whether emulator ``pid`` answers, started with today's files."""
    return (_answering(launch, pid) and
            files.stamped(run_dir, pid, _digest(run_dir),
                          starter.started(pid)))


def _healthy(run_dir, launch, pid):
    """Whether emulator ``pid`` answers as configured and would restart."""
    starter = _launcher(run_dir, launch.get('log_file'))
    return (_as_configured(run_dir, launch, pid, starter) and
            not starter.problem())


def _read_launch(run_dir):
    try:
        with open(os.path.join(run_dir, LAUNCH_FILE)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _foreign(launch, ours):
    for owner in procs.port_owners('tcp', int(launch['port']),
                                   launch['address']):
        if owner not in ours:
            return ('Redfish port %s:%s is in use by %s, which tenks did not '
                    'start; give the hypervisor another redfish_port' % (
                        launch['address'], launch['port'],
                        procs.describe(owner)))
    return None


def _refuse_foreign(launch, ours):
    conflict = _foreign(launch, ours)
    if conflict:
        raise exception.ResourceConflict(conflict)


def _start(run_dir, launch):
    starter = _launcher(run_dir, launch['log_file'])
    starter.stop(_emulators(run_dir))
    files.drop_stamp(run_dir)
    digest = _digest(run_dir)
    pid = starter.start(lambda: _emulators(run_dir),
                        lambda p: _answering(launch, p), START_TIMEOUT, 0.2)
    if pid is not None:
        files.write_stamp(run_dir, pid, digest)
        return pid
    raise EmulatorError('sushy-emulator (%s) did not start; its log %s '
                        'ends:\n%s' % (starter.describe(), launch['log_file'],
                                       procs.tail(launch['log_file'])))


@calls.exposed
def ensure_emulator(run_dir, log_file, config, users):
    """Write the emulator's files and make it run with them (host side).

    :param config: the config file text (:func:`sushy_config.render`).
    :param users: ``[{'username', 'password'}]`` for the htpasswd file.
    :returns: ``{'pid', 'started', 'url'}``.
    :raises ResourceConflict: someone else holds its port.
    :raises EmulatorError: it does not start.
    """
    props_launch = _launch_of(config, log_file)
    pairs = [(u['username'], u['password']) for u in users]
    with files.locked(run_dir):
        ours = _emulators(run_dir)
        _refuse_foreign(props_launch, ours)
        os.makedirs(os.path.join(run_dir, sushy_config.STATE_DIR),
                    mode=0o700, exist_ok=True)
        auth = os.path.join(run_dir, sushy_config.AUTH_FILE)
        changed = False
        if not htpasswd.matches(auth, pairs):
            files.write_private(auth, htpasswd.render(pairs))
            changed = True
        changed |= files.write_private(_config_path(run_dir), config)
        changed |= files.write_private(os.path.join(run_dir, LAUNCH_FILE),
                                       json.dumps(props_launch,
                                                  sort_keys=True))
        if changed:
            faults.point(SERVICE_STEP)
        url = local_url(props_launch['address'], props_launch['port'],
                        props_launch['tls'])
        for pid in ours:
            if _healthy(run_dir, props_launch, pid):
                return {'pid': pid, 'started': False, 'url': url}
        return {'pid': _start(run_dir, props_launch), 'started': True,
                'url': url}


def _launch_of(config, log_file):
    """Address, port and TLS of a rendered config (it holds literals)."""
    import ast
    values = {}
    for node in ast.parse(config).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            values[node.targets[0].id] = ast.literal_eval(node.value)
    return {'address': values['SUSHY_EMULATOR_LISTEN_IP'],
            'port': values['SUSHY_EMULATOR_LISTEN_PORT'],
            'tls': bool(values.get('SUSHY_EMULATOR_SSL_CERT')),
            'log_file': log_file}


@calls.exposed
def ensure_running(run_dir):
    """Start the emulator again from its files if it is not running.

    :returns: ``{'pid', 'started', 'url'}``, or ``{'missing': True}`` when
        it has no files (its service was never created or was removed).
    :raises ResourceConflict: someone else holds its port.
    """
    launch = _read_launch(run_dir)
    if launch is None or not os.path.exists(_config_path(run_dir)):
        return {'missing': True}
    with files.locked(run_dir):
        ours = _emulators(run_dir)
        _refuse_foreign(launch, ours)
        url = local_url(launch['address'], launch['port'], launch['tls'])
        for pid in ours:
            if _healthy(run_dir, launch, pid):
                return {'pid': pid, 'started': False, 'url': url}
        return {'pid': _start(run_dir, launch), 'started': True, 'url': url}


@calls.exposed
def check_system(run_dir, system_id, username, password):
    """Check that the emulator serves ``system_id`` to these credentials.

    :returns: the system's power state, 'on' or 'off'.
    :raises EmulatorError: it does not.
    """
    launch = _read_launch(run_dir)
    if launch is None:
        raise EmulatorError('no Redfish emulator is configured in %s'
                            % run_dir)
    client = redfish.Client(local_url(launch['address'], launch['port'],
                                      launch['tls']), username, password)
    try:
        return redfish.power_state_of(client.system(system_id))
    except redfish.RedfishError as exc:
        raise EmulatorError('the Redfish emulator of %s does not serve %s: '
                            '%s' % (run_dir, system_id, exc))


@calls.exposed
def systems(run_dir, username, password):
    """The systems the emulator exposes (host side).

    :returns: ``{'systems': [system id path]}``, or ``{'error': message}``
        when it does not answer.
    """
    launch = _read_launch(run_dir)
    if launch is None:
        return {'error': 'no Redfish emulator is configured in %s'
                % run_dir}
    client = redfish.Client(local_url(launch['address'], launch['port'],
                                      launch['tls']), username, password)
    try:
        members = client.get('/redfish/v1/Systems').get('Members') or ()
    except redfish.RedfishError as exc:
        return {'error': str(exc)}
    return {'systems': [m.get('@odata.id', '').rstrip('/')
                        for m in members]}


@calls.exposed
def status(run_dir, address, port):
    """What runs for the emulator of ``run_dir`` (host side).

    :returns: ``{'state', 'detail', 'pid', 'files'}``; state is
        'running', 'foreign' (someone else holds the port), 'stopped'
        (files but no healthy emulator) or 'absent'.
    """
    ours = _emulators(run_dir)
    has_files = bool(files.leftovers(run_dir))
    launch = _read_launch(run_dir) or {'address': address, 'port': port,
                                       'tls': False}
    out = {'pid': None, 'files': has_files, 'detail': ''}
    conflict = _foreign({'address': address, 'port': port}, ours)
    if conflict:
        return dict(out, state='foreign', detail=conflict)
    starter = _launcher(run_dir, launch.get('log_file'))
    for pid in ours:
        if _as_configured(run_dir, launch, pid, starter):
            unit_problem = starter.problem()
            if unit_problem:
                return dict(out, state='stopped', pid=pid,
                            detail=unit_problem)
            return dict(out, state='running', pid=pid)
    if ours:
        return dict(out, state='stopped', detail='the emulator runs with '
                    'an older configuration, or does not answer')
    if has_files:
        return dict(out, state='stopped', detail='emulator not running')
    return dict(out, state='absent')


@calls.exposed
def stop_emulator(run_dir):
    """Stop the emulator and remove its files; the log is kept.

    :returns: ``{'stopped': bool}``.
    """
    with files.locked(run_dir, create=False) as held:
        pids = _emulators(run_dir)
        launch = _read_launch(run_dir) or {}
        _launcher(run_dir, launch.get('log_file')).remove(pids)
        if pids:
            faults.point(STOP_STEP)
        if held:
            files.remove_locked_dir(run_dir)
    return {'stopped': bool(pids)}


def _remove_media(conn, pool, uuid):
    from tenks.providers.libvirt import connection
    try:
        found = conn.storagePoolLookupByName(pool)
        if not found.isActive():
            return []
        found.refresh(0)
        volumes = found.listAllVolumes(0)
    except Exception as exc:
        if connection.is_error(exc, 'VIR_ERR_NO_STORAGE_POOL'):
            return []
        raise
    suffix = MEDIA_SUFFIX % uuid
    removed = []
    for volume in volumes:
        if volume.name().endswith(suffix):
            try:
                volume.delete(0)
            except Exception as exc:
                if not connection.is_error(exc, 'VIR_ERR_NO_STORAGE_VOL'):
                    raise
            removed.append(volume.name())
    return removed


@calls.exposed
def remove_media(libvirt_uri, pool, uuid):
    """Delete the virtual media images the emulator uploaded for a node.

    sushy-tools copies each image inserted into a system's virtual media
    into the storage pool it is given, as ``<image>-<domain UUID>.img``,
    and leaves it there after the eject. They are the node's: removed with
    its BMC, they never keep tenks from deleting its pool.

    :returns: ``{'removed': [volume names]}``.
    """
    from tenks.providers.libvirt import connection
    conn = connection.Connection(libvirt_uri)
    try:
        return {'removed': conn.call(
            lambda c: _remove_media(c, pool, uuid))}
    finally:
        conn.close()


@calls.exposed
def firmware():
    """The UEFI firmware installed on this host (host side)."""
    return sushy_config.find_firmware()
