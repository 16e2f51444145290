#!/bin/bash
# Run the whole test suite (unit and functional tests, one pytest run).
#
#   sudo tools/run-tests.sh [PYTEST ARGS...]
#
# Installs what the tests need (build and test packages, tox, a standalone
# Ironic, Zuul for its config schema), builds the test environment, sets
# the host up with that environment's `tenks host setup` (libvirt, QEMU,
# Open vSwitch, started), then runs `tox -e all`. Functional tests need
# root.
set -eu

cd "$(dirname "$0")/.."
tools/install-deps.sh test
tox="${TENKS_TOX_VENV:-/opt/tenks-test/tox-venv}/bin/tox"
"$tox" -qq -e all --notest
tools/start-daemons.sh "$(pwd)/.tox/all/bin/tenks"
# -qq: tox prints nothing after pytest, whose summary line comes last.
exec "$tox" -qq -e all -- "$@"
