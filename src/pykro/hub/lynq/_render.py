"""Rendering a LynqForm resource for one row, as Lynq does it and safer: each string of the resource (not the
resource's text) is one Go template executed with the row's values, so a value is data — it lands verbatim in the
field it was mapped to, whatever it holds (``\\nkind: Secret``, ``{{ }}``, ``${ }``, quotes). Mapping keys are never
templates.

Lynq's typed functions ``int``, ``float`` and ``bool`` make the field a number or a boolean when the template's
whole output is their result (Lynq's ``__LYNQ_TYPE_INT__`` markers, here a marker no row value can forge); in
fields that only take text (labels, annotations, selectors, ConfigMap and Secret data) the value stays text.
``randAlphaNum N`` as the whole value of a Secret's ``stringData`` entry is a generated secret
(`pykro.hub._generated`): made once per tenant and kept, so resyncs do not change it; anywhere else it is refused
(a value made afresh at every sync would update the object every time)."""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pykro._gotemplate import FUNCS, GoTemplateError, Template
from pykro._gotemplate import parse as parse_template
from pykro._gotemplate.lynq import parse_typed_value
from pykro.errors import PykroError
from pykro.graph._naming import did_you_mean
from pykro.hub._generated import RandomPassword, random_password

__all__ = ["Compiled", "RenderError", "TemplateText", "compile_tree", "typed_functions"]

_NONCE = secrets.token_hex(8)
_MARK = re.compile("\x00" + _NONCE + r":(int|float|bool|rand):([^\x00]*)\x00")
_STRING_PARENTS = frozenset(
    {"annotations", "labels", "matchLabels", "nodeSelector", "labelsTemplate", "annotationsTemplate"}
)
_DATA_PARENTS = frozenset({"data", "binaryData", "stringData"})
_MISSING_KEY = re.compile(r'map has no entry for key "([^"]*)"')


class RenderError(PykroError):
    """A template failed for one row: that row fails alone."""


def _mark(kind: str, value: Any) -> str:
    return f"\x00{_NONCE}:{kind}:{value}\x00"


def _typed(kind: str) -> Callable[[Any], str]:
    """Lynq's ``int``/``float``/``bool`` (the engine's conversion rules), marked with pykro's marker."""
    convert = FUNCS[kind]

    def marked(value: Any) -> str:
        typed = parse_typed_value(str(convert(value)))
        return _mark(kind, repr(typed) if kind == "float" else str(typed).lower() if kind == "bool" else typed)

    return marked


def _rand(length: Any) -> str:
    if not isinstance(length, int) or isinstance(length, bool):
        raise ValueError(f"randAlphaNum needs a whole number, not {length!r}")
    random_password(length)  # checks the length (8 to 256)
    return _mark("rand", length)


def typed_functions() -> dict[str, Callable[..., Any]]:
    """The functions replacing the engine's (Sprig's and Lynq's): ``int``, ``float``, ``bool`` and
    ``randAlphaNum`` give pykro's markers."""
    return {"int": _typed("int"), "float": _typed("float"), "bool": _typed("bool"), "randAlphaNum": _rand}


def _keeps_text(kind: str | None, path: tuple[str | int, ...]) -> bool:
    keys = [p for p in path if isinstance(p, str)]
    if not keys:
        return False
    if keys[-1] in ("apiVersion", "kind"):
        return True
    parent = keys[-2] if len(keys) > 1 else ""
    if parent in _STRING_PARENTS:
        return True
    return parent in _DATA_PARENTS and kind in ("ConfigMap", "Secret")


def _finish(text: str, kind: str | None, path: tuple[str | int, ...], show: str) -> Any:
    """The rendered ``text`` as the field's value: a typed value when it is one marker, else text."""
    whole = _MARK.fullmatch(text)
    if whole is not None:
        what, value = whole.groups()
        if what == "rand":
            if kind == "Secret" and len(path) == 2 and path[0] == "stringData":
                return RandomPassword(int(value))
            raise RenderError(
                "randAlphaNum is supported as the whole value of a Secret's stringData entry only",
                where=show,
                fix="Move it to a Secret's stringData (pykro makes it once per tenant and keeps it).",
            )
        if _keeps_text(kind, path):
            return value
        if what == "int":
            return int(value)
        if what == "float":
            number = float(value)
            if not math.isfinite(number):
                raise RenderError(
                    f"float gave {value}, which a Kubernetes object cannot hold", where=show, fix="Fix the row's value."
                )
            return number
        return value == "true"

    def text_of(found: re.Match[str]) -> str:
        if found.group(1) == "rand":
            raise RenderError(
                "randAlphaNum must be the whole value of a Secret's stringData entry",
                where=show,
                fix="Give the generated value its own stringData key.",
            )
        return found.group(2)

    return _MARK.sub(text_of, text)


@dataclass
class Compiled:
    """A resource's tree with every template string parsed once (at load time, so a syntax error or an unknown
    function stops loading): `render` executes them for one row."""

    tree: Any
    kind: str | None
    where: str
    templates: dict[int, Template] = field(default_factory=dict)

    def render(self, data: dict[str, Any]) -> Any:
        return self._walk(self.tree, (), data)

    def _walk(self, node: Any, path: tuple[str | int, ...], data: dict[str, Any]) -> Any:
        if isinstance(node, dict):
            return {k: self._walk(v, (*path, k), data) for k, v in node.items()}
        if isinstance(node, list):
            return [self._walk(v, (*path, i), data) for i, v in enumerate(node)]
        if isinstance(node, TemplateText):
            show = _show(self.where, path)
            try:
                text = node.template.execute(data)
            except GoTemplateError as exc:
                what = exc.what
                missing = _MISSING_KEY.search(what)
                if missing is not None and missing.group(1) not in data:  # a misspelt variable
                    what += did_you_mean(missing.group(1), data).replace(" Did you mean", "; did you mean")
                raise RenderError(what, where=show, fix=exc.fix or "Fix the template or the row's value.") from None
            except (ValueError, TypeError, ArithmeticError) as exc:
                raise RenderError(f"{type(exc).__name__}: {exc}", where=show, fix="Fix the template.") from None
            return _finish(text, self.kind, path, show)
        return node


@dataclass
class TemplateText:
    """A string of a resource that is a Go template (parsed once)."""

    template: Template


def _show(where: str, path: tuple[str | int, ...]) -> str:
    out = where
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def compile_tree(tree: Any, kind: str | None, where: str, file: str) -> Compiled:
    """``tree`` with each string holding ``{{`` parsed as a template (others stay as they are); ``where`` is the
    tree's YAML path, ``file`` the file it is in (for errors)."""
    funcs = typed_functions()

    def walk(node: Any, path: tuple[str | int, ...]) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, (*path, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, (*path, i)) for i, v in enumerate(node)]
        if isinstance(node, str) and "{{" in node:
            show = _show(where, path)
            try:
                return TemplateText(parse_template(node, name=show, funcs=funcs, missing_key="error"))
            except GoTemplateError as exc:
                spot = (exc.where or "").rsplit(":", 2)[-2:]
                at = f" (line {spot[0]}, column {spot[1]})" if len(spot) == 2 and spot[0].isdigit() else ""
                raise PykroError(
                    f"template error{at}: {exc.what}",
                    where=f"{file}: {show}",
                    fix=exc.fix or "Fix the Go template.",
                ) from None
        return node

    return Compiled(walk(tree, ()), kind, where)
