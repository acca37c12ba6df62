"""kro's ``${...}`` handling (pkg/graph/parser in kro v0.9.3): standalone expressions, string templates, and
finding every expression in a resource template.

Scanning rules, as kro's: braces are counted outside double-quoted string literals (a backslash escapes the next
character inside one), a ``${`` outside a string literal inside an expression is an error unless the character
before it is a double quote, and an unterminated ``${`` is left as plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pykro.cel._errors import CelEvalError
from pykro.errors import ValidationError, go_quote

__all__ = [
    "Expr",
    "Standalone",
    "Template",
    "find_expressions",
    "join_path",
    "parse_value",
    "render_template",
    "template_to_cel",
    "type_name",
]

START, END = "${", "}"


@dataclass(frozen=True)
class Expr:
    """One ``${...}`` inside a string template."""

    expression: str


@dataclass(frozen=True)
class Standalone:
    """A value that is exactly one ``${...}``: it may evaluate to any type."""

    expression: str


@dataclass(frozen=True)
class Template:
    """A string mixing text and ``${...}`` parts; every part must evaluate to a string."""

    parts: tuple[str | Expr, ...]

    @property
    def expressions(self) -> tuple[str, ...]:
        return tuple(part.expression for part in self.parts if isinstance(part, Expr))


def _scan(text: str, where: str | None) -> list[tuple[int, int]]:
    """(start, end) of every top-level ``${...}``: ``text[start:end]`` is the whole match."""
    matches: list[tuple[int, int]] = []
    start, n = 0, len(text)
    while start < n:
        begin = text.find(START, start)
        if begin < 0:
            break
        depth, i, in_string, escaped = 1, begin + len(START), False, False
        while i < n:
            c = text[i]
            if escaped:
                escaped = False
            elif in_string and c == "\\":
                escaped = True
            elif c == '"':
                in_string = not in_string
            elif not in_string:
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                    if depth == 0:
                        break
                elif text.startswith(START, i) and text[i - 1] != '"':
                    raise ValidationError(
                        f"nested expression in {text!r}: a '${{' inside '${{...}}' is only allowed inside a string"
                        " literal",
                        where=where,
                        fix='Write the inner text as a CEL string, e.g. ${"${VAR}"} for a literal "${VAR}".',
                    )
            i += 1
        if depth != 0:
            start += 1
            continue
        matches.append((begin, i + 1))
        start = i + 1
    return matches


def parse_value(text: str, *, where: str | None = None) -> str | Standalone | Template:
    """Classify a string: plain (returned unchanged), one standalone ``${...}``, or a string template."""
    if START not in text:
        return text
    matches = _scan(text, where)
    if not matches:
        return text
    if len(matches) == 1 and matches[0] == (0, len(text)):
        return Standalone(text[len(START) : -len(END)])
    parts: list[str | Expr] = []
    position = 0
    for begin, end in matches:
        if begin > position:
            parts.append(text[position:begin])
        parts.append(Expr(text[begin + len(START) : end - len(END)]))
        position = end
    if position < len(text):
        parts.append(text[position:])
    return Template(tuple(parts))


def template_to_cel(template: Template) -> str:
    """The concatenation kro compiles for a template: ``"a-" + (expr) + "-b"`` (text quoted as Go's strconv.Quote)."""
    return " + ".join(f"({part.expression})" if isinstance(part, Expr) else go_quote(part) for part in template.parts)


def render_template(template: Template, values: Sequence[Any]) -> str:
    """Join a template's text with the values of its expressions (in order); every value must be a string."""
    expressions = template.expressions
    if len(values) != len(expressions):
        raise ValueError(f"template has {len(expressions)} expressions, got {len(values)} values")
    out: list[str] = []
    it = iter(zip(expressions, values, strict=True))
    for part in template.parts:
        if isinstance(part, str):
            out.append(part)
            continue
        expression, value = next(it)
        if not isinstance(value, str):
            raise CelEvalError(
                f"expression {expression!r} in a string template must be a string, got {type_name(value)}",
                expression=expression,
                fix=(
                    "omit() removes a field only as its whole value: make the whole field ${cond ? ... : omit()}."
                    if type_name(value) == "kro.omit"
                    else f"Convert it with string(...): ${{string({expression})}}."
                ),
            )
        out.append(value)
    return "".join(out)


def type_name(value: object) -> str:
    """The CEL name of a plain Python value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    named = getattr(type(value), "cel_type_name", None)  # pykro.cel.OMIT
    if isinstance(named, str):
        return named
    names = {int: "int", float: "double", str: "string", bytes: "bytes", list: "list", dict: "map"}
    return next((name for kind, name in names.items() if isinstance(value, kind)), type(value).__name__)


def join_path(path: str, key: str) -> str:
    """kro's YAML path join: ``a.b``, and ``a["x.y"]`` for keys that are empty or contain a dot."""
    if key == "" or "." in key:
        return f'{path}["{key}"]'
    return f"{path}.{key}" if path else key


def find_expressions(obj: Any, path: str = "") -> list[tuple[str, Standalone | Template]]:
    """Every string value holding ``${...}`` in a nested dict/list, as (yaml path, parsed), depth first.

    kro v0.9.3 only looks at values: ``${...}`` in a map key stays literal text.
    """
    found: list[tuple[str, Standalone | Template]] = []
    stack: list[tuple[str, Any]] = [(path, obj)]
    while stack:
        here, value = stack.pop()
        if isinstance(value, dict):
            stack.extend(reversed([(join_path(here, str(k)), v) for k, v in value.items()]))
        elif isinstance(value, list):
            stack.extend(reversed([(f"{here}[{i}]", v) for i, v in enumerate(value)]))
        elif isinstance(value, str):
            parsed = parse_value(value, where=here or None)
            if not isinstance(parsed, str):
                found.append((here, parsed))
    return found
