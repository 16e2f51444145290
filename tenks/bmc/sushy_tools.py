"""Redfish BMCs from sushy-tools.

One Redfish emulator per hypervisor (it serves one libvirt URI), exposing
only that hypervisor's Redfish nodes, at ``/redfish/v1/Systems/<uuid>``.
"""

from tenks.bmc import base
from tenks.hosts import context as hv_context


def _scheme(props):
    return 'https' if props.get('tls') else 'http'


class SushyTools(base.BMCEmulator):
    """Redfish through sushy-tools' emulator (``sushy-emulator``)."""

    service_scope = 'hypervisor'

    @classmethod
    def service_props(cls, hypervisor, nodes, settings):
        run_dir = settings.run_dir.rstrip('/')
        return {
            'hypervisor': hypervisor.name,
            'address': hypervisor.redfish_address,
            'port': hypervisor.redfish_port,
            'libvirt_uri': hv_context.uri_on_host(hypervisor.libvirt_uri,
                                                  hypervisor.host),
            'username': settings.redfish_username,
            'password': settings.redfish_password,
            'tls_cert': settings.redfish_tls_cert,
            'tls_key': settings.redfish_tls_key,
            'instances': sorted(n['uuid'] for n in nodes),
            'users': [list(u) for u in sorted(
                {(n['bmc']['username'], n['bmc']['password'])
                 for n in nodes})],
            'run_dir': '%s/sushy-%s' % (run_dir, hypervisor.name),
            'log_file': '%s/sushy-%s.log' % (settings.log_dir.rstrip('/'),
                                             hypervisor.name),
        }

    @classmethod
    def bmc_props(cls, node, hypervisor, settings):
        bmc = node['bmc']
        return {
            'domain': node['name'],
            'uuid': node['uuid'],
            'address': bmc['address'],
            'port': bmc['port'],
            'username': bmc['username'],
            'password': bmc['password'],
            'system_id': '/redfish/v1/Systems/%s' % node['uuid'],
            'tls': bool(settings.redfish_tls_cert),
        }

    @classmethod
    def driver_info(cls, props):
        info = {
            'redfish_address': '%s://%s:%s' % (_scheme(props),
                                               props['address'],
                                               props['port']),
            'redfish_system_id': props['system_id'],
            'redfish_username': props['username'],
            'redfish_password': props['password'],
        }
        if props.get('tls'):
            info['redfish_verify_ca'] = False
        return info

    @classmethod
    def endpoint(cls, props):
        return '%s://%s:%s%s' % (_scheme(props), props['address'],
                                 props['port'], props['system_id'])
