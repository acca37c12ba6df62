"""Resources in a composition: ``resource({...})`` for any kind, ``external_ref(...)``, and the ResourceRef every
factory returns (attribute access gives typed references rooted at the resource's id)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from pykro.authoring import _context as context
from pykro.authoring._context import Loop
from pykro.authoring._location import fail, user_site
from pykro.authoring._refs import Origin, Ref, Template, cel_of, field, is_ref, node_of
from pykro.authoring._serialize import check_nesting
from pykro.cel import _ast as ast
from pykro.cel import identifiers
from pykro.cel._types import CelType
from pykro.graph._naming import is_reserved, is_valid_id, suggest_id


class ResourceRef:
    """A resource of a composition (or a plain object outside one). Attributes are typed references."""

    __slots__ = ("_site", "external", "id", "include", "loops", "obj", "ready")

    def __init__(self, obj: dict[str, Any], id: str | None = None, *, external: bool = False) -> None:
        self.obj = obj
        self.id = id
        self.external = external
        self.include: list[Ref] = []
        self.ready: list[Ref] = []
        self.loops: tuple[Loop, ...] = ()
        self._site = user_site()

    def __repr__(self) -> str:
        return f"<pykro resource {self.id or '?'}: {self.kind}>"

    @property
    def where(self) -> str | None:
        """``file:line:col`` of the line that created this resource."""
        return self._site.text if self._site is not None else None

    @property
    def api_version(self) -> str:
        return str(self.obj.get("apiVersion", ""))

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind", ""))

    def _root(self, name: str | None = None) -> Ref:
        if self.id is None:
            raise fail(
                f"this {self.kind} has no id, so nothing can refer to it",
                "Create it inside a @composition function, or pass id='...'.",
            )
        build = context.current()
        active = build.loops if build is not None else []
        if not all(any(loop is outer for outer in active) for loop in self.loops):
            raise fail(
                f"{self.id} is a forEach collection (one {self.kind} per item); outside its loop it is a list",
                "Refer to it inside the loop, or use pykro.cel.expr() over the list, e.g. "
                f"cel.expr('{self.id}.all(x, x.status.readyReplicas > 0)', bool).",
            )
        return Ref(ast.Ident(name or self.id), CelType.DYN, origin=Origin(self.api_version, self.kind))

    def __getattr__(self, name: str) -> Ref:
        if name.startswith("__"):
            raise AttributeError(name)
        return field(self._root(), name)

    def __pykro_ref__(self) -> Ref:
        return self._root()

    def include_when(self, cond: Any) -> ResourceRef:
        """Create this resource only when ``cond`` (a bool reference) is true."""
        self.include.append(_condition(cond, "include_when()"))
        return self

    def ready_when(self, cond: Ref | Callable[[ResourceRef], Any]) -> ResourceRef:
        """Consider this resource ready only when ``cond`` holds; a callable receives the resource itself."""
        value = cond(self) if callable(cond) and not is_ref(cond) else cond
        ref = _condition(value, "ready_when()")
        if self.loops:  # kro evaluates a collection's readyWhen per item, as `each`
            ref = Ref(_rename(node_of(ref), self.id or "", "each"), ref._type)
        self.ready.append(ref)
        return self


def _rename(node: ast.Node, old: str, new: str) -> ast.Node:
    """``node`` with the free identifier ``old`` replaced by ``new``."""
    if isinstance(node, ast.Ident):
        return ast.Ident(new, type=node.type) if node.name == old else node
    changes = {f.name: _rename_value(getattr(node, f.name), old, new) for f in dataclasses.fields(node)}
    return dataclasses.replace(node, **changes)


def _rename_value(value: Any, old: str, new: str) -> Any:
    if isinstance(value, ast.Node):  # type: ignore[arg-type]
        return _rename(value, old, new)
    if isinstance(value, tuple):
        return tuple(_rename_value(v, old, new) for v in value)
    return value


def _condition(value: Any, what: str) -> Ref:
    if isinstance(value, bool):
        return Ref(ast.Literal(value), CelType.BOOL)
    if not is_ref(value) or value._type.kind not in ("bool", "dyn"):
        raise fail(f"{what} needs a bool expression, got {value!r}", "Compare explicitly, e.g. x > 0.")
    result: Ref = value
    return result


# ---------------------------------------------------------------------------------------------------- ids
def _pascal(text: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", text) if p)


def derive_id(obj: dict[str, Any], prefix: str = "") -> str | None:
    """``kind`` + name in camelCase (``Deployment user-service`` -> ``deploymentUserService``), or None when the
    name is computed."""
    name = (obj.get("metadata") or {}).get("name")
    kind = str(obj.get("kind", "resource"))
    if not isinstance(name, str) or not name:
        return None
    base = kind[:1].lower() + kind[1:] + _pascal(name)
    base = base.lstrip("0123456789") or "resource"
    return prefix + _pascal(base) if prefix else base


def check_id(rid: str) -> None:
    """Raise unless ``rid`` follows kro's id rule (lower camelCase, not a reserved word)."""
    if is_valid_id(rid) and not is_reserved(rid):
        return
    suggestion = suggest_id(rid)
    why = "is a word reserved by kro/CEL" if is_valid_id(rid) else "must match ^[a-z][a-zA-Z0-9]*$ (lower camelCase)"
    raise fail(f"resource id {rid!r} {why}", f"Use {suggestion!r}." if suggestion else "Use a lower camelCase name.")


def _dynamic_name(obj: dict[str, Any]) -> Any:
    name = (obj.get("metadata") or {}).get("name")
    return name if is_ref(name) else None


def register(res: ResourceRef, explicit: str | None) -> ResourceRef:
    build = context.current()
    if build is None:
        if explicit is not None:
            check_id(explicit)
        if not res.external:
            _check_plain(res.obj)
        return res
    if explicit is not None:
        check_id(explicit)
        rid = build.prefix + explicit[:1].upper() + explicit[1:] if build.prefix else explicit
    else:
        derived = derive_id(res.obj, build.prefix)
        if derived is None:
            name = _dynamic_name(res.obj)
            shown = cel_of(name) if name is not None else "missing"
            raise fail(
                f"this {res.kind}'s name is computed ({shown}), so its id cannot be derived",
                "Pass id='...' (lower camelCase, e.g. id='db').",
            )
        rid = derived
    if rid in build.ids:
        raise fail(f"two resources have the id {rid!r}", "Pass a distinct id='...' to one of them.")
    res.id = rid
    res.include = [*build.conditions, *res.include]
    res.loops = tuple(build.loops)
    _check_loop_name(res)
    build.resources.append(res)
    return res


def _check_plain(obj: dict[str, Any]) -> None:
    """Outside a composition, check a concrete object against its kind's schema now (inside one, the graph's
    validation checks every template, references included)."""
    if not _plain_data(obj):
        return
    from pykro.graph._templates import object_problem

    found = object_problem(obj)
    if found is not None:
        raise fail(found[1], found[2])  # the message names the field's path


_SCALARS = (str, int, float, bool, type(None))


def _plain_data(value: Any) -> bool:
    """True when ``value`` holds no reference (nor a model or an object standing for one): its values are known
    now. Other objects (bytes, sets) count as plain, so that the check reports them."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(item)
        elif kind not in _SCALARS and (
            isinstance(item, Ref | BaseModel) or getattr(item, "__pykro_ref__", None) is not None
        ):
            return False
    return True


def _check_loop_name(res: ResourceRef) -> None:
    if not res.loops:
        return
    name = (res.obj.get("metadata") or {}).get("name")
    used = identifiers(node_of(name)) if isinstance(name, Ref) else set()
    missing = [loop.name for loop in res.loops if loop.name not in used]
    if missing:
        raise fail(
            f"{res.kind} {res.id!r} is created once per item of a loop, but its name does not use the loop variable "
            f"{missing[0]!r}, so every copy would have the same name",
            f'Put it in the name, e.g. name=f"{{spec.name}}-{{{missing[0]}}}" (kro requires it).',
        )


def resource(obj: dict[str, Any], *, id: str | None = None) -> ResourceRef:
    """Register ``obj`` (any kind; references anywhere inside) in the composition being built, if any."""
    if not isinstance(obj, dict) or not obj.get("apiVersion") or not obj.get("kind"):
        raise fail("resource() needs a full object with apiVersion and kind", "Pass {'apiVersion': ..., ...}.")
    check_nesting(obj, f"the {obj['kind']} object")
    return register(ResourceRef(obj), id)


def external_ref(
    api_version: str,
    kind: str,
    name: Any = None,
    *,
    namespace: Any = None,
    selector: dict[str, Any] | None = None,
    id: str | None = None,
) -> ResourceRef:
    """An existing object the graph reads but does not create (kro ``externalRef``), by name or label selector."""
    if (name is None) == (selector is None):
        raise fail("external_ref() needs exactly one of name= or selector=", "Name the object or select by labels.")
    metadata: dict[str, Any] = {"name": name} if name is not None else {"selector": selector}
    if namespace is not None:
        metadata["namespace"] = namespace
    obj = {"apiVersion": api_version, "kind": kind, "metadata": metadata}
    if id is None and not isinstance(name, str):
        raise fail("an external_ref() selected by labels or a computed name needs an id", "Pass id='...'.")
    return register(ResourceRef(obj, external=True), id)


__all__ = ["ResourceRef", "Template", "external_ref", "resource"]
