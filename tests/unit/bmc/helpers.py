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

"""A host agent that answers host-side calls from a table."""

from tenks.hosts import calls
from tenks.state import model as state_model


class RecordingAgent(object):
    """Answers host-side calls from a table; remembers them."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def call(self, function, **kwargs):
        calls.name_of(function)     # an exposed host-side function
        self.calls.append((function.__name__, kwargs))
        answer = self.answers[function.__name__]
        if isinstance(answer, Exception):
            raise answer
        return answer(**kwargs) if callable(answer) else answer


def record(kind, name, driver, props):
    return state_model.ResourceRecord(kind=kind, name=name, driver=driver,
                                      hypervisor='localhost', props=props)
