#!/bin/bash
# Start libvirtd, virtlogd and Open vSwitch on a host without systemd
# (CI containers). With systemd, start the units instead. Idempotent.
set -eu

sudo_cmd=""
if [ "$(id -u)" != 0 ]; then
    sudo_cmd="sudo"
fi

# Without udev /dev/kvm is root:root 0600; libvirtd then re-probes QEMU on
# every call and each define takes about a minute.
if [ -e /dev/kvm ] && getent group kvm >/dev/null; then
    $sudo_cmd chgrp kvm /dev/kvm
    $sudo_cmd chmod 0660 /dev/kvm
fi

if [ -d /run/systemd/system ]; then
    $sudo_cmd systemctl start libvirtd virtlogd
    $sudo_cmd systemctl start openvswitch-switch 2>/dev/null || \
        $sudo_cmd systemctl start openvswitch || true
    exit 0
fi

if ! pgrep -x virtlogd >/dev/null; then
    $sudo_cmd virtlogd -d
fi
if ! virsh -c qemu:///system version >/dev/null 2>&1; then
    $sudo_cmd libvirtd -d
    for _ in $(seq 1 100); do
        if virsh -c qemu:///system version >/dev/null 2>&1; then
            break
        fi
        sleep 0.2
    done
fi
if ! ovs-vsctl --timeout=5 show >/dev/null 2>&1; then
    $sudo_cmd /usr/share/openvswitch/scripts/ovs-ctl start \
        --system-id=random >/dev/null
fi
