"""Every factory's arguments checked against its signature before it runs: an unknown keyword (``replica=3``) or a
value of the wrong type (``replicas="three"``) is a CompositionError at the caller's line, never ignored.

The check is derived once per factory from its annotations (``**pod: Unpack[PodOptions]`` contributes the pod
keywords). A reference fits where its CEL type fits the annotation's plain types (``spec.replicas`` for an int,
``spec.name`` or an f-string for a str); ``dyn`` references fit everywhere.
"""

from __future__ import annotations

import collections.abc
import difflib
import functools
import inspect
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypeVar

from pykro.authoring._location import fail
from pykro.authoring._refs import Ref, cel_of, is_ref, type_of
from pykro.authoring._resource import ResourceRef

__all__ = ["checked"]

F = TypeVar("F", bound=Callable[..., Any])
Problem = tuple[str, str, Any] | None  # (where inside the value, what was expected, the offending value)
Check = Callable[[Any], Problem]

# Keywords users reach for that are spelled differently here.
_ALIASES: Final = {
    "environment": "env",
    "env_vars": "env",
    "port": "ports",
    "container_port": "ports",
    "replica": "replicas",
    "service_account_name": "service_account",
    "probe": "readiness_probe",
}
# Keywords whose values are secret: never shown in an error.
_SECRET: Final = {("Secret", "data"), ("Secret", "string_data")}
# CEL kinds a reference may have where a plain value of this Python type is expected.
_FITS: Final[dict[Any, frozenset[str]]] = {
    str: frozenset({"string"}),
    int: frozenset({"int", "uint"}),
    float: frozenset({"double", "int", "uint"}),
    bool: frozenset({"bool"}),
    "mapping": frozenset({"map", "object"}),
    "sequence": frozenset({"list"}),
}
_WORDS: Final = {str: "a string", int: "an int", float: "a number", bool: "a bool", type(None): "None"}


def checked(fn: F) -> F:
    """Wrap a factory so that its arguments are checked against its signature (see the module docstring)."""
    name = fn.__name__

    @functools.cache
    def plan() -> tuple[dict[str, Check], dict[str, Any], list[str], list[str]]:
        signature = inspect.signature(fn)
        hints = typing.get_type_hints(fn)
        checks: dict[str, Check] = {}
        words: dict[str, Any] = {}  # keyword -> its annotation, described in an error only (_describe)
        for param in signature.parameters.values():
            hint = hints.get(param.name, Any)
            if param.kind is param.VAR_KEYWORD:
                (options,) = typing.get_args(hint)  # Unpack[TypedDict]
                for key, sub in typing.get_type_hints(options).items():
                    checks[key], words[key] = _compile(sub), sub
            elif param.kind is not param.VAR_POSITIONAL:
                checks[param.name], words[param.name] = _compile(hint), hint
        params = signature.parameters.values()
        positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
        named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        required = [p.name for p in params if p.default is p.empty and p.kind in named]
        return checks, words, positional, required

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        checks, words, positional, required = plan()
        if len(args) > len(positional):
            raise fail(
                f"{name}() takes {len(positional)} positional argument(s) ({', '.join(positional)}), got {len(args)}",
                "Pass the other values as keywords (image=..., replicas=...).",
            )
        given = dict(zip(positional, args, strict=False))
        for key, value in kwargs.items():
            check = checks.get(key)
            if check is None:
                raise _unknown(name, key, list(checks))
            if key in given:
                raise fail(f"{name}() got {key} twice (as a positional argument and as a keyword)", "Pass it once.")
            problem = check(value)
            if problem is not None:
                raise _wrong(name, key, _describe(words[key]), problem)
        for key, value in given.items():
            if key not in kwargs:
                problem = checks[key](value)
                if problem is not None:
                    raise _wrong(name, key, _describe(words[key]), problem)
        for key in required:
            if key not in given and key not in kwargs:
                raise fail(f"{name}() needs {key}= ({_describe(words[key])})", f"Add {key}=...")
        return fn(*args, **kwargs)

    return typing.cast(F, wrapper)


def _unknown(factory: str, key: str, known: list[str]) -> Exception:
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()
    close = [k for k in (snake, _ALIASES.get(snake)) if k in known and k != key]
    if not close:
        close += difflib.get_close_matches(snake, known, n=3, cutoff=0.75)
        close += [k for k in known if len(k) >= 3 and (snake.startswith(k) or k.startswith(snake))]
    close = list(dict.fromkeys(close))[:3]
    fix = f"Did you mean {' or '.join(close)}?" if close else f"{factory}() takes: {', '.join(sorted(known))}."
    return fail(f"{factory}() has no keyword {key}", fix)


def _wrong(factory: str, key: str, expected: str, problem: tuple[str, str, Any]) -> Exception:
    where, wanted, value = problem
    if (factory, key) in _SECRET:
        return fail(f"{factory}() keyword {key}{where} must be {wanted}, got {type(value).__name__}")
    if is_ref(value):
        got = f"a reference of type {type_of(value)} (${{{cel_of(value)}}})"
    else:
        got = f"{type(value).__name__} {value!r}"
    place = f"{key}{where}"
    what = f"{factory}() keyword {place} must be {wanted}, got {got}"
    hint = f"{key} takes {expected}." if where else None
    if isinstance(value, str) and wanted.startswith("an int") and value.strip().lstrip("-").isdigit():
        hint = f"Did you mean {int(value)} (a number, not a string)?"
    elif isinstance(value, str) and wanted.startswith("a list"):
        hint = f"Write {place}=[{value!r}]."
    return fail(what, hint)


# ------------------------------------------------------------------------------------------- annotations
def _members(hint: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return tuple(m for arg in typing.get_args(hint) for m in _members(arg))
    return (hint,)


def _plain(member: Any) -> Any:
    """The key of a member in _FITS (a scalar type, "mapping", "sequence"), or None."""
    origin = typing.get_origin(member) or member
    if origin in (str, int, float, bool):
        return origin
    if origin in (Mapping, collections.abc.Mapping, dict):
        return "mapping"
    if origin in (Sequence, collections.abc.Sequence, list, tuple):
        return "sequence"
    return None


def _describe(hint: Any) -> str:
    """``an int or a dict (or a reference)``: what a value of ``hint`` may be, in words."""
    parts: list[str] = []
    members = _members(hint)
    for member in members:
        if member is Any:
            return "any value"
        origin = typing.get_origin(member) or member
        key = _plain(member)
        if member in (Ref, type(None)):
            continue
        if member is ResourceRef:
            text = "a resource"
        elif key == "mapping":
            text = "a dict"
        elif key == "sequence":
            text = "a list"
        else:
            text = _WORDS.get(origin, getattr(origin, "__name__", str(origin)))
        if text not in parts:
            parts.append(text)
    if not parts:
        return "a reference" if Ref in members else "None"
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} or {parts[-1]}"
    return f"{listed}{',' if len(parts) > 1 else ''} or a reference" if Ref in members else listed


def _compile(hint: Any) -> Check:
    """A check for values of ``hint``: None when the value fits, else what is wrong."""
    members = _members(hint)
    if Any in members:
        return lambda value: None
    fits: set[str] = {"dyn"}
    scalars: list[type] = []
    mapping: Check | None = None
    sequence: Check | None = None
    other: list[type] = []
    any_ref = Ref in members and all(_plain(m) is None for m in members if m not in (Ref, type(None), ResourceRef))
    for member in members:
        key = _plain(member)
        if key is not None:
            fits |= _FITS[key]
        if key in (str, int, float, bool):
            scalars.append(key)
        elif key == "mapping":
            args = typing.get_args(member)
            mapping = _items(_compile(args[1]) if len(args) == 2 else None, keyed=True)
        elif key == "sequence":
            args = typing.get_args(member)
            sequence = _items(_compile(args[0]) if args else None, keyed=False)
        elif member is not Ref and isinstance(member, type):
            other.append(member)
    takes_ref = Ref in members
    exact = frozenset(scalars) | (frozenset({int}) if float in scalars else frozenset())

    def check(value: Any) -> Problem:
        if type(value) in exact:
            return None
        if is_ref(value):
            if takes_ref and (any_ref or type_of(value).kind in fits):
                return None
            return ("", _describe(hint), value)
        if isinstance(value, bool):
            return None if bool in scalars else ("", _describe(hint), value)
        if isinstance(value, str):
            return None if str in scalars else ("", _describe(hint), value)
        if isinstance(value, int) and (int in scalars or float in scalars):
            return None
        if isinstance(value, float) and float in scalars:
            return None
        if other and isinstance(value, tuple(other)):
            return None
        if mapping is not None and isinstance(value, Mapping):
            return mapping(value)
        if sequence is not None and isinstance(value, Sequence) and not isinstance(value, str | bytes):
            return sequence(value)
        return ("", _describe(hint), value)

    return check


def _items(inner: Check | None, *, keyed: bool) -> Check:
    """Check the values of a dict (``keyed``) or the items of a list with ``inner``."""

    def check(value: Any) -> Problem:
        if inner is None:
            return None
        entries = value.items() if keyed else enumerate(value)
        for key, item in entries:
            problem = inner(item)
            if problem is not None:
                step = f"[{key!r}]" if keyed else f"[{key}]"
                return (step + problem[0], problem[1], problem[2])
        return None

    return check
