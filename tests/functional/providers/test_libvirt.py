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

"""The libvirt provider on a real libvirtd, with TCG domains.

Nodes here have no physical networks and the fake-hardware Ironic driver
(no BMC), so the provider is the only plugin at work. Everything is
checked through libvirt itself.
"""

import contextlib
import os
import shutil
import time
import uuid as uuid_mod

import libvirt

from tests.functional.providers import libvirt_checks as lv
from tests.functional import specs

MIB = lv.MIB
GIB = 1 << 30


def spec_text(image, raw_image, url, uefi_memory=256, uefi_vcpus=1,
              raw_mib=32, uefi_count=2, extra_volumes=()):
    """Two UEFI nodes with three volumes, one BIOS node with images.

    ``extra_volumes`` are added to the BIOS node's volumes.
    """
    uefi = specs.node_type(
        memory_mb=uefi_memory, vcpus=uefi_vcpus, boot_mode='uefi',
        ironic_driver='fake-hardware', console_log_enabled=True,
        volumes=[{'capacity': '1GiB'},
                 {'capacity': '%dMiB' % raw_mib, 'format': 'raw'},
                 {'image': url}])
    bios = specs.node_type(
        memory_mb=128, vcpus=2, boot_mode='bios',
        ironic_driver='fake-hardware',
        volumes=[{'image': image, 'capacity': '64MiB'},
                 {'image': image, 'format': 'raw'},
                 {'image': raw_image}] + list(extra_volumes))
    return specs.text({'uefi': uefi, 'bios': bios},
                      [specs.entry('uefi', uefi_count),
                       specs.entry('bios', 1)])


def small_spec(count, **keys):
    """``count`` nodes with one 16 MiB volume; ``keys`` of the type."""
    return specs.text(
        {'small': specs.node_type(ironic_driver='fake-hardware',
                                  volumes=[{'capacity': '16MiB'}], **keys)},
        [specs.entry('small', count)])


def rows(env, spec):
    """Deploy ``spec``; the applied plan's rows."""
    return env.tenks_json('deploy', '--spec', spec)


def seconds(plan_rows, kind, action='create'):
    return [r['Seconds'] for r in plan_rows
            if r['Kind'] == kind and r['Action'] == action]


def test_deploy_reconfigure_power_teardown(tenks_env, tmp_path):
    env = tenks_env
    conn = lv.connect()
    token = env.token
    n0, n1, n2 = ['%s%d' % (token, i) for i in range(3)]
    lv.let_qemu_in(env.root)
    image, raw_image = lv.make_images(str(tmp_path))
    decoy = '%sdecoy' % token
    lv.define_decoy(conn, decoy)
    cleanup = contextlib.ExitStack()
    try:
        url = cleanup.enter_context(lv.http_server(str(tmp_path)))
        values = {'image': image, 'raw_image': raw_image,
                  'url': url + 'image.qcow2'}
        spec = env.write_spec(spec_text(**values))
        applied = rows(env, spec)
        assert {r['Result'] for r in applied} == {'done'}
        print('\ndefine seconds per domain: %s' % seconds(applied, 'domain'))
        print('volume create seconds: %s' % seconds(applied, 'volume'))

        # Domains: defined, not started, of the right shape.
        found = lv.domains(conn, token)
        assert set(found) == {n0, n1, n2, decoy}
        for name in (n0, n1):
            s = lv.shape(found[name])
            assert s['type'] == 'qemu'          # auto: no usable KVM here
            assert (s['active'], s['persistent']) == (False, True)
            assert (s['memory_mib'], s['vcpus']) == (256, 1)
            assert (s['uefi'], s['secure_boot']) == (True, False)
            assert s['boot'] == ['network', 'hd']
            assert s['cluster'] == token
            assert s['disks'] == [
                (env.pool_name, '%svol0' % name, 'qcow2', 'vda'),
                (env.pool_name, '%svol1' % name, 'raw', 'vdb'),
                (env.pool_name, '%svol2' % name, 'qcow2', 'vdc')]
            assert s['console_log'] == [os.path.join(
                env.log_dir, 'libvirt', '%s-console.log' % name)]
            # An empty drive for virtual media, on q35's SATA bus.
            assert s['cdroms'] == [('sda', 'sata', True)]
            assert s['bios_rom'] is None
        s = lv.shape(found[n2])
        assert (s['active'], s['uefi'], s['memory_mib'], s['vcpus']) == (
            False, False, 128, 2)
        assert s['console_log'] == []
        # BIOS names its ROM, so a Redfish emulator reports the boot mode.
        assert s['bios_rom'] and os.path.exists(s['bios_rom'])
        assert os.path.isdir(os.path.join(env.log_dir, 'libvirt'))

        # Volumes: sizes and formats; images copied in.
        vols = lv.volumes(conn, env.pool_name)
        assert vols == {
            '%svol0' % n0: (GIB, 'qcow2'), '%svol1' % n0: (32 * MIB, 'raw'),
            '%svol2' % n0: (16 * MIB, 'qcow2'),
            '%svol0' % n1: (GIB, 'qcow2'), '%svol1' % n1: (32 * MIB, 'raw'),
            '%svol2' % n1: (16 * MIB, 'qcow2'),
            '%svol0' % n2: (64 * MIB, 'qcow2'),
            '%svol1' % n2: (16 * MIB, 'raw'),
            '%svol2' % n2: (16 * MIB, 'qcow2')}
        pool = conn.storagePoolLookupByName(env.pool_name)
        for name, fmt in (('%svol2' % n0, 'qcow2'), ('%svol0' % n2, 'qcow2'),
                          ('%svol1' % n2, 'raw'), ('%svol2' % n2, 'qcow2')):
            path = pool.storageVolLookupByName(name).path()
            assert lv.starts_with_marker(path, fmt, str(tmp_path)), name

        # Again: nothing to do.
        start = time.monotonic()
        assert rows(env, spec) == []
        print('no-op redeploy: %.2fs' % (time.monotonic() - start))

        # Power a UEFI node on through the provider: it runs, and libvirt
        # made its NVRAM.
        provider = lv.provider(env)
        try:
            provider.power_on(n0)
            assert provider.power_state(n0) == 'on'
            assert found[n0].isActive()
            time.sleep(1)
            assert provider.power_state(n0) == 'on'
            provider.power_off(n0)
            assert provider.power_state(n0) == 'off'
        finally:
            provider.close()
        nvram = lv.nvram_files(token)
        assert nvram == ['%s_VARS.fd' % n0]
        nvram_mtime = os.stat(os.path.join(lv.NVRAM_DIR, nvram[0])).st_mtime

        # Memory and vCPUs change in place; NVRAM is kept.
        spec = env.write_spec(spec_text(uefi_memory=384, uefi_vcpus=2,
                                        **values))
        applied = rows(env, spec)
        assert sorted((r['Action'], r['Kind'], r['Name'])
                      for r in applied) == [('update', 'domain', n0),
                                            ('update', 'domain', n1)]
        for name in (n0, n1):
            s = lv.shape(conn.lookupByName(name))
            assert (s['memory_mib'], s['vcpus'], s['active']) == (384, 2,
                                                                  False)
        assert lv.nvram_files(token) == nvram
        assert os.stat(os.path.join(lv.NVRAM_DIR, nvram[0])).st_mtime == \
            nvram_mtime

        # A volume grows; one more volume on the BIOS node.
        extra = [{'capacity': '16MiB'}]
        spec = env.write_spec(spec_text(uefi_memory=384, uefi_vcpus=2,
                                        raw_mib=48, extra_volumes=extra,
                                        **values))
        applied = rows(env, spec)
        assert sorted((r['Action'], r['Kind'], r['Name'])
                      for r in applied) == sorted([
                          ('update', 'volume', 'localhost/%s/%svol1'
                           % (env.pool_name, n0)),
                          ('update', 'volume', 'localhost/%s/%svol1'
                           % (env.pool_name, n1)),
                          ('create', 'volume', 'localhost/%s/%svol3'
                           % (env.pool_name, n2)),
                          ('update', 'domain', n2)])
        vols = lv.volumes(conn, env.pool_name)
        assert vols['%svol1' % n0] == (48 * MIB, 'raw')
        assert vols['%svol3' % n2] == (16 * MIB, 'qcow2')
        assert [d[3] for d in lv.shape(conn.lookupByName(n2))['disks']] == [
            'vda', 'vdb', 'vdc', 'vdd']

        # Shrinking is refused, naming the volume.
        spec = env.write_spec(spec_text(uefi_memory=384, uefi_vcpus=2,
                                        raw_mib=40, extra_volumes=extra,
                                        **values))
        code, _out, err = env.tenks('deploy', '--spec', spec, check=False)
        assert code != 0
        assert 'volume %svol1: cannot shrink' % n0 in err
        assert lv.volumes(conn, env.pool_name)['%svol1' % n0] == (
            48 * MIB, 'raw')
        # Back to the good spec: the failed updates are retried, as no-ops.
        spec = env.write_spec(spec_text(uefi_memory=384, uefi_vcpus=2,
                                        raw_mib=48, extra_volumes=extra,
                                        **values))
        assert {(r['Action'], r['Kind'], r['Result'])
                for r in rows(env, spec)} == {('update', 'volume', 'done')}
        assert rows(env, spec) == []

        # Scale down: the highest UEFI node goes, with its volumes.
        spec = env.write_spec(spec_text(uefi_memory=384, uefi_vcpus=2,
                                        raw_mib=48, extra_volumes=extra,
                                        uefi_count=1, **values))
        applied = rows(env, spec)
        assert {(r['Action'], r['Kind']) for r in applied} == {
            ('delete', 'domain'), ('delete', 'volume')}
        assert set(lv.domains(conn, token)) == {n0, n2, decoy}
        assert not any(v.startswith(n1) for v in lv.volumes(
            conn, env.pool_name))

        # Teardown: nothing of tenks' is left; the decoy is.
        env.tenks('teardown')
        assert set(lv.domains(conn, token)) == {decoy}
        assert env.pool_name not in lv.pool_names(conn)
        assert not os.path.exists(env.pool_path) or \
            os.listdir(env.pool_path) == []
        assert lv.nvram_files(token) == []
    finally:
        cleanup.close()
        lv.remove_domain(conn, decoy)
        conn.close()


def test_colliding_domain_stops_deploy_before_anything(tenks_env,
                                                       tmp_path):
    env = tenks_env
    conn = lv.connect()
    name = '%s0' % env.token
    decoy = lv.define_decoy(conn, name)
    before = decoy.XMLDesc(0)
    try:
        spec = env.write_spec(small_spec(2))
        code, _out, err = env.tenks('deploy', '--spec', spec, check=False)
        assert code != 0
        assert 'domain %s' % name in err
        assert 'not created by tenks' in err
        # Nothing was created: no pool, no other domain.
        assert env.pool_name not in lv.pool_names(conn)
        assert set(lv.domains(conn, env.token)) == {name}
        assert conn.lookupByName(name).XMLDesc(0) == before
    finally:
        lv.remove_domain(conn, name)
        conn.close()


def test_existing_pool_used_and_kept(tenks_env, tmp_path):
    env = tenks_env
    conn = lv.connect()
    path = str(tmp_path / 'theirs')
    pool = lv.define_pool(conn, env.pool_name, path)
    pool.createXML("<volume><name>keepme</name><capacity unit='bytes'>"
                   "1048576</capacity><target><format type='raw'/>"
                   "</target></volume>", 0)
    try:
        spec = env.write_spec(small_spec(1, boot_mode='bios'))
        applied = rows(env, spec)
        assert ('create', 'pool') in {(r['Action'], r['Kind'])
                                      for r in applied}
        assert set(lv.volumes(conn, env.pool_name)) == {
            'keepme', '%s0vol0' % env.token}
        assert conn.storagePoolLookupByName(env.pool_name).UUIDString() == \
            pool.UUIDString()
        env.tenks('teardown')
        assert lv.volumes(conn, env.pool_name) == {'keepme': (MIB, 'raw')}
        assert lv.domains(conn, env.token) == {}
    finally:
        lv.remove_pool(conn, env.pool_name)
        shutil.rmtree(path, ignore_errors=True)
        conn.close()


def secure_spec(secure_boot):
    return specs.text(
        {'secure': specs.node_type(
            memory_mb=256, boot_mode='uefi', secure_boot=secure_boot,
            machine='q35', ironic_driver='fake-hardware')},
        [specs.entry('secure', 1)])


def test_secure_boot_node_starts(tenks_env):
    env = tenks_env
    lv.let_qemu_in(env.root)
    conn = lv.connect()
    name = '%s0' % env.token
    spec = env.write_spec(secure_spec(True))
    try:
        env.tenks('deploy', '--spec', spec)
        s = lv.shape(conn.lookupByName(name))
        assert (s['uefi'], s['secure_boot'], s['active']) == (True, True,
                                                              False)
        provider = lv.provider(env)
        try:
            provider.power_on(name)
            time.sleep(2)
            dom = conn.lookupByName(name)
            assert dom.isActive()
            live = dom.XMLDesc(0)
            assert "secure='yes'" in live          # the secure OVMF build
            assert "<smm state='on'/>" in live
            provider.power_off(name)
            assert lv.nvram_files(env.token) == ['%s_VARS.fd' % name]

            # Secure boot off: a firmware change, so the NVRAM (with its
            # enrolled keys) goes, and the next start makes a plain one.
            spec = env.write_spec(secure_spec(False))
            applied = env.tenks_json('deploy', '--spec', spec)
            assert [(r['Action'], r['Kind']) for r in applied] == [
                ('update', 'domain')]
            assert lv.nvram_files(env.token) == []
            provider.power_on(name)
            live = conn.lookupByName(name).XMLDesc(0)
            assert "secure='yes'" not in live
            assert 'OVMF_VARS_4M.ms.fd' not in live
            provider.power_off(name)
        finally:
            provider.close()
        assert lv.nvram_files(env.token) == ['%s_VARS.fd' % name]
        env.tenks('teardown')
        assert lv.nvram_files(env.token) == []
        assert lv.domains(conn, env.token) == {}
    finally:
        conn.close()


def test_golden_domain_xml_is_valid_for_libvirt(libvirtd):
    """The golden files of the unit tests pass libvirt's own validation."""
    golden = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir,
                          'unit', 'providers', 'golden')
    conn = lv.connect()
    token = 'tgold%s' % uuid_mod.uuid4().hex[:6]
    names = []
    try:
        for name in sorted(os.listdir(golden)):
            if not name.startswith('domain-'):
                continue
            with open(os.path.join(golden, name)) as f:
                xml = f.read()
            xml = xml.replace('<name>', '<name>%s-' % token, 1)
            xml = xml.replace('657dd593-c263-5ae7-ae82-84cc063b037b',
                              str(uuid_mod.uuid4()))
            # kvm goldens are validated as qemu domains (no KVM here).
            xml = xml.replace("<domain type='kvm'>", "<domain type='qemu'>")
            xml = xml.replace("mode='host-passthrough'", "mode='maximum'")
            dom = conn.defineXMLFlags(xml, libvirt.VIR_DOMAIN_DEFINE_VALIDATE)
            names.append(dom.name())
        assert len(names) == 5
    finally:
        for name in names:
            lv.remove_domain(conn, name)
        conn.close()


def test_colliding_volume_stops_deploy_before_anything(tenks_env, tmp_path):
    env = tenks_env
    conn = lv.connect()
    path = str(tmp_path / 'theirs')
    pool = lv.define_pool(conn, env.pool_name, path)
    name = '%s0vol0' % env.token
    pool.createXML("<volume><name>%s</name><capacity unit='bytes'>"
                   "1048576</capacity><target><format type='qcow2'/>"
                   "</target></volume>" % name, 0)
    try:
        spec = env.write_spec(small_spec(1))
        code, _out, err = env.tenks('deploy', '--spec', spec, check=False)
        assert code != 0
        assert 'volume localhost/%s/%s' % (env.pool_name, name) in err
        assert 'not created by tenks' in err
        assert lv.domains(conn, env.token) == {}
        assert lv.volumes(conn, env.pool_name) == {name: (MIB, 'qcow2')}
    finally:
        lv.remove_pool(conn, env.pool_name)
        shutil.rmtree(path, ignore_errors=True)
        conn.close()
