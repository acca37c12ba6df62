"""The package's layers point down only, and light entry points stay light.

Layers (bottom to top): shared utilities → cel → schema → resources → graph → runtime → render / deploy / emulator
→ authoring → simple / builders → cli. A module may import its own layer and any layer below it; render, deploy and
the emulator sit side by side and do not import each other (one named exception below). Every import counts,
including the ones inside functions: a late import still ties the layers together.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "pykro"

# Rank of each top-level part of the package; a module may import parts of lower or equal rank.
RANKS: dict[str, int] = {
    "errors": 0,
    "memo": 0,
    "yamlio": 0,
    "_yamlemit": 0,
    "yamlpy": 0,
    "_kubeyaml": 0,
    "_graphs": 0,
    "_kube": 0,
    "_kubenames": 0,
    "diskcache": 0,
    "_lazy": 0,
    "_gotemplate": 0,
    "cel": 1,
    "schema": 2,
    "resources": 3,
    "graph": 4,
    "runtime": 5,
    "render": 6,
    "deploy": 6,
    "emulator": 6,
    "authoring": 7,
    "crds": 7,
    "simple": 8,
    "builders": 8,
    "celestra": 8,
    "integrations": 8,
    "hub": 9,
    "cli": 10,
    "__main__": 11,
    "__init__": 11,
}
# Parts of equal rank that must not import each other.
SIBLINGS = {"render", "deploy", "emulator"}
# The deliberate exceptions, each with its reason.
ALLOWED = {
    # `--local` finds the background emulator's state directory (a stdlib-only module; the emulator itself runs
    # in another process).
    ("pykro.deploy.local", "pykro.emulator._home"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[str, int]]:
    """(imported module, line) for every pykro import in a file, relative imports resolved."""
    module = _module_name(path)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "pykro":  # `from pykro import x`: x is a submodule or a name of the top package
                found += [(f"pykro.{alias.name}", node.lineno) for alias in node.names]
            else:
                found.append((target, node.lineno))
    return [(name, line) for name, line in found if name == "pykro" or name.startswith("pykro.")]


def _layer(name: str) -> str:
    """The RANKS key of a top-level part: its name, or for an internal module its name without the leading `_`
    (`_memo` ranks as `memo`, so moving a module under its `_` name keeps its rank)."""
    return name[1:] if name not in RANKS and name.startswith("_") and not name.startswith("__") else name


def _part(module: str) -> str:
    parts = module.split(".")
    return _layer(parts[1]) if len(parts) > 1 else "__init__"


def _is_top_level_name(module: str) -> bool:
    """`from pykro import __version__` and the like name the top package's attributes, not a layer."""
    parts = module.split(".")
    return len(parts) == 2 and _layer(parts[1]) not in RANKS and not (PACKAGE / parts[1]).exists()


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {_layer(p.stem if p.is_file() else p.name) for p in PACKAGE.iterdir() if p.suffix == ".py" or p.is_dir()}
    parts.discard("__pycache__")
    missing = sorted(parts - set(RANKS))
    assert not missing, f"add these to RANKS in {__file__}: {missing}"


def test_imports_point_down_the_layers() -> None:
    wrong: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = _module_name(path)
        for target, line in _imports(path):
            if _is_top_level_name(target) or (source, target) in ALLOWED:
                continue
            a, b = _part(source), _part(target)
            if a == b:
                continue
            upward = RANKS[b] > RANKS[a]
            sideways = RANKS[a] == RANKS[b] and a in SIBLINGS and b in SIBLINGS
            if upward or sideways:
                wrong.append(f"{path.relative_to(SRC)}:{line}: {source} imports {target} ({a} → {b})")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_the_checker_sees_late_and_relative_imports(tmp_path: Path) -> None:
    """The checker itself: an import inside a function and a relative import are both found."""
    sample = PACKAGE / "cel" / "__init__.py"
    names = {name for name, _ in _imports(sample)}
    assert names, "pykro.cel imports nothing from pykro? the parser is broken"
    fake = tmp_path / "mod.py"
    fake.write_text("def f():\n    from pykro.cli import main\n")
    tree = ast.parse(fake.read_text())
    late = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert late and late[0].module == "pykro.cli"


_PROBE = """
import sys
{setup}
loaded = sorted(sys.modules)
import json
print(json.dumps(loaded))
"""


def _loaded(setup: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(setup=setup)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SRC), "PATH": ""},
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


# Light modules an offline command may load: the emulator package (its names load lazily) and its home directory.
LIGHT = {"pykro.emulator", "pykro.emulator._home"}


def _heavy(modules: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules - LIGHT if m.split(".")[0] in forbidden or m.startswith(forbidden))


CLI_HELP = """
from pykro.cli.main import main
try:
    main(["--help"])
except SystemExit:
    pass
"""

CLI_RENDER = f"""
import contextlib, io
from pykro.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(["render", {str(Path(__file__).resolve().parents[1] / "examples" / "fullstack.py")!r}, "--rgd"])
    except SystemExit as exc:
        assert not exc.code, exc.code
"""

NOT_OFFLINE = ("aiohttp", "lightkube", "httpx2", "pykro.emulator", "pykro.deploy")
# Defining compositions needs neither the graph, the CEL engine, its function library and parser, the YAML
# modules nor the Kubernetes schemas (they load when a composition is first compiled); help needs no YAML, TLS or
# HTTP.
NOT_TO_DEFINE = (
    "jsonschema",
    "kubernetes_validate",
    "yaml",
    "pykro._yamlio",
    "pykro.cel._engine",
    "pykro.cel._library",
    "pykro.cel._parser",
    "pykro.graph._analysis",
    "pykro.graph._model",
    "pykro.graph._secrets",
    "pykro.schema._kubernetes",
)
# Defining models and compositions (and `from pykro import Spec, Status, composition` before it) is paid by every
# user: what only compiling a composition needs loads then: the references and the modules building them, the CEL AST
# and types (the modules holding dataclasses), the SimpleSchema markers, schema error causes.
NOT_TO_DEFINE_MODELS = (
    "pykro.authoring._comprehension",
    "pykro.authoring._context",
    "pykro.authoring._escape",
    "pykro.authoring._functions",
    "pykro.authoring._helpers",
    "pykro.authoring._ops",
    "pykro.authoring._refs",
    "pykro.authoring._resource",
    "pykro.authoring._serialize",
    "pykro.authoring._symbolic",
    "pykro.cel._ast",
    "pykro.cel._lexer",
    "pykro.cel._printer",
    "pykro.cel._references",
    "pykro.cel._types",
    "pykro.schema._causes",
    "pykro.schema._markers",
    "pykro.schema._simple",
)
# The import alone loads neither JSON (pydantic reads its plugins' metadata when the user's first model is built) nor
# the Kubernetes facts (a composition's name is checked against them when it is defined).
NOT_TO_IMPORT_SPEC = ("json", "pykro._kube", *NOT_TO_DEFINE_MODELS)
# Importing pykro builds no pydantic model: pydantic looks for its plugins (importlib.metadata, email...) when the
# first model is built, which is then the user's own.
NO_MODEL_YET = ("importlib.metadata", "email", "zipfile")
NOT_FOR_HELP = (
    "yaml",
    "pykro._yamlio",
    "ssl",
    "urllib.request",
    "http.client",
    "rich.markdown",  # typer imports it for a markup mode pykro does not use (pykro.cli.main._import_rich_help)
    "rich.traceback",
    "markdown_it",
    "pygments",
)


@pytest.mark.parametrize(
    ("setup", "forbidden"),
    [
        ("import pykro", ("pydantic", "cel_expr_python", "typer", "rich", *NOT_OFFLINE)),
        (
            "from pykro import Spec, Status, composition",
            ("typer", "rich", *NOT_OFFLINE, *NOT_TO_DEFINE, *NO_MODEL_YET, *NOT_TO_IMPORT_SPEC),
        ),
        (CLI_HELP, ("pydantic", "cel_expr_python", "pykro.graph", "pykro.authoring", *NOT_OFFLINE, *NOT_FOR_HELP)),
        (CLI_RENDER, (*NOT_OFFLINE, "yaml")),  # the fast writer writes the RGD; PyYAML loads only for what it cannot
    ],
    ids=["import pykro", "from pykro import Spec, Status, composition", "pykro --help", "pykro render --rgd"],
)
def test_entry_points_load_only_what_they_need(setup: str, forbidden: tuple[str, ...]) -> None:
    assert _heavy(_loaded(setup), forbidden) == []


_DEFINED = """
import pykro
from pykro import Spec, Status, cel, composition


class Item(Spec):
    name: str


class AppSpec(Spec):
    name: str
    replicas: int = 1
    items: list[Item] = []


class AppStatus(Status):
    ready: bool


@composition(api_version="example.com/v1alpha1", kind="Part")
def part(spec: AppSpec) -> AppStatus:
    config = pykro.resource({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": spec.name.lower()}},
                            id="config")
    return AppStatus(ready=config.metadata.name != "")


@composition(api_version="example.com/v1alpha1", kind="App")
def app(spec: AppSpec) -> AppStatus:
    if spec.replicas > 1:
        pykro.resource({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{spec.name}-many"}}, id="many")
    for entry in spec.items:
        pykro.resource({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": entry.name}}, id="perEntry")
    names = [entry.name.upper() for entry in spec.items if entry.name.startswith("a")]
    status = part(name=spec.name, id="inner")
    return AppStatus(ready=status.ready and len(names) >= 0 and cel.expr("true", bool))
"""

_DATACLASSES = """
import dataclasses
made = sorted(f"{name}.{value.__name__}" for name, module in list(sys.modules.items()) if name.startswith("pykro")
              for value in vars(module).values() if isinstance(value, type) and dataclasses.is_dataclass(value)
              and value.__module__ == name)
"""


def _define(tmp_path: Path, then: str = "") -> tuple[set[str], list[str]]:
    """The modules loaded, and the dataclasses pykro created, after importing a module that defines models and
    compositions (and running ``then``)."""
    (tmp_path / "defined.py").write_text(_DEFINED)
    probe = f"""
import json, sys
sys.path.insert(0, {str(tmp_path)!r})
import defined
{then}
loaded = sorted(sys.modules)
{_DATACLASSES}
print(json.dumps([loaded, made]))
"""
    env = {"PYTHONPATH": str(SRC), "PATH": ""}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    loaded, made = json.loads(done.stdout.splitlines()[-1])
    return set(loaded), made


def test_importing_spec_creates_no_dataclass() -> None:
    """A dataclass compiles its generated methods when its class is created: the modules holding pykro's (the CEL
    AST, CelType, references, the state of a composition being built) load with the first composition compiled,
    not with `from pykro import Spec, Status, composition`."""
    probe = f"import sys\nfrom pykro import Spec, Status, composition\n{_DATACLASSES}\nprint(made)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_defining_models_and_compositions_loads_no_reference_module(tmp_path: Path) -> None:
    """Defining Spec/Status subclasses and compositions (the source transform runs then) needs no reference, CEL
    AST, type or resource module, and creates no dataclass; compiling the composition loads them and works."""
    loaded, made = _define(tmp_path)
    assert _heavy(loaded, ("typer", "rich", *NOT_OFFLINE, *NOT_TO_DEFINE, *NOT_TO_DEFINE_MODELS)) == []
    assert [name for name in made if name.startswith(("pykro.cel", "pykro.authoring"))] == []
    assert {"pykro.authoring._decorator", "pykro.authoring._transform", "pykro.authoring._models"} <= loaded

    ids = "ids = [r['id'] for r in defined.app.to_rgd()['spec']['resources']]"
    loaded, made = _define(tmp_path, f"{ids}\nassert ids == ['many', 'perEntry', 'innerConfig'], ids")
    assert {"pykro.authoring._refs", "pykro.authoring._escape", "pykro.cel._ast", "pykro.cel._types"} <= loaded
    assert {"pykro.cel._ast.Call", "pykro.cel._types.CelType", "pykro.authoring._context.Build"} <= set(made)


def test_the_public_names_are_listed_and_a_misspelling_fails() -> None:
    import pykro
    import pykro.emulator

    assert dir(pykro) == pykro.__all__
    assert dir(pykro.emulator) == pykro.emulator.__all__
    for module in (pykro, pykro.emulator):
        for name in module.__all__:
            assert getattr(module, name) is not None
    with pytest.raises(AttributeError, match="compositon"):
        _ = pykro.compositon  # type: ignore[attr-defined]


@pytest.mark.slow
def test_a_type_checker_rejects_a_misspelled_public_name(tmp_path: Path) -> None:
    from mypy import api

    sample = tmp_path / "user.py"
    sample.write_text(
        "import pykro\nimport pykro.emulator\npykro.composition\npykro.compositon\npykro.emulator.LocalCluster\n"
    )
    out, _, status = api.run(["--strict", "--no-incremental", "--python-version", "3.11", str(sample)])
    assert status == 1
    assert 'user.py:4: error: Module has no attribute "compositon"' in out
    assert out.count("error:") == 1, out
