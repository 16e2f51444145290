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

"""JSON schema of the cluster spec (structure and types only).

Cross-key rules (unknown node types, port ranges, name lengths, ...) live in
:mod:`tenks.spec.build`. Keys follow the Tenks (Ansible) override file so an
existing one validates unchanged; keys that set a plugin's options are
declared by the plugin and merged in by :func:`spec_schema`.
"""

NAME = r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$'
PREFIX = r'^[A-Za-z][A-Za-z0-9_-]{0,30}$'
VOL_PREFIX = r'^[A-Za-z0-9_-]{1,16}$'
PHYSNET = r'^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$'
IFNAME = r'^(?!\.\.?$)[A-Za-z0-9_.:-]{1,15}$'
TRAIT = r'^[A-Z][A-Z0-9_]{0,254}$'
RESOURCE_CLASS = r'^[A-Za-z0-9_.-]{1,80}$'
VOLUME_NAME = r'^(?!\.\.?$)[A-Za-z0-9_.+{}-]{1,128}$'
DRIVER = r'^[a-z][a-z0-9_-]{0,63}$'
INTERFACE = r'^[a-z][a-z0-9_-]{0,63}$'
CPU_MODEL = r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'
SAFE_TEXT = r'^[^\x00-\x1f\x7f]*$'
HOSTNAME = r'^[A-Za-z0-9_.:@\[\]-]{1,255}$'

#: Schema fragments for the spec keys plugins declare.
ADDRESS = {'type': 'string', 'pattern': HOSTNAME}
PORT = {'type': 'integer', 'minimum': 1, 'maximum': 65535}
BMC_USERNAME = {'type': 'string', 'pattern': r'^[^\x00-\x1f\x7f:]{1,16}$',
                'x-error': 'must be 1-16 printable characters without a '
                           'colon'}
BMC_PASSWORD = {'type': 'string', 'pattern': r'^[^\x00-\x1f\x7f]{1,20}$',
                'x-error': 'must be 1-20 printable characters'}
SAFE_STRING = {'type': 'string', 'pattern': SAFE_TEXT, 'maxLength': 4096}
BOOLEAN = {'type': 'boolean'}

_SIZE = {'type': ['integer', 'string'], 'x-kind': 'size'}
_BOOL = BOOLEAN
_STR = SAFE_STRING
_RATIO = {'type': 'number', 'minimum': 0, 'maximum': 1000}

IRONIC_INTERFACES = ('bios', 'boot', 'console', 'deploy', 'firmware',
                     'inspect', 'management', 'network', 'power', 'raid',
                     'rescue', 'storage', 'vendor')

VOLUME = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'capacity': _SIZE,
        'format': {'enum': ['qcow2', 'raw']},
        'image': {'type': 'string', 'pattern': SAFE_TEXT, 'minLength': 1,
                  'maxLength': 4096},
        'existing': {'type': 'string', 'pattern': VOLUME_NAME,
                     'x-error': 'is not a volume name (letters, digits, '
                                '_ . + - and {node}; no slashes)'},
        'pool': {'type': 'string', 'pattern': NAME},
        'bus': {'enum': ['virtio', 'sata', 'scsi']},
        'serial': {'type': 'string', 'pattern': r'^[A-Za-z0-9_.+-]{1,20}$',
                   'x-error': 'is not a disk serial number (1 to 20 '
                              'letters, digits, _ . + -)'},
        'wwn': {'type': 'string', 'pattern': r'^(0x)?[0-9a-fA-F]{16}$',
                'x-error': 'is not a WWN (16 hexadecimal digits)'},
        'root_device': _BOOL,
    },
}

BMC = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {'username': BMC_USERNAME, 'password': BMC_PASSWORD},
}

VLAN_ID = {'type': 'integer', 'minimum': 1, 'maximum': 4094}

#: NICs of a node on one physical network.
MAX_NICS = 4

#: Linux bonding modes, as an Ironic portgroup's ``mode`` takes them.
BOND_MODES = ('balance-rr', 'active-backup', 'balance-xor', 'broadcast',
              '802.3ad', 'balance-tlb', 'balance-alb')

# The NICs of a node on one physical network grouped as a bond: an Ironic
# portgroup with this mode and these (bonding driver) properties.
BOND = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['mode'],
    'properties': {
        'mode': {'enum': list(BOND_MODES)},
        'properties': {
            'type': 'object',
            'propertyNames': {'pattern': r'^[a-z][a-z0-9_]{0,63}$'},
            'additionalProperties': {'type': ['string', 'integer',
                                              'boolean']}},
    },
}

# A node NIC: the name of its physical network, or a mapping that also
# puts its switch port on a VLAN (access) or a list of VLANs (trunk).
NIC = {
    'type': ['string', 'object'], 'pattern': PHYSNET,
    'x-error': 'is not a physical network name',
    'additionalProperties': False, 'required': ['name'],
    'properties': {
        'name': {'type': 'string', 'pattern': PHYSNET,
                 'x-error': 'is not a physical network name'},
        'vlan': VLAN_ID,
        'trunk': {'type': 'array', 'items': VLAN_ID, 'minItems': 1,
                  'maxItems': 4094, 'uniqueItems': True},
        'nics': {'type': 'integer', 'minimum': 1, 'maximum': MAX_NICS},
        'bond': BOND,
    },
}

NODE_TYPE = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['memory_mb', 'vcpus'],
    'properties': {
        'memory_mb': {'type': ['integer', 'string'], 'x-kind': 'memory'},
        'vcpus': {'type': 'integer', 'minimum': 1, 'maximum': 1024},
        'volumes': {'type': 'array', 'items': VOLUME, 'maxItems': 26},
        'physical_networks': {'type': 'array', 'maxItems': 10,
                              'items': NIC},
        'ironic_driver': {'type': 'string', 'pattern': DRIVER},
        'console_log_enabled': _BOOL,
        'cpu_mode': {'enum': ['host-passthrough', 'host-model', 'maximum',
                              'custom']},
        'cpu_model': {'type': 'string', 'pattern': CPU_MODEL},
        'arch': {'enum': ['x86_64', 'aarch64', 'ppc64le', 's390x']},
        'machine': {'type': 'string',
                    'pattern': r'^[a-z0-9][a-z0-9_.-]{0,63}$'},
        'boot_mode': {'enum': ['uefi', 'bios']},
        'secure_boot': _BOOL,
        'disk_bus': {'enum': ['virtio', 'sata', 'scsi']},
        'tpm': {'type': ['boolean', 'object'], 'additionalProperties': False,
                'properties': {'version': {'enum': ['2.0', '1.2']},
                               'model': {'enum': ['crb', 'tis']}}},
        'nic_model': {'enum': ['virtio', 'e1000', 'e1000e', 'rtl8139']},
        'bmc': BMC,
    },
}

IRONIC_CONFIG = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['resource_class'],
    'properties': dict(
        {
            'resource_class': {'type': 'string', 'pattern': RESOURCE_CLASS,
                               'x-error': 'is not a resource class (up to '
                                          '80 letters, digits, _ . -)'},
            'traits': {'type': 'array', 'maxItems': 50,
                       'items': {'type': 'string', 'pattern': TRAIT,
                                 'x-error': 'is not a trait (upper case '
                                            'letters, digits and _)'}},
            'properties': {'type': 'object'},
            'conductor_group': {'type': 'string',
                                'pattern': r'^[A-Za-z0-9_.-]{0,255}$'},
            'shard': {'type': 'string',
                      'pattern': r'^[^\x00-\x1f\x7f,]{1,255}$'},
            'owner': _STR,
            'lessee': _STR,
            'description': _STR,
            'extra': {'type': 'object'},
        },
        **{'%s_interface' % i: {'type': 'string', 'pattern': INTERFACE}
           for i in IRONIC_INTERFACES}),
}

SPEC_ENTRY = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['type', 'count'],
    'properties': {
        'type': {'type': 'string'},
        'count': {'type': 'integer', 'minimum': 0, 'maximum': 100000},
        'node_name_prefix': {'type': 'string', 'pattern': PREFIX,
                             'x-error': 'is not a node name prefix (a '
                                        'letter, then letters, digits, '
                                        '_ or -)'},
        'vol_name_prefix': {'type': 'string', 'pattern': VOL_PREFIX},
        'ironic_config': IRONIC_CONFIG,
    },
}

FLAVOR = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['resource_class', 'node_type'],
    'properties': {
        'name': {'type': 'string', 'pattern': r'^[^\x00-\x1f\x7f/]{1,255}$'},
        'resource_class': {'type': 'string', 'pattern': RESOURCE_CLASS},
        'node_type': {'type': 'string'},
        'required_traits': {'type': 'array',
                            'items': {'type': 'string', 'pattern': TRAIT}},
        'forbidden_traits': {'type': 'array',
                             'items': {'type': 'string', 'pattern': TRAIT}},
        'custom_specs': {
            'type': 'object',
            'propertyNames': {'pattern': r'^[A-Za-z0-9_:. -]{1,255}$'},
            'additionalProperties': {'type': ['string', 'integer',
                                              'number', 'boolean']}},
        'is_public': _BOOL,
    },
}

#: A file on the tenks host: written into an OpenSSH configuration, so
#: without double quotes, ``${`` or control characters.
SSH_PATH = {'type': 'string', 'minLength': 1, 'maxLength': 4096,
            'pattern': r'^(?!.*\$\{)[^\x00-\x1f\x7f"]*$',
            'x-error': 'is not a file path OpenSSH can read (no double '
                       'quotes, ${ or control characters)'}

SSH = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'user': {'type': 'string', 'pattern': r'^[A-Za-z0-9_][A-Za-z0-9_.-]'
                                              r'{0,63}$',
                 'x-error': 'is not a user name (letters, digits, _ . -)'},
        'port': PORT,
        'identity_file': SSH_PATH,
        'known_hosts_file': SSH_PATH,
        'connect_timeout': {'type': 'integer', 'minimum': 1,
                            'maximum': 3600},
        # Names and values are checked with what OpenSSH allows.
        'options': {'type': 'object', 'additionalProperties': {
            'type': ['string', 'integer', 'boolean']}},
        'agent_command': {'type': 'string', 'minLength': 1,
                          'maxLength': 4096,
                          'pattern': r'^[^\x00-\x1f\x7f]*$',
                          'x-error': 'must not hold control characters'},
    },
}

PHYSNET_MAPPINGS = {
    'type': 'object',
    'propertyNames': {'pattern': PHYSNET},
    'additionalProperties': {
        'type': ['string', 'null'], 'pattern': IFNAME,
        'x-error': 'is not an interface or bridge name (1-15 letters, '
                   'digits, _ . : -); use null for an isolated network'},
}

HYPERVISOR = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'libvirt_uri': {'type': 'string',
                        'pattern': r'^[a-z][a-z0-9+]*:///?[^\s\x00]*$',
                        'x-error': 'is not a libvirt URI'},
        'host': {'type': 'string', 'pattern': HOSTNAME,
                 'x-error': 'is not an SSH destination ([user@]host)'},
        'provider': {'type': 'string', 'pattern': DRIVER},
        'physnet_mappings': PHYSNET_MAPPINGS,
        'bridge_prefix': {'type': 'string',
                          'pattern': r'^[A-Za-z][A-Za-z0-9_-]{0,9}$'},
        'pool_name': {'type': 'string', 'pattern': NAME},
        'pool_path': {'type': 'string', 'pattern': r'^/[^\x00-\x1f\x7f]*$',
                      'x-error': 'must be an absolute path'},
        'capacity': {
            'type': 'object',
            'additionalProperties': False,
            'properties': {
                'memory_mb': {'type': ['integer', 'string'],
                              'x-kind': 'memory'},
                'vcpus': {'type': 'integer', 'minimum': 1},
                'disk': _SIZE,
            },
        },
        'ram_allocation_ratio': _RATIO,
        'cpu_allocation_ratio': _RATIO,
        'disk_allocation_ratio': _RATIO,
        'ssh': SSH,
    },
}

SPEC = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'node_types': {
            'type': 'object',
            'propertyNames': {'pattern': NAME},
            'additionalProperties': NODE_TYPE,
        },
        'specs': {'type': 'array', 'items': SPEC_ENTRY},
        'nova_flavors': {'type': 'array', 'items': FLAVOR},
        'hypervisors': {
            'type': 'object',
            'propertyNames': {'pattern': NAME},
            'additionalProperties': HYPERVISOR,
        },
        'physnet_mappings': PHYSNET_MAPPINGS,
        'default_boot_mode': {'enum': ['uefi', 'bios']},
        'default_ironic_driver': {'type': 'string', 'pattern': DRIVER},
        'bridge_prefix': {'type': 'string',
                          'pattern': r'^[A-Za-z][A-Za-z0-9_-]{0,9}$'},
        'node_name_prefix': {'type': 'string', 'pattern': PREFIX},
        'vol_name_prefix': {'type': 'string', 'pattern': VOL_PREFIX},
        'bmc_emulators': {
            'type': 'object',
            'propertyNames': {'pattern': DRIVER},
            'additionalProperties': {'type': 'string', 'pattern': DRIVER},
        },
    },
}

#: Namespaces whose plugins may declare spec keys.
KEYED_NAMESPACES = ('tenks.providers', 'tenks.bmc', 'tenks.enrolment')


def plugin_classes(catalog):
    """Every installed plugin class that may declare spec keys."""
    out = []
    for namespace in KEYED_NAMESPACES:
        out.extend(cls for _name, cls in sorted(catalog.all(
            namespace).items()))
    return out


def spec_schema(catalog):
    """The spec schema, with the keys the installed plugins declare.

    A plugin declares top-level keys (``spec_options``) and hypervisor
    keys (``hypervisor_options``), each with its ``key_schema``; the
    valid ``bridge_type`` values are the installed network plugins.
    """
    top = dict(SPEC['properties'])
    hypervisor = dict(HYPERVISOR['properties'])
    for cls in plugin_classes(catalog):
        key_schema = getattr(cls, 'key_schema', {})
        for key in getattr(cls, 'spec_options', {}):
            top[key] = key_schema[key]
        for key in getattr(cls, 'hypervisor_options', {}):
            hypervisor[key] = key_schema[key]
    top['bridge_type'] = {'enum': catalog.names('tenks.networks')}
    top['hypervisors'] = dict(top['hypervisors'], additionalProperties=dict(
        HYPERVISOR, properties=hypervisor))
    return dict(SPEC, properties=top)


# Variables of a Tenks (Ansible) override file that only steer Ansible or
# the host set-up roles. They are accepted, so the file validates unchanged,
# and ignored with a warning.
TENKS_IGNORED_KEYS = frozenset([
    'cmd', 'state_file_path', 'sushy_emulator_conf_path', 'log_directory',
    'virtualenv_path', 'python_upper_constraints_url', 'system_requirements',
    'veth_prefix', 'veth_bridge_peer_suffix',
    'veth_node_peer_suffix', 'veth_bridge_source_suffix',
    'veth_node_source_suffix', 'libvirt_require_vt',
    'libvirt_custom_socket_path', 'libvirt_custom_pid_path',
    'libvirt_local_uri', 'libvirt_vm_trust_guest_rx_filters',
    'libvirt_pool_type', 'libvirt_pool_mode', 'libvirt_pool_owner',
    'libvirt_pool_group', 'libvirt_vm_emulator',
    'libvirt_vm_default_console_log_dir',
    'libvirt_host_install_daemon', 'libvirt_host_configure_apparmor',
    'libvirt_host_libvirt_packages', 'libvirt_host_enable_efi_support',
    'physnet_indices', 'ansible_python_interpreter',
])
