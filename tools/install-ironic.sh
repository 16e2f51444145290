#!/bin/bash
# Install a standalone Ironic for the functional tests, idempotently, in
# its own virtualenv (Ironic's pins must not clash with the project's).
#
#   tools/install-ironic.sh
#
# Environment:
#   TENKS_TEST_IRONIC_VENV     where to install (default
#                              /opt/tenks-test/ironic-venv); the test
#                              fixture reads the same variable
#   TENKS_TEST_IRONIC_PACKAGE  pip requirement (default ironic==39.0.0)
#   TENKS_TEST_PYTHON          interpreter that makes the venv (default
#                              python3)
#
# The tests start Ironic themselves (tests/functional/ironic_fixture.py):
# one all-in-one process per test session, sqlite, noauth and no RPC
# bus. Ironic's ipmitool interfaces need the ipmitool binary, which
# tools/install-deps.sh installs.
set -eu

venv=${TENKS_TEST_IRONIC_VENV:-/opt/tenks-test/ironic-venv}
package=${TENKS_TEST_IRONIC_PACKAGE:-ironic==39.0.0}
python=${TENKS_TEST_PYTHON:-python3}
stamp="$venv/.tenks-installed"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$package" ] \
        && [ -x "$venv/bin/ironic" ] && [ -x "$venv/bin/ironic-dbsync" ]; then
    echo "install-ironic: $package already in $venv"
    exit 0
fi

if ! command -v ipmitool >/dev/null; then
    echo "install-ironic: warning: ipmitool is missing; run" \
        "tools/install-deps.sh first" >&2
fi

mkdir -p "$(dirname "$venv")"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "$package"
"$venv/bin/ironic-dbsync" --help >/dev/null
echo "$package" > "$stamp"
echo "install-ironic: installed $package in $venv"
