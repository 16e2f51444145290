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

"""Storage pools and volumes of the libvirt provider.

Functions here take an open libvirt connection; the driver runs them
through :meth:`tenks.providers.libvirt.connection.Connection.call`.

Pools. A pool tenks creates gets a UUID derived from the cluster, the
hypervisor and the pool name, which is its mark: finding that UUID again
(say after an interrupted run) means the pool is tenks' own. A pool of the
same name that exists already is used as it is (started if it is
inactive) and never deleted.

Volumes cannot carry a mark, so one that exists under a name tenks
generates is a collision unless the record says to adopt it. An image is
first streamed into a temporary volume, then cloned into the real one by
libvirt (converting between qcow2 and raw as needed, on the hypervisor),
so a volume of the real name only ever appears complete. Volumes grow,
never shrink. An ``existing`` volume is only checked: never created,
resized or deleted.
"""

import time
import uuid
import xml.etree.ElementTree as ET

from oslo_log import log as logging

from tenks import exception
from tenks import faults
from tenks import observation
from tenks.providers.libvirt import connection as conn_mod
from tenks.providers.libvirt import images as images_mod
from tenks.providers.libvirt import templating

LOG = logging.getLogger(__name__)

POOL_TEMPLATE = 'pool.xml.j2'
VOLUME_TEMPLATE = 'volume.xml.j2'
POOL_TYPES = ('dir',)
VOLUME_FORMATS = ('qcow2', 'raw')
UPLOAD_SUFFIX = '.tenks-upload'
#: Crash points: a pool defined but not built or started; an image
#: uploaded into its temporary volume, not cloned yet.
POOL_STEP = 'pool:defined'
UPLOAD_STEP = 'volume:uploaded'
_UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL,
                             'https://opendev.org/openstack/tenks/pool')


def pool_uuid(cluster, hypervisor, name):
    """The UUID tenks gives a pool it creates (its mark)."""
    return str(uuid.uuid5(_UUID_NAMESPACE,
                          'pool/%s/%s/%s' % (cluster, hypervisor, name)))


def upload_name(volume):
    """Name of the temporary volume an image is streamed into."""
    return '.%s%s' % (volume, UPLOAD_SUFFIX)


def pool_xml(name, path, pool_type, pool_uuid_):
    return templating.render(POOL_TEMPLATE, name=name, path=path,
                             type=pool_type, uuid=pool_uuid_)


def volume_xml(name, capacity, fmt):
    return templating.render(VOLUME_TEMPLATE, name=name,
                             capacity=int(capacity), format=fmt)


def volume_format(vol_xml):
    """The format named in a volume's XML (e.g. qcow2), or None."""
    root = ET.fromstring(vol_xml)
    fmt = root.find('target/format')
    return fmt.get('type') if fmt is not None else None


# -- lookups --------------------------------------------------------------

#: How long to wait for a volume libvirtd is still allocating.
BUILD_WAIT = 120


def when_built(func, *args):
    """Call ``func`` once libvirtd has finished allocating the volume.

    A run killed while libvirtd allocated a volume for it leaves libvirtd
    going on alone; until it is done, resizing or deleting the volume is
    refused ("still being allocated"). Wait for it, and try again.
    """
    deadline = time.monotonic() + BUILD_WAIT
    while True:
        try:
            return func(*args)
        except Exception as exc:
            building = (conn_mod.is_error(exc, 'VIR_ERR_OPERATION_INVALID')
                        and 'still being allocated' in str(exc))
            if not building or time.monotonic() >= deadline:
                raise
        time.sleep(0.2)


def lookup_pool(conn, name):
    import libvirt
    try:
        return conn.storagePoolLookupByName(name)
    except libvirt.libvirtError as exc:
        if conn_mod.is_error(exc, 'VIR_ERR_NO_STORAGE_POOL'):
            return None
        raise


def lookup_volume(pool, name):
    import libvirt
    try:
        return pool.storageVolLookupByName(name)
    except libvirt.libvirtError as exc:
        if conn_mod.is_error(exc, 'VIR_ERR_NO_STORAGE_VOL'):
            return None
        raise


def _active_pool(conn, name, where, for_volume):
    pool = lookup_pool(conn, name)
    if pool is None:
        raise exception.TenksError('volume %s: storage pool %s does not '
                                   'exist on %s' % (for_volume, name, where))
    if not pool.isActive():
        raise exception.TenksError('volume %s: storage pool %s on %s is '
                                   'not active' % (for_volume, name, where))
    return pool


# -- pools ----------------------------------------------------------------

class Storage(object):
    """Pools and volumes on one hypervisor.

    :param hypervisor: the hypervisor's name (for messages and marks).
    :param cluster: the tenks cluster name.
    :param image_cache: an :class:`tenks.providers.libvirt.images.
        ImageCache`.
    """

    def __init__(self, hypervisor, cluster, image_cache):
        self.hypervisor = hypervisor
        self.cluster = cluster
        self.images = image_cache

    def _uuid(self, name):
        return pool_uuid(self.cluster, self.hypervisor, name)

    def ensure_pool(self, conn, record):
        props = record.props
        name = props['name']
        pool = lookup_pool(conn, name)
        if pool is not None:
            ours = (pool.UUIDString() == self._uuid(name) or
                    bool((record.outputs or {}).get('created')))
            if not pool.isActive():
                LOG.info('Starting storage pool %s on %s', name,
                         self.hypervisor)
                if ours:
                    # A run killed after the define never built it.
                    pool.build(0)
                pool.create(0)
            if ours and not pool.autostart():
                pool.setAutostart(1)    # so it is back after a reboot
            if not ours:
                LOG.info('Using existing storage pool %s on %s', name,
                         self.hypervisor)
            return {'created': ours}
        pool_type = props.get('type') or 'dir'
        if pool_type not in POOL_TYPES:
            raise exception.TenksError('pool %s: tenks creates pools of type '
                                       '%s, not %r' % (
                                           name, ', '.join(POOL_TYPES),
                                           pool_type))
        xml = pool_xml(name, props['path'], pool_type, self._uuid(name))
        pool = conn.storagePoolDefineXML(xml, 0)
        faults.point(POOL_STEP)
        try:
            pool.build(0)
            pool.create(0)
            pool.setAutostart(1)
        except Exception:
            try:
                pool.undefine()
            except Exception:  # noqa - report the first error
                pass
            raise
        return {'created': True}

    def delete_pool(self, conn, record):
        name = record.props['name']
        pool = lookup_pool(conn, name)
        if pool is None:
            return
        # A create killed after the define recorded no outputs: the UUID
        # says whether tenks made it.
        if not ((record.outputs or {}).get('created') or
                pool.UUIDString() == self._uuid(name)):
            LOG.info('Leaving storage pool %s on %s: tenks did not create '
                     'it', name, self.hypervisor)
            return
        if pool.isActive():
            pool.refresh(0)
            left = sorted(v.name() for v in pool.listAllVolumes(0))
            if left:
                raise exception.TenksError(
                    'pool %s on %s still holds volumes tenks did not '
                    'create: %s; remove them or the pool by hand'
                    % (name, self.hypervisor, ', '.join(left)))
            pool.destroy()
        try:
            pool.delete(0)
        except Exception as exc:   # noqa - the directory may hold more
            LOG.warning('could not remove the directory of pool %s on %s: '
                        '%s', name, self.hypervisor, exc)
        pool.undefine()

    def observe_pools(self, conn, records):
        pools = {p.name(): p for p in conn.listAllStoragePools(0)}
        out = {}
        for record in records:
            pool = pools.get(record.props['name'])
            if pool is None:
                out[record.key] = observation.ABSENT
            else:
                # A pool of that name is used whoever made it.
                out[record.key] = observation.Observation(
                    True, True, '' if pool.isActive() else 'inactive')
        return out

    @staticmethod
    def pool_target(conn, props):
        """``(type, path)`` of the pool of ``props``.

        Those of the pool when it exists (it is used as it is), else those
        tenks will create it with.
        """
        pool = lookup_pool(conn, props['name'])
        if pool is None:
            return props.get('type') or 'dir', props['path']
        root = ET.fromstring(pool.XMLDesc(0))
        return root.get('type'), root.findtext('target/path')

    def pool_facts(self, conn, name):
        """Capacity of pool ``name`` for the scheduler.

        :returns: ``{'disk_bytes': ...}``, the pool's free space plus what
            its volumes take already (the scheduler charges existing nodes
            with their volumes itself); empty when the pool does not exist
            or is inactive.
        """
        pool = lookup_pool(conn, name)
        if pool is None or not pool.isActive():
            return {}
        _state, _capacity, _allocation, available = pool.info()
        used = sum(v.info()[2] for v in pool.listAllVolumes(0))
        return {'disk_bytes': available + used}

    # -- volumes ----------------------------------------------------------

    def ensure_volume(self, conn, record):
        props = record.props
        name = props['name']
        pool = _active_pool(conn, props['pool'], self.hypervisor, name)
        vol = lookup_volume(pool, name)
        if props.get('existing'):
            if vol is None:
                raise exception.TenksError(
                    'existing volume %s not found in pool %s on %s'
                    % (name, props['pool'], self.hypervisor))
            return self._outputs(vol, existing=True)
        fmt = props.get('format') or 'qcow2'
        if fmt not in VOLUME_FORMATS:
            raise exception.TenksError('volume %s: unknown format %r'
                                       % (name, fmt))
        if vol is not None:
            if not record.adopt:
                raise exception.ResourceConflict(
                    'volume %s already exists in pool %s on %s and was not '
                    'created by tenks' % (name, props['pool'],
                                          self.hypervisor))
            actual = volume_format(vol.XMLDesc(0))
            if actual != fmt:
                raise exception.ResourceConflict(
                    'volume %s in pool %s on %s has format %s, not %s'
                    % (name, props['pool'], self.hypervisor, actual, fmt))
            self._grow(vol, props)
            return self._outputs(vol)
        if props.get('image'):
            vol = self._from_image(conn, pool, props, fmt)
        else:
            if not props.get('capacity'):
                raise exception.TenksError('volume %s needs a capacity or '
                                           'an image' % name)
            vol = pool.createXML(volume_xml(name, props['capacity'], fmt), 0)
        return self._outputs(vol)

    def _from_image(self, conn, pool, props, fmt):
        name = props['name']
        try:
            info = self.images.get(props['image'])
        except images_mod.ImageError as exc:
            raise exception.TenksError('volume %s: %s' % (name, exc))
        capacity = props.get('capacity')
        if capacity and capacity < info.virtual_size:
            raise exception.TenksError(
                'volume %s: capacity %d bytes is smaller than image %s '
                '(%d bytes)' % (name, capacity, props['image'],
                                info.virtual_size))
        self._drop_upload(pool, name)
        temp = pool.createXML(volume_xml(
            upload_name(name), max(info.virtual_size, info.file_size),
            info.format), 0)
        try:
            images_mod.upload(conn, temp, info.path)
            faults.point(UPLOAD_STEP)
            vol = pool.createXMLFrom(
                volume_xml(name, capacity or info.virtual_size, fmt), temp, 0)
        finally:
            try:
                temp.delete(0)
            except Exception as exc:   # noqa - the clone matters more
                LOG.warning('could not remove temporary volume %s: %s',
                            upload_name(name), exc)
        self._grow(vol, props)
        return vol

    def _drop_upload(self, pool, name):
        temp = lookup_volume(pool, upload_name(name))
        if temp is not None:
            LOG.info('Removing %s left by an interrupted upload',
                     upload_name(name))
            when_built(temp.delete, 0)

    def _grow(self, vol, props):
        capacity = props.get('capacity')
        if not capacity:
            return
        current = vol.info()[1]
        if capacity < current:
            raise exception.TenksError(
                'volume %s: cannot shrink from %d to %d bytes (volumes only '
                'grow)' % (props['name'], current, capacity))
        if capacity > current:
            when_built(vol.resize, capacity, 0)

    @staticmethod
    def _outputs(vol, existing=False):
        out = {'capacity': vol.info()[1],
               'format': volume_format(vol.XMLDesc(0))}
        if existing:
            out['existing'] = True
        return out

    def grow_volume(self, conn, record):
        props = record.props
        if props.get('existing'):
            return self.ensure_volume(conn, record)
        pool = _active_pool(conn, props['pool'], self.hypervisor,
                            props['name'])
        vol = lookup_volume(pool, props['name'])
        if vol is None:
            raise exception.TenksError('volume %s is missing from pool %s on '
                                       '%s' % (props['name'], props['pool'],
                                               self.hypervisor))
        self._grow(vol, props)
        return self._outputs(vol)

    def delete_volume(self, conn, record):
        props = record.props
        if props.get('existing'):
            return
        pool = lookup_pool(conn, props['pool'])
        if pool is None or not pool.isActive():
            return
        self._drop_upload(pool, props['name'])
        vol = lookup_volume(pool, props['name'])
        if vol is None:
            return
        try:
            when_built(vol.delete, 0)
        except Exception as exc:
            if conn_mod.is_error(exc, 'VIR_ERR_NO_STORAGE_VOL'):
                return
            raise

    def volume_formats(self, conn, disks):
        """Formats of volumes, read from libvirt.

        :param disks: dicts with ``pool`` and ``volume``.
        :returns: ``{(pool, volume): format}``.
        """
        out = {}
        for disk in disks:
            key = (disk['pool'], disk['volume'])
            if key in out:
                continue
            pool = _active_pool(conn, disk['pool'], self.hypervisor,
                                disk['volume'])
            vol = lookup_volume(pool, disk['volume'])
            if vol is None:
                raise exception.TenksError(
                    'volume %s not found in pool %s on %s'
                    % (disk['volume'], disk['pool'], self.hypervisor))
            out[key] = volume_format(vol.XMLDesc(0))
        return out

    def observe_volumes(self, conn, records):
        by_pool = {}
        for record in records:
            by_pool.setdefault(record.props['pool'], []).append(record)
        out = {}
        for pool_name, recs in by_pool.items():
            pool = lookup_pool(conn, pool_name)
            if pool is None:
                for record in recs:
                    out[record.key] = observation.ABSENT
                continue
            if not pool.isActive():
                continue     # unknown: trust the state
            names = {v.name() for v in pool.listAllVolumes(0)}
            for record in recs:
                if (record.props['name'] not in names and
                        upload_name(record.props['name']) in names):
                    # What a run killed while it made the volume left.
                    out[record.key] = observation.Observation(
                        True, None, 'only its unfinished upload %s exists'
                        % upload_name(record.props['name']), healthy=False)
                elif record.props['name'] not in names:
                    out[record.key] = observation.Observation(
                        False, detail=('existing volume missing'
                                       if record.props.get('existing')
                                       else ''))
                elif record.props.get('existing'):
                    # Used, not owned; it is meant to be there.
                    out[record.key] = observation.Observation(
                        True, True, 'existing volume')
                else:
                    out[record.key] = observation.Observation(
                        True, None, 'volumes carry no tenks mark')
        return out
