#!/bin/bash
#
# Stand-ins for the DevStack functions the tenks plugin calls, for running
# devstack/plugin.sh outside DevStack. Each one records its call in
# $DEVSTACK_CALLS (one line per call, arguments separated by tabs) and does
# what DevStack's does where the test needs the effect: iniset writes the
# ini file, sudo runs the command (the tests run as root), die exits.
#
# Environment: DEVSTACK_CALLS (the call log), TENKS_TEST_BIN (what
# get_python_exec_prefix answers: where the tenks command is), PYTHON.

function _devstack_record {
    local IFS=$'\t'
    echo "$*" >> "$DEVSTACK_CALLS"
}

function echo_summary {
    _devstack_record echo_summary "$@"
}

function warn {
    _devstack_record warn "$@"
}

function die {
    local line=$1
    shift
    _devstack_record die "$*"
    echo "[ERROR] line $line: $*" >&2
    exit 1
}

function trueorfalse {
    local default=$1
    local value=${!2:-}
    case "$value" in
        1 | [yY]es | YES | [tT]rue | TRUE) echo True ;;
        0 | [nN]o | NO | [fF]alse | FALSE) echo False ;;
        *) echo "$default" ;;
    esac
}

function is_service_enabled {
    local service
    for service in "$@"; do
        if [[ ",$ENABLED_SERVICES," == *",$service,"* ]]; then
            return 0
        fi
    done
    return 1
}

function enable_service {
    local service
    for service in "$@"; do
        if [[ ",$DISABLED_SERVICES," == *",$service,"* ]]; then
            continue
        fi
        if ! is_service_enabled "$service"; then
            ENABLED_SERVICES+=",$service"
        fi
    done
}

function define_plugin {
    :
}

function plugin_requires {
    :
}

function setup_develop {
    _devstack_record setup_develop "$@"
}

function pip_install {
    _devstack_record pip_install "$@"
}

function install_package {
    _devstack_record install_package "$@"
}

function get_python_exec_prefix {
    echo "$TENKS_TEST_BIN"
}

function sudo {
    _devstack_record sudo "$@"
    "$@"
}

# iniset [-sudo] config-file section option value
function iniset {
    if [[ "$1" == "-sudo" ]]; then
        shift
    fi
    _devstack_record iniset "$@"
    "$PYTHON" - "$@" <<'PYTHON_END'
import configparser
import os
import sys

path, section, option, value = sys.argv[1:]
parser = configparser.RawConfigParser()
parser.optionxform = str
if os.path.exists(path):
    parser.read(path)
if section != 'DEFAULT' and not parser.has_section(section):
    parser.add_section(section)
parser.set(section, option, value)
with open(path, 'w') as f:
    parser.write(f)
PYTHON_END
}
