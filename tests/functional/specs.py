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

"""Spec texts for the functional tests, built in one place.

Tests say what differs (node types, entries, top-level keys) and get the
YAML ``tenks deploy`` reads::

    specs.text({'t': specs.node_type(volumes=[{'capacity': '16MiB'}])},
               [specs.entry('t', 2)], physnet_mappings={'physnet1': None})

Texts that must be malformed (the bad-input tests) are written by hand.
"""

import yaml

#: The smallest node a test needs (TCG boots nothing in it).
MEMORY_MB = 128


def node_type(memory_mb=MEMORY_MB, vcpus=1, **keys):
    """A node type: ``memory_mb``, ``vcpus`` and any other spec keys."""
    return dict(memory_mb=memory_mb, vcpus=vcpus, **keys)


def entry(type_name, count, **keys):
    """One ``specs`` entry: ``count`` nodes of ``type_name``."""
    return dict(type=type_name, count=count, **keys)


def text(node_types, entries, **top):
    """The YAML text of a spec.

    :param node_types: ``{name: node_type(...)}``.
    :param entries: list of :func:`entry`; entries of count 0 are left
        out (a spec may list a type without nodes of it).
    :param top: other top-level keys (``physnet_mappings``,
        ``hypervisors``, ``bridge_type``...).
    """
    document = {'node_types': dict(node_types),
                'specs': [e for e in entries if e['count']]}
    document.update(top)
    return yaml.safe_dump(document, default_flow_style=False,
                          sort_keys=False)
