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

"""Rendering the jinja2 templates shipped in ``templates/``.

Autoescaping is on (every value lands in XML) and undefined variables are
errors, so a template and its caller cannot silently drift apart.
"""

import functools

import jinja2


@functools.lru_cache(maxsize=1)
def environment():
    return jinja2.Environment(
        loader=jinja2.PackageLoader('tenks.providers.libvirt', 'templates'),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True)


def render(template, **context):
    """Render ``templates/<template>`` with ``context``."""
    return environment().get_template(template).render(**context)
