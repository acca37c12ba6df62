"""Lynq YAML loaded into hubs: every field of Lynq's CRD schemas is modelled or refused; the seed's unquoted
``{{ … | int }}`` reads; bad input stops with the file, the YAML path and a fix (nothing runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
import yaml
from pydantic import BaseModel
from tests.hub.lynq_docs import FORM, HUB, assert_located

from pykro.errors import PykroError
from pykro.hub.lynq import load
from pykro.hub.lynq._documents import quote_plain_templates
from pykro.hub.lynq._model import FormDoc, HubDoc

CRDS = Path("../shared/fixtures/lynq/config/crd/bases")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "hub" / "lynq"
# Fields of Lynq's schema pykro models but refuses some values of (see pykro.hub.lynq._convert._refuse)
REFUSED_VALUES: dict[str, set[Any]] = {
    "patchStrategy": {"merge", "replace"},
    "skipOnDependencyFailure": {False},
    "waitForReady": {False},
}


def _crd_paths(schema: dict[str, Any], prefix: str) -> dict[str, dict[str, Any]]:
    """Every field path of an OpenAPI schema (lists as ``[]``), not into free-form objects."""
    out: dict[str, dict[str, Any]] = {}
    for key, sub in (schema.get("properties") or {}).items():
        path = f"{prefix}.{key}"
        out[path] = sub
        if sub.get("type") == "array":
            out.update(_crd_paths(sub.get("items") or {}, path + "[]"))
        elif sub.get("properties") and not sub.get("x-kubernetes-preserve-unknown-fields"):
            out.update(_crd_paths(sub, path))
    return out


_ATTR = {"Ge": "ge", "Le": "le", "MinLen": "min_length"}
bounds: dict[str, dict[str, Any]] = {}  # model field path → its constraints (Ge, Le, MinLen), filled by _model_paths


def _model_paths(model: type[BaseModel], prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        path = f"{prefix}.{name}"
        ann = info.annotation
        out[path] = ann
        bounds[path] = {type(m).__name__: getattr(m, _ATTR.get(type(m).__name__, ""), None) for m in info.metadata}
        inner = [ann] if get_origin(ann) is list else [a for a in (get_args(ann) or (ann,)) if a is not type(None)]
        for arg in inner:
            if get_origin(arg) is list:
                (item,) = get_args(arg)
                if isinstance(item, type) and issubclass(item, BaseModel):
                    out.update(_model_paths(item, path + "[]"))
            elif isinstance(arg, type) and issubclass(arg, BaseModel):
                out.update(_model_paths(arg, path))
    return out


def model_defaults(model: type[BaseModel], path: str) -> dict[str, Any]:
    """{"default": value} of the model field at ``path`` (``spec.a[].b``), empty without a plain default."""
    current: Any = model
    info = None
    for part in path.split("."):
        info = current.model_fields[part.removesuffix("[]")]
        ann = info.annotation
        args = [ann] if get_origin(ann) is list else [a for a in (get_args(ann) or (ann,)) if a is not type(None)]
        for arg in args:
            inner = get_args(arg)[0] if get_origin(arg) is list else arg
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                current = inner
    assert info is not None
    default = info.get_default()
    return {} if default is None or isinstance(default, dict | list) else {"default": default}


@pytest.mark.parametrize(
    ("crd", "model"), [("operator.lynq.sh_lynqhubs.yaml", HubDoc), ("operator.lynq.sh_lynqforms.yaml", FormDoc)]
)
def test_every_crd_field_is_modelled_with_its_values(crd: str, model: type[BaseModel]) -> None:
    doc = yaml.safe_load((CRDS / crd).read_text())
    version = next(v for v in doc["spec"]["versions"] if v["name"] == "v1")
    spec = version["schema"]["openAPIV3Schema"]["properties"]["spec"]
    crd_paths = _crd_paths(spec, "spec")
    ours = _model_paths(model, "")
    ours = {k.removeprefix("."): v for k, v in ours.items()}
    missing = sorted(p for p in crd_paths if p not in ours)
    assert missing == [], f"fields of Lynq's {crd} pykro neither models nor refuses: {missing}"
    for path, sub in crd_paths.items():
        if "enum" in sub:  # the model takes exactly Lynq's values
            assert set(get_args(ours[path])) == set(sub["enum"]), path
        limits = bounds[path if path in bounds else "." + path]
        if "minimum" in sub:
            assert limits.get("Ge") == sub["minimum"], path
        if "maximum" in sub:
            assert limits.get("Le") == sub["maximum"], path
        if "default" in sub and "default" in model_defaults(model, path):
            assert model_defaults(model, path)["default"] == sub["default"], path
        refused = REFUSED_VALUES.get(path.split(".")[-1], set())
        assert sub.get("default") not in refused, path  # Lynq's defaults are all honoured


def test_the_seeds_unquoted_templates_read_as_text() -> None:
    text = 'spec:\n  replicas: {{ .apiReplicas | int }}\n  list:\n    - {{ .a }}\n  quoted: "{{ .b }}"\n'
    text += "  script: |\n    key: {{ .c }}\n  after: {{ .d }}\n"
    assert yaml.safe_load(quote_plain_templates(text)) == {
        "spec": {
            "replicas": "{{ .apiReplicas | int }}",
            "list": ["{{ .a }}"],
            "quoted": "{{ .b }}",
            "script": "key: {{ .c }}\n",  # a block scalar's text is kept as written
            "after": "{{ .d }}",
        }
    }
    hubs = load(sorted(EXAMPLES.glob("*.yaml")))
    hub = hubs["multi-tier-nodes"]
    assert [f.name for f in hub.ordered()] == ["data-tier", "api-tier", "web-tier", "worker-tier"]
    assert hub.forms["api-tier"].depends_on == ("data-tier",)  # api-tier's resources go to data-tier's namespace
    assert hub.source.table_name == "nodes" and hub.uid_column == "node_id" and hub.active_column == "is_active"
    assert hub.interval == 60 and hub.namespace == "lynq-system"
    data = hub.forms["data-tier"]
    assert data.policies.timeouts == {"postgres": 600.0}
    assert data.policies.ignore_fields.keys() == {"dbCredentials", "postgres"}  # creationPolicy: Once
    minimal = load(
        [EXAMPLES / "hub.yaml", EXAMPLES / "minimal" / "data-tier.yaml", EXAMPLES / "minimal" / "api-tier.yaml"]
    )
    assert sorted(minimal["multi-tier-nodes"].forms) == ["api-tier", "data-tier"]


def _form(body: str) -> str:
    return (
        FORM.format(name="app", hub="tenants")
        .replace(FORM.format(name="app", hub="tenants").split("  configMaps:\n")[1], body)
        .replace("  configMaps:\n", "")
    )


_HUB = HUB.format(name="tenants", table="nodes")
_FORM = FORM.format(name="app", hub="tenants")
_DEPLOY = """\
  deployments:
    - id: web
      nameTemplate: "{{ .uid }}-web"
      spec:
        apiVersion: apps/v1
        kind: Deployment
        spec:
          replicas: 1
"""

# (case id, hub text, form text, words the message holds, besides the file name)
BAD: list[tuple[str, str, str, list[str]]] = [
    ("unknown kind", _HUB, _FORM.replace("kind: LynqForm", "kind: LynqNode"), ["form.yaml: kind", "LynqNode"]),
    ("hubId names no hub", _HUB, _FORM.replace("hubId: tenants", "hubId: other"), ["form.yaml: spec.hubId", "'other'"]),
    ("two hubs", _HUB, _HUB + "---\n" + _FORM, ["form.yaml#1: metadata.name", "defined twice"]),
    (
        "bad template",
        _HUB,
        _FORM.replace('"{{ .image }}"', '"{{ .image "'),
        ["form.yaml: spec.configMaps[0].spec.data.image", "template error"],
    ),
    (
        "undefined function",
        _HUB,
        _FORM.replace("{{ .image }}", "{{ nosuch .image }}"),
        ["spec.configMaps[0].spec.data.image", '"nosuch" not defined'],
    ),
    (
        "cycle in dependIds",
        _HUB,
        _FORM
        + "      dependIds: [other]\n"
        + """\
    - id: other
      nameTemplate: x
      dependIds: [cfg]
      spec: {apiVersion: v1, kind: ConfigMap}
""",
        ["form.yaml: spec.configMaps[1].dependIds", "cfg → other → cfg"],
    ),
    (
        "unknown policy",
        _HUB,
        _FORM + "      creationPolicy: Sometimes\n",
        ["form.yaml: spec.configMaps[0].creationPolicy", "'Once'", "Sometimes"],
    ),
    (
        "missing valueMappings.uid",
        _HUB.replace("    uid: node_id\n", ""),
        _FORM,
        ["hub.yaml: spec.valueMappings.uid", "required"],
    ),
    (
        "misspelt field",
        _HUB,
        _FORM.replace("nameTemplate", "nameTemplte"),
        ["form.yaml: spec.configMaps[0].nameTemplte", "unknown field"],
    ),
    (
        "dependIds names no resource",
        _HUB,
        _FORM + "      dependIds: [nothere]\n",
        ["form.yaml: spec.configMaps[0].dependIds[0]", "'nothere'"],
    ),
    (
        "duplicate resource id",
        _HUB,
        _FORM
        + """\
    - id: cfg
      nameTemplate: x
      spec: {apiVersion: v1, kind: ConfigMap}
""",
        ["form.yaml: spec.configMaps[1].id", "used twice"],
    ),
    (
        "kind in the wrong list",
        _HUB,
        _FORM.replace("kind: ConfigMap", "kind: Service"),
        ["form.yaml: spec.configMaps[0].spec.kind", "Service in configMaps"],
    ),
    (
        "templated kind",
        _HUB,
        _FORM.replace("kind: ConfigMap", 'kind: "{{ .kind }}"'),
        ["form.yaml: spec.configMaps[0].spec.kind", "plain text"],
    ),
    (
        "patchStrategy merge",
        _HUB,
        _FORM + "      patchStrategy: merge\n",
        ["form.yaml: spec.configMaps[0].patchStrategy", "server-side apply"],
    ),
    (
        "skipOnDependencyFailure false",
        _HUB,
        _FORM + "      skipOnDependencyFailure: false\n",
        ["spec.configMaps[0].skipOnDependencyFailure"],
    ),
    (
        "other source type",
        _HUB.replace("type: mysql", "type: postgres"),
        _FORM,
        ["hub.yaml: spec.source.type", "'postgres'", "--source URL"],
    ),
    (
        "Go duration",
        _HUB.replace("syncInterval: 1m", "syncInterval: 1m30s"),
        _FORM,
        ["hub.yaml: spec.source.syncInterval", "1m30s"],
    ),
    ("no resources", _HUB, _FORM.split("  configMaps:")[0], ["form.yaml: spec", "no resources"]),
    (
        "mixed conflict policies",
        _HUB,
        _FORM
        + "      conflictPolicy: Force\n"
        + """\
    - id: other
      nameTemplate: x
      spec: {apiVersion: v1, kind: ConfigMap}
""",
        ["form.yaml: spec.configMaps[0].conflictPolicy", "one conflict policy per form"],
    ),
    (
        "column not an identifier",
        _HUB.replace("image: image", "image: image name"),
        _FORM,
        ["hub.yaml: spec.extraValueMappings.image", "'image name'"],
    ),
    (
        "form cycle",
        _HUB,
        _FORM.replace("  name: app\n", "  name: app\n  annotations:\n    hub.pykro.io/depends-on: two\n")
        + "---\n"
        + _FORM.replace("  name: app\n", "  name: two\n  annotations:\n    hub.pykro.io/depends-on: app\n"),
        ["form.yaml: metadata.annotations", "cycle", "app → two → app"],
    ),
    (
        "depends-on names no form",
        _HUB,
        _FORM.replace("  name: app\n", "  name: app\n  annotations:\n    hub.pykro.io/depends-on: nothere\n"),
        ["form.yaml: metadata.annotations", "'nothere'"],
    ),
    (
        "no name",
        _HUB,
        _FORM.replace('      nameTemplate: "{{ .uid }}-cfg"\n', ""),
        ["form.yaml: spec.configMaps[0].nameTemplate", "no name"],
    ),
    (
        "unsupported metadata",
        _HUB,
        _FORM.replace(
            "        kind: ConfigMap\n", "        kind: ConfigMap\n        metadata:\n          finalizers: [x]\n"
        ),
        ["spec.configMaps[0].spec.metadata.finalizers"],
    ),
    (
        "timeout out of range",
        _HUB,
        _FORM + "      timeoutSeconds: 0\n",
        ["form.yaml: spec.configMaps[0].timeoutSeconds"],
    ),
    ("YAML syntax", _HUB, _FORM + "  bad: [\n", ["form.yaml:", "invalid YAML"]),
    ("metadata.name missing", _HUB.replace("  name: tenants\n", ""), _FORM, ["hub.yaml: metadata.name", "required"]),
    (  # a misspelt required field is missing too: the misspelling is what is named
        "misspelt spec.source",
        _HUB.replace("  source:", "  sourc:"),
        _FORM,
        ["hub.yaml: spec.sourc", "unknown field 'sourc'", "Did you mean 'source'?"],
    ),
    (
        "misspelt valueMappings",
        _HUB.replace("valueMappings:", "valueMapping:"),
        _FORM,
        ["hub.yaml: spec.valueMapping", "Did you mean 'valueMappings'?"],
    ),
    (
        "misspelt mysql.host",
        _HUB.replace("host:", "hots:"),
        _FORM,
        ["hub.yaml: spec.source.mysql.hots", "Did you mean 'host'?"],
    ),
    (
        "misspelt passwordRef.name",
        _HUB.replace("        name: mysql-credentials", "        nam: mysql-credentials"),
        _FORM,
        ["hub.yaml: spec.source.mysql.passwordRef.nam", "Did you mean 'name'?"],
    ),
    ("misspelt hubId", _HUB, _FORM.replace("hubId:", "hubid:"), ["form.yaml: spec.hubid", "Did you mean 'hubId'?"]),
    (
        "misspelt nameTemplate",
        _HUB,
        _FORM.replace("nameTemplate:", "nameTemplat:"),
        ["form.yaml: spec.configMaps[0].nameTemplat", "Did you mean 'nameTemplate'?"],
    ),
    (
        "misspelt metadata.name",
        _HUB,
        _FORM.replace("  name: app", "  nme: app"),
        ["form.yaml: metadata.nme", "Did you mean 'name'?"],
    ),
    (
        "misspelt rollout field",
        _HUB,
        _FORM.replace("  hubId: tenants\n", "  hubId: tenants\n  rollout:\n    maxskew: 2\n"),
        ["form.yaml: spec.rollout.maxskew", "Did you mean 'maxSkew'?"],
    ),
    (
        "misspelt resource list",
        _HUB,
        _FORM.replace("configMaps:", "configmaps:"),
        ["form.yaml: spec.configmaps", "Did you mean 'configMaps'?"],
    ),
    ("misspelt kind", _HUB.replace("kind: LynqHub", "kind: LynqHb"), _FORM, ["hub.yaml: kind", "'LynqHub'"]),
    (
        "table not an identifier",
        _HUB.replace("table: nodes", "table: my nodes"),
        _FORM,
        ["hub.yaml: spec.source.mysql.table", "'my nodes'"],
    ),
    (
        "table with two dots",
        _HUB.replace("table: nodes", "table: a.b.c"),
        _FORM,
        ["hub.yaml: spec.source.mysql.table", "more than one dot"],
    ),
    (  # a mistake in a part no template writes: at load, once (not for every row at plan time)
        "misspelt static field",
        _HUB,
        _FORM.replace("        data:", "        datta:"),
        ["form.yaml: spec.configMaps[0].spec.datta", "ConfigMap has no field datta", "Did you mean data?"],
    ),
    (
        "static value out of range",
        _HUB,
        _FORM
        + _DEPLOY.replace(
            "          replicas: 1\n", '          replicas: -1\n          minReadySeconds: "{{ .replicas | int }}"\n'
        ),
        ["form.yaml: spec.deployments[0].spec.spec.replicas", "must be at least 0, got -1"],
    ),
    (
        "unexpected end",
        _HUB,
        _FORM.replace('"{{ .uid }}-cfg"', '"{{ .uid }}-{{ end }}"'),
        ["form.yaml: spec.configMaps[0].nameTemplate", "template error"],
    ),
]


@pytest.mark.parametrize(("hub_text", "form_text", "words"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_lynq_yaml_is_named_by_file_and_path(
    tmp_path: Path, hub_text: str, form_text: str, words: list[str]
) -> None:
    hub_file = tmp_path / "hub.yaml"
    hub_file.write_text(hub_text)
    form_file = tmp_path / "form.yaml"
    form_file.write_text(form_text)
    with pytest.raises(PykroError) as caught:
        load([hub_file, form_file])
    message = caught.value.render()
    assert str(tmp_path) in message, message
    for word in words:
        assert_located(message, word, tmp_path)
    assert "Traceback" not in message


def test_no_hub_and_a_hub_without_forms(tmp_path: Path) -> None:
    form_file = tmp_path / "form.yaml"
    form_file.write_text(_FORM)
    with pytest.raises(PykroError, match="names hub 'tenants', which none of the files defines"):
        load([form_file])
    hub_file = tmp_path / "hub.yaml"
    hub_file.write_text(_HUB)
    with pytest.raises(PykroError, match="has no LynqForm") as caught:
        load([hub_file])
    assert str(hub_file) in caught.value.render()


def test_kro_mode_splits_off_what_kro_cannot_honour(tmp_path: Path) -> None:
    """kro mode no longer refuses creationPolicy: Once: the hub applies that resource itself (`pykro.hub._split`),
    kro the rest (here nothing: the RGD has no resources left)."""
    (tmp_path / "hub.yaml").write_text(_HUB)
    (tmp_path / "form.yaml").write_text(_FORM + "      creationPolicy: Once\n")
    hub = load([tmp_path / "hub.yaml", tmp_path / "form.yaml"])["tenants"]
    hub.target(mode="kro")
    split = hub.forms["app"].split
    assert split is not None and split.describe() == "hub applies cfg"
    assert split.graph.resources == [] and [r.id for r in split.part.factory.graph.resources] == ["cfg"]
    hub.target(mode="direct")
    assert hub.forms["app"].split is None


def test_typed_functions_and_values_that_look_like_markers() -> None:
    """``int``/``float``/``bool`` type the field when they are its whole template; a row value spelling Lynq's
    marker (``__LYNQ_TYPE_INT__5``) stays the text it is (Lynq would turn it into 5)."""
    from pykro.hub.lynq._render import compile_tree

    tree = {
        "spec": {"replicas": "{{ .n | int }}", "ratio": "{{ .n | float }}", "on": "{{ .flag | bool }}"},
        "text": "{{ .v }}",
        "mixed": "x{{ .n | int }}",
        "metadata": {"labels": {"n": "{{ .n | int }}"}},
        "data": {"n": "{{ .n | int }}"},
    }
    compiled = compile_tree(tree, "Deployment", "spec.deployments[0].spec", "f.yaml")
    out = compiled.render({"n": "3", "flag": "yes", "v": "__LYNQ_TYPE_INT__5"})
    assert out["spec"] == {"replicas": 3, "ratio": 3.0, "on": True}
    assert out["text"] == "__LYNQ_TYPE_INT__5" and out["mixed"] == "x3"
    assert out["metadata"]["labels"] == {"n": "3"}  # labels only take text
    assert out["data"] == {"n": 3}  # a Deployment's "data" is not a ConfigMap's
    as_map = compile_tree({"data": {"n": "{{ .n | int }}"}}, "ConfigMap", "spec.configMaps[0].spec", "f.yaml")
    assert as_map.render({"n": 7}) == {"data": {"n": "7"}}


def test_kro_mode_splits_secrets_off(tmp_path: Path) -> None:
    """A Secret's data would sit in plain text in the instance CR's spec: the hub applies it itself (its part's
    record keeps the spec in a Secret), never kro."""
    from pykro.graph._secrets import SECRET_FIELDS

    (tmp_path / "hub.yaml").write_text(_HUB)
    (tmp_path / "form.yaml").write_text(
        _FORM.replace("kind: ConfigMap", "kind: Secret").replace("configMaps:", "secrets:")
    )
    hub = load([tmp_path / "hub.yaml", tmp_path / "form.yaml"])["tenants"]
    hub.target(mode="kro")
    split = hub.forms["app"].split
    assert split is not None and split.hub_ids == ("cfg",) and split.kro_ids == ()
    assert split.part.factory.graph.annotations[SECRET_FIELDS] == "cfg.data.*,cfg.stringData.*"
    assert SECRET_FIELDS not in split.graph.annotations
    assert split.kro_spec({"cfg": {"metadata": {"name": "x"}, "data": {"k": "v"}}}) == {}


def test_template_variables_of_a_row(tmp_path: Path) -> None:
    """Lynq's variables: .uid, .activate, .hostOrUrl and .host, extraValueMappings keys, .hubId, .templateRef;
    NULL reads as "" (as in Lynq), other values keep their column types."""
    from pykro.hub._source import Row

    (tmp_path / "hub.yaml").write_text(
        _HUB.replace("    activate: is_active\n", "    activate: is_active\n    hostOrUrl: url\n")
    )
    form = _FORM.replace('image: "{{ .image }}"', 'image: "{{ .host }}/{{ .hubId }}/{{ .templateRef }}/{{ .image }}"')
    (tmp_path / "form.yaml").write_text(form)
    hub = load([tmp_path / "hub.yaml", tmp_path / "form.yaml"])["tenants"]
    row = Row(
        {"node_id": "acme", "is_active": True, "url": "https://acme.example.com:8443/x", "image": None, "replicas": 4}
    )
    assert hub.variables(row) == {
        "uid": "acme",
        "activate": True,
        "hubId": "tenants",
        "hostOrUrl": "https://acme.example.com:8443/x",
        "host": "acme.example.com",
        "image": "",
        "replicas": 4,
    }
    spec = hub.forms["app"].spec(row)
    assert spec["cfg"]["data"] == {"image": "acme.example.com/tenants/app/", "replicas": "4"}
    assert spec["cfg"]["metadata"] == {"name": "acme-cfg"}


def test_a_misspelt_template_variable_names_the_closest() -> None:
    """A variable the row does not have (Lynq's missingkey=error) fails the row with the closest variable name."""
    from pykro.hub.lynq._render import RenderError, compile_tree

    compiled = compile_tree({"data": {"a": "{{ .imag }}"}}, "ConfigMap", "spec.configMaps[0].spec", "f.yaml")
    with pytest.raises(RenderError) as caught:
        compiled.render({"uid": "a", "image": "nginx"})
    assert caught.value.where == "spec.configMaps[0].spec.data.a"
    assert "no entry for key \"imag\"; did you mean 'image'?" in caught.value.what, caught.value.what


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (
            'nameTemplate: "{{ .uid }}-cfg"',
            'nameTemplate: "{{ .image }}"',
            ["spec.configMaps[0].nameTemplate", "DNS-1123"],
        ),
        (
            'nameTemplate: "{{ .uid }}-cfg"\n',
            'nameTemplate: "{{ .uid }}-cfg"\n      targetNamespace: "ns-{{ .image }}"\n',
            ["spec.configMaps[0].targetNamespace", "namespace 'ns-Web App:1'"],
        ),
        (
            'nameTemplate: "{{ .uid }}-cfg"\n',
            'nameTemplate: "{{ .uid }}-cfg"\n      labelsTemplate: {app: "{{ .image }}"}\n',
            ["spec.configMaps[0].labelsTemplate.app", "label value 'Web App:1'", "annotation"],
        ),
    ],
)
def test_a_rendered_object_the_api_server_would_refuse_fails_its_row(
    tmp_path: Path, old: str, new: str, words: list[str]
) -> None:
    """Checked per row, offline (as plan and sync do before writing): the name and namespace rules, label values,
    and the kind's schema; the row's error names the LynqForm's file:line and YAML path."""
    from pykro.hub._source import Row

    (tmp_path / "hub.yaml").write_text(_HUB)
    assert old in _FORM
    (tmp_path / "form.yaml").write_text(_FORM.replace(old, new))
    hub = load([tmp_path / "hub.yaml", tmp_path / "form.yaml"])["tenants"]
    row = Row({"node_id": "acme", "is_active": True, "image": "Web App:1", "replicas": 2})
    with pytest.raises(PykroError) as caught:
        hub.forms["app"].spec(row)
    message = caught.value.render()
    assert_located(message, f"form.yaml: {words[0]}", tmp_path)
    for word in words[1:]:
        assert word in message, message
