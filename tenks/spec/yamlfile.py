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

"""Strict YAML reading for specs: duplicate keys and alias bombs are
problems, and every key path can be traced back to its line.
"""

import yaml

from tenks.spec import errors

try:
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _BaseLoader = yaml.SafeLoader

MAX_BYTES = 16 * 1024 * 1024
MAX_NODES = 2000000


class _Loader(_BaseLoader):
    """SafeLoader that records duplicate keys instead of overwriting."""

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicates = []

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _value in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                if key in seen:
                    self.duplicates.append((key, key_node.start_mark.line + 1,
                                            seen[key]))
                else:
                    seen[key] = key_node.start_mark.line + 1
            except TypeError:
                pass
        return super().construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                        _Loader.construct_mapping)


class Document(object):
    """A parsed YAML document: its data and a way to find key lines."""

    def __init__(self, data, root):
        self.data = data
        self._root = root

    def line_of(self, path):
        """Line (1-based) of the deepest node on ``path`` that exists."""
        node = self._root
        line = None
        for part in path:
            if node is None:
                break
            line = node.start_mark.line + 1
            node = _child(node, part)
        if node is not None:
            line = node.start_mark.line + 1
        return line


def _child(node, part):
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and (
                    key_node.value == str(part)):
                return value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
        if 0 <= part < len(node.value):
            return node.value[part]
    return None


def _count_nodes(root):
    """Count nodes with aliases expanded, stopping past MAX_NODES."""
    count = 0
    stack = [root]
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_NODES:
            return count
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.append(k)
                stack.append(v)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return count


def parse(text):
    """Parse YAML text.

    :returns: ``(Document or None, [Problem, ...])``.
    """
    if len(text) > MAX_BYTES:
        return None, [errors.Problem(
            (), 'file is larger than %d bytes' % MAX_BYTES)]
    if '\x00' in text:
        return None, [errors.Problem((), 'file contains a NUL byte; is it '
                                         'a YAML text file?')]
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return Document(None, None), []
        if _count_nodes(root) > MAX_NODES:
            return None, [errors.Problem(
                (), 'document expands to more than %d nodes (alias bomb?)'
                % MAX_NODES)]
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        msg = 'YAML syntax error: %s' % (exc.problem or exc.context)
        if exc.context and exc.problem:
            msg = 'YAML syntax error: %s %s' % (exc.context, exc.problem)
        return None, [errors.Problem((), msg, line=line)]
    except yaml.YAMLError as exc:
        return None, [errors.Problem((), 'YAML error: %s' % exc)]
    except RecursionError:
        return None, [errors.Problem((), 'YAML nesting is too deep')]
    finally:
        loader.dispose()
    problems = [errors.Problem((), 'duplicate key %r (first at line %d)'
                               % (key, first), line=line)
                for key, line, first in loader.duplicates]
    return Document(data, root), problems
