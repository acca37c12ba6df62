"""How a spec reaches pykro: ``--set`` assignments, values files and mappings given to the API, all checked the
same way against the CRD's schema (strict field validation, as ``kubectl --validate=strict``): unknown fields are
errors with a "did you mean", Python field names are accepted for the CRD's (camelCase) names, values must fit
their field's type and constraints, and a spec is at most ``MAX_SPEC_BYTES``."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pydantic

from pykro import _memo as memo
from pykro import _yamlio as yamlio
from pykro.errors import ValidationError
from pykro.graph import _secrets as secrets
from pykro.graph._model import Graph
from pykro.graph._naming import did_you_mean
from pykro.schema import _causes as c
from pykro.schema import _structural as structural
from pykro.schema._models import camel, describe_errors, item_model
from pykro.schema._models import secret_paths as model_secret_paths

MAX_SPEC_BYTES = 1024 * 1024  # Kubernetes stores objects up to ~1.5 MiB; the spec must leave room for the rest

Schema = dict[str, Any]
_DOT = re.compile(r"(?<!\\)\.")  # a dot that is not escaped: where --set splits its path
_NULLS = ("null", "Null", "NULL", "~")


def schema_of(source: Any) -> tuple[Schema | None, type[pydantic.BaseModel] | None]:
    """The instance spec's structural schema and the pydantic model behind it (when there is one) of a Graph, a
    composition or a spec model class; ``(None, None)`` for anything else."""
    from pykro.graph import Graph
    from pykro.schema._models import model_to_openapi

    model = getattr(source, "spec_model", None)
    if isinstance(source, type) and issubclass(source, pydantic.BaseModel):
        return model_to_openapi(source), source
    graph = source if isinstance(source, Graph) else getattr(source, "graph", None)
    if not isinstance(model, type) or not issubclass(model, pydantic.BaseModel):
        model = None
    return (graph.openapi if isinstance(graph, Graph) else None), model


# ------------------------------------------------------------------------------------------------ checking
def check_spec(
    schema: Schema,
    spec: Any,
    *,
    model: type[pydantic.BaseModel] | None = None,
    where: str | None = None,
    what: str = "spec",
    graph: Graph | None = None,
) -> dict[str, Any]:
    """``spec`` (a mapping) with CRD field names, after checking it as the API server would with strict field
    validation, plus ``model``'s own validation; raises ValidationError naming the field (``what``: how the
    messages call the spec, e.g. "WebApp spec") but no value of a secret field (of ``model``, or listed by
    ``graph``)."""
    return _check(schema, spec, model, where, what, graph)[0]


def spec_instance(
    schema: Schema, spec: Any, model: type[pydantic.BaseModel], *, where: str | None = None, what: str = "spec"
) -> pydantic.BaseModel:
    """``spec`` checked like ``check_spec``, as an instance of ``model`` (defaults filled in)."""
    instance = _check(schema, spec, model, where, what)[1]
    assert instance is not None
    return instance


def _check(
    schema: Schema,
    spec: Any,
    model: type[pydantic.BaseModel] | None,
    where: str | None,
    what: str,
    graph: Graph | None = None,
) -> tuple[dict[str, Any], pydantic.BaseModel | None]:
    with _redacted(graph, model, lambda: [spec]):
        return _check_unredacted(schema, spec, model, where, what)


@contextlib.contextmanager
def _redacted(
    graph: Any, model: type[pydantic.BaseModel] | None, specs: Callable[[], Iterable[Any]], sets: Iterable[str] = ()
) -> Iterator[None]:
    """Errors raised inside name no value of a secret spec field (``SecretStr`` in ``model``, or listed by
    ``graph``): the values in ``specs`` (Python or CRD field names) and in ``--set`` assignments to such fields."""
    try:
        yield
    except ValidationError as exc:
        paths = secrets.secret_paths(graph if hasattr(graph, "annotations") else None)
        if model is not None:
            paths += [path.split(".") for path in model_secret_paths(model)]
        if not paths:
            raise
        redactor = secrets.Redactor()
        for spec in specs():
            redactor.learn_paths(paths, _camel_keys(spec))
        for item in sets:
            key, _, raw = item.partition("=")
            parts = [camel(part.replace("\\.", ".")) for part in _DOT.split(key)]
            if any(len(p) == len(parts) and all(a in ("*", b) for a, b in zip(p, parts, strict=True)) for p in paths):
                redactor.add([raw])
        raise redactor.error(exc) from None


def _camel_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {camel(k) if isinstance(k, str) else k: _camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel_keys(v) for v in value]
    return value


def _check_unredacted(
    schema: Schema, spec: Any, model: type[pydantic.BaseModel] | None, where: str | None, what: str
) -> tuple[dict[str, Any], pydantic.BaseModel | None]:
    if not isinstance(spec, dict):
        raise ValidationError(
            f"a {what} must be a mapping, not {type(spec).__name__}", where=where, fix="Give field: value pairs."
        )
    fast = _flat_check(schema, spec, model)
    if fast is not None:
        values, defaulted = fast
    else:
        values, defaulted = _full_check(schema, spec, model, where, what)
    if model is None:
        return values, None
    try:
        return values, model.model_validate(defaulted)
    except pydantic.ValidationError as exc:
        raise ValidationError(
            f"invalid {what} ({model.__name__}): {describe_errors(exc)}", where=where, fix="Fix these fields."
        ) from None


def _full_check(
    schema: Schema, spec: dict[str, Any], model: type[pydantic.BaseModel] | None, where: str | None, what: str
) -> tuple[dict[str, Any], Any]:
    """The size, names, types and constraints of ``spec``: its CRD-named values and those values defaulted."""
    size = len(json.dumps(spec, default=str, skipkeys=True))
    if size > MAX_SPEC_BYTES:
        raise ValidationError(
            f"the {what} is {size} bytes; pykro accepts at most {MAX_SPEC_BYTES} (1 MiB)",
            where=where,
            fix="Keep large data out of the spec (e.g. in a ConfigMap the composition references).",
        )
    values: dict[str, Any] = normalize(schema, spec, model=model, where=where, path="spec")
    defaulted = structural.apply_defaults(schema, values)
    causes = structural.validate(schema, defaulted, "spec") or structural.int_misfits(schema, defaulted, "spec")
    if causes:
        details = "; ".join(cause.message for cause in causes[:8])
        missing = any(cause.reason == c.REQUIRED for cause in causes)
        fix = "Give the required fields (--set, -f values.yaml or in the mapping)." if missing else "Fix these fields."
        raise ValidationError(f"invalid {what}: {details}", where=where, fix=fix)
    return values, defaulted


# A flat schema: an object of plain string, integer and boolean fields with no constraint but their type (and
# perhaps a default). Its specs are checked by one pass over a lookup table (`_flat_check`).
_FLAT_OBJECT_KEYS = frozenset({"type", "properties", "required", "description", "title"})
_FLAT_FIELD_KEYS = frozenset({"type", "default", "description", "title"})
_FLAT_TYPES: dict[Any, type] = {"string": str, "integer": int, "boolean": bool}
# JSON text per character is at most 12 bytes (a character outside the BMP, ensure_ascii); per field 8 more
# (quotes, ": ", ", "); an integer or a boolean up to 10**18 at most 20.
_FLAT_MAX_INT = 10**18


class _Flat:
    """A flat schema's lookup tables: given name (CRD or Python) -> (CRD name, exact Python type), the fields'
    defaults, the required fields."""

    def __init__(self, schema: Schema, names: dict[str, tuple[str, Any]]) -> None:
        props: dict[str, Any] = schema["properties"]
        self.fields = {name: (name, _FLAT_TYPES[sub["type"]]) for name, sub in props.items()}
        for given, (crd, _) in names.items():
            if given not in props and crd in props:
                self.fields[given] = self.fields[crd]
        self.defaults = {name: sub["default"] for name, sub in props.items() if sub.get("default") is not None}
        self.required = tuple(schema.get("required") or ())


_FLAT: memo.Memo[tuple[int, Any], tuple[Schema, _Flat | None]] = memo.Memo(256)


def _flat(schema: Schema, model: type[pydantic.BaseModel] | None) -> _Flat | None:
    """``schema``'s lookup tables when it is flat, else None (memoised per schema and model; the entry holds the
    schema, so its id stays its own)."""
    key = (id(schema), model)
    found = _FLAT.get(key)
    if found is not None and found[0] is schema:
        return found[1]
    props = schema.get("properties")
    flat = (
        schema.get("type") == "object"
        and schema.keys() <= _FLAT_OBJECT_KEYS
        and isinstance(props, dict)
        and bool(props)
        and all(
            isinstance(sub, dict)
            and sub.keys() <= _FLAT_FIELD_KEYS
            and isinstance(sub.get("type"), str)
            and sub["type"] in _FLAT_TYPES
            and (sub.get("default") is None or type(sub["default"]) is _FLAT_TYPES[sub["type"]])
            for sub in props.values()
        )
    )
    return _FLAT.put(key, (schema, _Flat(schema, _python_names(model)) if flat else None))[1]


def _flat_check(
    schema: Schema, spec: dict[str, Any], model: type[pydantic.BaseModel] | None
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """For a flat schema and a spec whose keys are all its fields' names (plain ``str``, each field once) and whose
    values have exactly their field's Python type: the CRD-named values and those values defaulted, as
    `_full_check` would return them. None for anything else (`_full_check` then finds and names the problem)."""
    flat = _flat(schema, model)
    if flat is None:
        return None
    fields = flat.fields
    out: dict[str, Any] = {}
    size = 2
    for key, item in spec.items():
        entry = fields.get(key)
        if entry is None or type(key) is not str:
            return None
        name, kind = entry
        if name in out or type(item) is not kind:
            return None
        if isinstance(item, str):
            size += 12 * len(item) + 12 * len(key) + 8
        elif kind is int and isinstance(item, int) and not -_FLAT_MAX_INT < item < _FLAT_MAX_INT:
            return None
        else:
            size += 20 + 12 * len(key) + 8
        out[name] = item
    if size > MAX_SPEC_BYTES:  # an upper bound: the full check measures it exactly
        return None
    defaulted = dict(out)
    for name, default in flat.defaults.items():
        if name not in defaulted:
            defaulted[name] = default
    for name in flat.required:
        if name not in defaulted:
            return None
    return out, defaulted


def normalize(
    schema: Schema | None,
    value: Any,
    *,
    model: type[pydantic.BaseModel] | None = None,
    where: str | None = None,
    path: str = "",
) -> Any:
    """A copy of ``value`` with Python field names replaced by the CRD's; unknown fields, a field given under both
    names and non-string map keys raise ValidationError (``path`` is the YAML path of ``value``)."""
    if not isinstance(schema, dict):
        return _untyped(value, path, where)
    if isinstance(value, list):
        items = schema.get("items")
        return [normalize(items, v, model=model, where=where, path=f"{path}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, dict):
        return _settled(schema, value, path, where)
    for key in value:
        _check_key(key, path, where)
    props = schema.get("properties")
    extra = schema.get("additionalProperties")
    preserve = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
    if props is None and (isinstance(extra, dict) or preserve or schema.get("type") != "object"):
        sub = extra if isinstance(extra, dict) else None
        return {k: normalize(sub, v, model=model, where=where, path=_join(path, k)) for k, v in value.items()}
    props = props or {}
    names = _python_names(model)
    out: dict[str, Any] = {}
    given: dict[str, str] = {}
    for key, item in value.items():
        name = key if key in props else names.get(key, (key, None))[0]
        if name not in props:
            if preserve:
                out[key] = _untyped(item, _join(path, key), where)
                continue
            raise unknown_field(_join(path, key), key, props, names, where)
        if name in out:
            raise ValidationError(
                f"{_join(path, name)} is given twice (as {given[name]} and {key})",
                where=where,
                fix="Give it once.",
            )
        given[name] = key
        child = names.get(name, (name, None))[1]
        out[name] = normalize(props[name], item, model=child, where=where, path=_join(path, name))
    return out


def _check_key(key: Any, path: str, where: str | None) -> None:
    """Refuse a map key that is not text, or whose meaning depends on the YAML version (``on:``, ``010:``)."""
    read = key.reading if isinstance(key, yamlio.Ambiguous) else key
    if not isinstance(read, str):
        raise ValidationError(
            f"{_join(path, str(read))}: a key must be a string, not {type(read).__name__}",
            where=where,
            fix="Quote it (YAML reads yes/no/on/off as booleans)." if isinstance(read, bool) else "Quote it.",
        )


def _settled(schema: Schema | None, value: Any, path: str, where: str | None) -> Any:
    """A scalar for a field of type ``schema``: a YAML-version-dependent scalar (``yamlio.Ambiguous``) is the
    text as written for a string field and an error for any other field (its meaning would be a guess)."""
    if not isinstance(value, yamlio.Ambiguous):
        return value
    if isinstance(schema, dict) and schema.get("type") == "string" and not schema.get("x-kubernetes-int-or-string"):
        return str(value)
    plain = json.dumps(value.reading)
    raise ValidationError(
        f"{path or 'the value'} is written {value}, which kubectl (YAML 1.1) reads as {plain} and YAML 1.2 (and helm "
        "--set) differently",
        where=where,
        fix=f"Write it plainly as the value you mean ({plain}?), or quote it ('{value}') for text.",
    )


def _untyped(value: Any, path: str, where: str | None) -> Any:
    """A copy of a value of no known type, refusing YAML-version-dependent scalars anywhere in it."""
    if isinstance(value, dict):
        for key in value:
            _check_key(key, path, where)
        return {k: _untyped(v, _join(path, str(k)), where) for k, v in value.items()}
    if isinstance(value, list):
        return [_untyped(v, f"{path}[{i}]", where) for i, v in enumerate(value)]
    return _settled(None, value, path, where)


def check_part(schema: Schema | None, values: Any, where: str, path: str = "spec") -> None:
    """Check one source of a spec (a values file, a ``--set``) on its own: types and constraints of what it gives,
    not the fields it leaves to others (required fields are checked on the whole spec); ``path`` names ``values``
    in messages (the apiserver's wording: ``spec.replicas in body should be ...``)."""
    if schema is None:
        return
    defaulted = structural.apply_defaults(schema, values)  # nulls unset, as below
    found = structural.validate(schema, defaulted, path)
    causes = [cause for cause in found if cause.reason != c.REQUIRED] or structural.int_misfits(schema, defaulted, path)
    if causes:
        details = "; ".join(cause.message for cause in causes[:8])
        raise ValidationError(f"invalid value: {details}", where=where, fix="Fix these fields.")


def unknown_field(
    dotted: str, key: str, props: dict[str, Any], names: dict[str, tuple[str, Any]], where: str | None = None
) -> ValidationError:
    """`unknown field "db.sizee"`, with the closest field name and the fields there are."""
    known = sorted(props)
    hint = did_you_mean(key, [*known, *(n for n in names if n not in props)]).strip()
    listing = f"Fields there: {', '.join(known)}." if known and len(known) <= 12 else ""
    if not known:
        listing = "That object has no fields."
    return ValidationError(f"unknown field {dotted!r}", where=where, fix=" ".join(p for p in (hint, listing) if p))


@memo.cached(maxsize=1024)
def _python_names(model: type[pydantic.BaseModel] | None) -> dict[str, tuple[str, Any]]:
    """For a model: Python name -> (CRD name, model behind the field), and CRD name -> (itself, that model)."""
    if model is None:
        return {}
    out: dict[str, tuple[str, Any]] = {}
    for python_name, info in model.model_fields.items():
        crd = info.alias or python_name
        out[python_name] = out[crd] = (crd, item_model(info.annotation))
    return out


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# ------------------------------------------------------------------------------------------------ input
def read_values_file(path: str | Path) -> Any:
    """A values file: one YAML document of at most MAX_SPEC_BYTES (None when empty)."""
    text = yamlio.read_user_file(path, limit=MAX_SPEC_BYTES, what="values file")
    return yamlio.load_values(text, str(path))


def merge_values(base: dict[str, Any], extra: dict[str, Any]) -> None:
    """Deep-merge ``extra`` into ``base`` (mappings merge, everything else replaces)."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge_values(base[key], value)
        else:
            base[key] = value


def spec_from_options(
    source: Any,
    sets: list[str],
    files: list[Path],
    base: dict[str, Any] | None = None,
    base_where: str = "the instance in the RGD file",
    namespace: str | None = None,
    name: str | None = None,
    read: Callable[[Path], Any] = read_values_file,
) -> tuple[dict[str, Any], str | None, str | None]:
    """One spec with CRD field names from an instance object ``base``, values files (in order, each read with
    ``read``: a caller combining one file into several specs reads it once, as a pipe can be read once) and ``--set``
    assignments (later wins), each input checked on its own against the schema of ``source`` (a Graph, a
    composition or a spec model; None: no checks). A values file may also be an instance object (``kind`` and
    ``spec``): its name and namespace are returned too. As with kubectl, an instance object naming a namespace
    other than ``namespace`` (``-n``) or another input's is an error, never overridden; so is one naming an
    instance other than ``name`` (``--name``) or another input's."""
    schema, model = schema_of(source)
    values: dict[str, Any] = {}
    docs: list[tuple[Any, str]] = [(base, base_where)] if base else []
    graph = source if hasattr(source, "annotations") else getattr(source, "graph", None)
    with _redacted(graph, model, lambda: [values, *(doc for doc, _ in docs)], sets):
        docs.extend((read(file), str(file)) for file in files)
        return _merge_options(
            schema,
            model,
            values,
            docs,
            sets,
            (name, namespace),
            getattr(graph, "kind", None),
            getattr(graph, "instance_api_version", None),
        )


def _merge_options(
    schema: Schema | None,
    model: type[pydantic.BaseModel] | None,
    values: dict[str, Any],
    docs: list[tuple[Any, str]],
    sets: list[str],
    options: tuple[str | None, str | None],
    kind: str | None = None,
    api_version: str | None = None,
) -> tuple[dict[str, Any], str | None, str | None]:
    name = namespace = None
    option_name, option_namespace = options
    name_in, named_in = "--name", "-n/--namespace"
    for doc, where in docs:
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise ValidationError("a values file must be a mapping", where=where, fix="Write key: value lines.")
        path = ""
        if "spec" in doc and "kind" in doc:
            if kind is not None and doc["kind"] != kind:  # another kind's spec would be taken for this one's
                raise ValidationError(
                    f"the file holds a {doc['kind']} object, not a {kind} instance", where=where, fix=f"Give a {kind}."
                )
            _check_instance_object(doc, where, api_version)
            meta = doc.get("metadata") or {}
            found = meta.get("name")
            if found is not None:
                _same_field("name", found, name or option_name, where, name_in)
                name, name_in = found, where
            found = meta.get("namespace")
            if found is not None:
                _same_field("namespace", found, namespace or option_namespace, where, named_in)
                namespace, named_in = found, where
            doc, path = doc.get("spec") or {}, "spec"
        part = normalize(schema, doc, model=model, where=where, path=path)
        check_part(schema, part, where, "spec")
        merge_values(values, part)
    from pykro.runtime._set import set_value  # --set's module builds on this one

    for item in sets:
        set_value(values, item, schema, model)
    return values, name, namespace


# what an instance object may hold besides its name, namespace and spec: what the API server sets (a file saved with
# `kubectl get -o yaml`), which pykro ignores as the server ignores it on a write
_SERVER_SET_META = frozenset(
    ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp")
)


def _check_instance_object(doc: dict[str, Any], where: str, api_version: str | None) -> None:
    """Refuse what an instance object holds that pykro would not carry to the cluster (render and deploy take its
    name, namespace and spec): another apiVersion, unknown top-level fields, labels, annotations and the like."""
    found = doc.get("apiVersion")
    if api_version is not None and found is not None and found != api_version:
        raise ValidationError(
            f"the instance's apiVersion is {found!r}, but this composition's instances are {api_version!r}",
            where=where,
            fix=f"Write apiVersion: {api_version}.",
        )
    extra = sorted(str(k) for k in doc if k not in ("apiVersion", "kind", "metadata", "spec", "status"))
    meta = doc.get("metadata") or {}
    if not isinstance(meta, dict):
        raise ValidationError("the instance's metadata must be a mapping", where=where, fix="Write metadata: {...}.")
    extra += sorted(f"metadata.{k}" for k in meta if k not in ("name", "namespace", *_SERVER_SET_META))
    if extra:
        raise ValidationError(
            f"the instance object holds {', '.join(extra)}, which pykro would not carry to the cluster (it takes the "
            "instance's name, namespace and spec)",
            where=where,
            fix="Remove those fields from the file, or keep them in a values file of spec fields only.",
        )


def _same_field(field: str, found: Any, other: str | None, where: str, other_where: str) -> None:
    """Refuse an instance object's ``metadata.<field>`` (name or namespace) that differs from the one named before
    (kubectl's rule for the namespace; pykro's for the name too)."""
    if other is None or found == other:
        return
    flag = "--name" if field == "name" else "-n"
    raise ValidationError(
        f"the instance {'is named' if field == 'name' else 'names namespace'} {found!r} (metadata.{field}) but "
        f"{other_where} names {other!r}",
        where=where,
        fix=f"Use the same {field} in both, or drop one (e.g. {flag} {found}).",
    )


__all__ = [
    "MAX_SPEC_BYTES",
    "check_part",
    "check_spec",
    "merge_values",
    "normalize",
    "read_values_file",
    "schema_of",
    "spec_from_options",
    "spec_instance",
]
