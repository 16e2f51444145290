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

"""The images of a spec: claims of their names, refusals, and the check a
plan runs on the images it needs."""

import gzip
import lzma
import os
import types

from tenks import exception
from tenks.planner import plan as plan_mod
from tenks.spec import images
from tests.unit import base
from tests.unit.providers import test_images

MIB = 1 << 20


def plan_of(*image_paths, op=plan_mod.CREATE):
    """A plan-like object whose actions create volumes of those images."""
    return types.SimpleNamespace(actions=[
        types.SimpleNamespace(op=op, record=types.SimpleNamespace(
            props={'image': path})) for path in image_paths])


class ClaimTest(base.TestCase):

    def test_extensions(self):
        self.assertEqual('qcow2', images.claimed_format('/a/b.QCOW2'))
        self.assertEqual('raw', images.claimed_format('b.raw'))
        self.assertEqual('raw', images.claimed_format('b.iso'))
        self.assertEqual('vmdk', images.claimed_format('b.vmdk'))
        self.assertEqual('qcow2', images.claimed_format(
            'http://x/y/cirros.qcow2?sig=1'))
        for name in ('cirros.img', 'disk', 'a.raw.xz', 'http://x/y'):
            self.assertIsNone(images.claimed_format(name), name)


class VerdictTest(base.TestCase):

    def refused(self, name, data, size=None):
        path = self.write_bytes(name, data, size)
        return str(self.assertRaises(images.ImageError, images.inspect,
                                     path))

    def test_qcow2_named_raw(self):
        msg = self.refused('x.raw', test_images.qcow2_header(MIB), 4096)
        self.assertIn('x.raw holds a qcow2 image, not raw as its name says',
                      msg)

    def test_raw_named_qcow2(self):
        msg = self.refused('x.qcow2', b'\xeb\x63\x90' + b'\0' * 509, MIB)
        self.assertIn('holds a raw image, not qcow2', msg)

    def test_unclaiming_names_take_either(self):
        qcow2 = self.write_bytes('a.img', test_images.qcow2_header(MIB), 4096)
        raw = self.write_bytes('b.img', b'\0' * 512, MIB)
        self.assertEqual('qcow2', images.inspect(qcow2).format)
        self.assertEqual('raw', images.inspect(raw).format)

    def test_compressed_files(self):
        raw = b'\0' * MIB
        for name, data, kind in (('a.gz', gzip.compress(raw), 'gzip'),
                                 ('a.xz', lzma.compress(raw), 'xz')):
            msg = self.refused(name, data)
            self.assertIn('is a %s-compressed file' % kind, msg)

    def test_name_given_for_messages_and_claims(self):
        path = self.write_bytes('img-1234-dl',
                                test_images.qcow2_header(MIB), 4096)
        exc = self.assertRaises(images.ImageError, images.inspect, path,
                                name='http://h/disk.raw')
        self.assertIn('http://h/disk.raw holds a qcow2 image', str(exc))

    def test_unsupported_named_for_what_it_is(self):
        msg = self.refused('x.img', b'KDMV' + b'\0' * 508, 1024)
        self.assertIn('vmdk images are not supported', msg)


SPEC = '''\
    node_types:
      t:
        memory_mb: 128
        vcpus: 1
        volumes:
          - image: %(bad)s
          - image: %(good)s
      u:
        memory_mb: 128
        vcpus: 1
        volumes:
          - capacity: 1GiB
          - image: %(bad)s
          - image: %(missing)s
    specs:
      - type: t
        count: 1
    '''


class CheckTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.bad = os.path.join(self.tmp, 'bad.raw')
        with open(self.bad, 'wb') as f:
            f.write(test_images.qcow2_header(MIB))
        self.good = os.path.join(self.tmp, 'good.qcow2')
        with open(self.good, 'wb') as f:
            f.write(test_images.qcow2_header(MIB))
        self.missing = os.path.join(self.tmp, 'missing.qcow2')
        text = SPEC % {'bad': self.bad, 'good': self.good,
                       'missing': self.missing}
        self.source = self.write('spec.yaml', text)
        self.parsed = self.spec(text)
        self.parsed = self.parsed.__class__(**dict(
            self.parsed.__dict__, source=self.source))

    def test_every_key_naming_a_needed_image(self):
        exc = self.assertRaises(
            exception.SpecError, images.check, self.parsed,
            plan_of(self.bad, self.good, self.missing))
        text = str(exc)
        self.assertIn(self.source, text)
        self.assertIn('line 6: node_types.t.volumes[0].image: %s holds a '
                      'qcow2 image' % self.bad, text)
        self.assertIn('line 13: node_types.u.volumes[1].image', text)
        self.assertIn('line 14: node_types.u.volumes[2].image: image %s '
                      'does not exist on the tenks host' % self.missing,
                      text)
        self.assertEqual(3, len(exc.problems))

    def test_only_images_the_plan_creates_volumes_of(self):
        images.check(self.parsed, plan_of(self.good))
        images.check(self.parsed, plan_of(self.bad, op=plan_mod.DELETE))
        images.check(self.parsed, plan_of())
