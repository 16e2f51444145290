#!/bin/bash
# Set up this host for tenks and deploy the all-in-one example cluster.
#
#   sudo tools/quickstart.sh [SPEC]
#
# Installs the system packages, creates a virtualenv with tenks
# ($TENKS_VENV, default /opt/tenks-venv) and links its bash completion
# where bash-completion finds it, runs `tenks host setup` and `tenks
# deploy` of SPEC (default etc/tenks/examples/all-in-one.yaml). tenks
# needs root (doc/source/install.rst says why): run the script as root.
# Running it again changes nothing.
set -eu

cd "$(dirname "$0")/.."
spec=${1:-etc/tenks/examples/all-in-one.yaml}
venv=${TENKS_VENV:-/opt/tenks-venv}

tools/install-deps.sh
if [ ! -x "$venv/bin/pip" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet -c upper-constraints.txt .
# bash completion: bash-completion looks in /usr/local/share, not in the venv
mkdir -p /usr/local/share/bash-completion/completions
ln -sfn "$venv/share/bash-completion/completions/tenks" /usr/local/share/bash-completion/completions/tenks

"$venv/bin/tenks" host setup --spec "$spec"
"$venv/bin/tenks" deploy --spec "$spec"
"$venv/bin/tenks" node list
echo "tenks is installed in $venv; tear the cluster down with:"
echo "  sudo $venv/bin/tenks teardown"
