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

"""The disk images of a spec's volumes: what they are, and whether tenks
takes them.

An image's format is read from its content by oslo.utils' format
inspector, never guessed from its name. tenks takes ``qcow2`` and ``raw``
(raw data of any kind: a partition table, an ISO 9660 image; see
:data:`RAW_FORMATS`) and refuses:

* an image that fails the inspector's safety checks, such as a qcow2
  image that refers to other files (a backing file or an external data
  file): those paths would be opened on the hypervisor;
* any other format (VMDK, VHD, VHDX, VDI, QED, LUKS), and compressed files,
  which the inspector sees as raw data but a disk would not;
* an image whose content is not what its name says: ``.qcow2`` holding raw
  data, ``.raw`` holding a qcow2 image (see :data:`EXTENSIONS`; a name
  such as ``.img`` says nothing).

:func:`check` runs these checks on the images a plan needs, before
anything is touched, and reports each problem at the spec key that names
the image. The libvirt provider runs :func:`inspect` again on what it
uploads.
"""

import collections
import logging
import os
import urllib.parse
import urllib.request

from tenks import exception
from tenks.planner import plan as plan_mod
from tenks.spec import errors
from tenks.spec import yamlfile

#: Formats whose content is raw data, whatever it holds (a partition
#: table, a file system, an ISO 9660 image): they are used as ``raw``.
RAW_FORMATS = ('raw', 'gpt', 'mbr', 'iso')
#: What a file name's extension says its content is.
EXTENSIONS = {'.qcow2': 'qcow2', '.raw': 'raw', '.iso': 'raw',
              '.vmdk': 'vmdk', '.vhd': 'vhd', '.vhdx': 'vhdx',
              '.vdi': 'vdi', '.qed': 'qed'}
#: Compressed files, by their first bytes.
COMPRESSED = ((b'\x1f\x8b', 'gzip'), (b'\xfd7zXZ\x00', 'xz'),
              (b'BZh', 'bzip2'), (b'\x28\xb5\x2f\xfd', 'zstd'))
#: What the safety checks of a qcow2 image mean for a user.
UNSAFE = {
    'backing_file': 'qcow2 image with a backing file; flatten it first '
                    '(qemu-img convert -O qcow2)',
    'data_file': 'qcow2 image with an external data file; flatten it '
                 'first (qemu-img convert -O qcow2)',
}
QCOW2_MAGIC = b'QFI\xfb'
CHUNK = 4096
#: How much of an image at a URL is read to tell what it is (the
#: inspectors need far less; a format still undecided then is raw).
URL_HEADER_LIMIT = 8 << 20
URL_TIMEOUT = 60

# The inspector logs every failed safety check as a warning; tenks reports
# the refused image itself, naming the spec key.
logging.getLogger('oslo_utils.imageutils.format_inspector').setLevel(
    logging.ERROR)

ImageInfo = collections.namedtuple('ImageInfo',
                                   'path format virtual_size file_size')


class ImageError(exception.TenksError):
    """An image cannot be used."""


def is_url(image):
    return urllib.parse.urlparse(image).scheme in ('http', 'https')


def claimed_format(name):
    """What the extension of ``name`` says the image is, or None."""
    path = urllib.parse.urlparse(name).path if is_url(name) else name
    return EXTENSIONS.get(os.path.splitext(path)[1].lower())


def _family(inspector_name):
    return 'raw' if inspector_name in RAW_FORMATS else inspector_name


def _unsafe(name, found, failed):
    reasons = [UNSAFE.get(check, '%s image failing safety check %s: %s'
                          % (found, check, violation))
               for check, violation in sorted(failed.failures.items())]
    return '%s: %s' % (name, '; '.join(reasons))


def _detect(chunks):
    """Feed ``chunks`` to the format inspectors until they decide.

    :returns: ``(inspector, first bytes)``.
    :raises ImageError: the content matches several formats that are not
        all raw data (one header hidden in another).
    """
    from oslo_utils.imageutils import format_inspector
    wrapper = format_inspector.InspectWrapper(iter(chunks))
    head = b''
    try:
        for chunk in wrapper:
            if len(head) < 512:
                head += chunk[:512]
            if wrapper.formats is not None:
                break
    finally:
        wrapper.close()
    found = wrapper.formats or []
    if len(found) > 1:
        names = sorted(str(i) for i in found)
        if not all(n in RAW_FORMATS for n in names):
            raise ImageError('it matches several formats (%s)'
                             % ', '.join(names))
        found = [i for i in found if str(i) == 'iso'] or found[:1]
    return found[0], head


def verdict(name, inspector, head):
    """The format tenks uses ``name`` as (``qcow2`` or ``raw``).

    :param inspector: the format inspector that matched its content.
    :param head: its first bytes.
    :raises ImageError: it is refused (see the module's docstring).
    """
    from oslo_utils.imageutils import format_inspector
    found = inspector.NAME
    if found == 'raw':
        for magic, kind in COMPRESSED:
            if head.startswith(magic):
                raise ImageError('%s is a %s-compressed file, not a disk '
                                 'image; decompress it first'
                                 % (name, kind))
        if head.startswith(QCOW2_MAGIC):
            raise ImageError('%s: truncated qcow2 header' % name)
    claimed = claimed_format(name)
    if claimed is not None and claimed != _family(found):
        raise ImageError('%s holds a %s image, not %s as its name says; '
                         'rename it or convert it (qemu-img convert)'
                         % (name, found, claimed))
    if _family(found) not in ('qcow2', 'raw'):
        raise ImageError('%s: %s images are not supported; convert it to '
                         'qcow2 or raw (qemu-img convert -O qcow2)'
                         % (name, found))
    try:
        inspector.safety_check()
    except format_inspector.SafetyCheckFailed as exc:
        raise ImageError(_unsafe(name, found, exc))
    return _family(found)


def _file_chunks(f):
    while True:
        chunk = f.read(CHUNK)
        if not chunk:
            return
        yield chunk


def inspect(path, name=None):
    """Identify the image file at ``path`` from its content.

    :param name: what the user called it (a URL it was downloaded from),
        for its claimed format and for messages; default ``path``.
    :returns: an :class:`ImageInfo`.
    :raises ImageError: it cannot be read, or is refused.
    """
    name = name or path
    from oslo_utils.imageutils import format_inspector
    try:
        size = os.stat(path).st_size
        with open(path, 'rb') as f:
            inspector, head = _detect(_file_chunks(f))
    except OSError as exc:
        raise ImageError('cannot read image %s: %s'
                         % (name, exc.strerror or exc))
    except format_inspector.ImageFormatError as exc:
        raise ImageError('%s: %s' % (name, exc))
    except ImageError as exc:
        raise ImageError('%s: %s' % (name, exc))
    if size == 0:
        raise ImageError('image %s is empty' % name)
    fmt = verdict(name, inspector, head)
    if fmt == 'qcow2':
        return ImageInfo(path, fmt, inspector.virtual_size, size)
    return ImageInfo(path, fmt, size, size)


def _url_chunks(response):
    read = 0
    while read < URL_HEADER_LIMIT:
        chunk = response.read(CHUNK)
        if not chunk:
            return
        read += len(chunk)
        yield chunk


def inspect_url(url):
    """The format of the image at ``url``, from its first bytes only.

    :returns: ``qcow2`` or ``raw``.
    :raises ImageError: it cannot be fetched, or is refused.
    """
    from oslo_utils.imageutils import format_inspector
    try:
        with urllib.request.urlopen(url, timeout=URL_TIMEOUT) as response:
            inspector, head = _detect(_url_chunks(response))
    except format_inspector.ImageFormatError as exc:
        raise ImageError('%s: %s' % (url, exc))
    except ImageError as exc:
        raise ImageError('%s: %s' % (url, exc))
    except Exception as exc:  # noqa - any failure to fetch it
        raise ImageError('cannot download image %s: %s' % (url, exc))
    if not head:
        raise ImageError('image %s is empty' % url)
    return verdict(url, inspector, head)


def check_image(image):
    """Check the image a volume names (a path on this host, or a URL).

    :raises ImageError: it is missing, cannot be read, or is refused.
    """
    if is_url(image):
        inspect_url(image)
    elif not os.path.isfile(image):
        raise ImageError('image %s does not exist on the tenks host'
                         % image)
    else:
        inspect(image)


def _locations(spec):
    """``{image: [key path, ...]}`` of every image the spec names."""
    out = collections.OrderedDict()
    for type_name, node_type in sorted(spec.node_types.items()):
        for index, volume in enumerate(node_type.volumes):
            if volume.image:
                out.setdefault(volume.image, []).append(
                    ('node_types', type_name, 'volumes', index, 'image'))
    return out


def check(spec, plan):
    """Check the images ``plan`` needs before anything is touched.

    Those of the volumes it creates; each is read once.

    :raises SpecError: naming the spec file and, for each refused image,
        every key that names it, and what is wrong.
    """
    needed = {a.record.props.get('image') for a in plan.actions
              if a.op == plan_mod.CREATE}
    problems = []
    for image, paths in _locations(spec).items():
        if image not in needed:
            continue
        try:
            check_image(image)
        except ImageError as exc:
            problems.extend(errors.Problem(path, str(exc))
                            for path in paths)
    if problems:
        _add_lines(spec.source, problems)
        raise exception.SpecError(spec.source, problems)


def _add_lines(source, problems):
    """Give ``problems`` the lines of their keys in the spec file."""
    try:
        with open(source, encoding='utf-8') as f:
            document, _errors = yamlfile.parse(f.read())
    except (OSError, UnicodeDecodeError):
        return
    if document is not None:
        for problem in problems:
            problem.line = document.line_of(problem.path)
