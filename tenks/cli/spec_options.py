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

"""``--spec`` and ``--inventory``: where a command's cluster spec comes
from, for every command that reads one."""

SPEC_HELP = ('Cluster spec (YAML); a Tenks (Ansible) override file is '
             'one.')
INVENTORY_HELP = ('Ansible inventory of a Tenks (Ansible) set-up (a file '
                  'or directory, with its host_vars and group_vars): the '
                  'hosts of its hypervisors group are the hypervisors, '
                  'read with ansible-inventory (ansible-core). The spec '
                  'must not list hypervisors then.')


def add_arguments(parser, spec_required=True, inventory_required=False,
                  spec_help=SPEC_HELP, inventory_help=INVENTORY_HELP):
    """Add ``--spec FILE`` and ``--inventory FILE`` to ``parser``."""
    parser.add_argument('--spec', required=spec_required, metavar='FILE',
                        help=spec_help)
    parser.add_argument('--inventory', required=inventory_required,
                        metavar='FILE', help=inventory_help)


def sources(parsed_args):
    """What the workflow loads.

    The spec's path, or with an inventory a
    :class:`tenks.spec.load.Sources`; None when neither is given.
    """
    if getattr(parsed_args, 'inventory', None) is None:
        return parsed_args.spec
    from tenks.spec import load
    return load.Sources(parsed_args.spec, parsed_args.inventory)
