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

"""A private in-process libvirt for provider unit tests.

libvirt's own test driver (``test:///<file>``) keeps domains, pools and
volumes in memory, with no daemon; each URI naming a node file opens a
fresh, private instance. It offers no domain capabilities, volume upload
or resize, which the functional tests cover on a real libvirtd.
"""

import os

from tenks.hosts import context
from tenks.hosts import local
from tenks.providers.libvirt import driver

NODE_XML = '''<node>
  <cpu>
    <mhz>2000</mhz>
    <model>i686</model>
    <nodes>1</nodes>
    <sockets>1</sockets>
    <cores>4</cores>
    <threads>1</threads>
    <active>4</active>
  </cpu>
  <memory>4194304</memory>
</node>
'''


BARE_DOMAIN = '''<domain type='test'>
  <name>%s</name>
  <uuid>%s</uuid>
  <memory unit='MiB'>64</memory>
  <os><type>hvm</type></os>
</domain>'''


def define_bare(conn, name, uuid):
    """Define a domain without any tenks metadata on ``conn``."""
    return conn.defineXML(BARE_DOMAIN % (name, uuid))


def test_uri(directory):
    path = os.path.join(directory, 'libvirt-test-node.xml')
    with open(path, 'w') as f:
        f.write(NODE_XML)
    return 'test://' + path


def provider(testcase, cluster='blue', pool='tenks-pool'):
    """A LibvirtProvider on a fresh test hypervisor; closed at cleanup.

    :returns: ``(provider, connection)``, the connection being the one the
        provider uses (for the test to look and meddle).
    """
    uri = test_uri(testcase.tmp)
    conf = testcase.make_conf('''\
        [DEFAULT]
        cluster_name = %s
        [libvirt]
        pool_name = %s
        ''' % (cluster, pool))
    hv = context.HypervisorContext(name='hv0', libvirt_uri=uri,
                                   agent=local.LocalAgent())
    prov = driver.LibvirtProvider(conf, hv)
    testcase.addCleanup(prov.close)
    return prov, prov.connection.get()
