#!/bin/bash
# Run the whole test suite (unit and functional tests, one pytest run).
#
#   sudo tools/run-tests.sh [PYTEST ARGS...]
#
# Installs what the tests need (system packages, tox, a standalone Ironic,
# Zuul for its config schema),
# starts libvirtd and Open vSwitch when they are not running, then runs
# `tox -e all`. Functional tests need root.
set -eu

cd "$(dirname "$0")/.."
tools/install-deps.sh test
tools/start-daemons.sh
# -qq: tox prints nothing after pytest, whose summary line comes last.
exec "${TENKS_TOX_VENV:-/opt/tenks-test/tox-venv}/bin/tox" -qq -e all -- "$@"
