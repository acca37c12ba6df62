"""The package's public surface: the public modules are the ones `PUBLIC_MODULES` lists (every other module's name,
or a package above it, starts with `_`), every public module names its exports in `__all__`, and the top-level
`pykro` names are typed (a misspelt one is a mypy error) and a misspelt one at run time says what was probably
meant."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from mypy import api as mypy_api

import pykro

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "pykro"
# Packages whose helpers add `__all__` on their own branches; the exemption goes once those are merged.
NOT_YET: tuple[str, ...] = ()

# The public modules (issue 12): each public package's `__init__` is its API; the children listed here are public
# too (subpackages, the modules the docs tell users to import from, and the entry points pyproject.toml names).
# Every other module is internal: its name, or a package's above it, starts with `_`. The codemod that moved the
# internals there (internalize.py, kept outside the repository) reads this table.
PUBLIC_MODULES: dict[str, tuple[str, ...]] = {
    "pykro": (
        "authoring",
        "builders",
        "cel",
        "celestra",
        "cli",
        "crds",
        "deploy",
        "emulator",
        "errors",
        "graph",
        "hub",
        "integrations",
        "render",
        "resources",
        "runtime",
        "schema",
        "simple",
    ),
    "pykro.cli": ("main",),  # the CLI (`pykro = pykro.__main__:run` runs it)
    "pykro.deploy": ("local",),  # README: `from pykro.deploy.local import ensure_local`
    "pykro.emulator": ("pytest_plugin",),  # the pytest11 entry point, also `-p pykro.emulator.pytest_plugin`
    "pykro.hub": ("lynq",),  # docs/hub.md: `pykro.hub.lynq.load([paths])` loads Lynq YAML
    "pykro.integrations": (
        "bootstrap",
        "certmanager",
        "cnpg",
        "containers",
        "flux",
        "helm",
        "valkey",
        "webapp",
        "yamlfiles",
    ),
}
# True once the internals carry their `_` names (the codemod sets it).
INTERNALIZED = True


def _unlisted() -> list[str]:
    """Modules and packages whose names look public but that PUBLIC_MODULES does not list."""
    found: list[str] = []

    def walk(directory: Path, dotted: str) -> None:
        listed = PUBLIC_MODULES.get(dotted, ())
        for child in sorted(directory.iterdir()):
            is_package = child.is_dir() and (child / "__init__.py").exists()
            name = child.name if is_package else child.stem
            if not (is_package or child.suffix == ".py") or name.startswith("_"):
                continue
            if name not in listed:
                found.append(f"{dotted}.{name}")
            elif is_package:
                walk(child, f"{dotted}.{name}")

    walk(PACKAGE, "pykro")
    return found


def test_the_public_modules_table_names_existing_modules() -> None:
    for package, children in PUBLIC_MODULES.items():
        directory = PACKAGE.joinpath(*package.split(".")[1:])
        assert (directory / "__init__.py").exists(), package
        for name in children:
            assert (directory / f"{name}.py").exists() or (directory / name / "__init__.py").exists(), (package, name)


def test_every_module_is_listed_public_or_named_private() -> None:
    unlisted = _unlisted()
    if INTERNALIZED:
        assert unlisted == [], f"neither listed in PUBLIC_MODULES nor named with a leading `_`: {', '.join(unlisted)}"
    else:  # before the rename the internals still carry public-looking names (and the flag must follow the rename)
        assert unlisted, "every internal module is named `_...`: set INTERNALIZED = True"


def _public_modules() -> list[Path]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if any(p.startswith("_") and p != "__init__.py" for p in parts) or parts[0] in NOT_YET:
            continue
        found.append(path)
    return found


def _declares_all(path: Path) -> bool:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return True
        if isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == "__all__" for a in node.names):
            return True
    return False


def test_every_public_module_declares_all() -> None:
    modules = _public_modules()
    listed = [f"{package}.{name}" for package, names in PUBLIC_MODULES.items() for name in names]
    assert len(modules) >= len(listed)  # the walk found the package
    missing = [str(p.relative_to(ROOT)) for p in modules if not _declares_all(p)]
    assert missing == [], "public modules without __all__: " + ", ".join(missing)


def test_a_misspelt_name_is_an_attribute_error_with_a_suggestion() -> None:
    with pytest.raises(AttributeError, match=r"has no attribute 'compositon'$"):
        pykro.compositon  # type: ignore[attr-defined]  # noqa: B018
    # the interpreter's own traceback offers the suggestion (from the package's __dir__), once
    shown = subprocess.run(
        [sys.executable, "-c", "import pykro; pykro.compositon; pykro.nothing_like_it"],
        capture_output=True,
        text=True,
        check=False,
    ).stderr
    assert shown.count("Did you mean") == 1 and "Did you mean: 'composition'?" in shown


def test_dir_lists_the_api_and_every_name_loads() -> None:
    assert dir(pykro) == sorted(pykro.__all__)
    from pykro.authoring import Spec, composition

    assert pykro.composition is composition and pykro.Spec is Spec
    for name in pykro.__all__:
        assert getattr(pykro, name) is not None, name


@pytest.mark.slow
def test_mypy_types_the_lazy_names_and_refuses_a_misspelt_one() -> None:
    snippet = """
        from typing import assert_type
        import pykro
        from pykro.authoring import Spec

        assert_type(pykro.Spec, type[Spec])
        pykro.compositon
        """
    out, err, status = mypy_api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--no-incremental", "-c", textwrap.dedent(snippet)]
    )
    report = out + err
    assert status == 1, report
    assert 'Module has no attribute "compositon"' in report and report.count("error:") == 1, report
