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
downloaded once per run into a private temporary directory. What it is
(qcow2 or raw), and whether tenks takes it, is read from its content by
:func:`tenks.spec.images.inspect` -- the checks a plan ran on the same
image already, run again on the very bytes uploaded.

Images travel to the hypervisor through a libvirt stream, so the same
code serves local and remote hypervisors. Holes in the file are sent as
holes (a sparse stream), so a mostly empty raw image costs little.
"""

import os
import shutil
import tempfile
import threading
import urllib.parse
import urllib.request

from oslo_log import log as logging

from tenks.spec import images as spec_images

LOG = logging.getLogger(__name__)

DOWNLOAD_CHUNK = 1 << 20
DOWNLOAD_TIMEOUT = 60

ImageError = spec_images.ImageError
ImageInfo = spec_images.ImageInfo
QCOW2_MAGIC = spec_images.QCOW2_MAGIC
is_url = spec_images.is_url
inspect = spec_images.inspect


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
                info = inspect(path, name=image)
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
