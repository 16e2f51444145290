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

"""What would keep Ironic from booting a node, found before anything is
made.

A node that Ironic boots over the network needs a NIC; one it boots from
virtual media needs a BMC that has virtual media. tenks can know these
from the spec and the BMC emulators' options, so they are spec errors
(at ``specs[i].ironic_config.boot_interface``), not deploys that fail
later in Ironic. The emulator says what it cannot serve
(:meth:`tenks.bmc.base.BMCEmulator.boot_problem`).
"""

#: Ironic boot interfaces that boot a node over its NICs.
NETWORK_BOOT = ('pxe', 'ipxe', 'http', 'http-ipxe')


def check(entries, node_types, hypervisors, emulators, problems):
    """Add a problem per spec entry its nodes could not boot as asked.

    :param emulators: the BMC emulator classes by name.
    """
    for entry in entries:
        node_type = node_types.get(entry.type)
        ironic = entry.ironic_config
        if node_type is None or ironic is None:
            continue
        boot = (ironic.interfaces or {}).get('boot_interface')
        if not boot:
            continue
        path = ('specs', entry.index, 'ironic_config', 'boot_interface')
        if boot in NETWORK_BOOT and not node_type.physical_networks:
            problems.add(path, 'boot_interface %s boots the node over the '
                         'network, but node type %s has no NIC: give it '
                         'physical_networks' % (boot, entry.type))
        cls = emulators.get(node_type.bmc_emulator)
        for hv in hypervisors if cls is not None else ():
            problem = cls.boot_problem(
                boot, hv.bmc_sites.get(node_type.bmc_emulator) or {})
            if problem:
                problems.add(path, 'node type %s (Ironic driver %s, BMC '
                             'emulator %s): %s' % (
                                 entry.type, node_type.ironic_driver,
                                 node_type.bmc_emulator, problem))
                break
