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

"""Build a cluster spec from DevStack-style settings.

The tenks DevStack plugin (``devstack/lib/tenks``) runs this module with
its ``TENKS_*`` settings as arguments::

    python -m tenks.devstack_spec --output spec.yaml --count 2 \\
        --memory-mb 3072 --vcpus 1 --disk-gib 10 --driver ipmi \\
        --boot-mode uefi --physnet mynetwork:brbm \\
        --resource-class baremetal --trait CUSTOM_GOLD

and deploys the spec it writes: ``count`` nodes of one node type, the way
Ironic's DevStack plugin makes its own VMs. The spec is not checked here:
``tenks deploy`` validates it and reports every problem at once, before it
touches anything.
"""

import argparse
import sys

import yaml

from tenks import fileio

HEADER = ('# Written by the tenks DevStack plugin (python -m '
          'tenks.devstack_spec).\n# Set TENKS_SPEC_FILE to deploy a spec '
          'of your own instead.\n')


def physnet_arg(value):
    """``NAME`` or ``NAME:DEVICE`` -> ``(name, device or None)``."""
    name, sep, device = value.partition(':')
    if not name or (sep and not device):
        raise argparse.ArgumentTypeError(
            '%r is not NAME or NAME:DEVICE (a physical network, optionally '
            'with the interface or bridge it is plugged into)' % value)
    return name, device or None


def build_spec(args):
    """The spec (a dict) that ``args`` describe."""
    node_type = {
        'memory_mb': args.memory_mb,
        'vcpus': args.vcpus,
        'ironic_driver': args.driver,
        'boot_mode': args.boot_mode,
        'arch': args.arch,
        'console_log_enabled': args.console_log,
        'physical_networks': [name for name, _dev in args.physnet],
    }
    if args.disk_gib:
        node_type['volumes'] = [{'capacity': '%dGiB' % args.disk_gib}
                                for _ in range(args.volumes)]
    entry = {'type': args.node_type, 'count': args.count}
    if args.node_name_prefix:
        entry['node_name_prefix'] = args.node_name_prefix
    if args.resource_class:
        entry['ironic_config'] = {'resource_class': args.resource_class,
                                  'traits': list(args.trait)}
    spec = {'node_types': {args.node_type: node_type}, 'specs': [entry]}
    if args.physnet:
        spec['physnet_mappings'] = {name: device
                                    for name, device in args.physnet}
    for key in ('deploy_kernel', 'deploy_ramdisk'):
        if getattr(args, key):
            spec[key] = getattr(args, key)
    if args.flavor:
        spec['nova_flavors'] = [{'name': args.flavor,
                                 'resource_class': args.resource_class,
                                 'node_type': args.node_type,
                                 'required_traits': list(args.trait)}]
    return spec


def parser():
    p = argparse.ArgumentParser(
        prog='python -m tenks.devstack_spec',
        description='Write a tenks cluster spec from DevStack settings.')
    p.add_argument('--output', required=True, metavar='FILE',
                   help='Where to write the spec (YAML).')
    p.add_argument('--count', type=int, required=True,
                   help='Number of nodes (TENKS_NODE_COUNT).')
    p.add_argument('--memory-mb', type=int, required=True,
                   help='RAM of each node in MiB (TENKS_NODE_RAM).')
    p.add_argument('--vcpus', type=int, required=True,
                   help='vCPUs of each node (TENKS_NODE_CPU).')
    p.add_argument('--disk-gib', type=int, default=0,
                   help='Size of each node disk in GiB, 0 for none '
                        '(TENKS_NODE_DISK).')
    p.add_argument('--volumes', type=int, default=1,
                   help='Number of disks of each node '
                        '(TENKS_NODE_VOLUME_COUNT).')
    p.add_argument('--driver', required=True,
                   help='Ironic driver; it picks the BMC emulator '
                        '(TENKS_IRONIC_DRIVER).')
    p.add_argument('--boot-mode', required=True,
                   help='uefi or bios (TENKS_BOOT_MODE).')
    p.add_argument('--arch', default='x86_64',
                   help='CPU architecture (TENKS_NODE_ARCH).')
    p.add_argument('--physnet', type=physnet_arg, action='append',
                   default=[], metavar='NAME[:DEVICE]',
                   help='A physical network each node has a NIC on, and '
                        'the interface or bridge it is plugged into; '
                        'repeat for more (TENKS_PHYSNET_MAPPINGS).')
    p.add_argument('--node-type', default='devstack',
                   help='Name of the node type.')
    p.add_argument('--node-name-prefix',
                   help='Nodes are named <prefix><index> '
                        '(TENKS_NODE_PREFIX).')
    p.add_argument('--resource-class',
                   help='Enrol the nodes in Ironic with this resource '
                        'class; without it they are not enrolled '
                        '(TENKS_RESOURCE_CLASS).')
    p.add_argument('--trait', action='append', default=[],
                   help='A trait of the enrolled nodes; repeat for more '
                        '(TENKS_TRAITS).')
    p.add_argument('--deploy-kernel',
                   help='Deploy kernel of enrolled nodes (Glance image or '
                        'URL).')
    p.add_argument('--deploy-ramdisk',
                   help='Deploy ramdisk of enrolled nodes (Glance image or '
                        'URL).')
    p.add_argument('--flavor',
                   help='Also create a Nova flavor of this name for the '
                        'nodes (needs --resource-class) (TENKS_FLAVOR).')
    p.add_argument('--console-log', action='store_true',
                   help='Log each node\'s serial console to a file.')
    return p


def main(argv=None):
    p = parser()
    args = p.parse_args(argv)
    if args.flavor and not args.resource_class:
        p.error('--flavor needs --resource-class: a flavor matches nodes '
                'by their resource class')
    spec = build_spec(args)
    fileio.write_atomic(args.output, HEADER + yaml.safe_dump(
        spec, default_flow_style=False, sort_keys=False), mode=0o644)
    return 0


if __name__ == '__main__':
    sys.exit(main())
