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

"""What Ironic boots in the end-to-end tests, built from Debian packages.

* the kernel of ``linux-image-amd64`` (``tools/install-deps.sh test``
  extracts it to :data:`KERNEL_DIR`; one installed under ``/boot`` does
  too): serial console and virtio are built in, so it needs no modules;
* an initramfs of ``busybox-static`` whose ``/init`` prints
  ``TENKS-BOOT-OK <marker>`` to the serial console, the marker taken from
  the kernel command line (``tenks_marker=...``): a test passes a random
  one through Ironic, and only a ramdisk that ran prints it so;
* an ESP image for UEFI virtual media (Ironic does not build one): a
  standalone GRUB (``grub-efi-amd64-bin``) that finds and reads the
  ``grub.cfg`` Ironic writes on the ISO, in a FAT image (``mtools``).
"""

import glob
import os
import shutil
import subprocess

import pytest

KERNEL_ENV = 'TENKS_TEST_KERNEL'
KERNEL_DIR = '/opt/tenks-test/boot'
BUSYBOX = '/bin/busybox'
MARK = 'TENKS-BOOT-OK'
MARKER_ARG = 'tenks_marker'

INIT = '''#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev
M=none
for word in $(/bin/busybox cat /proc/cmdline); do
    case "$word" in %(arg)s=*) M="${word#%(arg)s=}" ;; esac
done
UP=$(/bin/busybox cut -d' ' -f1 /proc/uptime)
echo "%(mark)s $M uptime $UP" > /dev/ttyS0
while true; do /bin/busybox sleep 3600; done
''' % {'arg': MARKER_ARG, 'mark': MARK}

# The ESP's GRUB finds the ISO's grub.cfg; the ESP must not hold one
# itself, or the search would find that first.
GRUB_EMBED = '''search --no-floppy --file --set=root /EFI/BOOT/grub.cfg
set prefix=($root)/EFI/BOOT
configfile ($root)/EFI/BOOT/grub.cfg
'''
GRUB_MODULES = ('part_gpt part_msdos fat iso9660 search search_fs_file '
                'configfile normal linux echo test all_video efi_gop '
                'efi_uga')


#: Where distributions keep what Ironic puts on a BIOS boot ISO.
ISOLINUX = ('/usr/lib/ISOLINUX/isolinux.bin',
            '/usr/share/syslinux/isolinux.bin')
LDLINUX = ('/usr/lib/syslinux/modules/bios/ldlinux.c32',
           '/usr/share/syslinux/ldlinux.c32')


def first_file(paths, package):
    """The first of ``paths`` that exists; a test failure when none."""
    for path in paths:
        if os.path.exists(path):
            return path
    pytest.fail('none of %s exists: install %s (tools/install-deps.sh '
                'test)' % (', '.join(paths), package))


def marker_line(marker):
    """What the ramdisk prints when the kernel got ``marker``."""
    return '%s %s ' % (MARK, marker)


def tool(name):
    """The path of command ``name``; a test failure when missing."""
    path = shutil.which(name)
    if not path:
        pytest.fail('%s is not installed: run tools/install-deps.sh test'
                    % name)
    return path


def kernel():
    """The path of a ``linux-image-amd64`` kernel."""
    found = os.environ.get(KERNEL_ENV)
    if found:
        return found
    for pattern in (os.path.join(KERNEL_DIR, 'vmlinuz'),
                    '/boot/vmlinuz-*-amd64', '/boot/vmlinuz-*'):
        paths = sorted(glob.glob(pattern))
        if paths:
            return paths[-1]
    pytest.fail('no kernel in %s or /boot: run tools/install-deps.sh test '
                '(or set %s)' % (KERNEL_DIR, KERNEL_ENV))


def initramfs(directory):
    """Build the busybox initramfs in ``directory``; its path."""
    if not os.path.exists(BUSYBOX):
        pytest.fail('%s missing: install busybox-static (tools/'
                    'install-deps.sh test)' % BUSYBOX)
    root = os.path.join(directory, 'initramfs-root')
    os.makedirs(os.path.join(root, 'bin'))
    shutil.copy(BUSYBOX, os.path.join(root, 'bin', 'busybox'))
    with open(os.path.join(root, 'init'), 'w') as f:
        f.write(INIT)
    os.chmod(os.path.join(root, 'init'), 0o755)
    path = os.path.join(directory, 'initramfs.gz')
    files = subprocess.run(['find', '.'], cwd=root, check=True,
                           capture_output=True).stdout
    archive = subprocess.run([tool('cpio'), '-o', '-H', 'newc',
                              '--quiet'], cwd=root, input=files,
                             check=True, capture_output=True).stdout
    subprocess.run(['gzip', '-9'], input=archive, check=True,
                   stdout=open(path, 'wb'))
    shutil.rmtree(root)
    return path


def esp_image(directory):
    """Build the ESP image for UEFI virtual media; its path."""
    embed = os.path.join(directory, 'grub-embed.cfg')
    with open(embed, 'w') as f:
        f.write(GRUB_EMBED)
    efi = os.path.join(directory, 'BOOTX64.EFI')
    subprocess.run([tool('grub-mkstandalone'), '-O', 'x86_64-efi',
                    '--modules=%s' % GRUB_MODULES, '--locales=',
                    '--fonts=', '--themes=', '-o', efi,
                    'boot/grub/grub.cfg=%s' % embed],
                   check=True, capture_output=True)
    image = os.path.join(directory, 'esp.img')
    with open(image, 'wb') as f:
        f.truncate(8 << 20)
    for argv in (['mformat', '-i', image, '::'],
                 ['mmd', '-i', image, '::/EFI', '::/EFI/BOOT'],
                 ['mcopy', '-i', image, efi, '::/EFI/BOOT/BOOTX64.EFI']):
        subprocess.run([tool(argv[0])] + argv[1:], check=True,
                       capture_output=True)
    return image
