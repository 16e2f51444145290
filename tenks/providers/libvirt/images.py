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

"""Disk images for volumes: fetch them to the tenks host, find out what
they are, and stream them into a storage pool.

An image is a path on the tenks host or an http(s) URL; a URL is
downloaded once per run into a private temporary directory. Its format
is read from its content by oslo.utils' format inspector (qcow2 or raw),
never guessed from its name. An image that fails the inspector's safety
checks is refused, such as a qcow2 image that refers to other files (a
backing file or an external data file): those paths would be opened on
the hypervisor.

Images travel to the hypervisor through a libvirt stream, so the same
code serves local and remote hypervisors. Holes in the file are sent as
holes (a sparse stream), so a mostly empty raw image costs little.
"""

import collections
import os
import shutil
import tempfile
import threading
import urllib.parse
import urllib.request

from oslo_log import log as logging

from tenks import exception

LOG = logging.getLogger(__name__)

QCOW2_MAGIC = b'QFI\xfb'
#: Formats whose content is raw data, whatever it holds (a partition
#: table, a file system, an ISO 9660 image): they are used as ``raw``.
RAW_FORMATS = ('raw', 'gpt', 'mbr', 'iso')
#: What the safety checks of a qcow2 image mean for a user.
UNSAFE = {
    'backing_file': 'qcow2 image with a backing file; flatten it first '
                    '(qemu-img convert)',
    'data_file': 'qcow2 image with an external data file; flatten it '
                 'first (qemu-img convert)',
}
DOWNLOAD_CHUNK = 1 << 20
DOWNLOAD_TIMEOUT = 60

ImageInfo = collections.namedtuple('ImageInfo',
                                   'path format virtual_size file_size')


class ImageError(exception.TenksError):
    """An image cannot be used."""


def is_url(image):
    return urllib.parse.urlparse(image).scheme in ('http', 'https')


def _unsafe(path, failed):
    """The message for an image that failed format_inspector's checks."""
    reasons = [UNSAFE.get(name, '%s: %s' % (name, violation))
               for name, violation in sorted(failed.failures.items())]
    return '%s: %s' % (path, '; '.join(reasons))


def inspect(path):
    """Identify the image at ``path`` from its content.

    With oslo.utils' format inspector, which also runs the safety checks
    images from users need (a qcow2 image that refers to other files, or
    whose header lies about itself, is refused).

    :returns: an :class:`ImageInfo`: ``qcow2`` or ``raw`` (raw data of any
        kind, see :data:`RAW_FORMATS`).
    :raises ImageError: a format tenks does not take, or an unsafe image.
    """
    from oslo_utils.imageutils import format_inspector
    try:
        size = os.stat(path).st_size
        with open(path, 'rb') as f:
            magic = f.read(len(QCOW2_MAGIC))
        inspector = format_inspector.detect_file_format(path)
    except OSError as exc:
        raise ImageError('cannot read image %s: %s'
                         % (path, exc.strerror or exc))
    except format_inspector.ImageFormatError as exc:
        raise ImageError('%s: %s' % (path, exc))
    if size == 0:
        raise ImageError('image %s is empty' % path)
    name = inspector.NAME if inspector is not None else 'raw'
    if name == 'qcow2':
        try:
            inspector.safety_check()
        except format_inspector.SafetyCheckFailed as exc:
            raise ImageError(_unsafe(path, exc))
        return ImageInfo(path, 'qcow2', inspector.virtual_size, size)
    if magic == QCOW2_MAGIC:
        raise ImageError('%s: truncated qcow2 header' % path)
    if name in RAW_FORMATS:
        return ImageInfo(path, 'raw', size, size)
    raise ImageError('%s: %s images are not supported; convert it to qcow2 '
                     'or raw' % (path, name))


def download(url, directory):
    """Download ``url`` into ``directory``; returns the file's path."""
    name = os.path.basename(urllib.parse.urlparse(url).path) or 'image'
    fd, path = tempfile.mkstemp(prefix='img-', suffix='-' + name,
                                dir=directory)
    LOG.info('Downloading image %s', url)
    try:
        with os.fdopen(fd, 'wb') as out, urllib.request.urlopen(
                url, timeout=DOWNLOAD_TIMEOUT) as response:
            shutil.copyfileobj(response, out, DOWNLOAD_CHUNK)
    except Exception as exc:
        os.unlink(path)
        raise ImageError('cannot download image %s: %s' % (url, exc))
    return path


class ImageCache(object):
    """The images of one run.

    Each URL is downloaded once and each file inspected once; :meth:`close`
    removes the downloads.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._locks = {}
        self._infos = {}
        self._dir = None

    def _image_lock(self, image):
        with self._lock:
            return self._locks.setdefault(image, threading.Lock())

    def _directory(self):
        with self._lock:
            if self._dir is None:
                self._dir = tempfile.mkdtemp(prefix='tenks-images-')
            return self._dir

    def get(self, image):
        """The :class:`ImageInfo` of ``image``, a path or URL.

        The info's path is a local file (the download, for a URL).
        """
        with self._image_lock(image):
            info = self._infos.get(image)
            if info is None:
                path = image
                if is_url(image):
                    path = download(image, self._directory())
                elif not os.path.isfile(image):
                    raise ImageError('image %s does not exist on the tenks '
                                     'host' % image)
                info = inspect(path)
                self._infos[image] = info
            return info

    def close(self):
        with self._lock:
            directory, self._dir = self._dir, None
            self._infos.clear()
        if directory:
            shutil.rmtree(directory, ignore_errors=True)


def data_sections(fd):
    """Hole handler of a sparse stream.

    :returns: ``[in_data, length]`` of the section of file ``fd`` at its
        current offset, ``[True, 0]`` at the end. The offset is left
        unchanged.
    """
    cur = os.lseek(fd, 0, os.SEEK_CUR)
    size = os.fstat(fd).st_size
    if cur >= size:
        return [True, 0]
    try:
        data = os.lseek(fd, cur, os.SEEK_DATA)
    except OSError:
        data = size              # ENXIO: only a hole is left
    if data > cur:
        result = [False, data - cur]
    else:
        try:
            hole = os.lseek(fd, cur, os.SEEK_HOLE)
        except OSError:
            hole = size
        result = [True, hole - cur]
    os.lseek(fd, cur, os.SEEK_SET)
    return result


def upload(conn, volume, path):
    """Stream the file at ``path`` into libvirt ``volume``."""
    import libvirt
    size = os.path.getsize(path)
    flags = getattr(libvirt, 'VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM', 0)
    fd = os.open(path, os.O_RDONLY)
    try:
        stream = conn.newStream(0)
        try:
            volume.upload(stream, 0, size, flags)
            if flags:
                stream.sparseSendAll(
                    lambda _s, nbytes, f: os.read(f, nbytes),
                    lambda _s, f: data_sections(f),
                    lambda _s, length, f: os.lseek(f, length, os.SEEK_CUR),
                    fd)
            else:
                stream.sendAll(lambda _s, nbytes, f: os.read(f, nbytes),
                               fd)
            stream.finish()
        except Exception:
            try:
                stream.abort()
            except Exception:  # noqa - the stream may be gone already
                pass
            raise
    finally:
        os.close(fd)
