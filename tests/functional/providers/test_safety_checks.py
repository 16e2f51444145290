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

"""Checks before anything is touched: images tenks will not take, and a
storage pool QEMU's user cannot reach (issue 14, item 9).

Each is refused by ``tenks validate``, ``tenks deploy --dry-run`` and
``tenks deploy`` alike, through the real CLI against the real libvirtd,
and the host is left exactly as it was.
"""

import os
import subprocess

import pytest

from tests.functional import env as env_mod
from tests.functional.providers import libvirt_checks as lv
from tests.functional import specs

COMMANDS = (['validate'], ['deploy', '--dry-run'], ['deploy'])
KEY = 'node_types.t.volumes[0].image'


def qemu_img(*args):
    subprocess.run(['qemu-img'] + list(args), check=True,
                   capture_output=True)


@pytest.fixture(scope='module')
def env(tmp_path_factory, libvirtd):
    env = env_mod.TenksEnv(str(tmp_path_factory.mktemp('safety')))
    yield env
    env.tenks('teardown', check=False)
    assert env_mod.sweep(env.token) == []


@pytest.fixture(scope='module')
def images(env):
    """Every kind of image, made by qemu-img: ``{case: path}``."""
    d = os.path.join(env.root, 'images')
    os.makedirs(d)

    def p(name):
        return os.path.join(d, name)

    qemu_img('create', '-f', 'raw', p('base.raw'), '16M')
    qemu_img('create', '-f', 'qcow2', '-b', p('base.raw'), '-F', 'raw',
             p('backed.qcow2'))
    qemu_img('create', '-f', 'qcow2', '-o', 'data_file=%s' % p('data.raw'),
             p('datafile.qcow2'), '16M')
    qemu_img('create', '-f', 'qcow2', p('good.qcow2'), '16M')
    qemu_img('convert', '-f', 'qcow2', '-O', 'qcow2', p('good.qcow2'),
             p('qcow2-named.raw'))
    qemu_img('convert', '-f', 'raw', '-O', 'raw', p('base.raw'),
             p('raw-named.qcow2'))
    qemu_img('create', '-f', 'vmdk', p('disk.vmdk'), '16M')
    qemu_img('create', '-f', 'vmdk', p('vmdk-named.img'), '16M')
    qemu_img('create', '-f', 'qcow2', p('vmdk-named-qcow2.vmdk'), '16M')
    subprocess.run(['xz', '-k', '-T1', p('base.raw')], check=True)
    return {
        'backing file': (p('backed.qcow2'),
                         'qcow2 image with a backing file'),
        'data file': (p('datafile.qcow2'),
                      'qcow2 image with an external data file'),
        'qcow2 named raw': (p('qcow2-named.raw'),
                            'holds a qcow2 image, not raw as its name says'),
        'raw named qcow2': (p('raw-named.qcow2'),
                            'holds a raw image, not qcow2 as its name says'),
        'vmdk': (p('disk.vmdk'), 'vmdk images are not supported'),
        'vmdk, unclaimed': (p('vmdk-named.img'),
                            'vmdk images are not supported'),
        'qcow2 named vmdk': (p('vmdk-named-qcow2.vmdk'),
                             'holds a qcow2 image, not vmdk as its name '
                             'says'),
        'compressed': (p('base.raw.xz'), 'is a xz-compressed file'),
        'missing': (p('nothing-here.qcow2'),
                    'does not exist on the tenks host'),
        'good qcow2': (p('good.qcow2'), None),
        'good raw': (p('base.raw'), None),
    }


def image_spec(env, image, name):
    return env.write_spec(specs.text(
        {'t': specs.node_type(ironic_driver='fake-hardware',
                              volumes=[{'image': image}])},
        [specs.entry('t', 1)]), name=name)


def assert_refused(env, spec, *needles):
    """Every planning command fails naming ``needles``; nothing changes."""
    before = env_mod.host_snapshot(pattern=env.name_pattern)
    for command in COMMANDS:
        code, out, err = env.tenks(*(command + ['--spec', spec]),
                                   check=False)
        assert code == 1, (command, out, err)
        for needle in needles:
            assert needle in err, (command, needle, err)
        assert 'Traceback' not in err, err
        assert env_mod.host_snapshot(pattern=env.name_pattern) == before
        assert not os.path.exists(env.state_file)


@pytest.mark.parametrize('case', ['backing file', 'data file',
                                  'qcow2 named raw', 'raw named qcow2',
                                  'vmdk', 'vmdk, unclaimed',
                                  'qcow2 named vmdk', 'compressed',
                                  'missing'])
def test_image_refused_at_plan_time(env, images, case):
    image, why = images[case]
    spec = image_spec(env, image, 'spec-%s.yaml' % case.replace(' ', '-')
                      .replace(',', ''))
    assert_refused(env, spec, spec, KEY, image, why)


def test_image_served_over_http_refused_at_plan_time(env, images):
    directory = os.path.dirname(images['good qcow2'][0])
    with lv.http_server(directory) as url:
        spec = image_spec(env, url + 'qcow2-named.raw', 'spec-url.yaml')
        assert_refused(env, spec, spec, KEY, url + 'qcow2-named.raw',
                       'holds a qcow2 image, not raw as its name says')
        spec = image_spec(env, url + 'backed.qcow2', 'spec-url2.yaml')
        assert_refused(env, spec, spec, KEY,
                       'qcow2 image with a backing file')


@pytest.mark.parametrize('case', ['good qcow2', 'good raw'])
def test_good_images_pass(env, images, case):
    spec = image_spec(env, images[case][0], 'spec-good.yaml')
    code, out, err = env.tenks('validate', '--spec', spec, check=False)
    assert code == 0, err


def test_unreachable_pool_refused_at_plan_time(env):
    """A pool under a 0700 directory: QEMU (libvirt-qemu) cannot reach it.

    libvirtd (root) would define, build and start such a pool; the
    domains in it would fail to power on.
    """
    locked = os.path.join(env.root, 'locked')
    os.makedirs(os.path.join(locked, 'inner'))
    os.chmod(locked, 0o700)
    pool_path = os.path.join(locked, 'inner', 'pool')
    conf = os.path.join(env.root, 'locked.conf')
    with open(conf, 'w') as f:
        f.write('[libvirt]\npool_path = %s\n' % pool_path)
    spec = env.write_spec(specs.text(
        {'t': specs.node_type(ironic_driver='fake-hardware',
                              volumes=[{'capacity': '16MiB'}])},
        [specs.entry('t', 1)]), name='spec-pool.yaml')
    before = env_mod.host_snapshot(pattern=env.name_pattern)
    for command in COMMANDS:
        code, out, err = env.tenks(
            *(['--config-file', conf] + command + ['--spec', spec]),
            check=False)
        assert code == 1, (command, out, err)
        for needle in ('pool localhost/%s on localhost' % env.pool_name,
                       pool_path,
                       'QEMU runs as libvirt-qemu',
                       'may not search directory %s (mode 0700' % locked):
            assert needle in err, (command, needle, err)
        assert 'Traceback' not in err, err
        assert env_mod.host_snapshot(pattern=env.name_pattern) == before
        assert not os.path.exists(pool_path)
    # Searchable, the same pool passes.
    os.chmod(locked, 0o711)
    code, out, err = env.tenks('--config-file', conf, 'validate', '--spec',
                               spec, check=False)
    assert code == 0, err


def test_good_images_deploy(env, images):
    """What the checks let through is uploaded (checked again there)."""
    directory = os.path.dirname(images['good qcow2'][0])
    with lv.http_server(directory) as url:
        spec = env.write_spec(specs.text(
            {'t': specs.node_type(ironic_driver='fake-hardware', volumes=[
                {'image': images['good qcow2'][0]},
                {'image': images['good raw'][0]},
                {'image': url + 'good.qcow2', 'format': 'raw'}])},
            [specs.entry('t', 1)]), name='spec-deploy.yaml')
        env.tenks('deploy', '--spec', spec)
    pool = lv.connect().storagePoolLookupByName(env.pool_name)
    names = sorted(v.name() for v in pool.listAllVolumes(0))
    assert names == ['%s0vol%d' % (env.token, i) for i in range(3)], names
    env.tenks('teardown')
