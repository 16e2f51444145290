#!/bin/bash
# Install Zuul in its own virtualenv, idempotently, for the test that checks
# zuul.d/ against Zuul's own configuration schema
# (tests/unit/test_zuul_config.py). Zuul pins many libraries, so it stays out
# of the project's environment.
#
#   tools/install-zuul.sh
#
# Environment:
#   TENKS_TEST_ZUUL_VENV     where to install (default
#                            /opt/tenks-test/zuul-venv); the test reads the
#                            same variable
#   TENKS_TEST_ZUUL_PACKAGE  pip requirement (default zuul==14.3.0)
#   TENKS_TEST_PYTHON        interpreter that makes the venv (default python3)
set -eu

venv=${TENKS_TEST_ZUUL_VENV:-/opt/tenks-test/zuul-venv}
package=${TENKS_TEST_ZUUL_PACKAGE:-zuul==14.3.0}
python=${TENKS_TEST_PYTHON:-python3}
stamp="$venv/.tenks-installed"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$package" ] && \
        "$venv/bin/python" -c 'import zuul.configloader' 2>/dev/null; then
    echo "install-zuul: $package already in $venv"
    exit 0
fi

mkdir -p "$(dirname "$venv")"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "$package"
"$venv/bin/python" -c 'import zuul.configloader'
echo "$package" > "$stamp"
echo "install-zuul: installed $package in $venv"
