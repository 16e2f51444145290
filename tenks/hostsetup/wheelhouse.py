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

"""The wheels of this tenks and what it needs, made from this environment.

``tenks host setup`` installs ``tenks-host-agent`` on a remote host from
these wheels, shipped over SSH, so the host runs exactly the controller's
tenks and libraries, and needs no package index (hosts of a lab often
have no internet).

tenks itself is built from its source tree when it runs from one (a
development install), from a copy of the tree: a build writes metadata
(the version) into the tree it builds, which every process running from
that checkout reads. Its version is pinned to the running one, so the
agent reports the same. Every other distribution, and tenks when it was
installed from a wheel, is packed back into a wheel (PEP 427) from its
installed files and its ``RECORD``: console scripts are left out (pip
makes them again from ``entry_points.txt``), other scripts are kept as
the wheel's scripts, byte code is left out.
"""

import base64
import csv
import hashlib
import importlib.metadata
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

from packaging import requirements

from tenks import exception

#: The distribution the agent belongs to.
NAME = 'tenks'
#: Files of an installed ``.dist-info`` that are not the wheel's.
_INSTALL_ONLY = ('RECORD', 'INSTALLER', 'REQUESTED', 'direct_url.json')


class WheelhouseError(exception.TenksError):
    """The wheels of this tenks cannot be made."""


def canonical(name):
    """A distribution name as PEP 503 compares it."""
    return re.sub(r'[-_.]+', '-', name).lower()


def _distribution(name, needed_by):
    try:
        return importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        raise WheelhouseError('%s needs %s, which is not installed here'
                              % (needed_by, name))


def closure(name=NAME):
    """The installed distributions ``name`` needs, ``name`` first.

    Requirements follow their environment markers and extras, as pip
    would resolve them in this environment.

    :raises WheelhouseError: one is not installed.
    """
    found = {}
    extras_of = {}
    todo = [(name, (), 'tenks')]
    while todo:
        dist_name, extras, needed_by = todo.pop(0)
        key = canonical(dist_name)
        wanted = set(extras) - extras_of.get(key, set())
        if key in found and not wanted:
            continue
        dist = found.get(key) or _distribution(dist_name, needed_by)
        first = key not in found
        found[key] = dist
        extras_of.setdefault(key, set()).update(extras)
        scopes = ([''] if first else []) + sorted(wanted)
        for text in dist.requires or ():
            req = requirements.Requirement(text)
            if req.marker is not None and not any(
                    req.marker.evaluate({'extra': scope})
                    for scope in scopes):
                continue
            if req.marker is None and not first:
                continue
            todo.append((req.name, tuple(sorted(req.extras)),
                         dist.metadata['Name']))
    return list(found.values())


def _wheel_info(dist):
    """``(tags, pure)`` from the ``WHEEL`` file of an installed wheel."""
    text = dist.read_text('WHEEL')
    if not text:
        raise WheelhouseError(
            '%s %s was not installed from a wheel (it has no WHEEL '
            'metadata), so it cannot be packed again; install it with pip'
            % (dist.metadata['Name'], dist.version))
    tags = []
    pure = False
    for line in text.splitlines():
        key, _sep, value = line.partition(':')
        if key.strip() == 'Tag':
            tags.append(value.strip())
        elif key.strip() == 'Root-Is-Purelib':
            pure = value.strip().lower() == 'true'
    return tags, pure


def compiled(dists):
    """Names of the distributions of ``dists`` built for this platform."""
    out = []
    for dist in dists:
        if _source_tree(dist):
            continue
        tags, _pure = _wheel_info(dist)
        if any(not tag.endswith('-none-any') for tag in tags):
            out.append(dist.metadata['Name'])
    return out


def _compressed(tags):
    """The tag part of a wheel's file name (``py2.py3-none-any``)."""
    parts = [[], [], []]
    for tag in tags:
        for i, part in enumerate(tag.split('-')):
            if part not in parts[i]:
                parts[i].append(part)
    return '-'.join('.'.join(p) for p in parts)


def _escaped(name):
    return re.sub(r'[-_.]+', '_', name)


def _hash(data):
    digest = hashlib.sha256(data).digest()
    return 'sha256=' + base64.urlsafe_b64encode(digest).decode().rstrip('=')


def _script(data):
    """A script's text with a Python interpreter line made ``#!python``.

    pip rewrites ``#!python`` to the interpreter of the environment that
    installs the wheel.
    """
    first, newline, rest = data.partition(b'\n')
    if first.startswith(b'#!') and b'python' in first:
        return b'#!python' + newline + rest
    return data


def _members(dist):
    """``[(name in the wheel, data)]`` of an installed distribution."""
    scripts = {ep.name for ep in dist.entry_points
               if ep.group in ('console_scripts', 'gui_scripts')}
    data_dir = '%s-%s.data' % (_escaped(dist.metadata['Name']),
                               dist.version)
    out = []
    for path in dist.files or ():
        posix = path.as_posix()
        parts = posix.split('/')
        if '__pycache__' in parts or posix.endswith('.pyc'):
            continue
        if parts[0].endswith('.dist-info') and parts[-1] in _INSTALL_ONLY:
            continue
        local = dist.locate_file(path)
        if parts[0] == '..':
            # Installed outside the library: only scripts are.
            if len(parts) < 2 or parts[-2] != 'bin':
                raise WheelhouseError(
                    '%s installed %s outside its library, which a wheel '
                    'cannot say again' % (dist.metadata['Name'], posix))
            if parts[-1] in scripts:
                continue
            with open(local, 'rb') as f:
                out.append(('%s/scripts/%s' % (data_dir, parts[-1]),
                            _script(f.read())))
            continue
        with open(local, 'rb') as f:
            out.append((posix, f.read()))
    return out


def _info_dir(dist, members):
    for name, _data in members:
        first = name.split('/')[0]
        if first.endswith('.dist-info'):
            return first
    raise WheelhouseError('%s has no .dist-info among its files'
                          % dist.metadata['Name'])


def repack(dist, directory):
    """Pack an installed distribution into a wheel in ``directory``.

    :returns: the wheel's path.
    :raises WheelhouseError: it was not installed from a wheel.
    """
    tags, _pure = _wheel_info(dist)
    members = _members(dist)
    info_dir = _info_dir(dist, members)
    path = os.path.join(directory, '%s-%s-%s.whl' % (
        _escaped(dist.metadata['Name']), dist.version, _compressed(tags)))
    record = io.StringIO()
    writer = csv.writer(record, lineterminator='\n')
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as wheel:
        for name, data in members:
            wheel.writestr(name, data)
            writer.writerow((name, _hash(data), len(data)))
        writer.writerow(('%s/RECORD' % info_dir, '', ''))
        wheel.writestr('%s/RECORD' % info_dir, record.getvalue())
    return path


def _source_tree(dist):
    """The source tree tenks runs from, or None (installed from a wheel).

    A development install (``pip install -e``) imports the package from
    a directory beside its ``setup.cfg``.
    """
    if canonical(dist.metadata['Name']) != NAME:
        return None
    import tenks
    tree = os.path.dirname(os.path.dirname(os.path.abspath(
        tenks.__file__)))
    if os.path.exists(os.path.join(tree, 'setup.cfg')) and os.path.exists(
            os.path.join(tree, 'setup.py')):
        return tree
    return None


#: What a copy of the source tree leaves out: history, build output,
#: environments, and what the wheel does not hold.
_NOT_COPIED = ('.git', '.tox', '.eggs', 'build', 'dist', '*.egg-info',
               '__pycache__', '*.pyc', 'doc', 'releasenotes', 'tests')


def build_source(tree, directory, version, runner=subprocess.run):
    """Build tenks' wheel from ``tree``, at ``version``, in ``directory``.

    From a copy of ``tree`` (see the module's note), whose package data
    ``MANIFEST.in`` lists. pbr takes the version from ``PBR_VERSION``:
    the wheel says exactly what the running tenks says, whatever git
    would make of the tree.
    """
    env = dict(os.environ, PBR_VERSION=version)
    with tempfile.TemporaryDirectory(prefix='tenks-source-') as scratch:
        copy = os.path.join(scratch, 'tenks')
        shutil.copytree(tree, copy,
                        ignore=shutil.ignore_patterns(*_NOT_COPIED))
        proc = runner([sys.executable, '-m', 'pip', 'wheel', '--quiet',
                       '--no-deps', '--no-build-isolation', '--no-index',
                       '--wheel-dir', directory, copy], env=env,
                      capture_output=True, text=True)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout or '').strip().splitlines()
        raise WheelhouseError('cannot build the tenks wheel from %s: %s'
                              % (tree, lines[-1] if lines else
                                 'pip exited %d' % proc.returncode))
    prefix = '%s-%s-' % (NAME, version)
    for name in sorted(os.listdir(directory)):
        if name.startswith(prefix) and name.endswith('.whl'):
            return os.path.join(directory, name)
    raise WheelhouseError('pip built no %s*.whl from %s' % (prefix, tree))


def build(directory, version=None, dists=None):
    """Make the wheels of this tenks and what it needs in ``directory``.

    :param version: the running tenks' version (computed by default).
    :param dists: :func:`closure` already found.
    :returns: the wheels' paths, tenks first.
    :raises WheelhouseError: one cannot be made.
    """
    if version is None:
        from tenks import version as version_mod
        version = version_mod.release_string()
    paths = []
    for dist in dists if dists is not None else closure():
        tree = _source_tree(dist)
        if tree:
            paths.append(build_source(tree, directory, version))
        else:
            paths.append(repack(dist, directory))
    return paths


class Wheels(object):
    """A wheel directory made on first use, removed by :meth:`close`.

    Call it for the directory: :func:`build` runs once, however many
    hosts need the wheels.
    """

    def __init__(self, version=None, dists=None, build=build):
        self.version = version
        self.dists = dists
        self._build = build
        self.directory = None

    def __call__(self):
        if self.directory is None:
            directory = tempfile.mkdtemp(prefix='tenks-wheels-')
            try:
                self._build(directory, self.version, self.dists)
            except BaseException:
                shutil.rmtree(directory, ignore_errors=True)
                raise
            self.directory = directory
        return self.directory

    def close(self):
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None
