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

"""``tenks deploy``: create or reconfigure the cluster to match a spec."""

import logging

from cliff import lister

from tenks.cli import base
from tenks.cli import plan_output
from tenks.cli import spec_options

LOG = logging.getLogger(__name__)


class Deploy(base.TenksCommand, lister.Lister):
    """Create or reconfigure the cluster to match a spec.

    Re-running with the same spec changes nothing. With --dry-run, show
    the plan and touch nothing.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        spec_options.add_arguments(parser)
        parser.add_argument('--dry-run', action='store_true',
                            help='Show what would change; change nothing.')
        parser.add_argument('--no-refresh', dest='refresh',
                            action='store_false',
                            help='Trust the state file instead of checking '
                                 'what exists before planning.')
        plan_output.add_long_argument(parser)
        return parser

    def take_action(self, parsed_args):
        from tenks import workflow
        outcome = workflow.deploy(self.app.context,
                                  spec_options.sources(parsed_args),
                                  dry_run=parsed_args.dry_run,
                                  refresh=parsed_args.refresh)
        plan = outcome.plan
        if not outcome.changed:
            LOG.info('No changes: the cluster already matches %s '
                     '(%d node%s).', parsed_args.spec, outcome.nodes,
                     '' if outcome.nodes == 1 else 's')
        elif outcome.dry_run:
            LOG.info('Plan: %s (dry run, nothing changed).', plan.summary())
        else:
            LOG.info('Done: %s.', plan.summary(done=True))
        return plan_output.output(outcome, parsed_args)
