"""The ``.pyi`` stubs beside the integration modules, so that editors and type checkers know every field of the
built-in kinds: ``python -m pykro.integrations._stubs`` rewrites them from the shipped CRDs (a test checks that
they are current)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Final

from pykro.crds import CustomResource
from pykro.crds._codegen import generate

__all__ = ["MODULES", "stub"]

MODULES: Final = ("certmanager", "cnpg", "flux", "valkey")


def stub(name: str) -> str:
    """The stub text of ``pykro.integrations.<name>``."""
    module = importlib.import_module(f"pykro.integrations.{name}")
    classes: list[type[CustomResource]] = []
    constants: dict[str, str] = {}
    for attr in module.__all__:
        value = getattr(module, attr)
        if isinstance(value, type) and issubclass(value, CustomResource):
            classes.append(value)
        else:
            constants[attr] = type(value).__name__
    sources = [f"the CRDs of pykro.integrations.{name} (python -m pykro.integrations._stubs)"]
    return generate([c.definition for c in classes], sources, stub=True, constants=constants)


def main() -> None:
    here = Path(__file__).parent
    for name in MODULES:
        (here / f"{name}.pyi").write_text(stub(name), encoding="utf-8")


if __name__ == "__main__":
    main()
