# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Run phases of ``devstack/plugin.sh`` the way DevStack does, without
DevStack.

DevStack sources each plugin's ``devstack/settings`` once, then sources
``devstack/plugin.sh <mode> <phase>`` for each phase, all in the one shell
of ``stack.sh`` (with ``errexit`` on); ``unstack.sh`` and ``clean.sh`` are
new shells that source the settings again. :class:`PluginRunner` does the
same in ``bash``, with DevStack's functions replaced by
``devstack_functions.sh`` and the environment a DevStack run with Ironic
would have.
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
STUBS = os.path.join(HERE, 'devstack_functions.sh')

SCRIPT = '''
set -o errexit
source "$DEVSTACK_STUBS"
source "$TENKS_DIR/devstack/settings"
mode=$1
shift
if [[ $# -eq 0 ]]; then
    source "$TENKS_DIR/devstack/plugin.sh" "$mode"
fi
for phase in "$@"; do
    source "$TENKS_DIR/devstack/plugin.sh" "$mode" "$phase"
    if [[ "$phase" == post-config && -n "$DEVSTACK_POST_CONFIG" ]]; then
        # local.conf's [[post-config|$TENKS_CONF_FILE]] section, merged
        # with iniset right after the phase, as stack.sh does
        while IFS=$'\t' read -r section option value; do
            iniset "$TENKS_CONF_FILE" "$section" "$option" "$value"
        done < "$DEVSTACK_POST_CONFIG"
    fi
done
'''

SHOW = '''
source "$DEVSTACK_STUBS"
source "$TENKS_DIR/devstack/settings"
for name in "$@"; do
    printf '%s=%s\\n' "$name" "${!name}"
done
'''

#: What the stack.sh phases are, in order.
STACK_PHASES = ('pre-install', 'install', 'post-config', 'extra',
                'test-config')

FAKE_TENKS = '''#!/bin/bash
# A stand-in for the tenks command: records its arguments, one JSON list
# per line, and fails when its subcommand is $TENKS_FAKE_FAIL.
"$PYTHON" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@" \\
    >> "$TENKS_FAKE_LOG"
for arg in "$@"; do
    if [[ -n "$TENKS_FAKE_FAIL" && "$arg" == "$TENKS_FAKE_FAIL" ]]; then
        echo "tenks: $arg failed" >&2
        exit 1
    fi
done
'''


class PluginRunner(object):
    """DevStack's view of the tenks plugin, rooted in directory ``root``.

    :param root: a private directory: DevStack's DEST, DATA_DIR, LOGDIR
        and the tenks configuration directory are made below it.
    :param tenks_bin: directory of the ``tenks`` command the plugin runs
        (what DevStack's ``get_python_exec_prefix`` answers); None makes a
        fake ``tenks`` there that records its arguments.
    :param env: settings (local.conf's localrc) added to the defaults.
    """

    def __init__(self, root, tenks_bin=None, env=None):
        self.root = root
        self.dest = os.path.join(root, 'opt', 'stack')
        self.data_dir = os.path.join(self.dest, 'data')
        self.logdir = os.path.join(self.dest, 'logs')
        self.calls_file = os.path.join(root, 'devstack-calls.log')
        self.tenks_log = os.path.join(root, 'tenks-calls.log')
        os.makedirs(self.data_dir, exist_ok=True)
        os.makedirs(self.logdir, exist_ok=True)
        if tenks_bin is None:
            tenks_bin = os.path.join(root, 'bin')
            os.makedirs(tenks_bin, exist_ok=True)
            fake = os.path.join(tenks_bin, 'tenks')
            with open(fake, 'w') as f:
                f.write(FAKE_TENKS)
            os.chmod(fake, 0o755)
        self.env = {
            'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
            'HOME': os.environ.get('HOME', root),
            'PYTHON': sys.executable,
            'DEVSTACK_STUBS': STUBS,
            'DEVSTACK_CALLS': self.calls_file,
            'TENKS_FAKE_LOG': self.tenks_log,
            'TENKS_TEST_BIN': tenks_bin,
            # DevStack
            'DEST': self.dest,
            'DATA_DIR': self.data_dir,
            'LOGDIR': self.logdir,
            'TOP_DIR': os.path.join(self.dest, 'devstack'),
            'HOST_IP': '192.0.2.10',
            'STACK_USER': _user(),
            'DEVSTACK_PLUGINS': ',ironic,tenks',
            'ENABLED_SERVICES': ('key,mysql,g-api,n-api,n-cpu,n-cond,'
                                 'n-sch,placement-api,q-svc,ir-api,'
                                 'ir-cond'),
            # What Ironic's plugin (enabled before tenks) has set
            'IRONIC_BAREMETAL_BASIC_OPS': 'True',
            'IRONIC_IS_HARDWARE': 'False',
            'IRONIC_VM_COUNT': '0',
            'IRONIC_OS_CLOUD': 'devstack-system-admin',
            # The plugin's checkout; /etc/tenks stays untouched
            'TENKS_DIR': REPO,
            'TENKS_CONF_DIR': os.path.join(root, 'etc', 'tenks'),
        }
        self.env.update(env or {})

    @property
    def conf_file(self):
        return os.path.join(self.env['TENKS_CONF_DIR'], 'tenks.conf')

    @property
    def state_dir(self):
        return self.env.get('TENKS_STATE_DIR',
                            os.path.join(self.data_dir, 'tenks'))

    def _bash(self, script, args, env=None, check=True):
        full_env = dict(self.env)
        full_env.update(env or {})
        result = subprocess.run(['bash', '-c', script, 'devstack'] +
                                list(args), env=full_env,
                                capture_output=True, text=True)
        if check and result.returncode != 0:
            raise AssertionError(
                'devstack %s exited %d\nstdout:\n%s\nstderr:\n%s' % (
                    ' '.join(args), result.returncode, result.stdout,
                    result.stderr))
        return result

    def stack(self, *phases, env=None, check=True, post_config=None):
        """One ``stack.sh``: settings, then ``phases`` (default: all).

        :param post_config: local.conf's ``[[post-config|$TENKS_CONF_FILE]]``
            section: ``{section: {option: value}}``, merged into the tenks
            configuration right after the post-config phase.
        """
        env = dict(env or {})
        if post_config:
            path = os.path.join(self.root, 'local-conf-post-config.tsv')
            with open(path, 'w') as f:
                for section, options in post_config.items():
                    for option, value in options.items():
                        f.write('%s\t%s\t%s\n' % (section, option, value))
            env['DEVSTACK_POST_CONFIG'] = path
        return self._bash(SCRIPT, ['stack'] + list(phases or STACK_PHASES),
                          env=env, check=check)

    def unstack(self, env=None, check=True):
        return self._bash(SCRIPT, ['unstack'], env=env, check=check)

    def clean(self, env=None, check=True):
        return self._bash(SCRIPT, ['clean'], env=env, check=check)

    def settings(self, *names, env=None):
        """The values of ``names`` once the plugin's settings are read."""
        out = self._bash(SHOW, names, env=env).stdout
        return dict(line.split('=', 1) for line in out.splitlines())

    def devstack_calls(self):
        """DevStack functions called: a list of tuples."""
        if not os.path.exists(self.calls_file):
            return []
        with open(self.calls_file) as f:
            return [tuple(line.rstrip('\n').split('\t')) for line in f]

    def tenks_calls(self):
        """Arguments of each run of the (fake) tenks command."""
        if not os.path.exists(self.tenks_log):
            return []
        with open(self.tenks_log) as f:
            return [json.loads(line) for line in f]


def _user():
    import pwd
    return pwd.getpwuid(os.getuid()).pw_name
