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

"""Markers given to every test of a directory (``tools/run-tests.sh -m``)."""

import os


def mark_below(items, conftest_file, marker):
    """Give ``marker`` to the collected ``items`` beside ``conftest_file``.

    For a directory's ``pytest_collection_modifyitems`` hook, so that
    ``-m NAME`` selects exactly that directory's tests.
    """
    here = os.path.dirname(os.path.abspath(conftest_file))
    for item in items:
        if str(item.path).startswith(here + os.sep):
            item.add_marker(marker)
