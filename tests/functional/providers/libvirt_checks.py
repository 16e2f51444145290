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

"""What the libvirt provider's functional tests look at, through libvirt
itself: domains, firmware, volumes, NVRAM files, and decoys that tenks
must leave alone."""

import contextlib
import functools
import http.server
import os
import subprocess
import threading
import uuid as uuid_mod
import xml.etree.ElementTree as ET

import libvirt

from tenks import conf as conf_mod
from tenks.hosts import context
from tenks.hosts import local
from tenks.providers.libvirt import driver
from tenks.providers.libvirt import metadata

NVRAM_DIR = '/var/lib/libvirt/qemu/nvram'
MIB = 1 << 20
MARKER = b'tenks-image-marker'


def connect(uri='qemu:///system'):
    return libvirt.open(uri)


def domains(conn, token):
    """``{name: virDomain}`` of the domains whose name has ``token``."""
    return {d.name(): d for d in conn.listAllDomains(0)
            if token in d.name()}


def inactive_xml(dom):
    return ET.fromstring(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))


def shape(dom):
    """The facts tests check of a defined domain."""
    root = inactive_xml(dom)
    os_el = root.find('os')
    disks = [(d.find('source').get('pool'), d.find('source').get('volume'),
              d.find('driver').get('type'), d.find('target').get('dev'))
             for d in root.findall("devices/disk[@device='disk']")]
    cdroms = [(d.find('target').get('dev'), d.find('target').get('bus'),
               d.find('source') is None)
              for d in root.findall("devices/disk[@device='cdrom']")]
    return {
        'type': root.get('type'),
        'memory_mib': int(root.findtext('memory')) // 1024,
        'vcpus': int(root.findtext('vcpu')),
        'uefi': os_el.get('firmware') == 'efi',
        'secure_boot': any(f.get('name') == 'secure-boot' and
                           f.get('enabled') == 'yes'
                           for f in os_el.findall('firmware/feature')),
        'boot': [b.get('dev') for b in os_el.findall('boot')],
        'cluster': metadata.read_cluster(dom),
        'disks': disks,
        # (target, bus, empty) of each CD-ROM drive.
        'cdroms': cdroms,
        'bios_rom': (os_el.findtext('loader')
                     if os_el.find('loader') is not None and
                     os_el.find('loader').get('type') == 'rom' else None),
        'console_log': [log.get('file') for log in
                        root.findall('devices/serial/log')],
        'active': bool(dom.isActive()),
        'persistent': bool(dom.isPersistent()),
    }


def volumes(conn, pool_name):
    """``{name: (capacity, format)}`` of a pool's volumes."""
    pool = conn.storagePoolLookupByName(pool_name)
    pool.refresh(0)
    out = {}
    for vol in pool.listAllVolumes(0):
        fmt = ET.fromstring(vol.XMLDesc(0)).find('target/format')
        out[vol.name()] = (vol.info()[1],
                           fmt.get('type') if fmt is not None else None)
    return out


def pool_names(conn):
    return {p.name() for p in conn.listAllStoragePools(0)}


def nvram_files(token, directory=NVRAM_DIR):
    if not os.path.isdir(directory):
        return []
    return sorted(f for f in os.listdir(directory) if token in f)


def let_qemu_in(path):
    """Let QEMU (which runs as its own user) reach files below ``path``.

    pytest makes its temporary directories 0700; QEMU needs to traverse
    them to open a node's volumes. Adds o+x (search, not read) to
    ``path`` and its ancestors.
    """
    path = os.path.abspath(path)
    while True:
        mode = os.stat(path).st_mode
        if not mode & 0o001:
            os.chmod(path, (mode & 0o7777) | 0o001)
        parent = os.path.dirname(path)
        if parent == path:
            return
        path = parent


def provider(env, name='localhost', uri='qemu:///system'):
    """A LibvirtProvider as tenks builds it for hypervisor ``name``."""
    conf = conf_mod.new_conf([env.config_file])
    hv = context.HypervisorContext(name=name, libvirt_uri=uri,
                                   agent=local.LocalAgent())
    return driver.LibvirtProvider(conf, hv)


@contextlib.contextmanager
def powered_on(env, node, hypervisor='localhost', uri='qemu:///system'):
    """Power ``node`` on through tenks' provider; off and closed after.

    Yields the provider (of ``hypervisor``, whose libvirt is at ``uri``).
    """
    prov = provider(env, name=hypervisor, uri=uri)
    try:
        prov.power_on(node)
        yield prov
        prov.power_off(node)
    finally:
        prov.close()


def make_images(directory, size_mib=16):
    """Two small images starting with MARKER.

    A sparse raw file, and a qcow2 image made from it with qemu-img.

    :returns: ``(qcow2 path, raw path)``.
    """
    raw = os.path.join(directory, 'image.raw')
    with open(raw, 'wb') as f:
        f.write(MARKER)
        f.truncate(size_mib * MIB)
    image = os.path.join(directory, 'image.qcow2')
    subprocess.run(['qemu-img', 'convert', '-f', 'raw', '-O', 'qcow2', raw,
                    image], check=True)
    return image, raw


def starts_with_marker(path, fmt, directory):
    """Whether the disk image at ``path`` (of ``fmt``) starts with MARKER.

    The image is read through qemu-img, which knows its format.
    """
    out = os.path.join(directory, 'check-%s.raw' % uuid_mod.uuid4().hex)
    subprocess.run(['qemu-img', 'convert', '-f', fmt, '-O', 'raw', path,
                    out], check=True)
    try:
        with open(out, 'rb') as f:
            return f.read(len(MARKER)) == MARKER
    finally:
        os.unlink(out)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def http_server(directory):
    """Serve ``directory`` on a free loopback port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=directory)
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    try:
        yield 'http://127.0.0.1:%d/' % server.server_port
    finally:
        server.shutdown()
        server.server_close()


FOREIGN_DOMAIN = '''<domain type='qemu'>
  <name>%(name)s</name>
  <uuid>%(uuid)s</uuid>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
</domain>'''


def define_decoy(conn, name):
    """A domain tenks did not create (no tenks metadata)."""
    return conn.defineXML(FOREIGN_DOMAIN % {'name': name,
                                            'uuid': uuid_mod.uuid4()})


def remove_domain(conn, name):
    try:
        dom = conn.lookupByName(name)
    except libvirt.libvirtError:
        return
    if dom.isActive():
        dom.destroy()
    dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)


def define_pool(conn, name, path):
    os.makedirs(path, exist_ok=True)
    pool = conn.storagePoolDefineXML(
        "<pool type='dir'><name>%s</name><target><path>%s</path></target>"
        "</pool>" % (name, path), 0)
    pool.create(0)
    return pool


def remove_pool(conn, name):
    try:
        pool = conn.storagePoolLookupByName(name)
    except libvirt.libvirtError:
        return
    if pool.isActive():
        for vol in pool.listAllVolumes(0):
            vol.delete(0)
        pool.destroy()
    pool.undefine()
