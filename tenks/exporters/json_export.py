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

"""tenks' own view of the cluster as JSON: every node with its shape, BMC
(endpoint and credentials), Ironic driver, driver_info and properties,
NICs and where they are plugged, volumes and the status of its resources.
"""

from tenks.exporters import base


class JsonExporter(base.Exporter):
    """The whole cluster as tenks sees it."""

    description = ("tenks' full view: nodes with BMC, NICs, volumes, "
                   "Ironic fields and resource status")

    def export(self, cluster):
        return base.dump_json({
            'cluster': cluster.name,
            'hypervisors': cluster.hypervisors,
            'nodes': [v.to_dict()
                      for v in cluster.nodes],
        })
