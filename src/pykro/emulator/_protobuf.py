"""Kubernetes protobuf request bodies (what kubectl's typed commands — `create namespace|configmap|secret|
deployment`, `expose`, `run` — send) decoded to the JSON form. The field table `k8s-protobuf.json` is generated
from the generated.proto files of k8s.io/api, apimachinery and apiextensions-apiserver v0.35 plus the Kubernetes
JSON schema (for embedded, JSON-inlined fields): `python -m pykro.emulator._protobuf GO_MOD_ROOT/k8s.io`."""

from __future__ import annotations

import base64
import json
import re
import struct
import sys
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from pykro.emulator._status import StatusError

__all__ = ["MAGIC", "PROTOBUF", "decode", "generate", "main"]

PROTOBUF = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"
TABLE = Path(__file__).with_name("k8s-protobuf.json")
_META = "io.k8s.apimachinery.pkg.apis.meta.v1."
_KEEP_ZERO = frozenset({"replicas"})  # explicit zeros that carry meaning (pointer fields)
_SCALARS = frozenset({"string", "bytes", "bool", "int32", "int64", "uint32", "uint64", "double", "float"})
Field = list[Any]  # [name, type, label ("optional"|"repeated"|"map"), inline (bool)]


@cache
def _table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TABLE.read_text(encoding="utf-8"))
    return data


def decode(body: bytes) -> dict[str, Any]:
    """A protobuf-encoded object (magic + runtime.Unknown envelope) as the JSON object it stands for."""
    if not body.startswith(MAGIC):
        raise StatusError.bad_request("the protobuf body does not start with the Kubernetes magic number")
    try:
        envelope = _fields(body[len(MAGIC) :])
        type_meta = _fields(_bytes(envelope, 1))
        api_version = _bytes(type_meta, 1).decode()
        kind = _bytes(type_meta, 2).decode()
        raw = _bytes(envelope, 2)
    except (ValueError, IndexError, UnicodeDecodeError) as exc:
        raise StatusError.bad_request(f"cannot decode the protobuf envelope: {exc}") from None
    message = _table()["kinds"].get(f"{api_version}/{kind}")
    if message is None:
        raise StatusError(
            415,
            f"the emulator cannot decode protobuf bodies of {kind} ({api_version}); send JSON",
            "UnsupportedMediaType",
        )
    try:
        obj = _message(message, raw)
    except (ValueError, IndexError, KeyError, UnicodeDecodeError, struct.error) as exc:
        raise StatusError.bad_request(f"cannot decode the protobuf body of {kind}: {exc}") from None
    return {"apiVersion": api_version, "kind": kind, **(obj if isinstance(obj, dict) else {})}


def _bytes(fields: dict[int, list[Any]], number: int) -> bytes:
    values = fields.get(number)
    return bytes(values[0][1]) if values else b""


# wire format ------------------------------------------------------------------------------------------------------
def _varint(data: bytes, pos: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def _fields(data: bytes) -> dict[int, list[Any]]:
    """Field number -> raw values (ints for varints and fixed sizes, bytes for length-delimited)."""
    out: dict[int, list[Any]] = {}
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        value: Any
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == 2:
            size, pos = _varint(data, pos)
            value, pos = data[pos : pos + size], pos + size
        elif wire == 5:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        out.setdefault(number, []).append((wire, value))
    return out


def _signed(value: int, bits: int) -> int:
    value &= (1 << 64) - 1
    if value >= 1 << 63:
        value -= 1 << 64
    return value if bits == 64 else int(struct.unpack("<i", struct.pack("<I", value & 0xFFFFFFFF))[0])


def _scalars(kind: str, wire: int, value: Any) -> list[Any]:
    """One or (packed) several scalar values."""
    if kind == "string":
        return [bytes(value).decode()]
    if kind == "bytes":
        return [base64.b64encode(bytes(value)).decode()]
    if wire == 2:  # packed numbers
        out: list[Any] = []
        for w, v in _fields_packed(kind, bytes(value)):
            out.extend(_scalars(kind, w, v))
        return out
    if kind == "bool":
        return [bool(value)]
    if kind in ("int32", "int64"):
        return [_signed(value, 64 if kind == "int64" else 32)]
    if kind in ("uint32", "uint64"):
        return [value]
    if kind == "double":
        return [struct.unpack("<d", value)[0]]
    return [struct.unpack("<f", value)[0]]


def _fields_packed(kind: str, data: bytes) -> list[tuple[int, Any]]:
    out: list[tuple[int, Any]] = []
    pos = 0
    while pos < len(data):
        if kind == "double":
            out.append((1, data[pos : pos + 8]))
            pos += 8
        elif kind == "float":
            out.append((5, data[pos : pos + 4]))
            pos += 4
        else:
            value, pos = _varint(data, pos)
            out.append((0, value))
    return out


# messages -----------------------------------------------------------------------------------------------------
def _special(name: str, fields: dict[int, list[Any]]) -> tuple[bool, Any]:
    def first(n: int, default: Any = None) -> Any:
        return fields[n][0][1] if n in fields else default

    if name in (_META + "Time", _META + "MicroTime"):
        seconds, nanos = _signed(first(1, 0), 64), first(2, 0)
        if not seconds and not nanos:
            return True, None
        when = datetime.fromtimestamp(seconds + nanos / 1e9, UTC)
        fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if name.endswith("MicroTime") else "%Y-%m-%dT%H:%M:%SZ"
        return True, when.strftime(fmt)
    if name == _META + "Duration":
        return True, _go_duration(_signed(first(1, 0), 64))
    if name == "io.k8s.apimachinery.pkg.util.intstr.IntOrString":
        return True, bytes(first(3, b"")).decode() if first(1, 0) == 1 else _signed(first(2, 0), 32)
    if name in ("io.k8s.apimachinery.pkg.api.resource.Quantity", "io.k8s.apimachinery.pkg.api.resource.QuantityValue"):
        return True, bytes(first(1, b"")).decode()
    if name in ("io.k8s.apimachinery.pkg.runtime.RawExtension", _META + "FieldsV1") or name.endswith(
        "apiextensions.v1.JSON"
    ):
        raw = bytes(first(1, b""))
        return True, json.loads(raw) if raw else None
    return False, None


def _go_duration(nanos: int) -> str:
    seconds = nanos / 1e9
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h)}h{int(m)}m{s:g}s" if h else (f"{int(m)}m{s:g}s" if m else f"{s:g}s")


def _value(kind: str, wire: int, value: Any) -> list[Any]:
    if kind in _SCALARS:
        return _scalars(kind, wire, value)
    return [_message(kind, bytes(value))]


def _message(name: str, data: bytes) -> Any:
    fields = _fields(data)
    done, value = _special(name, fields)
    if done:
        return value
    spec: dict[str, Field] = _table()["messages"].get(name, {})
    if list(spec) == ["1"] and spec["1"][0] == "items" and spec["1"][2] == "repeated":  # a named list type
        return [v for wire, raw in fields.get(1, []) for v in _value(spec["1"][1], wire, raw)]
    out: dict[str, Any] = {}
    for number, values in fields.items():
        field = spec.get(str(number))
        if field is None:
            continue
        fname, kind, label, inline = field
        if label == "map":
            entries: dict[str, Any] = {}
            for _, raw in values:
                entry = _fields(bytes(raw))
                key = bytes(entry[1][0][1]).decode() if 1 in entry else ""
                wire, val = entry[2][0] if 2 in entry else (2, b"")
                entries[key] = _value(kind, wire, val)[0]
            out[fname] = entries
            continue
        decoded = [v for wire, raw in values for v in _value(kind, wire, raw)]
        if label == "repeated":
            out[fname] = decoded
        elif inline and isinstance(decoded[-1], dict):
            out.update(decoded[-1])
        else:
            out[fname] = decoded[-1]
    return {k: v for k, v in out.items() if not _empty(k, v)}


def _empty(key: str, value: Any) -> bool:
    """Zero values gogo-protobuf writes for non-pointer fields, which JSON would omit."""
    if value is None or value == "" or value is False:
        return True
    return value == 0 and not isinstance(value, bool) and key not in _KEEP_ZERO


# the table ------------------------------------------------------------------------------------------------------
_FIELD_RE = re.compile(r"^\s*(optional|repeated)\s+([.\w]+)\s+(\w+)\s*=\s*(\d+)\s*;")
_MAP_RE = re.compile(r"^\s*map<\s*string\s*,\s*([.\w]+)\s*>\s+(\w+)\s*=\s*(\d+)\s*;")


def _definition_name(package: str, message: str) -> str:
    rest = package.removeprefix("k8s.io.").replace("_", "-")
    return f"io.k8s.{rest}.{message}"


def _qualify(kind: str, package: str) -> str:
    if kind in _SCALARS:
        return kind
    if kind.startswith("."):
        pkg, _, msg = kind[1:].rpartition(".")
        return _definition_name(pkg, msg)
    return _definition_name(package, kind)


def generate(root: Path) -> dict[str, Any]:
    """Build the table from `root` (a Go module cache's k8s.io directory)."""
    from pykro.schema._kubernetes import definitions

    defs = definitions()
    messages: dict[str, dict[str, Field]] = {}
    sources = [p for p in sorted(root.glob("api@v0.35*/**/generated.proto"))]
    sources += sorted(root.glob("apimachinery@v0.35*/pkg/**/generated.proto"))
    sources += sorted(root.glob("apiextensions-apiserver@v0.35*/pkg/apis/apiextensions/v1/generated.proto"))
    for path in sources:
        package, current = "", ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("package "):
                package = line.split()[1].rstrip(";")
            elif line.startswith("message "):
                current = _definition_name(package, line.split()[1])
                messages.setdefault(current, {})
            elif line.startswith("}"):
                current = ""
            elif current:
                m, mm = _FIELD_RE.match(line), _MAP_RE.match(line)
                if m:
                    label, kind, name, number = m.groups()
                    messages[current][number] = [name, _qualify(kind, package), label, False]
                elif mm:
                    kind, name, number = mm.groups()
                    messages[current][number] = [name, _qualify(kind, package), "map", False]
    for message, fields in messages.items():
        props = (defs.get(message) or {}).get("properties") or {}
        for field in fields.values():
            if not props or field[0] in props or field[1] in _SCALARS or field[2] != "optional":
                continue
            sub = (defs.get(field[1]) or {}).get("properties")
            if sub is None or set(sub) <= set(props):  # inlined Go structs have no definition of their own
                field[3] = True
    kinds: dict[str, str] = {}
    for name, schema in defs.items():
        for gvk in schema.get("x-kubernetes-group-version-kind") or []:
            group, version = gvk.get("group", ""), gvk.get("version", "")
            key = f"{group}/{version}/{gvk['kind']}" if group else f"{version}/{gvk['kind']}"
            if name in messages:
                kinds.setdefault(key, name)
    return {
        "source": "k8s.io/api, apimachinery, apiextensions-apiserver v0.35 generated.proto",
        "kinds": kinds,
        "messages": messages,
    }


def main(argv: list[str]) -> None:
    """`python -m pykro.emulator._protobuf K8S_IO_DIR`: regenerate the table next to this module."""
    table = generate(Path(argv[0]))
    TABLE.write_text(json.dumps(table, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(f"{TABLE}: {len(table['messages'])} messages, {len(table['kinds'])} kinds")


if __name__ == "__main__":
    main(sys.argv[1:])
