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

"""Image handling: format detection, refusals, downloads, sparse reads."""

import functools
import http.server
import os
import struct
import threading

from tenks.providers.libvirt import images
from tests.unit import base

MIB = 1 << 20
QCOW2_INCOMPAT_DATA_FILE = 1 << 2
VDI_SIGNATURE = b'\x7f\x10\xda\xbe'


def qcow2_header(virtual_size, version=3, backing_offset=0,
                 incompatible=0):
    """The first bytes of a qcow2 file, laid out as the format says."""
    header = images.QCOW2_MAGIC + struct.pack(
        '>IQIIQ', version, backing_offset, 0, 16, virtual_size)
    header += b'\0' * (72 - len(header))
    header += struct.pack('>Q', incompatible)
    return header + b'\0' * (512 - len(header))


class InspectTest(base.TestCase):
    """Format detection (oslo.utils' format inspector) and its verdicts."""

    def image(self, data, size=None, name='image'):
        """:func:`images.inspect` of a file holding ``data``."""
        path = os.path.join(self.tmp, name)
        with open(path, 'wb') as f:
            f.write(data)
            if size is not None:
                f.truncate(size)
        return images.inspect(path)

    def test_qcow2(self):
        info = self.image(qcow2_header(64 * MIB), 200000, 'a')
        self.assertEqual((os.path.join(self.tmp, 'a'), 'qcow2', 64 * MIB,
                          200000), tuple(info))

    def test_qcow2_version_2(self):
        info = self.image(qcow2_header(MIB, version=2)[:72], 4096)
        self.assertEqual('qcow2', info.format)
        self.assertEqual(MIB, info.virtual_size)

    def test_qcow2_with_backing_file_is_refused(self):
        exc = self.assertRaises(images.ImageError, self.image,
                                qcow2_header(MIB, backing_offset=512),
                                4096, 'base.qcow2')
        self.assertIn('base.qcow2', str(exc))
        self.assertIn('backing file', str(exc))

    def test_qcow2_with_external_data_file_is_refused(self):
        exc = self.assertRaises(
            images.ImageError, self.image,
            qcow2_header(MIB, incompatible=QCOW2_INCOMPAT_DATA_FILE), 4096)
        self.assertIn('external data file', str(exc))

    def test_raw(self):
        info = self.image(b'\xeb\x63\x90' + b'\0' * 509, 3 * MIB)
        self.assertEqual(('raw', 3 * MIB, 3 * MIB),
                         (info.format, info.virtual_size, info.file_size))

    def test_other_formats_are_refused(self):
        for header, name in ((b'KDMV' + b'\0' * 508, 'vmdk'),
                             (b'vhdxfile' + b'\0' * 504, 'vhdx'),
                             (b'\0' * 64 + VDI_SIGNATURE +
                              b'\0' * 444, 'vdi')):
            exc = self.assertRaises(images.ImageError, self.image,
                                    header, 1024)
            self.assertIn(name, str(exc))

    def test_truncated_qcow2(self):
        self.assertRaises(images.ImageError, self.image,
                          images.QCOW2_MAGIC + b'\0' * 4)


class FileTest(base.TestCase):

    def test_inspect(self):
        path = self.write_bytes('disk.img', qcow2_header(8 * MIB))
        info = images.inspect(path)
        self.assertEqual((path, 'qcow2', 8 * MIB, 512), tuple(info))

    def test_inspect_empty(self):
        self.assertRaises(images.ImageError, images.inspect,
                          self.write_bytes('empty'))

    def test_data_sections_of_sparse_file(self):
        path = self.write_bytes('sparse', size=4 * MIB)
        with open(path, 'r+b') as f:
            f.seek(MIB)
            f.write(b'x' * MIB)
        fd = os.open(path, os.O_RDONLY)
        self.addCleanup(os.close, fd)
        sections = []
        while True:
            in_data, length = images.data_sections(fd)
            if length == 0:
                break
            sections.append((in_data, length))
            os.lseek(fd, length, os.SEEK_CUR)
        # Filesystems may report holes at a coarser grain, but never mix
        # data into a hole: the data section covers the written MiB.
        self.assertEqual(4 * MIB, sum(n for _d, n in sections))
        offset = 0
        for in_data, length in sections:
            if not in_data:
                self.assertTrue(offset + length <= MIB or offset >= 2 * MIB)
            offset += length

    def test_data_sections_leave_offset(self):
        path = self.write_bytes('dense', b'y' * 1000)
        fd = os.open(path, os.O_RDONLY)
        self.addCleanup(os.close, fd)
        os.lseek(fd, 10, os.SEEK_SET)
        self.assertEqual([True, 990], images.data_sections(fd))
        self.assertEqual(10, os.lseek(fd, 0, os.SEEK_CUR))
        os.lseek(fd, 1000, os.SEEK_SET)
        self.assertEqual([True, 0], images.data_sections(fd))


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class CacheTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.served = os.path.join(self.tmp, 'www')
        os.makedirs(self.served)
        with open(os.path.join(self.served, 'disk.qcow2'), 'wb') as f:
            f.write(qcow2_header(16 * MIB))
        handler = functools.partial(_Handler, directory=self.served)
        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      handler)
        thread = threading.Thread(target=self.server.serve_forever,
                                  kwargs={'poll_interval': 0.05},
                                  daemon=True)
        thread.start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.base_url = 'http://127.0.0.1:%d/' % self.server.server_port
        self.cache = images.ImageCache()
        self.addCleanup(self.cache.close)

    def test_url_downloaded_once_and_removed_on_close(self):
        url = self.base_url + 'disk.qcow2'
        info = self.cache.get(url)
        self.assertEqual(('qcow2', 16 * MIB), (info.format,
                                               info.virtual_size))
        self.assertTrue(os.path.isfile(info.path))
        os.unlink(os.path.join(self.served, 'disk.qcow2'))
        self.assertEqual(info, self.cache.get(url))    # not fetched again
        self.cache.close()
        self.assertFalse(os.path.exists(info.path))

    def test_download_failure_names_url(self):
        url = self.base_url + 'missing.img'
        exc = self.assertRaises(images.ImageError, self.cache.get, url)
        self.assertIn(url, str(exc))

    def test_local_file(self):
        path = os.path.join(self.served, 'disk.qcow2')
        info = self.cache.get(path)
        self.assertEqual(path, info.path)

    def test_missing_local_file(self):
        exc = self.assertRaises(images.ImageError, self.cache.get,
                                '/nonexistent/disk.img')
        self.assertIn('does not exist on the tenks host', str(exc))

    def test_is_url(self):
        self.assertTrue(images.is_url('https://example.com/a.img'))
        self.assertFalse(images.is_url('/srv/a.img'))
