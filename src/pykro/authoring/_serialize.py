"""Objects with references inside become kro templates: a lone reference is a standalone ``${...}``, a Template a
string template, and plain strings that happen to contain ``${`` are escaped so kro reads them literally."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from pykro.authoring._location import fail, user_location
from pykro.authoring._refs import Ref, Template, cel_of, is_ref, to_node
from pykro.cel import _ast as ast
from pykro.errors import CompositionError, go_quote

__all__ = ["check_nesting", "model_values", "status_expression", "status_template", "template_string", "to_template"]


def _literal_text(text: str) -> str:
    """Plain text for a template: ``${`` would start an expression in kro, so such text becomes a CEL string."""
    return "${" + go_quote(text) + "}" if "${" in text else text


def template_string(value: Template) -> str:
    """A kro string template: text around ``${...}`` parts."""
    return "".join(_literal_text(p) if isinstance(p, str) else "${" + cel_of(p) + "}" for p in value.parts)


def to_template(value: Any, where: str = "", site: str | None = None) -> Any:
    """A plain YAML value for a resource template (references become ``${...}``); ``where`` names the value in
    errors, located at ``site`` (the user's line that created it) or else at the user's current line."""
    try:
        check_nesting(value, where or "the value", where)
        return _template(value)
    except _Misplaced as exc:
        inner = "".join(reversed(exc.path))
        place = (f"{where}{inner}" if where else inner.removeprefix(".")) or "object"
        raise CompositionError(exc.what.format(where=place), where=site or user_location(), fix=exc.fix) from None
    except CompositionError as exc:
        if site is None:
            raise
        raise CompositionError(exc.what, where=site, fix=exc.fix) from None


def check_nesting(value: Any, what: str, prefix: str = "") -> None:
    """A CompositionError at the user's line when ``value`` nests deeper than pykro's limit (pykro.graph._depth)."""
    from pykro._yamlio import MAX_DEPTH, path_text, too_deep  # the YAML module loads when a graph is built

    path = too_deep(value)
    if path is not None:
        raise fail(
            f"{what} nests mappings and lists more than {MAX_DEPTH} levels deep (at {path_text(prefix, path)})",
            f"pykro stops at {MAX_DEPTH} levels (no real manifest comes close); flatten the data.",
        )


class _Misplaced(Exception):
    """A value that cannot go into a manifest; ``path`` collects the keys on the way out (innermost first)."""

    def __init__(self, what: str, fix: str) -> None:
        self.what, self.fix = what, fix
        self.path: list[str] = []


def _template(value: Any) -> Any:
    if isinstance(value, str):
        return _literal_text(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                shown = cel_of(key) if is_ref(key) else repr(key)
                raise _Misplaced(
                    f"map keys must be plain strings ({{where}} has the key {shown})",
                    "kro does not evaluate ${...} in keys; use a fixed key.",
                )
            try:
                out[key] = _template(item)
            except _Misplaced as exc:
                exc.path.append(f".{key}")
                raise
        return out
    if isinstance(value, list | tuple):
        items: list[Any] = []
        for i, item in enumerate(value):
            try:
                items.append(_template(item))
            except _Misplaced as exc:
                exc.path.append(f"[{i}]")
                raise
        return items
    if isinstance(value, Template):
        return template_string(value)
    if isinstance(value, Ref):
        return "${" + cel_of(value) + "}"
    as_ref = getattr(value, "__pykro_ref__", None)
    if as_ref is not None:
        return "${" + cel_of(as_ref()) + "}"
    if isinstance(value, BaseModel):
        return _template(model_values(value))
    raise _Misplaced(
        f"cannot put a {type(value).__name__} into a manifest ({{where}})", "Use plain values or references."
    )


def model_values(model: BaseModel) -> dict[str, Any]:
    """A model's set values by CRD name (works for models holding references)."""
    out: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        if name in model.__dict__:
            value = model.__dict__[name]
            out[info.alias or name] = model_values(value) if isinstance(value, BaseModel) else value
    return out


def status_expression(value: Any) -> str:
    """One status field as kro v0.9.3 accepts it: an expression reading a resource or the schema.

    A literal (which kro would reject: status fields must be expressions that read something) is anchored to the
    instance: ``${has(schema.metadata) ? "v" : "v"}`` has the literal's type and value.
    """
    if is_ref(value):
        return "${" + cel_of(value) + "}"
    node = to_node(value)
    text = ast.to_cel(node)
    if _reads_something(node):
        return "${" + text + "}"
    return "${has(schema.metadata) ? " + text + " : " + text + "}"


def _reads_something(node: ast.Node) -> bool:
    return any(isinstance(n, ast.Ident) for n in ast.walk(node))


def status_template(value: Any) -> Any:
    """The RGD's ``status`` section from a status model or mapping."""
    if isinstance(value, BaseModel):
        value = model_values(value)
    if isinstance(value, dict):
        return {key: status_template(item) for key, item in value.items()}
    return status_expression(value)
