"""kro's ``runtime`` library (pkg/cel/library/runtime.go in kro v0.9.3): author-defined status conditions.

``runtime.newCondition({type: 'X', status: 'True', reason: '', message: ''})`` builds a condition and
``runtime.condition(obj, 'X')`` reads one from ``obj.status.conditions`` (an empty condition when absent). The
engine cannot declare kro's ``kro.run.Condition`` type, so a condition travels as a tagged map (see opaque.py) whose
four fields read with dot notation, and leaves the engine as a :class:`Condition`. The bare-identifier keys of
``newCondition`` are rewritten into string keys by :func:`expand_new_condition` before compiling, as kro's macro does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from pykro.cel._ast import Call, Ident, Literal, MapExpr, Node, Select, walk
from pykro.cel._errors import CelCompileError
from pykro.cel._library import opaque
from pykro.cel._library.base import Fn, LibraryError, fn, glob
from pykro.cel._parser import parse
from pykro.cel._types import CelType
from pykro.errors import go_quote

__all__ = [
    "FUNCTIONS",
    "KIND",
    "Condition",
    "MacroError",
    "cel_type_name",
    "check_entries",
    "check_field",
    "condition",
    "expand_new_condition",
    "is_runtime_call",
    "new_condition",
]

KIND = "condition"
KEYS = ("type", "status", "reason", "message")
STATUSES = ("True", "False", "Unknown")
BUILTIN_TYPES = ("InstanceManaged", "GraphResolved", "ResourcesReady", "Ready")
NEW_CONDITION = "newCondition"
LOOKUP = "condition"
RECEIVER = "runtime"


class MacroError(Exception):
    """A ``runtime.newCondition`` argument kro's parse-time macro rejects (kro's message)."""


@dataclass(frozen=True)
class Condition:
    """A condition value as kro's ``kro.run.Condition``: four strings, empty when unset."""

    type: str = ""
    status: str = ""
    reason: str = ""
    message: str = ""

    @classmethod
    def from_map(cls, value: Mapping[str, Any]) -> Condition:
        """Lift a map (a wire condition or a tagged value); fields that are absent or not strings read as ``""``."""
        fields = [value.get(key, "") for key in KEYS]
        return cls(*(item if isinstance(item, str) else "" for item in fields))

    def as_value(self) -> dict[str, Any]:
        """The tagged map the engine carries."""
        return opaque.make(KIND, type=self.type, status=self.status, reason=self.reason, message=self.message)


def cel_type_name(value: Any) -> str:
    """The CEL type name kro's messages print for a value."""
    if opaque.kind_of(value) == KIND:
        return "kro.run.Condition"
    for python, name in ((bool, "bool"), (int, "int"), (float, "double"), (str, "string"), (bytes, "bytes")):
        if isinstance(value, python):
            return name
    if value is None:
        return "null_type"
    return "list" if isinstance(value, list) else "map" if isinstance(value, dict) else type(value).__name__


def new_condition(arg: Mapping[str, Any]) -> dict[str, Any]:
    """runtime.newCondition: validate the values (keys were checked by the macro) and build the condition."""
    fields: dict[str, str] = {}
    for key, value in arg.items():
        if not isinstance(value, str):
            raise LibraryError(f"runtime.newCondition: {key} must be a string, got {cel_type_name(value)}")
        if key == "type" and not value:
            raise LibraryError("runtime.newCondition: type must not be empty")
        if key == "status" and value not in STATUSES:
            raise LibraryError(
                f"runtime.newCondition: status must be one of True, False, Unknown (got {go_quote(value)})"
            )
        fields[str(key)] = value
    return Condition.from_map(fields).as_value()


def condition(obj: Any, wanted: str) -> dict[str, Any]:
    """runtime.condition: the first condition of ``obj.status.conditions`` with type ``wanted``, else an empty one."""
    for found in _conditions(obj):
        if found.type == wanted:
            return found.as_value()
    return Condition().as_value()


def _conditions(obj: Any) -> list[Condition]:
    if not isinstance(obj, dict) or opaque.kind_of(obj) is not None:
        raise LibraryError(f"runtime.condition: obj must be an object, got {cel_type_name(obj)}")
    if "status" not in obj:
        return []
    status = obj["status"]
    if not isinstance(status, dict):
        raise LibraryError("runtime.condition: obj.status must be an object")
    if "conditions" not in status:
        return []
    items = status["conditions"]
    if not isinstance(items, list):
        raise LibraryError("runtime.condition: obj.status.conditions must be a list")
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise LibraryError(f"runtime.condition: unexpected condition element type {cel_type_name(item)}")
        out.append(Condition.from_map(item))
    return out


def is_runtime_call(node: Node, function: str) -> TypeGuard[Call]:
    """True for ``runtime.<function>(...)``."""
    return isinstance(node, Call) and node.function == function and node.target == Ident(RECEIVER)


def expand_new_condition(call: Call) -> Call:
    """kro's newCondition macro: identifier keys become string keys; unknown, duplicate, quoted or missing keys are
    refused with kro's messages (MacroError). Calls with another receiver or arity are left alone."""
    if not is_runtime_call(call, NEW_CONDITION) or len(call.args) != 1:
        return call
    arg = call.args[0]
    if not isinstance(arg, MapExpr):
        raise MacroError("runtime.newCondition: argument must be a map literal")
    seen: list[str] = []
    entries: list[tuple[Node, Node]] = []
    for key, value in arg.entries:
        if not isinstance(key, Ident):
            raise MacroError(
                "runtime.newCondition: keys must be bare identifiers (type, status, reason, message); "
                "quoted or computed keys are not allowed"
            )
        if key.name not in KEYS:
            raise MacroError(
                f"runtime.newCondition: unknown key {go_quote(key.name)} (allowed: type, status, reason, message)"
            )
        if key.name in seen:
            raise MacroError(f"runtime.newCondition: duplicate key {go_quote(key.name)}")
        seen.append(key.name)
        entries.append((Literal(key.name), value))
    for required in ("type", "status"):
        if required not in seen:
            raise MacroError(f"runtime.newCondition: '{required}' is required")
    return Call(NEW_CONDITION, (MapExpr(tuple(entries), arg.optional),), target=call.target)


def check_field(node: Select) -> None:
    """Refuse a field a condition does not have, on a direct ``runtime.newCondition/condition(...)`` result (kro's
    type checker does this for every condition value; later ones read as missing keys)."""
    if node.field not in KEYS and (
        is_runtime_call(node.operand, NEW_CONDITION) or is_runtime_call(node.operand, LOOKUP)
    ):
        raise MacroError(f"undefined field '{node.field}' (a condition has type, status, reason, message)")


def check_entries(expressions: list[str]) -> tuple[int, str] | None:
    """kro's build-time rules for the ``status.conditions`` entries (pkg/graph/conditions.go): literal status and type
    values, one entry per literal type, ``runtime.condition(schema, 'X')`` only for kro's built-in types.

    Returns (entry index, kro's message) for the first violation. Entries that do not parse are skipped: compiling
    them reports the error.
    """
    trees: list[Node | None] = []
    for expression in expressions:
        try:
            parsed = parse(expression)
            for item in walk(parsed):
                if isinstance(item, Call):
                    expand_new_condition(item)
        except (CelCompileError, MacroError):
            trees.append(None)
            continue
        trees.append(parsed)
    declared: set[str] = set()
    for index, tree in enumerate(trees):
        for typ in _literal_types(tree):
            if typ in declared:
                return index, f"condition type {go_quote(typ)} is declared by more than one conditions entry"
            declared.add(typ)
    for index, tree in enumerate(trees):
        problem = _check_calls(tree, declared, expressions[index]) if tree is not None else None
        if problem is not None:
            return index, problem
    return None


def _literal_entry(arg: Node, key: str) -> str | None:
    if not isinstance(arg, MapExpr):
        return None
    for name, value in arg.entries:
        if name == Ident(key):
            return value.value if isinstance(value, Literal) and isinstance(value.value, str) else None
    return None


def _literal_types(tree: Node | None) -> set[str]:
    found = set()
    for item in walk(tree) if tree is not None else ():
        if is_runtime_call(item, NEW_CONDITION) and len(item.args) == 1:
            typ = _literal_entry(item.args[0], "type")
            if typ is not None:
                found.add(typ)
    return found


def _check_calls(tree: Node, declared: set[str], expression: str) -> str | None:
    quoted = go_quote(expression)
    for item in walk(tree):
        if not isinstance(item, Call) or len(item.args) not in (1, 2):
            continue
        if is_runtime_call(item, NEW_CONDITION) and len(item.args) == 1:
            status = _literal_entry(item.args[0], "status")
            if status is not None and status not in STATUSES:
                return (
                    f"runtime.newCondition: status must be one of True, False, Unknown (got {go_quote(status)}) "
                    f"in expression {quoted}"
                )
            if _literal_entry(item.args[0], "type") == "":
                return f"runtime.newCondition: type must not be empty in expression {quoted}"
        if is_runtime_call(item, LOOKUP) and len(item.args) == 2 and item.args[0] == Ident("schema"):
            wanted = item.args[1]
            if not isinstance(wanted, Literal) or not isinstance(wanted.value, str) or wanted.value in BUILTIN_TYPES:
                continue
            if wanted.value in declared:
                return (
                    f"runtime.condition(schema, {go_quote(wanted.value)}): custom conditions cannot reference each "
                    f"other in expression {quoted}"
                )
            return (
                f"runtime.condition(schema, {go_quote(wanted.value)}): unknown condition type; only kro's built-in "
                f"types (InstanceManaged, GraphResolved, ResourcesReady, Ready) can be read from schema in expression "
                f"{quoted}"
            )
    return None


_CONDITION = CelType.map_of(CelType.STRING, CelType.DYN)
FUNCTIONS: list[Fn] = [
    fn("runtime.newCondition", glob("runtime_newCondition_map", (_CONDITION,), _CONDITION, new_condition)),
    fn("runtime.condition", glob("runtime_condition_dyn_string", (CelType.DYN, CelType.STRING), _CONDITION, condition)),
]
