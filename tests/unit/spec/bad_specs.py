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

"""Malformed specs, each with the key path and message it must produce.

Shared by the unit tests of validation and the functional test that
feeds them to the real CLI and checks that nothing on the host changes.
"""

_BASE = '''
node_types:
  t0:
    memory_mb: 256
    vcpus: 1
    volumes:
      - capacity: 1GiB
    physical_networks: [physnet1]
specs:
  - type: t0
    count: 2
physnet_mappings:
  physnet1: null
'''


def _with(old, new):
    assert old in _BASE, old
    return _BASE.replace(old, new)


# (id, spec text, expected path in the message, expected message fragment)
BAD_SPECS = [
    ('yaml-syntax', 'node_types: [unclosed\n', 'line', 'YAML syntax error'),
    ('yaml-tab', 'node_types:\n\tt0: {}\n', 'line', 'YAML syntax error'),
    ('not-mapping', '- a\n- b\n', '', 'must be a mapping'),
    ('scalar', 'just text\n', '', 'must be a mapping'),
    ('duplicate-key', _BASE + 'specs: []\n', 'duplicate key', 'specs'),
    ('unknown-top-key', _BASE + 'nodes_types: {}\n', 'nodes_types',
     'unknown key'),
    ('unknown-type-key', _with('vcpus: 1\n', 'vcpus: 1\n    cpus: 2\n'),
     'node_types.t0.cpus', 'unknown key'),
    ('unknown-spec-key', _with('count: 2\n', 'count: 2\n    cont: 1\n'),
     'specs[0].cont', 'unknown key'),
    ('unknown-node-type', _with('- type: t0', '- type: tpye0'),
     'specs[0].type', "unknown node type 'tpye0'"),
    ('count-string', _with('count: 2', 'count: two'), 'specs[0].count',
     'expected an integer'),
    ('count-negative', _with('count: 2', 'count: -3'), 'specs[0].count',
     'at least 0'),
    ('count-huge', _with('count: 2', 'count: 1000000000'), 'specs[0].count',
     'at most 100000'),
    ('count-float', _with('count: 2', 'count: 2.5'), 'specs[0].count',
     'expected an integer'),
    ('count-bool', _with('count: 2', 'count: true'), 'specs[0].count',
     'expected an integer'),
    ('count-missing', _with('    count: 2\n', ''), 'specs[0]',
     "missing required key 'count'"),
    ('memory-negative', _with('memory_mb: 256', 'memory_mb: -1'),
     'node_types.t0.memory_mb', 'below the minimum'),
    ('memory-tiny', _with('memory_mb: 256', 'memory_mb: 1'),
     'node_types.t0.memory_mb', 'below the minimum'),
    ('memory-nonsense', _with('memory_mb: 256', 'memory_mb: lots'),
     'node_types.t0.memory_mb', 'is not a size'),
    ('memory-huge', _with('memory_mb: 256', 'memory_mb: 100PiB'),
     'node_types.t0.memory_mb', 'above the maximum'),
    ('vcpus-zero', _with('vcpus: 1', 'vcpus: 0'), 'node_types.t0.vcpus',
     'at least 1'),
    ('vcpus-huge', _with('vcpus: 1', 'vcpus: 100000'),
     'node_types.t0.vcpus', 'at most 1024'),
    ('capacity-negative', _with('capacity: 1GiB', 'capacity: -1GiB'),
     'node_types.t0.volumes[0].capacity', 'is not a size'),
    ('capacity-unit', _with('capacity: 1GiB', 'capacity: 1 parsec'),
     'node_types.t0.volumes[0].capacity', 'unknown size unit'),
    ('capacity-zero', _with('capacity: 1GiB', 'capacity: 0'),
     'node_types.t0.volumes[0].capacity', 'below the minimum'),
    ('capacity-huge', _with('capacity: 1GiB', 'capacity: 1000TiB'),
     'node_types.t0.volumes[0].capacity', 'above the maximum'),
    ('volume-empty', _with('- capacity: 1GiB', '- {}'),
     'node_types.t0.volumes[0]', 'needs a capacity'),
    ('volume-format', _with('capacity: 1GiB', 'capacity: 1GiB\n'
                            '        format: vmdk'),
     'node_types.t0.volumes[0].format', 'must be one of'),
    ('image-traversal', _with('- capacity: 1GiB',
                              '- image: ../../etc/shadow'),
     'node_types.t0.volumes[0].image', "must not contain '..'"),
    ('image-scheme', _with('- capacity: 1GiB', '- image: ftp://x/y.img'),
     'node_types.t0.volumes[0].image', 'unsupported image URL scheme'),
    ('existing-traversal', _with('- capacity: 1GiB',
                                 '- existing: ../etc/passwd'),
     'node_types.t0.volumes[0].existing', 'is not a volume name'),
    ('existing-shared', _with('- capacity: 1GiB', '- existing: disk1'),
     'specs[0].count', 'cannot share'),
    ('existing-with-capacity', _with('- capacity: 1GiB',
                                     '- existing: "{node}-d"\n'
                                     '        capacity: 1GiB'),
     'node_types.t0.volumes[0].capacity', 'takes no capacity'),
    ('unknown-physnet', _with('physical_networks: [physnet1]',
                              'physical_networks: [physnet9]'),
     'node_types.t0.physical_networks[0]', "'physnet9' is not mapped"),
    ('duplicate-physnet', _with('physical_networks: [physnet1]',
                                'physical_networks: [physnet1, physnet1]'),
     'node_types.t0.physical_networks[1]', 'duplicate physical network'),
    ('duplicate-physnet-vlan', _with(
        'physical_networks: [physnet1]',
        'physical_networks: [physnet1, {name: physnet1, vlan: 5}]'),
     'node_types.t0.physical_networks[1]', 'duplicate physical network'),
    ('nic-vlan-and-trunk', _with(
        'physical_networks: [physnet1]',
        'physical_networks: [{name: physnet1, vlan: 5, trunk: [6]}]'),
     'node_types.t0.physical_networks[0]', 'not both'),
    ('nic-vlan-zero', _with('physical_networks: [physnet1]',
                            'physical_networks: [{name: physnet1, vlan: 0}]'),
     'node_types.t0.physical_networks[0].vlan', 'at least 1'),
    ('nic-vlan-4095', _with(
        'physical_networks: [physnet1]',
        'physical_networks: [{name: physnet1, vlan: 4095}]'),
     'node_types.t0.physical_networks[0].vlan', 'at most 4094'),
    ('nic-trunk-empty', _with(
        'physical_networks: [physnet1]',
        'physical_networks: [{name: physnet1, trunk: []}]'),
     'node_types.t0.physical_networks[0].trunk', 'too short'),
    ('nic-trunk-string', _with(
        'physical_networks: [physnet1]',
        'physical_networks: [{name: physnet1, trunk: [a]}]'),
     'node_types.t0.physical_networks[0].trunk[0]', 'expected an integer'),
    ('nic-unknown-key', _with(
        'physical_networks: [physnet1]',
        'physical_networks: [{name: physnet1, vlans: 5}]'),
     'node_types.t0.physical_networks[0].vlans', "did you mean 'vlan'"),
    ('nic-no-name', _with('physical_networks: [physnet1]',
                          'physical_networks: [{vlan: 5}]'),
     'node_types.t0.physical_networks[0]', "missing required key 'name'"),
    ('nic-unmapped', _with(
        'physical_networks: [physnet1]',
        'physical_networks: [{name: physnet9, vlan: 5}]'),
     'node_types.t0.physical_networks[0]', "'physnet9' is not mapped"),
    ('bond-one-nic', _with(
        'physical_networks: [physnet1]',
        'physical_networks: [{name: physnet1, nics: 1, '
        'bond: {mode: active-backup}}]'),
     'node_types.t0.physical_networks[0].nics', 'a bond groups 2 or more'),
    ('bond-mode', _with(
        'physical_networks: [physnet1]',
        'physical_networks: [{name: physnet1, bond: {mode: lacp}}]'),
     'node_types.t0.physical_networks[0].bond.mode', '802.3ad'),
    ('bond-no-mode', _with(
        'physical_networks: [physnet1]',
        'physical_networks: [{name: physnet1, bond: {}}]'),
     'node_types.t0.physical_networks[0].bond', "missing required key "
                                                "'mode'"),
    ('bond-property-list', _with(
        'physical_networks: [physnet1]',
        'physical_networks: [{name: physnet1, bond: {mode: 802.3ad, '
        'properties: {miimon: [100]}}}]'),
     'node_types.t0.physical_networks[0].bond.properties.miimon',
     'expected'),
    ('nics-too-many', _with(
        'physical_networks: [physnet1]',
        'physical_networks: [{name: physnet1, nics: 5}]'),
     'node_types.t0.physical_networks[0].nics', 'at most 4'),
    ('device-twice', _with('  physnet1: null\n', '  physnet1: eth1\n'
                           '  physnet2: eth1\n'),
     'physnet_mappings.physnet2', "device 'eth1' is already mapped"),
    ('ifname-long', _with('physnet1: null', 'physnet1: averyveryverylongname'),
     'physnet_mappings.physnet1', 'is not an interface'),
    ('ifname-shell', _with('physnet1: null', 'physnet1: "eth0;reboot"'),
     'physnet_mappings.physnet1', 'is not an interface'),
    ('physnet-unicode', _with('physnet1: null',
                              '"phys\u00e9net": null'),
     'physnet_mappings', 'invalid name'),
    ('type-name-shell', _with('  t0:\n', '  "t0$(rm -rf /)":\n'),
     'node_types', 'invalid name'),
    ('type-name-long', _with('  t0:\n', '  ' + 'x' * 100 + ':\n'),
     'node_types', 'invalid name'),
    ('prefix-shell', _with('count: 2', 'count: 2\n    node_name_prefix: '
                           '"tk;ls"'),
     'specs[0].node_name_prefix', 'is not a node name prefix'),
    ('prefix-unicode', _with('count: 2', 'count: 2\n    node_name_prefix: '
                             '"n\u00f6de"'),
     'specs[0].node_name_prefix', 'is not a node name prefix'),
    ('prefix-long', _with('count: 2', 'count: 2\n    node_name_prefix: ' +
                          'a' * 40),
     'specs[0].node_name_prefix', 'is not a node name prefix'),
    ('prefix-collision', _with('    count: 2\n', '''    count: 2
    node_name_prefix: node
  - type: t0
    count: 1
    node_name_prefix: node1
'''), 'specs[1].node_name_prefix', 'collide'),
    ('vol-prefix-slash', _with('count: 2', 'count: 2\n    vol_name_prefix: '
                               '"a/b"'),
     'specs[0].vol_name_prefix', 'not allowed'),
    ('ipmi-range-reversed', _BASE + 'ipmi_port_range_start: 7000\n'
     'ipmi_port_range_end: 6000\n', 'ipmi_port_range_end',
     'below its start'),
    ('ipmi-range-small', _BASE + 'ipmi_port_range_start: 7000\n'
     'ipmi_port_range_end: 7000\n', 'ipmi_port_range_end',
     'hold 1 ports but 2 nodes'),
    ('ipmi-port-zero', _BASE + 'ipmi_port_range_start: 0\n',
     'ipmi_port_range_start', 'at least 1'),
    ('ipmi-ranges-overlap', _with('physnet_mappings:\n  physnet1: null\n',
                                  '''hypervisors:
  hv1:
    physnet_mappings: {physnet1: null}
    bridge_prefix: bra
    ipmi_port_range_start: 6230
    ipmi_port_range_end: 6240
  hv2:
    physnet_mappings: {physnet1: null}
    bridge_prefix: brb
    ipmi_port_range_start: 6235
    ipmi_port_range_end: 6250
'''), 'hypervisors.hv2.ipmi_port_range_start', 'overlaps'),
    ('driver-unknown', _with('vcpus: 1\n', 'vcpus: 1\n'
                             '    ironic_driver: idrac-wsman\n'),
     'node_types.t0.ironic_driver', 'has no BMC emulator'),
    ('driver-shell', _with('vcpus: 1\n', 'vcpus: 1\n'
                           '    ironic_driver: "ipmi && true"\n'),
     'node_types.t0.ironic_driver', 'not allowed'),
    ('boot-mode', _with('vcpus: 1\n', 'vcpus: 1\n    boot_mode: efi\n'),
     'node_types.t0.boot_mode', 'must be one of'),
    ('secure-bios', _with('vcpus: 1\n', 'vcpus: 1\n    boot_mode: bios\n'
                          '    secure_boot: true\n'),
     'node_types.t0.secure_boot', 'needs UEFI'),
    ('tpm-crb-12', _with('vcpus: 1\n', 'vcpus: 1\n    tpm: {version: "1.2",'
                         ' model: crb}\n'),
     'node_types.t0.tpm.model', 'a CRB TPM is a TPM 2.0'),
    ('tpm-version', _with('vcpus: 1\n', 'vcpus: 1\n    tpm: {version: 3}\n'),
     'node_types.t0.tpm.version', 'must be one of'),
    ('tpm-key', _with('vcpus: 1\n', 'vcpus: 1\n    tpm: {type: swtpm}\n'),
     'node_types.t0.tpm.type', 'unknown key'),
    ('cpu-custom', _with('vcpus: 1\n', 'vcpus: 1\n    cpu_mode: custom\n'),
     'node_types.t0.cpu_mode', 'needs a cpu_model'),
    ('resource-class-missing', _with('count: 2', 'count: 2\n'
                                     '    ironic_config: {traits: []}'),
     'specs[0].ironic_config', "missing required key 'resource_class'"),
    ('trait-lower', _with('count: 2', 'count: 2\n    ironic_config: '
                          '{resource_class: rc, traits: [gold]}'),
     'specs[0].ironic_config.traits[0]', 'is not a trait'),
    ('caps-boot-mode', _with('count: 2', 'count: 2\n    ironic_config: '
                             '{resource_class: rc, properties: '
                             '{capabilities: "boot_mode:efi"}}'),
     'specs[0].ironic_config.properties.capabilities',
     'boot_mode must be uefi or bios'),
    ('flavor-type', _BASE + 'nova_flavors:\n  - resource_class: rc\n'
     '    node_type: nope\n', 'nova_flavors[0].node_type',
     "unknown node type 'nope'"),
    ('flavor-dup', _BASE + 'nova_flavors:\n  - {resource_class: rc, '
     'node_type: t0}\n  - {resource_class: rc, node_type: t0}\n',
     'nova_flavors[1].name', 'duplicate flavor name'),
    ('flavor-traits', _BASE + 'nova_flavors:\n  - {resource_class: rc, '
     'node_type: t0, required_traits: [CUSTOM_A], forbidden_traits: '
     '[CUSTOM_A]}\n', 'nova_flavors[0].forbidden_traits',
     'both required and forbidden'),
    ('hypervisor-uri', _with('physnet_mappings:\n  physnet1: null\n',
                             'hypervisors:\n  hv1:\n    libvirt_uri: '
                             '"not a uri"\n    physnet_mappings: '
                             '{physnet1: null}\n'),
     'hypervisors.hv1.libvirt_uri', 'is not a libvirt URI'),
    ('hypervisor-bridges', _with('physnet_mappings:\n  physnet1: null\n',
                                 'hypervisors:\n  hv1:\n    '
                                 'physnet_mappings: {physnet1: null}\n'
                                 '  hv2:\n    physnet_mappings: '
                                 '{physnet1: null}\n'),
     'hypervisors.hv2.bridge_prefix', 'shares its host and bridge prefix'),
    ('pool-path-relative', _with('physnet_mappings:\n  physnet1: null\n',
                                 'hypervisors:\n  hv1:\n    pool_path: '
                                 'pools/x\n    physnet_mappings: '
                                 '{physnet1: null}\n'),
     'hypervisors.hv1.pool_path', 'must be an absolute path'),
    ('key-not-string', _with('  t0:\n', '  1:\n'), 'node_types', 'key 1'),
    ('boot-network-without-nic',
     _with('count: 2\n', 'count: 2\n    ironic_config: {resource_class: '
           'rc, boot_interface: ipxe}\n').replace(
               '    physical_networks: [physnet1]\n', ''),
     'specs[0].ironic_config.boot_interface',
     'boots the node over the network, but node type t0 has no NIC'),
    ('boot-vmedia-through-ipmi',
     _with('count: 2\n', 'count: 2\n    ironic_config: {resource_class: '
           'rc, boot_interface: redfish-virtual-media}\n'),
     'specs[0].ironic_config.boot_interface',
     'an IPMI BMC lacks: use ironic_driver redfish'),
    ('ssh-local', _with('physnet_mappings:\n  physnet1: null\n',
                        'hypervisors:\n  hv1:\n    ssh: {user: root}\n'
                        '    physnet_mappings: {physnet1: null}\n'),
     'hypervisors.hv1.ssh', 'applies to a remote hypervisor only'),
    ('ssh-option-reserved', _with(
        'physnet_mappings:\n  physnet1: null\n',
        'hypervisors:\n  hv1:\n    host: hv1.example.com\n'
        '    ssh: {options: {ControlPath: /tmp/x}}\n'
        '    physnet_mappings: {physnet1: null}\n'),
     'hypervisors.hv1.ssh.options.ControlPath', 'cannot be set here'),
    ('ssh-key-missing', _with(
        'physnet_mappings:\n  physnet1: null\n',
        'hypervisors:\n  hv1:\n    host: hv1.example.com\n'
        '    ssh: {identity_file: no-such-key}\n'
        '    physnet_mappings: {physnet1: null}\n'),
     'hypervisors.hv1.ssh.identity_file', 'no such file'),
    ('ssh-two-users', _with(
        'physnet_mappings:\n  physnet1: null\n',
        'hypervisors:\n  hv1:\n    host: stack@hv1.example.com\n'
        '    libvirt_uri: "qemu+ssh://root@hv1.example.com/system"\n'
        '    physnet_mappings: {physnet1: null}\n'),
     'hypervisors.hv1.libvirt_uri', 'logs in as root but host logs in as '
     'stack'),
    ('bmc-password-long', _with('vcpus: 1\n', 'vcpus: 1\n    bmc: '
                                '{password: ' + 'p' * 30 + '}\n'),
     'node_types.t0.bmc.password', 'must be 1-20'),
]

# Settings files that must be refused with a clear error, each with the
# option named in the message.
BAD_CONFIGS = [
    ('port-range', '[vbmc]\nport_range_start = 7000\n'
     'port_range_end = 6000\n', 'port_range_end'),
    ('port-nonsense', '[vbmc]\nport_range_start = lots\n',
     'port_range_start'),
    ('boot-mode', '[DEFAULT]\ndefault_boot_mode = efi\n',
     'default_boot_mode'),
    ('bridge-type', '[DEFAULT]\nbridge_type = macvlan\n', 'bridge_type'),
    ('domain-type', '[libvirt]\ndomain_type = xen\n', 'domain_type'),
    ('workers', '[DEFAULT]\nmax_workers = 0\n', 'max_workers'),
    ('cluster-name', '[DEFAULT]\ncluster_name = "a b;c"\n', 'cluster_name'),
    ('cpu-custom', '[libvirt]\ncpu_mode = custom\n', 'cpu_mode'),
    ('tls-half', '[redfish]\ntls_cert = /x.pem\n', 'tls_cert'),
    ('ssh-timeout', '[ssh]\nconnect_timeout = 0\n', 'connect_timeout'),
    ('syntax', '[DEFAULT\nstate_file = x\n', 'Invalid section'),
]
