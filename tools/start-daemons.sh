#!/bin/bash
# Set up this host for the test suite: `tenks host setup` installs and
# starts libvirt, QEMU, OVMF, Open vSwitch and ipmitool (with systemd or
# without), and gives /dev/kvm the mode udev would. Idempotent.
#
#   tools/start-daemons.sh TENKS
#
# TENKS is the tenks command to run (e.g. the test environment's).
set -eu

tenks=${1:?usage: tools/start-daemons.sh TENKS}
# Defaults only (bridge_type openvswitch: the tests use both bridge types),
# whatever /etc/tenks/tenks.conf this host may have.
"$tenks" --config-file /dev/null host setup -f value -c Step -c Status
