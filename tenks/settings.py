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

"""An immutable snapshot of the settings the planner needs.

The planner is pure: it must not read oslo.config (or anything else)
itself. :meth:`Settings.from_conf` takes the values once; a spec may then
override some of them (Tenks override files set e.g. ``ipmi_address``),
giving the effective settings of a run.
"""

import dataclasses
import types

from tenks.conf import default


@dataclasses.dataclass(frozen=True)
class Settings(object):
    cluster_name: str = 'tenks'
    provider: str = 'libvirt'
    node_name_prefix: str = 'tk'
    vol_name_prefix: str = 'vol'
    default_boot_mode: str = 'uefi'
    default_ironic_driver: str = 'ipmi'
    bmc_emulators: types.MappingProxyType = dataclasses.field(
        default_factory=lambda: types.MappingProxyType(
            default.BMC_EMULATORS))
    bridge_type: str = 'openvswitch'
    bridge_prefix: str = 'brtenks'
    veth_prefix: str = 'p-'
    ovs_datapath_type: str = 'system'
    mtu: int = None
    log_dir: str = '/var/log/tenks'
    run_dir: str = '/var/lib/tenks/run'
    libvirt_uri: str = 'qemu:///system'
    domain_type: str = 'auto'
    pool_name: str = 'tenks'
    pool_path: str = '/var/lib/libvirt/tenks_pool'
    pool_type: str = 'dir'
    cpu_mode: str = 'maximum'
    cpu_model: str = None
    arch: str = 'x86_64'
    machine_type: str = 'q35'
    nic_model: str = 'virtio'
    disk_bus: str = 'virtio'
    trust_guest_rx_filters: bool = False
    ipmi_address: str = '127.0.0.1'
    ipmi_port_range_start: int = 6230
    ipmi_port_range_end: int = 6329
    ipmi_username: str = 'admin'
    ipmi_password: str = 'password'
    redfish_address: str = '127.0.0.1'
    redfish_port: int = 8000
    redfish_username: str = 'admin'
    redfish_password: str = 'password'
    redfish_tls_cert: str = None
    redfish_tls_key: str = None
    vbmc_manage_daemon: bool = True
    vbmc_server_port: int = 50891
    vbmc_mode: str = 'embedded'
    deploy_kernel: str = None
    deploy_ramdisk: str = None
    wait_for_placement: bool = True
    ram_allocation_ratio: float = 1.0
    cpu_allocation_ratio: float = 16.0
    disk_allocation_ratio: float = 1.0

    @classmethod
    def from_conf(cls, conf):
        """Take a snapshot of ``conf`` (an oslo.config ConfigOpts)."""
        return cls(
            cluster_name=conf.cluster_name,
            provider=conf.provider,
            node_name_prefix=conf.node_name_prefix,
            vol_name_prefix=conf.vol_name_prefix,
            default_boot_mode=conf.default_boot_mode,
            default_ironic_driver=conf.default_ironic_driver,
            bmc_emulators=types.MappingProxyType(dict(conf.bmc_emulators)),
            bridge_type=conf.bridge_type,
            bridge_prefix=conf.network.bridge_prefix,
            veth_prefix=conf.network.veth_prefix,
            ovs_datapath_type=conf.network.ovs_datapath_type,
            mtu=conf.network.mtu,
            log_dir=conf.log_dir,
            run_dir=conf.run_dir,
            libvirt_uri=conf.libvirt.uri,
            domain_type=conf.libvirt.domain_type,
            pool_name=conf.libvirt.pool_name,
            pool_path=conf.libvirt.pool_path,
            pool_type=conf.libvirt.pool_type,
            cpu_mode=conf.libvirt.cpu_mode,
            cpu_model=conf.libvirt.cpu_model,
            arch=conf.libvirt.arch,
            machine_type=conf.libvirt.machine_type,
            nic_model=conf.libvirt.nic_model,
            disk_bus=conf.libvirt.disk_bus,
            trust_guest_rx_filters=conf.libvirt.trust_guest_rx_filters,
            ipmi_address=conf.vbmc.address,
            ipmi_port_range_start=conf.vbmc.port_range_start,
            ipmi_port_range_end=conf.vbmc.port_range_end,
            ipmi_username=conf.vbmc.username,
            ipmi_password=conf.vbmc.password,
            redfish_address=conf.redfish.address,
            redfish_port=conf.redfish.port,
            redfish_username=conf.redfish.username,
            redfish_password=conf.redfish.password,
            redfish_tls_cert=conf.redfish.tls_cert,
            redfish_tls_key=conf.redfish.tls_key,
            vbmc_manage_daemon=conf.vbmc.manage_daemon,
            vbmc_server_port=conf.vbmc.server_port,
            vbmc_mode=conf.vbmc.mode,
            deploy_kernel=conf.ironic.deploy_kernel,
            deploy_ramdisk=conf.ironic.deploy_ramdisk,
            wait_for_placement=conf.nova.wait_for_placement,
            ram_allocation_ratio=conf.filter_scheduler.ram_allocation_ratio,
            cpu_allocation_ratio=conf.filter_scheduler.cpu_allocation_ratio,
            disk_allocation_ratio=(
                conf.filter_scheduler.disk_allocation_ratio),
        )

    def replace(self, **changes):
        if 'bmc_emulators' in changes:
            changes['bmc_emulators'] = types.MappingProxyType(
                dict(changes['bmc_emulators']))
        return dataclasses.replace(self, **changes)
