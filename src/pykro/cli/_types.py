"""`pykro types CRD.yaml... -o module.py`: a typed Python module (or ``.pyi`` stubs) for the kinds of CRDs."""

from __future__ import annotations

from pathlib import Path

import typer

from pykro.errors import PykroError

__all__ = ["types"]

_SOURCES = typer.Argument(..., help="CRD YAML files or http(s) URLs (a file may hold several CRDs).")
_OUTPUT = typer.Option(
    None, "--output", "-o", help="Write here: a .py module, or .pyi stubs (default: print the module)."
)
_VERSION = typer.Option(None, "--version", help="The CRD version to type (default: each CRD's storage version).")


def types(sources: list[str] = _SOURCES, output: Path | None = _OUTPUT, version: str | None = _VERSION) -> None:
    """Write typed resource classes for CRDs, so that editors and type checkers know their fields."""
    from pykro.crds._codegen import generate
    from pykro.crds._definition import definition, read_source

    if output is not None and output.suffix not in (".py", ".pyi"):
        raise PykroError(
            f"cannot write {output}: the output is a Python module", where="-o/--output", fix="Name a .py or .pyi file."
        )
    found = []
    kinds: dict[str, str] = {}
    for source in sources:
        if source.endswith(".py"):
            raise PykroError(
                "is a Python file; `pykro types` reads CRD YAML files (kind: CustomResourceDefinition)",
                where=source,
                fix="Pass the operator's CRD files; a composition's own kinds need no types.",
            )
        for where, doc in read_source(source):
            item = definition(doc, where, version=version)
            if item.kind in kinds:
                raise PykroError(
                    f"kind {item.kind} is defined twice (also in {kinds[item.kind]})",
                    where=where,
                    fix="Give each kind's CRD once, or write the kinds into separate modules.",
                )
            kinds[item.kind] = where
            found.append(item)
    text = generate(found, list(sources), stub=output is not None and output.suffix == ".pyi")
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        what = f"cannot write {output}: {exc.strerror}"
        raise PykroError(what, where="-o/--output", fix="Pick a writable path.") from None
    typer.echo(f"wrote {output}: {', '.join(kinds)}")
