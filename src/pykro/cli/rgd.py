"""`pykro rgd ...`: validate, inspect and run any kro ResourceGraphDefinition offline."""

from __future__ import annotations

import typer

app = typer.Typer(help="Validate, inspect and expand kro ResourceGraphDefinitions offline.", no_args_is_help=True)
