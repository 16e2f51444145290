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

"""Run a Zuul job's playbook with the real ``ansible-playbook``.

Against this machine (``-c local``), as Zuul would against a job's node,
with the variables Zuul gives (``zuul.project.src_dir``,
``ansible_user_dir``, ``ansible_user``, the job's ``vars``) passed as extra
variables. Zuul's nodes have sudo; here become is ``su`` (root to root,
no password).
"""

import json
import os
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable),
                                'ansible-playbook')


def job_vars(name):
    """The ``vars`` of job ``name`` in zuul.d/jobs.yaml."""
    with open(os.path.join(REPO, 'zuul.d', 'jobs.yaml')) as f:
        for stanza in yaml.safe_load(f):
            job = stanza.get('job', {})
            if job.get('name') == name:
                return dict(job.get('vars') or {})
    raise KeyError(name)


def zuul_home(root):
    """A Zuul-like home: ``<root>/src/opendev.org/openstack/tenks``.

    It links to this checkout, as Zuul's ``src_dir`` holds the project.

    :returns: ``(ansible_user_dir, zuul vars)``.
    """
    src_dir = 'src/opendev.org/openstack/tenks'
    os.makedirs(os.path.join(root, os.path.dirname(src_dir)))
    os.symlink(REPO, os.path.join(root, src_dir))
    return root, {'project': {'src_dir': src_dir,
                              'name': 'openstack/tenks',
                              'short_name': 'tenks'}}


class Run(object):
    """One ``ansible-playbook`` run: exit code, output, task results."""

    def __init__(self, result, records):
        self.returncode = result.returncode
        self.output = result.stdout + result.stderr
        self.records = records

    def task(self, name):
        """The results of the task called ``name`` (one per host)."""
        return [r for r in self.records if r['task'] == name]

    def statuses(self):
        """``[(task name, status)]`` in the order the tasks ran."""
        return [(r['task'], r['status']) for r in self.records]


def run(playbook, root, extra_vars, groups=('all',), env=None):
    """Run ``playbook`` (relative to the checkout) against localhost.

    :param root: a private directory for the inventory, the variables
        file, the record and Ansible's temporary files.
    :param groups: the inventory groups localhost is in (a job's nodeset
        names them, e.g. ``controller``).
    """
    inventory = os.path.join(root, 'inventory')
    with open(inventory, 'w') as f:
        for group in groups:
            f.write('[%s]\nlocalhost ansible_connection=local\n' % group)
    variables = {
        'ansible_become_method': 'su',
        'ansible_python_interpreter': sys.executable,
    }
    variables.update(extra_vars)
    vars_file = os.path.join(root, 'extra-vars.json')
    with open(vars_file, 'w') as f:
        json.dump(variables, f)
    record = os.path.join(root, 'ansible-record.jsonl')
    if os.path.exists(record):
        os.remove(record)
    full_env = dict(os.environ)
    full_env.update({
        'ANSIBLE_CONFIG': os.path.join(root, 'no-ansible.cfg'),
        'ANSIBLE_CALLBACK_PLUGINS': os.path.join(HERE, 'callback_plugins'),
        'ANSIBLE_CALLBACKS_ENABLED': 'tenks_record',
        'ANSIBLE_LOCAL_TEMP': os.path.join(root, 'ansible-local'),
        'ANSIBLE_REMOTE_TEMP': os.path.join(root, 'ansible-remote'),
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_RETRY_FILES_ENABLED': 'false',
        'TENKS_ANSIBLE_RECORD': record,
    })
    full_env.update(env or {})
    result = subprocess.run(
        [ANSIBLE_PLAYBOOK, '-i', inventory, '-c', 'local',
         '-e', '@' + vars_file, os.path.join(REPO, playbook)],
        capture_output=True, text=True, env=full_env, cwd=root,
        timeout=3600)
    records = []
    if os.path.exists(record):
        with open(record) as f:
            records = [json.loads(line) for line in f]
    return Run(result, records)
