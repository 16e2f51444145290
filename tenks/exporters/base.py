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

"""The exporter contract: the cluster in a format another tool reads."""

import abc
import json

from tenks import exception


class ExportError(exception.TenksError):
    """The cluster cannot be written in the requested format."""


def dump_json(document):
    """``document`` as stable, readable JSON text (also valid YAML)."""
    return json.dumps(document, indent=2, sort_keys=True) + '\n'


class Exporter(object, metaclass=abc.ABCMeta):
    """Base class of exporters.

    :param conf: the tenks ConfigOpts.
    """

    #: A short description for ``tenks export --help``.
    description = ''

    def __init__(self, conf):
        self.conf = conf

    @abc.abstractmethod
    def export(self, cluster):
        """Render ``cluster`` (a :class:`tenks.nodeview.ClusterView`).

        :returns: the document as text.
        """
