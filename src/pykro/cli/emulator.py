"""`pykro emulator ...`: the local Kubernetes API emulator."""

from __future__ import annotations

import typer

app = typer.Typer(help="Run and inspect the local Kubernetes API emulator.", no_args_is_help=True)
