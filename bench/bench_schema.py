"""pykro.schema: built-in validation (jsonschema-rs vs pure-Python jsonschema), CR validation, SimpleSchema and
pydantic conversion throughput."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from bench.fixtures import fixture_dir
from bench.timing import per_call
from pykro import _yamlio as yamlio
from pykro.schema import _kubernetes as k8s
from pykro.schema._simple import convert, to_openapi
from pykro.schema._structural import apply_defaults, prune, validate

CHAINSAW = fixture_dir("kro", "test", "e2e", "chainsaw")

DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
    "spec": {
        "replicas": 3,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [
                    {
                        "name": "web",
                        "image": "nginx:1.27",
                        "ports": [{"containerPort": 80, "protocol": "TCP"}],
                        "env": [{"name": "MODE", "value": "prod"}],
                        "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}},
                    }
                ]
            },
        },
    },
}


def _python_jsonschema() -> Callable[[dict[str, Any]], bool] | None:
    try:
        import jsonschema  # type: ignore[import-untyped]
        from referencing import Registry, Resource
    except ImportError:
        return None
    defs = k8s._definitions_doc()
    registry = Registry().with_resource("https://kubernetes.io/api/_definitions.json", Resource.from_contents(defs))
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": "https://kubernetes.io/api/_definitions.json#/$defs/io.k8s.api.apps.v1.Deployment",
    }
    validator = jsonschema.Draft202012Validator(schema, registry=registry)
    return lambda obj: bool(validator.is_valid(obj))


def main() -> None:
    assert k8s.validate_object(DEPLOYMENT) == []
    rs = per_call(lambda: k8s.validate_object(DEPLOYMENT))
    print(f"built-in validation, Deployment (jsonschema-rs, strict): {rs * 1e6:8.2f} µs/object")
    loose = per_call(lambda: k8s.validate_object(DEPLOYMENT, strict=False))
    print(f"built-in validation, Deployment (jsonschema-rs, lenient): {loose * 1e6:8.2f} µs/object")
    bad = copy.deepcopy(DEPLOYMENT)
    bad["spec"]["replicas"] = "three"
    bad_t = per_call(lambda: k8s.validate_object(bad))
    print(f"built-in validation, invalid Deployment with causes:      {bad_t * 1e6:8.2f} µs/object")
    baseline = _python_jsonschema()
    if baseline is None:
        print("pure-Python jsonschema not installed: no baseline")
    else:
        assert baseline(DEPLOYMENT)
        py = per_call(lambda: baseline(DEPLOYMENT))
        print(f"baseline: pure-Python jsonschema (Draft 2020-12):          {py * 1e6:8.2f} µs/object")
        print(f"ratio: jsonschema-rs is {py / rs:.1f}x faster than pure-Python jsonschema")

    case = CHAINSAW / "check-validation-markers"
    crd = yamlio.load_file(case / "instancecrd-assert.yaml")
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    instance = yamlio.load_file(case / "valid-instance.yaml")
    admit = per_call(lambda: validate(schema, apply_defaults(schema, prune(schema, instance))))
    only = per_call(lambda: validate(schema, instance))
    print(f"custom resource admission (prune+default+validate):       {admit * 1e6:8.2f} µs/object")
    print(f"custom resource validation only:                          {only * 1e6:8.2f} µs/object")
    try:
        import jsonschema
    except ImportError:
        pass
    else:
        plain = jsonschema.Draft4Validator(schema)
        assert plain.is_valid(instance)
        py = per_call(lambda: plain.is_valid(instance))
        print(f"baseline: pure-Python jsonschema on the same CRD schema:  {py * 1e6:8.2f} µs/object")
        print(f"ratio: pykro's apiserver-semantics validation is {py / only:.2f}x the speed of jsonschema's")

    rgd = next(
        d
        for d in yamlio.load_all((CHAINSAW / "check-required-default-interactions" / "rgd.yaml").read_text())
        if d.get("kind") == "ResourceGraphDefinition"
    )
    simple, types = rgd["spec"]["schema"]["spec"], rgd["spec"]["schema"]["types"]
    conv = per_call(lambda: convert(simple, types, "spec", "types"))
    print(f"SimpleSchema -> OpenAPI (10 fields, 5 custom types):      {conv * 1e6:8.2f} µs/schema ({1 / conv:,.0f}/s)")
    again = per_call(lambda: to_openapi(simple, types))
    print(f"  the same schema again (kept per input, a copy handed out): {again * 1e6:6.2f} µs/schema")
    yaml_load = per_call(
        lambda: yamlio.load((CHAINSAW / "check-required-default-interactions" / "rgd.yaml").read_text())
    )
    print(
        f"  for scale: loading that RGD's YAML takes                {yaml_load * 1e6:8.2f} µs ({conv / yaml_load:.2f}x)"
    )
