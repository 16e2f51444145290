#!/bin/bash
# Install what building tenks needs on Debian/Ubuntu (apt) or
# CentOS/Rocky/Fedora (dnf), idempotently. What a hypervisor runs
# (libvirt, QEMU, OVMF, Open vSwitch, ipmitool) is installed and started by
# `tenks host setup`, not here.
#
#   tools/install-deps.sh          build tenks: a C compiler, the Python
#                                  and libvirt headers (libvirt-python
#                                  builds from source), git
#   tools/install-deps.sh test     also what the test suite needs: the
#                                  clients the tests speak with (ipmitool,
#                                  ssh, systemd-analyze for the units
#                                  tenks writes), sshd for the multihost
#                                  tests' extra hosts, tox, a standalone
#                                  Ironic and Zuul (for its config
#                                  schema), each in its
#                                  own venv under /opt/tenks-test, and
#                                  what Ironic boots nodes with in the
#                                  e2e_boot tests: a ramdisk (busybox,
#                                  cpio), ISOs (genisoimage, isolinux,
#                                  GRUB for UEFI, mtools), DHCP (dnsmasq)
#                                  and Debian's kernel, extracted to
#                                  /opt/tenks-test/boot/vmlinuz
set -eu

here=$(cd "$(dirname "$0")" && pwd)
mode=${1:-build}

apt_packages="python3-venv python3-dev gcc git pkg-config libvirt-dev
iproute2 procps"
dnf_packages="python3-devel gcc git pkgconf libvirt-devel iproute procps-ng"
if [ "$mode" = test ]; then
    apt_packages="$apt_packages ipmitool openssh-client bash-completion busybox-static cpio
openssh-server genisoimage isolinux syslinux-common grub-efi-amd64-bin grub-common mtools
dnsmasq-base systemd iptables swtpm swtpm-tools
qemu-system-arm qemu-efi-aarch64"
    dnf_packages="$dnf_packages ipmitool openssh-clients bash-completion busybox cpio
openssh-server genisoimage syslinux grub2-efi-x64-modules grub2-tools-extra mtools
dnsmasq kernel-core systemd iptables swtpm swtpm-tools
qemu-system-aarch64 edk2-aarch64"
fi

sudo_cmd=""
if [ "$(id -u)" != 0 ]; then
    sudo_cmd="sudo"
fi

missing_apt() {
    local pkg
    for pkg in $apt_packages; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null \
                | grep -q "install ok installed"; then
            echo "$pkg"
        fi
    done
}

if command -v apt-get >/dev/null; then
    todo=$(missing_apt | tr '\n' ' ')
    if [ -n "$todo" ]; then
        $sudo_cmd apt-get update
        # shellcheck disable=SC2086
        $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y \
            --no-install-recommends $todo
    fi
elif command -v dnf >/dev/null; then
    # shellcheck disable=SC2086
    $sudo_cmd dnf install -y $dnf_packages
else
    echo "tools/install-deps.sh: need apt-get or dnf" >&2
    exit 1
fi

if [ "$mode" = test ]; then
    # A venv of its own: a distribution's python3 may refuse pip installs
    # (PEP 668).
    toxvenv=${TENKS_TOX_VENV:-/opt/tenks-test/tox-venv}
    if [ ! -x "$toxvenv/bin/tox" ]; then
        mkdir -p "$(dirname "$toxvenv")"
        python3 -m venv "$toxvenv"
        "$toxvenv/bin/pip" install --quiet \
            -c "$here/../upper-constraints.txt" "tox>=4"
    fi
    "$here/install-ironic.sh"
    "$here/install-zuul.sh"
    # The kernel the e2e_boot tests boot: linux-image-amd64's vmlinuz,
    # taken from the package without installing it (no initramfs to
    # build, nothing added to /boot).
    boot_dir=${TENKS_TEST_BOOT_DIR:-/opt/tenks-test/boot}
    if [ ! -s "$boot_dir/vmlinuz" ] && command -v apt-get >/dev/null; then
        kpkg=$(apt-cache depends linux-image-amd64 \
            | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
        work=$(mktemp -d)
        (cd "$work" && apt-get download -q -o APT::Sandbox::User=root \
            "$kpkg")
        dpkg-deb --fsys-tarfile "$work"/*.deb \
            | tar -x -C "$work" --wildcards './boot/vmlinuz-*'
        mkdir -p "$boot_dir"
        cp "$work"/boot/vmlinuz-* "$boot_dir/vmlinuz"
        rm -rf "$work"
    fi
fi
