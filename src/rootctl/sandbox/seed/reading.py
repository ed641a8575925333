"""Reading a seed: YAML text or a file, with the line and column of every value, so that an
error can say where it is (``org.yaml:21:17: accounts[0].root.mfa[0].type: …``)."""

from __future__ import annotations

from typing import Any

import yaml

from .model import SeedError

try:  # the C loader is ~10x faster; fall back when PyYAML was built without libyaml
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path_ = tuple[str | int, ...]


class Marks:
    """Line/column of every value (and mapping key) in a YAML document, by path."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.values: dict[Path_, tuple[int, int]] = {}
        self.keys: dict[Path_, tuple[int, int]] = {}

    def record(self, node: yaml.Node, path: Path_) -> None:
        self.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                child = (*path, str(key_node.value))
                self.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                self.record(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.record(item, (*path, index))

    def at(self, path: Path_, *, key: bool = False) -> tuple[int | None, int | None]:
        found = (self.keys if key else self.values).get(path)
        while found is None and path:
            path = path[:-1]
            found = self.values.get(path)
        return found if found is not None else (None, None)


def field_name(path: Path_) -> str:
    """``accounts[0].root.mfa[0].type`` for ``("accounts", 0, "root", "mfa", 0, "type")``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def parse_yaml(text: str, source: str = "<seed>") -> tuple[Any, Marks]:
    marks = Marks(source)
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise SeedError(
            f"not valid YAML: {exc.problem}",
            source=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from exc
    except yaml.YAMLError as exc:  # e.g. ReaderError: control characters; its str() is 2 lines
        reason = getattr(exc, "reason", None) or type(exc).__name__
        raise SeedError(f"not valid YAML: {reason}", source=source) from exc
    if node is not None:
        marks.record(node, ())
    return data, marks
