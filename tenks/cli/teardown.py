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

"""``tenks teardown``: remove everything tenks created."""

import logging

from cliff import lister

from tenks.cli import base
from tenks.cli import plan_output

LOG = logging.getLogger(__name__)


class Teardown(base.TenksCommand, lister.Lister):
    """Remove every resource tenks created, leaving the host clean.

    Only what the state file records is removed: nothing tenks did not
    create is touched.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--dry-run', action='store_true',
                            help='Show what would be removed; remove '
                                 'nothing.')
        parser.add_argument('--no-refresh', dest='refresh',
                            action='store_false',
                            help='Trust the state file instead of checking '
                                 'what exists first.')
        parser.add_argument('--forget-cloud', action='store_true',
                            help='Do not contact Ironic or Nova: forget '
                                 'the nodes, flavors and Placement waits '
                                 'tenks made there instead of deleting '
                                 'them, and remove only what is on the '
                                 'hypervisors. For a cloud that is going '
                                 'away with its database (DevStack\'s '
                                 'unstack).')
        parser.add_argument('--forget-host', metavar='HOST',
                            action='append', default=[],
                            dest='forget_hosts',
                            help='A remote host that is gone for good: do '
                                 'not contact it, and forget what tenks '
                                 'made on it (domains, volumes, bridges, '
                                 'BMCs) instead of removing it; the rest '
                                 'of the cluster, its Ironic nodes '
                                 'included, is removed as usual. HOST is '
                                 'a hypervisor\'s name or its host (every '
                                 'hypervisor on that host is forgotten). '
                                 'Repeat for more hosts.')
        plan_output.add_long_argument(parser)
        return parser

    def take_action(self, parsed_args):
        from tenks import workflow
        outcome = workflow.teardown(self.app.context,
                                    dry_run=parsed_args.dry_run,
                                    refresh=parsed_args.refresh,
                                    forget_cloud=parsed_args.forget_cloud,
                                    forget_hosts=parsed_args.forget_hosts)
        if not outcome.changed:
            LOG.info('Nothing to tear down.')
        elif outcome.dry_run:
            LOG.info('Plan: %s (dry run, nothing changed).',
                     outcome.plan.summary())
        else:
            LOG.info('Torn down: %d node%s, %s.', outcome.nodes,
                     '' if outcome.nodes == 1 else 's',
                     outcome.plan.summary(done=True))
        return plan_output.output(outcome, parsed_args)
