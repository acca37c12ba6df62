"""CEL types as plain values, and their derivation from structural OpenAPI schemas (as kro and Kubernetes do)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar

__all__ = ["CelType", "cel_type_from_openapi"]

KINDS = frozenset(
    {
        "bool",
        "int",
        "uint",
        "double",
        "string",
        "bytes",
        "null",
        "dyn",
        "list",
        "map",
        "timestamp",
        "duration",
        "object",
    }
)


@dataclass(frozen=True)
class CelType:
    """A CEL type: ``kind`` plus type parameters (list element; map key and value) or object fields."""

    kind: str
    params: tuple[CelType, ...] = ()
    fields: Mapping[str, CelType] | None = field(default=None, hash=False)
    name: str = ""

    BOOL: ClassVar[CelType]
    INT: ClassVar[CelType]
    UINT: ClassVar[CelType]
    DOUBLE: ClassVar[CelType]
    STRING: ClassVar[CelType]
    BYTES: ClassVar[CelType]
    NULL: ClassVar[CelType]
    DYN: ClassVar[CelType]
    TIMESTAMP: ClassVar[CelType]
    DURATION: ClassVar[CelType]

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown CEL type kind {self.kind!r}")
        if self.fields is not None and not isinstance(self.fields, MappingProxyType):
            object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled and copied by its arguments (the ``fields`` mappingproxy cannot be)."""
        return CelType, (self.kind, self.params, None if self.fields is None else dict(self.fields), self.name)

    @staticmethod
    def list_of(item: CelType) -> CelType:
        return CelType("list", (item,))

    @staticmethod
    def map_of(key: CelType, value: CelType) -> CelType:
        return CelType("map", (key, value))

    @staticmethod
    def object_of(fields: Mapping[str, CelType], name: str = "") -> CelType:
        return CelType("object", fields=fields, name=name)

    def field_type(self, name: str) -> CelType | None:
        """The type of ``self.name``: an object field, a map value, ``dyn`` for dyn; None when it cannot exist."""
        if self.kind == "dyn":
            return CelType.DYN
        if self.kind == "map":
            return self.params[1]
        if self.kind == "object" and self.fields is not None:
            return self.fields.get(name)
        return None

    def __str__(self) -> str:
        if self.kind == "list":
            return f"list({self.params[0]})"
        if self.kind == "map":
            return f"map({self.params[0]}, {self.params[1]})"
        if self.kind == "object":
            return self.name or "object"
        if self.kind == "timestamp":
            return "google.protobuf.Timestamp"
        if self.kind == "duration":
            return "google.protobuf.Duration"
        if self.kind == "null":
            return "null_type"
        return self.kind


for _kind in ("bool", "int", "uint", "double", "string", "bytes", "null", "dyn", "timestamp", "duration"):
    setattr(CelType, _kind.upper(), CelType(_kind))

_STRING_FORMATS = {"byte": CelType.BYTES, "date-time": CelType.TIMESTAMP, "duration": CelType.DURATION}


def cel_type_from_openapi(schema: Mapping[str, Any]) -> CelType:
    """Map a structural OpenAPI v3 schema to the CEL type kro/Kubernetes give it (best effort, ``dyn`` otherwise)."""
    if schema.get("x-kubernetes-int-or-string") or schema.get("x-kubernetes-preserve-unknown-fields"):
        return CelType.DYN
    kind = schema.get("type")
    if kind == "integer":
        return CelType.INT
    if kind == "number":
        return CelType.DOUBLE
    if kind == "boolean":
        return CelType.BOOL
    if kind == "string":
        return _STRING_FORMATS.get(str(schema.get("format", "")), CelType.STRING)
    if kind == "array":
        items = schema.get("items")
        return CelType.list_of(cel_type_from_openapi(items) if isinstance(items, Mapping) else CelType.DYN)
    if kind == "object" or "properties" in schema or "additionalProperties" in schema:
        properties = schema.get("properties")
        if isinstance(properties, Mapping) and properties:
            return CelType.object_of({k: cel_type_from_openapi(v) for k, v in properties.items()})
        extra = schema.get("additionalProperties")
        value = cel_type_from_openapi(extra) if isinstance(extra, Mapping) else CelType.DYN
        return CelType.map_of(CelType.STRING, value)
    return CelType.DYN
