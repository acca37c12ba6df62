"""A graph as a Helm chart: ``Chart.yaml``, ``values.yaml`` (the spec's defaults), ``values.schema.json`` (the spec's
schema) and one template per resource, its ``${...}`` expressions translated to Go templates
(:mod:`pykro.render._gotemplate`). ``helm template --set k=v`` gives the objects ``pykro render --manifests --set k=v``
gives; what cannot be translated stops the render (:class:`pykro.render._gotemplate.Untranslatable`).

Secrets: defaults of ``SecretStr`` spec fields stay out of ``values.yaml`` (the schema makes them required), and
literal values of Secret templates are read from ``.Values.pykroSecrets.<resource>.<data|stringData>.<key>``, unless
``include_secrets`` asks for them in the chart.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pykro import _yamlio as yamlio
from pykro.cel._printer import quote
from pykro.cel._template import Standalone, parse_value
from pykro.graph import Graph, Resource
from pykro.graph._secrets import is_secret, secret_paths
from pykro.render import _goyaml as goyaml
from pykro.render._files import check_stale, write_tree
from pykro.render._gotemplate import Scope, Untranslatable, go_string, translate, translate_value

__all__ = ["SECRETS_KEY", "chart_files", "objects_graph", "values_defaults", "values_schema", "write_chart"]

SECRETS_KEY = "pykroSecrets"
"""The values key holding literal Secret values taken out of the templates."""

_TOKEN = "__pykro_go_{}__"
_SAFE_INT = 2**53 - 1
_CHART_NAME = re.compile(r"[^a-z0-9-]+")


def write_chart(graph: Graph, directory: str | Path, *, include_secrets: bool = False) -> list[Path]:
    """Write the chart of ``graph`` into ``directory`` (created if missing); the paths written, in order."""
    files = chart_files(graph, include_secrets=include_secrets)
    templates = [name.removeprefix("templates/") for name in files if name.startswith("templates/")]
    check_stale(Path(directory) / "templates", templates, "helm")
    return write_tree(files, directory, "the chart")


def chart_files(graph: Graph, *, include_secrets: bool = False) -> dict[str, str]:
    """The chart as {relative path: text}."""
    secrets: dict[str, Any] = {}
    templates: dict[str, str] = {}
    created = [r for r in graph.resources if not r.is_external]
    for index, res in enumerate(created, start=1):
        body = _template(graph, res, secrets, include_secrets)
        templates[f"templates/{index:02d}-{_file_stem(res.id)}.yaml"] = body
    checks = _rule_checks(graph)
    if checks:
        templates["templates/00-spec-rules.yaml"] = checks
    values = values_defaults(graph, include_secrets=include_secrets)
    schema = values_schema(graph, include_secrets=include_secrets)
    if secrets:
        values[SECRETS_KEY] = secrets if include_secrets else {}
        schema["properties"][SECRETS_KEY] = _secrets_schema(secrets)
    chart = {
        "apiVersion": "v2",
        "name": _CHART_NAME.sub("-", graph.name.lower()).strip("-") or "chart",
        "description": f"{graph.kind} ({graph.group}/{graph.api_version}), rendered by pykro",
        "type": "application",
        "version": "0.1.0",
    }
    head = "# Values of the spec; `helm template --set key=value` as `pykro render --manifests --set key=value`.\n"
    return {
        "Chart.yaml": goyaml.dump(chart),
        "values.yaml": head + (goyaml.dump(values) if values else "{}\n"),
        "values.schema.json": json.dumps(schema, indent=2, ensure_ascii=False) + "\n",
        **templates,
    }


def _rule_checks(graph: Graph) -> str:
    """The spec's validation rules (``x-kubernetes-validations``) as ``fail`` checks, run where the field is set, as
    the API server runs them; rules on list items or map values cannot be placed and stop the render. Transition
    rules (``oldSelf``) concern updates only and are left to the cluster."""
    lines: list[str] = []

    def visit(schema: dict[str, Any], path: tuple[str, ...], placeable: bool) -> None:
        for rule in schema.get("x-kubernetes-validations") or []:
            text = str(rule.get("rule", ""))
            if "oldSelf" in text:
                continue
            where = "spec" + "".join(f".{k}" for k in path)
            if not placeable:
                raise Untranslatable(
                    f"{where} has the validation rule {text!r} on list items or map values, which a chart cannot check",
                    where=graph.name,
                    fix="Move the rule to the enclosing object, or render plain manifests.",
                )
            code = "$.Values" + "".join(f".{k}" if k.isidentifier() else "" for k in path)
            if not all(k.isidentifier() for k in path):
                code = "(dig " + " ".join(go_string(k) for k in path) + " nil $.Values.AsMap)"
            scope = Scope(graph, "spec", where, {"self": (code, dict(schema))})
            check, _ = translate(text, scope)
            message = go_string(f"{where}: {rule.get('message') or 'failed rule: ' + text}")
            present = [f"(hasKey {_parent(path[:i])} {go_string(k)})" for i, k in enumerate(path)]
            guard = (present[0] if len(present) == 1 else "(and " + " ".join(present) + ")") if present else "true"
            lines.append(
                f"{{{{- if {guard} }}}}{{{{- if not {check} }}}}{{{{- fail {message} }}}}{{{{- end }}}}{{{{- end }}}}"
            )
        for key, prop in (schema.get("properties") or {}).items():
            visit(prop, (*path, key), placeable)
        for child in ("items", "additionalProperties"):
            if isinstance(schema.get(child), dict):
                visit(schema[child], path, False)

    visit(graph.openapi, (), True)
    return "\n".join(["{{- /* the spec's validation rules, generated by pykro */ -}}", *lines]) + "\n" if lines else ""


def _parent(path: tuple[str, ...]) -> str:
    code = "$.Values"
    for key in path:
        code = f"(index {code} {go_string(key)})"
    return code


def _file_stem(rid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", rid) or "resource"


# ------------------------------------------------------------------------------------------------------ values
def values_defaults(graph: Graph, *, include_secrets: bool = False) -> dict[str, Any]:
    """The spec's defaults as a values mapping (secret fields' defaults only with ``include_secrets``)."""
    hidden = set() if include_secrets else {tuple(p) for p in secret_paths(graph)}
    found = _defaults(graph.openapi, (), hidden, graph)
    return found if isinstance(found, dict) else {}


def _defaults(schema: dict[str, Any], path: tuple[str, ...], hidden: set[tuple[str, ...]], graph: Graph) -> Any:
    """Defaults below an object ``schema`` that Helm can fill as the API server would: an object's nested defaults
    apply only when the object is present, which values.yaml can say only when the object is required."""
    out: dict[str, Any] = {}
    required = set(schema.get("required") or [])
    for key, prop in (schema.get("properties") or {}).items():
        here = (*path, key)
        if here in hidden:
            continue
        if "default" in prop:
            out[key] = yamlio.copy_data(prop["default"])
            continue
        if prop.get("type") == "object" and prop.get("properties"):
            nested = _defaults(prop, here, hidden, graph)
            if nested and key in required:
                out[key] = nested
            elif nested:
                _no_default_place(graph, here, "inside an optional object without a default")
        elif _has_default(prop):
            _no_default_place(graph, here, "inside a list or map")
    return out


def _has_default(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    if "default" in schema:
        return True
    children = [*(schema.get("properties") or {}).values(), schema.get("items"), schema.get("additionalProperties")]
    return any(_has_default(c) for c in children)


def _no_default_place(graph: Graph, path: tuple[str, ...], why: str) -> None:
    raise Untranslatable(
        f"spec.{'.'.join(path)} has defaults {why}: Helm's values.yaml cannot apply them as the API server does",
        where=graph.name,
        fix="Give the enclosing object a default (or make it required), or render plain manifests.",
    )


def values_schema(graph: Graph, *, include_secrets: bool = False) -> dict[str, Any]:
    """The spec's OpenAPI schema as JSON Schema: unknown keys are rejected, as pykro rejects unknown spec fields."""
    schema: dict[str, Any] = _json_schema(graph.openapi)
    schema["$schema"] = "https://json-schema.org/draft-07/schema#"
    schema.setdefault("properties", {})
    if not include_secrets:
        for path in secret_paths(graph):
            _require_secret(schema, path)
    return schema


def _json_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _json_schema(v) for k, v in node.items() if not k.startswith("x-kubernetes-") and k != "nullable"}
    if node.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if node.get("x-kubernetes-int-or-string"):
        out["type"] = ["integer", "string"]
    for bound, exclusive in (("maximum", "exclusiveMaximum"), ("minimum", "exclusiveMinimum")):
        if out.get(exclusive) is True and bound in out:  # OpenAPI 3.0's flag is a number in JSON Schema
            out[exclusive] = out.pop(bound)
        elif isinstance(out.get(exclusive), bool):
            del out[exclusive]
    if node.get("type") == "integer":
        # Helm reads a values file's numbers as float64: beyond 2^53 an integer would arrive changed, so stop there
        out["maximum"] = min(out.get("maximum", _SAFE_INT), _SAFE_INT)
        out["minimum"] = max(out.get("minimum", -_SAFE_INT), -_SAFE_INT)
    preserve = node.get("x-kubernetes-preserve-unknown-fields")
    if out.get("type") == "object" and "additionalProperties" not in out and not preserve:
        out["additionalProperties"] = False
    return out


def _require_secret(schema: dict[str, Any], path: list[str]) -> None:
    """A secret field whose default stays out of values.yaml: required, so a forgotten value fails the render."""
    node = schema
    for key in path[:-1]:
        node = (node.get("properties") or {}).get(key) or {}
    leaf = (node.get("properties") or {}).get(path[-1]) if path else None
    if isinstance(leaf, dict) and "default" in leaf:
        del leaf["default"]
        node.setdefault("required", [])
        if path[-1] not in node["required"]:
            node["required"].append(path[-1])


def _secrets_schema(secrets: dict[str, Any]) -> dict[str, Any]:
    def level(value: Any) -> dict[str, Any]:
        if isinstance(value, dict):
            return {
                "type": "object",
                "required": list(value),
                "additionalProperties": False,
                "properties": {k: level(v) for k, v in value.items()},
            }
        return {"type": "string"}

    return level(secrets)


# --------------------------------------------------------------------------------------------------- templates
def _template(graph: Graph, res: Resource, secrets: dict[str, Any], include_secrets: bool) -> str:
    """One resource's template: includeWhen as ``if``, forEach as nested ``range``, spec presence checks, then the
    object with every expression as ``{{ toJson ... }}``."""
    scope = Scope(graph, res.id)
    head: list[str] = [f"{{{{- /* {res.id}: generated by pykro from {graph.kind} */ -}}}}"]
    tail: list[str] = []
    if res.include_when:
        conditions = []
        for text in res.include_when:
            scope.field = "includeWhen"
            code = translate_value(text, scope)
            if code is None:
                raise scope.fail(text, "an includeWhen entry must be one ${...} expression")
            conditions.append(code)
        cond = conditions[0] if len(conditions) == 1 else "(and " + " ".join(conditions) + ")"
        # the condition's own spec fields are checked before it, as CEL stops on a missing one
        head += [*_guards(scope.spec_paths), f"{{{{- if {cond} }}}}"]
        scope.spec_paths = []
        tail.append("{{- end }}")
    cut = len(head)
    for dim in res.dimensions:
        scope.field = f"forEach.{dim.name}"
        parsed = parse_value(dim.expression)
        if not isinstance(parsed, Standalone):
            raise scope.fail(dim.expression, "a forEach dimension must be one ${...} list expression")
        code, schema = translate(parsed.expression, scope)
        items = schema.get("items") if isinstance(schema, dict) else None
        scope.iterators[dim.name] = (f"${dim.name}", dict(items) if isinstance(items, dict) else None)
        head.append(f"{{{{- range ${dim.name} := {code} }}}}")
        tail.append("{{- end }}")
    body = yamlio.copy_data(res.template or {})
    if is_secret(body):
        _take_secrets(res.id, body, secrets, include_secrets)
    codes: list[str] = []
    body = _substitute(body, scope, codes, "")
    text = goyaml.dump(body)
    for number, code in enumerate(codes):
        text = text.replace(_TOKEN.format(number), f"{{{{ toJson {code} }}}}", 1)
    # presence checks sit inside includeWhen, before the forEach loops: they read only the spec
    lines = [*head[:cut], *_guards(scope.spec_paths), *head[cut:], "---", text.rstrip("\n"), *reversed(tail)]
    return "\n".join(lines) + "\n"


def _substitute(value: Any, scope: Scope, codes: list[str], path: str) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if "{{" in str(key):
                raise scope.fail(str(key), "a map key holding '{{' cannot be written in a Go template")
            out[key] = _substitute(item, scope, codes, f"{path}.{key}" if path else str(key))
        return out
    if isinstance(value, list):
        return [_substitute(item, scope, codes, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, _Go):
        codes.append(str(value))
        return _TOKEN.format(len(codes) - 1)
    if isinstance(value, str):
        scope.field = path
        code = translate_value(value, scope)
        if code is None and "{{" not in value:
            return value
        codes.append(code if code is not None else go_string(value))
        return _TOKEN.format(len(codes) - 1)
    return value


def _guards(paths: list[tuple[str, ...]]) -> list[str]:
    """A ``fail`` for each spec field read that is missing (CEL stops there; Go templates would read nil)."""
    out: list[str] = []
    for path in dict.fromkeys(paths):
        checks = []
        parent = "$.Values"
        for key in path:
            checks.append(f"(hasKey {parent} {go_string(key)})")
            parent = f"(index {parent} {go_string(key)})"
        present = checks[0] if len(checks) == 1 else "(and " + " ".join(checks) + ")"
        message = go_string(f"spec.{'.'.join(path)} is not set: pass it with --set or -f")
        out.append(f"{{{{- if not {present} }}}}{{{{- fail {message} }}}}{{{{- end }}}}")
    return out


def _take_secrets(rid: str, body: dict[str, Any], secrets: dict[str, Any], include_secrets: bool) -> None:
    """Literal values of a Secret template: read from ``.Values.pykroSecrets`` (their text stays out of templates)."""
    for section in ("data", "stringData"):
        entries = body.get(section)
        if not isinstance(entries, dict):
            continue
        for key, value in list(entries.items()):
            if not isinstance(value, str) or "${" in value:
                continue
            secrets.setdefault(rid, {}).setdefault(section, {})[key] = value if include_secrets else ""
            keys = " ".join(go_string(k) for k in (SECRETS_KEY, rid, section, key))
            entries[key] = _Go(f"(dig {keys} nil $.Values.AsMap)")


class _Go(str):
    """A value already written as a Go-template pipeline."""


def objects_graph(objects: list[dict[str, Any]], name: str) -> Graph:
    """A graph without spec fields whose resources are ``objects`` as they are (text holding ``${`` kept literal):
    the chart of objects that are already concrete, such as builders' (pykro.builders.HelmOutput)."""
    resources: list[Resource] = []
    used: set[str] = set()
    for obj in objects:
        meta = obj.get("metadata") or {}
        words = re.split(r"[^A-Za-z0-9]+", f"{obj.get('kind', 'object')} {meta.get('name', '')}")
        base = "".join(w[:1].upper() + w[1:] for w in words if w)
        rid = (base[:1].lower() + base[1:]) or "object"
        rid = rid if rid[0].isalpha() else f"r{rid}"
        unique, n = rid, 2
        while unique in used:
            unique, n = f"{rid}{n}", n + 1
        used.add(unique)
        resources.append(Resource(id=unique, template=_literal(obj)))
    return Graph(name=name, api_version="v1", kind="Chart", resources=resources)


def _literal(value: Any) -> Any:
    """``value`` with every string holding ``${`` written as a CEL string literal (kro's escape)."""
    if isinstance(value, dict):
        return {k: _literal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_literal(v) for v in value]
    if isinstance(value, str) and "${" in value:
        return "${" + quote(value) + "}"
    return value
