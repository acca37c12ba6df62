"""``pykro hub sync FILE``: run one sync of the hub(s) a Python file defines and print what happened to each row's
instances (exit code 1 when a row failed or the sync stopped). Light at import: the hub loads when the command runs."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from pykro.hub.hub import Hub, SyncReport

_FILE = typer.Argument(..., help="Python file defining the hub (hub = Hub(...); hub.form(...)).")
_KUBECONFIG = typer.Option(None, "--kubeconfig", help="Kubeconfig file (default: $KUBECONFIG).")
app = typer.Typer(help="Instances from database rows (hubs).", no_args_is_help=True)


@app.callback()
def _hub() -> None:
    """Instances from database rows (hubs)."""


def load_hubs(path: Path) -> dict[str, Hub]:
    """The hubs a Python file defines (module-level names bound to a `Hub`), by hub name."""
    from pykro.errors import PykroError
    from pykro.hub.hub import Hub

    if not path.is_file():
        raise PykroError(f"no such file: {path}", where=str(path), fix="Give the path of a .py file defining a Hub.")
    from pykro.authoring.loader import import_user_file

    module = import_user_file(path, prefix="pykro_hub")
    hubs = {hub.name: hub for hub in vars(module).values() if isinstance(hub, Hub)}
    if not hubs:
        raise PykroError(
            f"{path} defines no Hub", where=str(path), fix='Bind one to a name: hub = Hub("tenants", ...).'
        )
    return hubs


def _pick(file: Path, hub_name: str | None) -> Hub:
    from pykro.errors import PykroError

    hubs = load_hubs(file)
    if hub_name is None and len(hubs) > 1:
        raise PykroError(
            f"{file} defines several hubs ({', '.join(sorted(hubs))})", where=str(file), fix="Choose one with --hub."
        )
    if hub_name is not None and hub_name not in hubs:
        raise PykroError(f"{file} has no hub {hub_name!r}", where="--hub", fix=f"Hubs: {', '.join(sorted(hubs))}.")
    return hubs[hub_name] if hub_name is not None else next(iter(hubs.values()))


def _targeted(
    file: Path,
    hub_name: str | None,
    local: bool,
    source: str | None,
    kubeconfig: Path | None,
    context: str | None,
    namespace: str | None,
) -> Hub:
    """The hub of ``file`` pointed at the options' database and cluster; a given kubeconfig is checked first, so a
    broken one stops before any database read."""
    hub = _pick(file, hub_name)
    if local:
        from pykro.deploy.local import ensure_local

        kubeconfig = ensure_local()
    elif kubeconfig is not None or context is not None:
        from pykro.deploy.kubeconfig import load

        load(kubeconfig, context)
    if source is not None or kubeconfig is not None or context is not None or namespace is not None:
        hub.target(source=source, kubeconfig=kubeconfig, context=context, namespace=namespace)
    return hub


@app.command("sync")
def sync(
    file: Path = _FILE,
    hub_name: str | None = typer.Option(None, "--hub", help="Which hub, when the file defines several."),
    local: bool = typer.Option(False, "--local", help="Use the embedded emulator (started in the background)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Read the rows and plan; write nothing to the cluster."),
    allow_mass_delete: bool = typer.Option(
        False, "--allow-mass-delete", help="Let the sync delete more instances than the hub's mass-deletion guard."
    ),
    source: str | None = typer.Option(None, "--source", help="Database URL instead of the hub's (same table)."),
    kubeconfig: Path | None = _KUBECONFIG,
    context: str | None = typer.Option(None, "--context", help="Kubeconfig context."),
    namespace: str | None = typer.Option(None, "-n", "--namespace", help="Namespace (default: the hub's)."),
    changes: bool = typer.Option(False, "--changes", help="List only the instances that changed or failed."),
    output: str = typer.Option("text", "-o", "--output", help="text or json."),
) -> None:
    """Sync a hub once: every active row × form gets its instance; gone or inactive rows lose theirs."""
    from pykro.errors import PykroError

    if output not in ("text", "json"):
        raise PykroError(f"--output {output!r} is not text or json", where="--output", fix="Use -o text or -o json.")
    hub = _targeted(file, hub_name, local, source, kubeconfig, context, namespace)
    try:
        report = hub.sync(dry_run=dry_run, allow_mass_delete=allow_mass_delete)
    finally:
        hub.close()
    if output == "json":
        data: dict[str, Any] = {**asdict(report), "ok": report.ok, "counts": report.counts()}
        typer.echo(json.dumps(data, indent=2))
    else:
        typer.echo(report.render(changes_only=changes), nl=False)
    if not report.ok:
        raise typer.Exit(1)


@app.command("run")
def run(
    file: Path = _FILE,
    hub_name: str | None = typer.Option(None, "--hub", help="Which hub, when the file defines several."),
    local: bool = typer.Option(False, "--local", help="Use the embedded emulator (started in the background)."),
    source: str | None = typer.Option(None, "--source", help="Database URL instead of the hub's (same table)."),
    kubeconfig: Path | None = _KUBECONFIG,
    context: str | None = typer.Option(None, "--context", help="Kubeconfig context."),
    namespace: str | None = typer.Option(None, "-n", "--namespace", help="Namespace (default: the hub's)."),
    syncs: int | None = typer.Option(None, "--syncs", help="Stop after this many syncs (default: run until ^C)."),
    allow_mass_delete: bool = typer.Option(
        False, "--allow-mass-delete", help="Let the first sync (only) delete more than the mass-deletion guard."
    ),
) -> None:
    """Sync every sync_every, printing what changed; a sync that would delete too much stops and says so."""
    hub = _targeted(file, hub_name, local, source, kubeconfig, context, namespace)
    last: list[SyncReport] = []

    def show(report: SyncReport) -> None:
        last[:] = [report]
        typer.echo(report.render(changes_only=True), nl=False)

    try:
        hub.run(syncs=syncs, allow_mass_delete=allow_mass_delete, on_report=show)
    except KeyboardInterrupt:
        typer.echo("stopped")
    finally:
        hub.close()
    if last and not last[0].ok:  # the last sync failed: say so in the exit code (a daemon keeps syncing)
        raise typer.Exit(1)
