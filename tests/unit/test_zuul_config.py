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

"""The Zuul configuration (zuul.d/) against Zuul's own schema, and the files
its jobs reference.

Zuul pins many libraries, so it lives in its own virtualenv
(``tools/install-zuul.sh``, ``TENKS_TEST_ZUUL_VENV``); its
``zuul.configloader`` schemas (the ones Zuul applies when it loads a
project's configuration) check each stanza in a subprocess there.
"""

import glob
import json
import os
import subprocess

import yaml

from tests.unit import base

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
ZUUL_VENV = os.environ.get('TENKS_TEST_ZUUL_VENV',
                           '/opt/tenks-test/zuul-venv')

# Runs in Zuul's virtualenv: reads a JSON list of stanzas on stdin, prints
# for each the error Zuul's schema gives (or null).
VALIDATOR = '''
import json
import sys

from zuul import configloader

SCHEMAS = {
    'job': configloader.JobParser.schema,
    'project': configloader.ProjectParser.getSchema(None),
}
out = []
for stanza in json.load(sys.stdin):
    (kind, body), = stanza.items()
    schema = SCHEMAS.get(kind)
    if schema is None:
        out.append('no schema for %s stanzas here' % kind)
        continue
    try:
        schema(body)
    except Exception as exc:
        out.append(str(exc))
    else:
        out.append(None)
print(json.dumps(out))
'''

PLAYBOOK_KEYS = ('pre-run', 'run', 'post-run', 'cleanup-run')

# Jobs and project templates defined outside this repository, and where
# (checked against those repositories' zuul.d when this list was written).
EXTERNAL_TEMPLATES = {
    'openstack-python3-jobs': 'openstack/openstack-zuul-jobs',
    'publish-openstack-docs-pti': 'openstack/openstack-zuul-jobs',
    'release-notes-jobs-python3': 'openstack/openstack-zuul-jobs',
}
EXTERNAL_JOBS = {
    'ironic-base': 'openstack/ironic',
}


def load_stanzas():
    stanzas = []
    for path in sorted(glob.glob(os.path.join(REPO, 'zuul.d', '*.yaml'))):
        with open(path) as f:
            for stanza in yaml.safe_load(f) or ():
                stanzas.append((os.path.relpath(path, REPO), stanza))
    return stanzas


def zuul_errors(stanzas):
    """Zuul's schema errors for ``stanzas`` (a list of dicts)."""
    python = os.path.join(ZUUL_VENV, 'bin', 'python')
    if not os.access(python, os.X_OK):
        raise AssertionError(
            'no Zuul virtualenv at %s: run tools/install-zuul.sh (or set '
            'TENKS_TEST_ZUUL_VENV)' % ZUUL_VENV)
    result = subprocess.run([python, '-c', VALIDATOR],
                            input=json.dumps(stanzas), capture_output=True,
                            text=True, timeout=300)
    if result.returncode != 0:
        raise AssertionError('the Zuul schema check failed to run:\n%s'
                             % result.stderr)
    return json.loads(result.stdout)


def playbooks(job):
    for key in PLAYBOOK_KEYS:
        value = job.get(key) or []
        for item in value if isinstance(value, list) else [value]:
            yield item['name'] if isinstance(item, dict) else item


def roles_used(playbook_path):
    """Names of the roles a playbook uses (play roles, include/import)."""
    with open(playbook_path) as f:
        plays = yaml.safe_load(f) or []
    names = set()

    def tasks(items):
        for task in items or ():
            for key in ('include_role', 'import_role',
                        'ansible.builtin.include_role',
                        'ansible.builtin.import_role'):
                if key in task:
                    names.add(task[key]['name'])
            for key in ('block', 'rescue', 'always'):
                tasks(task.get(key))

    for play in plays:
        for role in play.get('roles') or ():
            names.add(role['role'] if isinstance(role, dict) else role)
        for key in ('pre_tasks', 'tasks', 'post_tasks', 'handlers'):
            tasks(play.get(key))
    return names


class ZuulConfigTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.stanzas = load_stanzas()
        self.jobs = {s['job']['name']: s['job'] for _p, s in self.stanzas
                     if 'job' in s}

    def test_every_stanza_passes_zuuls_schema(self):
        self.assertTrue(self.stanzas)
        errors = zuul_errors([s for _p, s in self.stanzas])
        failed = ['%s: %s %s: %s' % (path, list(stanza)[0],
                                     list(stanza.values())[0].get('name'),
                                     err)
                  for (path, stanza), err in zip(self.stanzas, errors)
                  if err]
        self.assertEqual([], failed)

    def test_the_schema_check_catches_mistakes(self):
        errors = zuul_errors([
            {'job': {'name': 'x', 'parnt': 'base'}},
            {'job': {'name': 'x', 'timeout': 'long'}},
            {'project': {'check': {'jobz': ['x']}}},
            {'job': {'name': 'x', 'run': 'playbooks/x.yaml'}},
        ])
        self.assertIn("extra keys not allowed @ data['parnt']", errors[0])
        self.assertIn('timeout', errors[1])
        self.assertIn("data['check']['jobz']", errors[2])
        self.assertIsNone(errors[3])

    def test_job_names_are_unique(self):
        names = [s['job']['name'] for _p, s in self.stanzas if 'job' in s]
        self.assertEqual(sorted(set(names)), sorted(names))

    def test_project_runs_the_jobs(self):
        projects = [s['project'] for _p, s in self.stanzas
                    if 'project' in s]
        self.assertEqual(1, len(projects))
        project = projects[0]
        for template in project.get('templates') or ():
            self.assertIn(template, EXTERNAL_TEMPLATES)
        for pipeline in ('check', 'gate'):
            jobs = [j if isinstance(j, str) else list(j)[0]
                    for j in project[pipeline]['jobs']]
            self.assertEqual(['tenks-functional', 'tenks-devstack-ironic'],
                             jobs)
        # pep8, py3 and docs come from the templates
        self.assertIn('openstack-python3-jobs', project['templates'])
        self.assertIn('publish-openstack-docs-pti', project['templates'])

    def test_parents_are_known(self):
        for name, job in self.jobs.items():
            parent = job.get('parent')
            if parent:
                self.assertTrue(parent in self.jobs or
                                parent in EXTERNAL_JOBS,
                                '%s: unknown parent %s' % (name, parent))

    def test_playbooks_and_roles_exist(self):
        seen = set()
        for name, job in self.jobs.items():
            for playbook in playbooks(job):
                path = os.path.join(REPO, playbook)
                self.assertTrue(os.path.isfile(path),
                                '%s: no playbook %s' % (name, playbook))
                for role in roles_used(path):
                    self.assertTrue(
                        os.path.isdir(os.path.join(REPO, 'roles', role)),
                        '%s: %s uses role %s, which is not in roles/'
                        % (name, playbook, role))
                seen.add(playbook)
        # ... and every playbook here is some job's.
        self.assertEqual(
            sorted(os.path.relpath(p, REPO) for p in glob.glob(
                os.path.join(REPO, 'playbooks', '**', '*.yaml'),
                recursive=True)),
            sorted(seen))

    def test_functional_job(self):
        job = self.jobs['tenks-functional']
        self.assertEqual('functional', job['vars']['tox_envlist'])
        with open(os.path.join(REPO, job['run'])) as f:
            run = f.read()
        for command in ('tools/install-deps.sh test',
                        'tools/start-daemons.sh', 'tox -e'):
            self.assertIn(command, run)
        for script in ('tools/install-deps.sh', 'tools/start-daemons.sh'):
            self.assertTrue(os.access(os.path.join(REPO, script), os.X_OK))

    def test_devstack_job(self):
        job = self.jobs['tenks-devstack-ironic']
        localrc = job['vars']['devstack_localrc']
        # Ironic's plugin makes no VMs; tenks makes the nodes.
        self.assertEqual(0, localrc['IRONIC_VM_COUNT'])
        self.assertGreater(localrc['TENKS_NODE_COUNT'], 0)
        url = job['vars']['devstack_plugins']['tenks']
        project = url.split('://', 1)[1]
        self.assertIn(project, job['required-projects'])
        with open(os.path.join(REPO, 'devstack', 'settings')) as f:
            settings = f.read()
        self.assertIn('define_plugin tenks', settings)
        # write-devstack-local-conf orders enable_plugin lines by this
        self.assertIn('plugin_requires tenks ironic', settings)
