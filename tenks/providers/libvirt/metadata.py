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

"""The tenks mark on a libvirt domain.

Every domain tenks defines carries, in its ``<metadata>``, an element in
the tenks namespace naming the cluster::

    <tenks:node xmlns:tenks="https://opendev.org/openstack/tenks/metadata/1">
      <tenks:cluster>CLUSTER</tenks:cluster>
    </tenks:node>

A domain without it, or with another cluster's, is not this cluster's to
change or delete.
"""

import xml.etree.ElementTree as ET

NAMESPACE = 'https://opendev.org/openstack/tenks/metadata/1'
PREFIX = 'tenks'
ELEMENT = 'node'


def cluster_of(element_xml):
    """The cluster named in a tenks metadata element, or None.

    :param element_xml: the element as ``virDomainGetMetadata`` returns
        it (namespace stripped) or as found in a domain's XML.
    """
    if not element_xml:
        return None
    try:
        root = ET.fromstring(element_xml)
    except ET.ParseError:
        return None
    for child in root.iter():
        if child.tag.rsplit('}', 1)[-1] == 'cluster':
            return (child.text or '').strip() or None
    return None


def cluster_in_domain_xml(domain_xml):
    """The tenks cluster named in a full domain XML document, or None."""
    root = ET.fromstring(domain_xml)
    node = root.find('metadata/{%s}%s' % (NAMESPACE, ELEMENT))
    if node is None:
        return None
    return (node.findtext('{%s}cluster' % NAMESPACE) or '').strip() or None


def read_cluster(domain):
    """The tenks cluster a libvirt domain object belongs to, or None."""
    import libvirt
    try:
        element = domain.metadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT,
                                  NAMESPACE, 0)
    except libvirt.libvirtError as exc:
        if exc.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN_METADATA:
            return None
        raise
    return cluster_of(element)


def describe_owner(cluster):
    """How a foreign domain's owner is described in messages."""
    if cluster is None:
        return 'it has no tenks metadata'
    return 'it belongs to tenks cluster %r' % cluster
