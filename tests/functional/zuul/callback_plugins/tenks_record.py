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

"""An Ansible callback: one JSON line per task result, for the tests.

Enabled by the tests with ``ANSIBLE_CALLBACK_PLUGINS`` (this directory),
``ANSIBLE_CALLBACKS_ENABLED=tenks_record`` and ``TENKS_ANSIBLE_RECORD``
(the file to append to). Each line: task name, host, status (ok, failed,
skipped, unreachable), changed, and the result's cmd, rc, stdout, stderr
and msg.
"""

import json
import os

from ansible.plugins.callback import CallbackBase

KEYS = ('cmd', 'rc', 'stdout', 'stderr', 'msg', 'changed')


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'tenks_record'
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, result, status):
        line = {'task': result._task.get_name(),
                'host': result._host.get_name(), 'status': status}
        for key in KEYS:
            if key in result._result:
                line[key] = result._result[key]
        if 'results' in result._result:      # a loop
            line['items'] = [{k: r.get(k) for k in KEYS if k in r}
                             for r in result._result['results']]
        with open(os.environ['TENKS_ANSIBLE_RECORD'], 'a') as f:
            f.write(json.dumps(line, default=str) + '\n')

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')
