#!/bin/bash
#
# plugin.sh - DevStack plugin for tenks: virtual bare-metal nodes for
# Ironic, made by tenks instead of Ironic's own VM scripts.
#
# The plugin contract: https://docs.openstack.org/devstack/latest/plugins.html
# Each phase calls one function of lib/tenks; the work is done by the tenks
# CLI.

source "$TENKS_DIR/devstack/lib/tenks"

if is_service_enabled tenks; then
    if [[ "$1" == "stack" ]]; then
        if [[ "$2" == "pre-install" ]]; then
            tenks_check_settings
        elif [[ "$2" == "install" ]]; then
            echo_summary "Installing tenks"
            install_tenks
        elif [[ "$2" == "post-config" ]]; then
            echo_summary "Configuring tenks"
            configure_tenks
        elif [[ "$2" == "extra" ]]; then
            # Ironic's plugin starts Ironic in this phase; plugins run in
            # the order they are enabled, ironic first (checked above).
            echo_summary "Creating virtual bare-metal nodes with tenks"
            deploy_tenks
        fi
    fi

    if [[ "$1" == "unstack" ]]; then
        echo_summary "Removing the tenks nodes"
        teardown_tenks
    fi

    if [[ "$1" == "clean" ]]; then
        cleanup_tenks
    fi
fi
