"""IPMI BMCs from VirtualBMC.

One vbmcd per BMC site (host and address) serves every IPMI node of the
hypervisors there; each node is a vbmc entry bound to its own UDP port.
"""

from tenks.bmc import base
from tenks.hosts import context as hv_context


class VirtualBMC(base.BMCEmulator):
    """IPMI through VirtualBMC (``vbmc``/``vbmcd``)."""

    service_scope = 'site'

    @classmethod
    def service_props(cls, hypervisor, nodes, settings):
        return {
            'managed': settings.vbmc_manage_daemon,
            'server_port': settings.vbmc_server_port,
            'run_dir': '%s/vbmc' % settings.run_dir.rstrip('/'),
            'log_file': '%s/vbmcd.log' % settings.log_dir.rstrip('/'),
        }

    @classmethod
    def bmc_props(cls, node, hypervisor, settings):
        bmc = node['bmc']
        return {
            'domain': node['name'],
            'uuid': node['uuid'],
            'libvirt_uri': hv_context.uri_on_host(hypervisor.libvirt_uri,
                                                  hypervisor.host),
            'address': bmc['address'],
            'port': bmc['port'],
            'username': bmc['username'],
            'password': bmc['password'],
        }

    @classmethod
    def driver_info(cls, props):
        return {
            'ipmi_address': props['address'],
            'ipmi_port': props['port'],
            'ipmi_username': props['username'],
            'ipmi_password': props['password'],
        }

    @classmethod
    def endpoint(cls, props):
        return 'ipmi://%s:%s' % (props['address'], props['port'])
