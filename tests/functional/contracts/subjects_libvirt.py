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

"""Subjects of ``tenks.providers`` ``libvirt``: domains, volumes, pools.

A rival is made with libvirt-python directly: a domain of the record's
name and UUID without tenks' metadata, a volume in the pool, a pool of
the record's name elsewhere. Domains are defined, never started.
"""

import os
import shutil

import libvirt

from tests.functional.contracts import common
from tests.functional.providers import libvirt_checks as lv
from tests.functional import specs

#: A domain of a name tenks wants, defined by someone else.
FOREIGN_DOMAIN = lv.FOREIGN_DOMAIN

FOREIGN_VOLUME = ("<volume><name>%s</name><capacity unit='bytes'>1048576"
                  "</capacity><target><format type='qcow2'/></target>"
                  "</volume>")


def _lookup(func, name):
    try:
        return func(name)
    except libvirt.libvirtError:
        return None


class _Libvirt(common.RealSubject):
    """A libvirt resource on qemu:///system (the env's pool)."""

    namespace = 'tenks.providers'
    plugin = 'libvirt'
    fixtures = ('tenks_env', 'libvirtd')

    def __init__(self, request):
        super().__init__(request)
        self.conn = libvirt.open(common.URI)
        self.on_close(self.conn.close)

    def spec(self):
        return specs.text(
            {'small': specs.node_type(ironic_driver='fake-hardware',
                                      volumes=[{'capacity': '8MiB'}])},
            [specs.entry('small', 1)])

    def planned_of(self, kind):
        return next(r for r in self.planned.values() if r.kind == kind)

    def pool(self, name):
        return _lookup(self.conn.storagePoolLookupByName, name)

    def remove_pool(self, name):
        """Remove pool ``name`` and its volumes, if it exists."""
        pool = self.pool(name)
        if pool is None:
            return
        if pool.isActive():
            pool.refresh(0)
            for vol in pool.listAllVolumes(0):
                vol.delete(0)
            pool.destroy()
        pool.undefine()


class Domain(_Libvirt):
    """A node's domain; a rival has its name and UUID, no metadata."""

    kind = 'domain'

    def make_foreign(self, record):
        self.conn.defineXML(FOREIGN_DOMAIN % record.props)

    def exists(self, record):
        return _lookup(self.conn.lookupByName,
                       record.props['name']) is not None

    def cleanup(self, record):
        dom = _lookup(self.conn.lookupByName, record.props['name'])
        if dom is not None:
            if dom.isActive():
                dom.destroy()
            dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)


class Volume(_Libvirt):
    """A node's volume, in the env's pool (made first, by the driver).

    Volumes carry no mark: a rival is a volume of its name in the pool.
    """

    kind = 'volume'
    markable = False

    def setup(self):
        pool = self.planned_of('pool')
        # As a deploy does: the pool before its volumes.
        self.on_close(common.quietly, self.remove_pool, pool.props['name'])
        self.driver.create('pool', pool)

    def mark(self, props, cluster):
        pass          # a volume's props do not name a cluster

    def _volume(self, record):
        pool = self.pool(record.props['pool'])
        if pool is None or not pool.isActive():
            return None
        pool.refresh(0)
        return _lookup(pool.storageVolLookupByName, record.props['name'])

    def make_foreign(self, record):
        self.pool(record.props['pool']).createXML(
            FOREIGN_VOLUME % record.props['name'], 0)

    def exists(self, record):
        return self._volume(record) is not None

    def cleanup(self, record):
        vol = self._volume(record)
        if vol is not None:
            vol.delete(0)


class Pool(_Libvirt):
    """The env's storage pool: shared, a rival is used and kept.

    The rival is a pool of that name defined (and started) directly, in a
    directory of its own below the env's (which QEMU can traverse).
    """

    kind = 'pool'
    shared = True

    def mark(self, props, cluster):
        pass          # a pool's mark is its UUID, from tenks' config

    def make_foreign(self, record):
        path = os.path.join(self.env.root, 'theirs')
        os.makedirs(path, exist_ok=True)
        pool = self.conn.storagePoolDefineXML(
            "<pool type='dir'><name>%s</name><target><path>%s</path>"
            "</target></pool>" % (record.props['name'], path), 0)
        pool.create(0)

    def exists(self, record):
        return self.pool(record.props['name']) is not None

    def cleanup(self, record):
        self.remove_pool(record.props['name'])
        shutil.rmtree(os.path.join(self.env.root, 'theirs'),
                      ignore_errors=True)


SUBJECTS = {'libvirt-domain': Domain, 'libvirt-volume': Volume,
            'libvirt-pool': Pool}
