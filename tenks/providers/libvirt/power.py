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

"""Power states of many domains in one request to libvirt.

``virConnectGetAllDomainStats`` with the state group answers for every
domain of the hypervisor at once (one RPC over a remote URI), where
``dom.state()`` per domain would be one round trip each. A driver that
does not offer it (old libvirt) is asked with ``listAllDomains`` and
``state()`` instead.
"""

from tenks.providers import base
from tenks.providers.libvirt import connection as conn_mod

#: libvirt's virDomainState values, by name, and what tenks calls them. A
#: domain being shut down still runs.
_WORDS = {'VIR_DOMAIN_NOSTATE': base.UNKNOWN,
          'VIR_DOMAIN_RUNNING': base.ON,
          'VIR_DOMAIN_BLOCKED': base.ON,
          'VIR_DOMAIN_PAUSED': 'paused',
          'VIR_DOMAIN_SHUTDOWN': base.ON,
          'VIR_DOMAIN_SHUTOFF': base.OFF,
          'VIR_DOMAIN_CRASHED': 'crashed',
          'VIR_DOMAIN_PMSUSPENDED': 'suspended'}


def word(state):
    """tenks' word for libvirt domain state number ``state``."""
    import libvirt
    for name, said in _WORDS.items():
        if getattr(libvirt, name, None) == state:
            return said
    return base.UNKNOWN


def _states(conn):
    """``{domain name: (UUID, state number)}`` of every domain."""
    import libvirt
    try:
        stats = conn.getAllDomainStats(libvirt.VIR_DOMAIN_STATS_STATE, 0)
    except libvirt.libvirtError as exc:
        if not conn_mod.is_error(exc, 'VIR_ERR_NO_SUPPORT'):
            raise
        return {dom.name(): (dom.UUIDString(), dom.state()[0])
                for dom in conn.listAllDomains(0)}
    return {dom.name(): (dom.UUIDString(), values.get('state.state'))
            for dom, values in stats}


def power_states(conn, records):
    """``{record.name: power word}`` of domain records ``records``.

    A domain that is not there is ``missing``; one of the node's name but
    another UUID is ``foreign``.
    """
    found = _states(conn)
    out = {}
    for record in records:
        props = record.props
        seen = found.get(props.get('name') or record.name)
        if seen is None:
            out[record.name] = 'missing'
        elif props.get('uuid') and seen[0] != props['uuid']:
            out[record.name] = 'foreign'
        else:
            out[record.name] = word(seen[1])
    return out
