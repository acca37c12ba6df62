"""The CEL engine wrapper: kro v0.9.3's environment on top of cel-expr-python, returning plain Python values."""

from __future__ import annotations

import datetime
import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from cel_expr_python import cel
from cel_expr_python.ext import ext_bindings, ext_encoders, ext_optional, ext_strings

from pykro._memo import Memo
from pykro.cel import _nul as nul
from pykro.cel import _rewrite as rewrite
from pykro.cel._ast import Call, Ident, to_cel, walk
from pykro.cel._errors import (
    CelCompileError,
    CelDataPending,
    CelError,
    CelEvalError,
    CelUnsupportedLocally,
    line_col_to_offset,
)
from pykro.cel._library import ALL_FUNCTIONS, Fn
from pykro.cel._library.base import LibraryError
from pykro.cel._library.kro import OMIT_KIND
from pykro.cel._library.opaque import TAG, OpaqueValueError, check_plain
from pykro.cel._library.runtime import KIND as CONDITION_KIND
from pykro.cel._library.runtime import Condition
from pykro.cel._parser import parse
from pykro.cel._types import CelType

__all__ = ["OMIT", "Evaluator", "Program", "engine_type", "go_duration", "is_data_pending"]

# kro's runtime treats errors containing these as "data not there yet" (pkg/runtime/errors.go); the cel-cpp
# engine words the same conditions differently, so both spellings are listed.
DATA_PENDING_PATTERNS = (
    "no such key",
    "no such field",
    "no such attribute",
    "index out of bounds",
    "Key not found in map",
    "Index error",
    "No value with name",
)
_STATUS_PREFIX = re.compile(r"^[A-Z_]+: ")
_NON_CEL = re.compile(r"Non-CEL value type for 'Python function .*: ([\w.]+)\.")
_COMPILE_ERROR = re.compile(r"ERROR: <input>:(\d+):(\d+): (.*)")
_SCALARS = frozenset({"BOOL", "INT", "UINT", "DOUBLE", "STRING", "NULL"})
LIBRARY_NAMES = frozenset(f.name for f in ALL_FUNCTIONS)
_UNWRAP = "Unwrap the optional first with .orValue(default) (or .value())."
_NUL_RESULT = "a string holding a NUL character cannot be handed back to pykro's local CEL engine (kro can)"


class _Omit:
    """The value of kro's ``omit()``: the field (or list item) holding it is removed from the rendered object."""

    _instance: _Omit | None = None
    cel_type_name = "kro.omit"  # how messages name its type (pykro.cel._template.type_name)

    def __new__(cls) -> _Omit:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "OMIT"


OMIT: Any = _Omit()


def is_data_pending(exc: BaseException) -> bool:
    """True when ``exc`` (or its message) means "the data is not there yet": kro waits instead of failing."""
    if isinstance(exc, CelDataPending):
        return True
    message = str(exc)
    return any(pattern in message for pattern in DATA_PENDING_PATTERNS)


def engine_type(t: CelType) -> cel.Type:
    """The cel-expr-python type for a CelType (objects become ``map(string, dyn)``)."""
    simple = {
        "bool": cel.Type.BOOL,
        "int": cel.Type.INT,
        "uint": cel.Type.UINT,
        "double": cel.Type.DOUBLE,
        "string": cel.Type.STRING,
        "bytes": cel.Type.BYTES,
        "null": cel.Type.NULL,
        "dyn": cel.Type.DYN,
        "timestamp": cel.Type.TIMESTAMP,
        "duration": cel.Type.DURATION,
    }
    if t.kind in simple:
        return simple[t.kind]
    if t.kind == "list":
        return cel.Type.List(engine_type(t.params[0]))
    if t.kind == "map":
        return cel.Type.Map(engine_type(t.params[0]), engine_type(t.params[1]))
    return cel.Type.Map(cel.Type.STRING, cel.Type.DYN)


def _library_impl(name: str, impl: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a library implementation so its failures become CEL error values with a clean message."""

    def call(*args: Any) -> Any:
        try:
            result = impl(*args)
        except (LibraryError, OpaqueValueError) as exc:
            raise ValueError(str(exc)) from None
        except (TypeError, ValueError, KeyError, IndexError, OverflowError) as exc:
            raise ValueError(f"{name}: {exc}") from None
        kind = type(result)  # what the engine would cut at a NUL: bytes travel as bytearray, NUL in text is refused
        if kind is str:
            if "\x00" in result:
                raise ValueError(f"{name}: {_NUL_RESULT}")
        elif kind is bytes:
            return bytearray(result)
        elif kind is dict or kind is list:
            try:
                return nul.to_engine(result, "result")
            except nul.NulError as exc:
                raise ValueError(f"{name}: {exc}; {_NUL_RESULT}") from None
        return result

    return call


def _declarations(functions: Iterable[Fn]) -> list[cel.FunctionDecl]:
    return [
        cel.FunctionDecl(
            f.name,
            [
                cel.Overload(
                    o.id,
                    engine_type(o.result),
                    [engine_type(p) for p in o.params],
                    is_member=o.member,
                    impl=_library_impl(f.name, o.impl),
                )
                for o in f.overloads
            ],
        )
        for f in functions
    ]


def _clean(message: str) -> str:
    return _STATUS_PREFIX.sub("", message.strip())


class Program:
    """A compiled expression: evaluate it against an activation (variable name -> plain Python value)."""

    def __init__(
        self,
        expression: str,
        compiled: Any = None,
        *,
        scalar: bool = False,
        reads: nul.Reads = (),
        unsupported: str | None = None,
        fix: str = "Deploy through kro, which evaluates it.",
    ) -> None:
        self._fix = fix
        self.expression = expression
        self._compiled = compiled
        self._scalar = scalar
        self._reads = reads
        self._unsupported = unsupported

    def __repr__(self) -> str:
        return f"Program({self.expression!r})"

    def evaluate(self, activation: Mapping[str, Any]) -> Any:
        """Evaluate; return plain Python values (dict/list/str/int/float/bool/None/bytes, or OMIT).

        Raises CelDataPending for missing keys / out-of-range indexes / absent variables, CelEvalError for
        other error values and CelUnsupportedLocally for constructs only kro itself can run.
        """
        if self._unsupported is not None:
            raise CelUnsupportedLocally(
                f"{self._unsupported} in {self.expression!r} cannot be evaluated locally by pykro; it runs in kro",
                expression=self.expression,
                fix=self._fix,
            )
        try:
            activation = nul.activation_for(activation, self._reads)
        except nul.NulError as exc:
            raise CelEvalError(
                f"cannot evaluate {self.expression!r}: {exc}, which pykro's local CEL engine would cut short",
                expression=self.expression,
                fix="Remove the NUL character from the data (kro itself evaluates such data).",
            ) from None
        try:
            value = self._compiled.eval(data=activation)
            kind = value.type().name()
        except (RuntimeError, TypeError) as exc:
            message = _clean(str(exc))
            if (found := _NON_CEL.search(message)) is not None:
                what = {"datetime.datetime": "timestamp", "datetime.timedelta": "duration"}.get(found.group(1), "value")
                message = f"a {what} collected into a map or list cannot pass through pykro's local engine"
            raise CelEvalError(f"cannot evaluate {self.expression!r}: {message}", expression=self.expression) from None
        if kind == "ERROR":
            try:
                message = value.plain_value()
            except TypeError:
                raise self._optional_error() from None
            message = _clean(str(message))
            error = CelDataPending if is_data_pending(Exception(message)) else CelEvalError
            raise error(f"evaluating {self.expression!r}: {message}", expression=self.expression)
        try:
            plain = value.plain_value()
        except (TypeError, SystemError):
            raise self._optional_error() from None
        if self._scalar:
            return plain
        try:
            return _to_plain(plain, top=True)
        except (OpaqueValueError, ValueError) as exc:
            raise CelEvalError(f"evaluating {self.expression!r}: {exc}", expression=self.expression) from None

    def _optional_error(self) -> CelEvalError:
        return CelEvalError(
            f"{self.expression!r} produced optional values inside its result, which pykro cannot convert",
            expression=self.expression,
            fix="Unwrap them with .orValue(default) or .value().",
        )


_PLAIN_LEAVES = frozenset({str, int, float, bool, type(None)})


def _to_plain(value: Any, top: bool = False) -> Any:
    """Turn the engine's Python values into what a manifest holds (kro's GoNativeType); a runtime condition becomes
    a Condition. The engine's dicts and lists are fresh objects: they are converted in place."""
    kind = type(value)
    if kind is dict:
        tag = value.get(TAG)
        if tag is not None:
            if tag == CONDITION_KIND:
                return Condition.from_map(value)
            if tag == OMIT_KIND:
                if top:
                    return OMIT
                raise ValueError("omit() can only be a field's whole value, not part of a list or map")
            check_plain(value)
        for key, item in value.items():
            if type(key) is not str:
                raise ValueError(f"map key must be string, got {type(key).__name__}")
            if type(item) not in _PLAIN_LEAVES:
                value[key] = _to_plain(item)
        return value
    if kind is list:
        for index, item in enumerate(value):
            if type(item) not in _PLAIN_LEAVES:
                value[index] = _to_plain(item)
        return value
    if kind is bytearray:
        return bytes(value)
    if kind is datetime.datetime:
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind is datetime.timedelta:
        return go_duration(value)
    if isinstance(value, cel.Type):
        raise ValueError(f"a type value ({value.name()}) cannot be converted to a plain value")
    return value


def go_duration(value: datetime.timedelta) -> str:
    """Go's time.Duration.String(): ``1h2m3.5s``, ``1.5s``, ``150ms``, ``0s``."""
    nanos = (value.days * 86400 + value.seconds) * 10**9 + value.microseconds * 1000
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    nanos = abs(nanos)
    if nanos < 10**9:
        for unit, size in (("ms", 10**6), ("µs", 10**3), ("ns", 1)):
            if nanos >= size:
                return sign + _trim(nanos, size) + unit
    hours, rest = divmod(nanos, 3600 * 10**9)
    minutes, rest = divmod(rest, 60 * 10**9)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if hours or minutes else "")
    return sign + text + _trim(rest, 10**9) + "s"


def _trim(amount: int, unit: int) -> str:
    whole, frac = divmod(amount, unit)
    if not frac:
        return str(whole)
    digits = str(frac).rjust(len(str(unit)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}"


@functools.cache
def _extensions() -> tuple[Any, ...]:
    """The extensions of kro's environment, built once per process (declaring the library costs ~1 ms)."""
    return (
        ext_strings.ExtStrings(),
        ext_bindings.ExtBindings(),
        ext_optional.ExtOptional(),
        ext_encoders.ExtEncoders(),
        cel.CelExtension("pykro.kro", _declarations(ALL_FUNCTIONS)),
    )


class _Environment:
    """One cel-expr-python environment and the programs compiled in it (shared by evaluators declaring the same
    variables: a compiled program depends only on the declarations)."""

    def __init__(self, variables: Mapping[str, CelType], kro_library: bool) -> None:
        extensions = list(_extensions()) if kro_library else []
        self.env = cel.NewEnv(variables={name: engine_type(t) for name, t in variables.items()}, extensions=extensions)
        self.programs: Memo[str, Program] = Memo(_MAX_PROGRAMS)
        self.lock = threading.Lock()


_ENVIRONMENTS: OrderedDict[tuple[Any, ...], _Environment] = OrderedDict()
_ENVIRONMENTS_LOCK = threading.Lock()
_MAX_ENVIRONMENTS = 64
_MAX_PROGRAMS = 4096  # compiled programs kept per environment (the oldest dropped past it)


def _environment(variables: Mapping[str, CelType], kro_library: bool) -> _Environment:
    """The shared environment for these declarations (least recently used ones are dropped past 64)."""
    key = (kro_library, *sorted(variables.items(), key=lambda item: item[0]))
    with _ENVIRONMENTS_LOCK:
        found = _ENVIRONMENTS.get(key)
        if found is not None:
            _ENVIRONMENTS.move_to_end(key)
            return found
    made = _Environment(variables, kro_library)
    with _ENVIRONMENTS_LOCK:
        found = _ENVIRONMENTS.setdefault(key, made)
        _ENVIRONMENTS.move_to_end(key)
        while len(_ENVIRONMENTS) > _MAX_ENVIRONMENTS:
            _ENVIRONMENTS.popitem(last=False)
    return found


class Evaluator:
    """Compiles and evaluates CEL with kro v0.9.3's environment (standard library, cel-go extensions kro enables,
    Kubernetes' libraries and kro's own), caching compiled programs per expression string.

    ``variables`` maps names to CelTypes, or is an iterable of names that are all ``dyn``. Evaluators declaring
    the same variables share one engine environment and its compiled programs.
    """

    def __init__(self, variables: Mapping[str, CelType] | Iterable[str] = (), *, kro_library: bool = True) -> None:
        if isinstance(variables, Mapping):
            self.variables: dict[str, CelType] = dict(variables)
        else:
            self.variables = dict.fromkeys(variables, CelType.DYN)
        self.kro_library = kro_library
        shared = _environment(self.variables, kro_library)
        self._env = shared.env
        self._cache = shared.programs
        self._lock = shared.lock

    def compile(self, expression: str) -> Program:
        """Compile (cached); raise CelCompileError with the engine's message and a 0-based position."""
        program = self._cache.get(expression)
        if program is None:
            program = self._compile(expression)
            with self._lock:
                self._cache.put(expression, program)
        return program

    def evaluate(self, expression: str, activation: Mapping[str, Any]) -> Any:
        """Compile (cached) and evaluate ``expression``."""
        return self.compile(expression).evaluate(activation)

    def _compile(self, expression: str) -> Program:
        source = rewrite.for_engine(expression) if self.kro_library else expression
        if self.kro_library and (function := rewrite.optional_passed_to(expression, LIBRARY_NAMES)) is not None:
            self._env.compile(source)  # still report real compile errors first
            return Program(expression, unsupported=f"passing an optional value to {function}()", fix=_UNWRAP)
        try:
            compiled = self._env.compile(source)
        except RuntimeError as exc:
            retry = rewrite.for_engine(expression, comprehensions=True) if self.kro_library else source
            if retry == source:
                raise self._compile_error(expression, str(exc)) from None
            try:
                compiled = self._env.compile(retry)
            except RuntimeError:
                raise self._compile_error(expression, str(exc)) from None
            source = retry
        if source != expression and "__pykro_" in source and self._hands_optionals_to_python(expression):
            return Program(
                expression, unsupported="an optional value in a two-variable comprehension or sortBy", fix=_UNWRAP
            )
        result = compiled.return_type().name()
        if result.startswith("optional_type"):
            compiled = self._env.compile(rewrite.unwrap_optional(source))
            result = compiled.return_type().name()
        if "optional_type" in result:  # converting a container of optionals crashes the engine: refuse it
            return Program(expression, unsupported="a list or map holding optional values as the result", fix=_UNWRAP)
        return Program(expression, compiled, scalar=result in _SCALARS, reads=nul.reads(expression, self.variables))

    def _compile_error(self, expression: str, message: str) -> CelError:
        """The engine's compile error; a namespaced library function called with the wrong arguments reads as cel-go
        words it ("found no matching overload ..."), not as the engine's "undeclared reference"."""
        if self.kro_library and "undeclared reference to '" in message:
            wrong = self._wrong_arguments(expression)
            if wrong is not None:
                name, types, position = wrong
                return CelCompileError(
                    f"cannot compile {expression!r}: found no matching overload for '{name}' applied to "
                    f"'({', '.join(types)})' (at offset {position})",
                    expression=expression,
                    position=position,
                )
        return _compile_error(expression, message)

    def _hands_optionals_to_python(self, expression: str) -> bool:
        """True when a rewritten comprehension would hand Python a value of optional type (see comprehension_probes)."""
        for probe in rewrite.comprehension_probes(expression, frozenset(self.variables)):
            try:
                compiled = self._env.compile(rewrite.for_engine(probe, comprehensions=True))
            except (RuntimeError, CelError):
                continue
            if "optional_type" in compiled.return_type().name():
                return True
        return False

    def _wrong_arguments(self, expression: str) -> tuple[str, list[str], int] | None:
        """(function, argument types, offset) of the first namespaced library call the engine could not resolve."""
        try:
            tree = parse(expression)
        except CelError:
            return None
        for node in walk(tree):
            if not (isinstance(node, Call) and isinstance(node.target, Ident)):
                continue
            name = f"{node.target.name}.{node.function}"
            if name not in LIBRARY_NAMES:
                continue
            types = []
            for arg in node.args:
                try:
                    types.append(_go_type_name(self._env.compile(to_cel(arg)).return_type().name()))
                except RuntimeError:
                    return None
            position = expression.find(f"{node.function}(", expression.find(node.target.name))
            return name, types, max(position + len(node.function), 0)
        return None


def _go_type_name(name: str) -> str:
    """cel-go's spelling of an engine type name: ``LIST<INT>`` is ``list(int)``, ``NULL`` is ``null_type``."""
    text = name.replace("<", "(").replace(">", ")").lower()
    for engine, go in (
        ("null", "null_type"),
        ("duration", "google.protobuf.Duration"),
        ("timestamp", "google.protobuf.Timestamp"),
    ):
        text = re.sub(rf"\b{engine}\b", go, text)
    return text


def _compile_error(expression: str, message: str) -> CelError:
    found = _COMPILE_ERROR.findall(message)
    if not found:
        return CelCompileError(f"cannot compile {expression!r}: {_clean(message)}", expression=expression)
    line, column, _ = found[0]
    position = line_col_to_offset(expression, int(line), int(column))
    details = "; ".join(dict.fromkeys(item[2] for item in found))
    return CelCompileError(
        f"cannot compile {expression!r}: {details} (at offset {position})", expression=expression, position=position
    )
