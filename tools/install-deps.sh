#!/bin/bash
# Install the system packages tenks needs on Debian/Ubuntu (apt) or
# CentOS/Rocky/Fedora (dnf), idempotently.
#
#   tools/install-deps.sh          packages to run tenks (libvirt, QEMU,
#                                  OVMF, Open vSwitch, ipmitool, iproute2)
#   tools/install-deps.sh test     also what the test suite needs: tox, a
#                                  standalone Ironic and Zuul (for its
#                                  config schema), each in its own venv
#                                  under /opt/tenks-test
set -eu

here=$(cd "$(dirname "$0")" && pwd)
mode=${1:-run}

apt_packages="libvirt-daemon-system libvirt-daemon-driver-qemu
libvirt-clients libvirt-dev pkg-config qemu-system-x86 qemu-utils ovmf
ipmitool openvswitch-switch iproute2 procps python3-venv python3-dev gcc
git openssh-client"
dnf_packages="libvirt-daemon-kvm libvirt-client libvirt-devel pkgconf
qemu-kvm qemu-img edk2-ovmf ipmitool openvswitch iproute procps-ng
python3-devel gcc git openssh-clients"

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
    # shellcheck disable=SC2046
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
fi
