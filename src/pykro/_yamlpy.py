"""The PyYAML side of pykro._yamlio (its loaders and its reference writer), imported when YAML is first read or
written by PyYAML: a command that only writes YAML the fast writer handles (pykro._yamlemit) never loads PyYAML."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from pykro._kubeyaml import BOOL as _BOOL
from pykro._kubeyaml import FLOAT as _FLOAT
from pykro._kubeyaml import INT as _INT
from pykro._kubeyaml import NULL as _NULL
from pykro._kubeyaml import STR as _STR
from pykro._kubeyaml import TOO_BIG as _TOO_BIG
from pykro._kubeyaml import is_text, kube_scalar
from pykro._yamlio import Ambiguous, _ambiguous

__all__ = ["KubeLoader", "Loader", "ValuesLoader", "dump_all", "kube_resolve"]

try:  # libyaml bindings; the pure-Python classes are a fallback only
    _Loader: type[Any] = yaml.CSafeLoader
    _BaseDumper: type[Any] = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader
    _BaseDumper = yaml.SafeDumper


class _Dumper(_BaseDumper):  # type: ignore[misc]
    """Safe dumper that writes multi-line strings as literal blocks."""


def _represent_str(dumper: Any, data: str) -> Any:
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _represent_str)


def kube_resolve(self: Any, kind: Any, value: Any, implicit: Any) -> Any:
    """PyYAML's tag, except that a string kubectl would read as something else (``y``, ``0o17``, ``1e3``) is not
    left plain: the emitter then quotes it, so kubectl and PyYAML both read it back as that string."""
    tag = _BaseDumper.resolve(self, kind, value, implicit)
    if kind is yaml.ScalarNode and implicit[0] and tag == _STR and value and not is_text(value):
        return kube_scalar(value)[0]
    return tag


_Dumper.resolve = kube_resolve


class _KubeLoader(_Loader):  # type: ignore[misc]
    """The user loader: plain scalars resolved as kubectl resolves them (see :func:`kube_scalar`)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            return kube_scalar(value)[0]
        return super().resolve(kind, value, implicit)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        """A mapping whose keys are all text: kubectl turns a key it reads as a boolean, number or null into other
        text (``on:`` -> ``"true"``, ``010:`` -> ``"8"``), so such a key is an error at its line; so is a key written
        twice (the API server's strict decoding refuses it; a YAML reader would silently keep the last)."""
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, _ in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    if key.value in seen:
                        raise yaml.constructor.ConstructorError(
                            None, None, f"the key {key.value!r} is written twice in this mapping", key.start_mark
                        )
                    seen.add(key.value)
            self.flatten_mapping(node)
            for key, _ in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != _STR:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"kubectl reads the key {key.value!r} as {key.tag.rsplit(':', 1)[-1]}, not as text",
                        key.start_mark,
                    )
        return super().construct_mapping(node, deep=deep)


def _kube_constructor(tag: str) -> Callable[[Any, Any], Any]:
    def construct(loader: Any, node: Any) -> Any:
        found, value = kube_scalar(node.value) if node.value else (_NULL, None)
        if found == tag and tag != _TOO_BIG:
            return value
        if tag == _TOO_BIG:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"{node.value} does not fit in 64 bits (kubectl would read a float and lose digits)",
                node.start_mark,
            )
        return _BASE_CONSTRUCTORS[tag](loader, node)  # an explicit tag (!!int "12"): PyYAML's reading

    return construct


_BASE_CONSTRUCTORS = {tag: _Loader.yaml_constructors[tag] for tag in (_INT, _FLOAT, _BOOL)}
for _tag in (_INT, _FLOAT, _BOOL, _TOO_BIG):
    _KubeLoader.add_constructor(_tag, _kube_constructor(_tag))


class _ValuesLoader(_KubeLoader):
    """The user loader, with plain scalars kubectl and YAML 1.2 (or helm) read differently kept as
    :class:`Ambiguous` text."""


def _keep_ambiguous(tag: str) -> Callable[[Any, Any], Any]:
    base = _KubeLoader.yaml_constructors[tag]

    def construct(loader: Any, node: Any) -> Any:
        value = base(loader, node)
        if not node.style and _ambiguous(node.value, value):  # plain scalars: style None (or "" from libyaml)
            kept = Ambiguous(node.value)
            kept.reading = value
            return kept
        return value

    return construct


for _tag in (_INT, _FLOAT, _BOOL):
    _ValuesLoader.add_constructor(_tag, _keep_ambiguous(_tag))


def dump_all(docs: list[Any]) -> str:
    """The reference writer: PyYAML (libyaml emitter) with the project's settings."""
    return str(
        yaml.dump_all(
            docs,
            Dumper=_Dumper,
            sort_keys=False,
            default_flow_style=False,
            allow_unicode=True,
            width=4096,
        )
    )


Loader = _Loader
KubeLoader = _KubeLoader
ValuesLoader = _ValuesLoader
