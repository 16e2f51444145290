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

"""Who may delete a vbmc entry, through the host-side functions."""

import os

from tenks.bmc.virtualbmc import entries
from tenks.bmc.virtualbmc import host
from tenks import exception
from tenks.hosts import files
from tests.unit import base


class VbmcOwnershipTest(base.TestCase):
    """Who may delete a vbmc entry (no daemon runs in these tests)."""

    def setUp(self):
        super().setUp()
        self.run_dir = os.path.join(self.tmp, 'vbmc')
        self.service = {'run_dir': self.run_dir, 'server_port': 1,
                        'log_file': os.path.join(self.tmp, 'vbmcd.log'),
                        'mode': 'embedded', 'managed': True}
        files.makedirs(self.run_dir)

    def entry(self, domain, owner=None, config=True):
        entry_dir = os.path.join(self.run_dir, 'conf', domain)
        files.makedirs(entry_dir)
        if owner:
            files.write_private(os.path.join(entry_dir, entries.OWNER_FILE),
                                owner + '\n')
        if config:
            files.write_private(os.path.join(entry_dir, 'config'),
                                entries.entry_text(domain, '::', 6230, 'u',
                                                   'p', 'qemu:///system'))
        return entry_dir

    def test_unmarked_entry_is_refused_unless_adopting(self):
        entry_dir = self.entry('tk0')
        error = self.assertRaises(exception.ResourceConflict,
                                  host.delete_bmc, self.service, 'c1', 'tk0')
        self.assertIn('carries no tenks mark, so tenks cannot tell',
                      str(error))
        self.assertTrue(os.path.exists(os.path.join(entry_dir, 'config')))
        # A run killed between making (or removing) it and its mark left
        # it; the journal says so, and the next run adopts it.
        out = host.delete_bmc(self.service, 'c1', 'tk0', adopt=True)
        self.assertEqual({'deleted': True, 'kept': None, 'stopped': False},
                         out)
        self.assertFalse(os.path.exists(self.run_dir))

    def test_mark_left_by_a_cut_short_delete_is_enough(self):
        self.entry('tk0', owner='c1', config=False)
        out = host.delete_bmc(self.service, 'c1', 'tk0')
        self.assertTrue(out['deleted'])
        self.assertFalse(os.path.exists(self.run_dir))

    def test_another_clusters_entry_is_never_touched(self):
        entry_dir = self.entry('tk0', owner='c2')
        for adopt in (False, True):
            error = self.assertRaises(exception.ResourceConflict,
                                      host.delete_bmc, self.service, 'c1',
                                      'tk0', adopt=adopt)
            self.assertIn('belongs to tenks cluster c2', str(error))
        self.assertTrue(os.path.exists(os.path.join(entry_dir, 'config')))

    def test_stop_service_refuses_to_leave_this_clusters_entries(self):
        self.entry('tk0', owner='c2')
        self.assertEqual(
            {'stopped': False,
             'kept': 'BMC entries remain: tk0 (cluster c2)'},
            host.stop_service(self.service, 'c1'))
        self.entry('tk1')
        error = self.assertRaises(exception.ResourceConflict,
                                  host.stop_service, self.service, 'c1')
        self.assertIn('tk0 (cluster c2), tk1 (no tenks mark)', str(error))
        self.assertTrue(os.path.isdir(self.run_dir))
