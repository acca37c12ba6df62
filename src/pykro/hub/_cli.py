"""``pykro hub sync|run|plan|status|manifests``: sync the hub a Python file (or Lynq YAML: `pykro.hub.lynq`) defines
once or every ``sync_every``, show what a sync would do or where each tenant stands, or write the manifests running
a hub in the cluster. Light at import: the hub loads when the command runs."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

__all__ = ["app", "load_hubs", "manifests", "plan", "run", "status", "sync"]

if TYPE_CHECKING:
    from pykro.hub._hub import Hub, SyncReport
    from pykro.hub._status import HubStatus

_FILES = typer.Argument(
    ..., help="Python files defining hubs, or Lynq YAML files (LynqHub and LynqForms; every hub of every file)."
)
_KUBECONFIG = typer.Option(None, "--kubeconfig", help="Kubeconfig file (default: $KUBECONFIG).")
_SOURCE = typer.Option(
    None,
    "--source",
    envvar="PYKRO_HUB_SOURCE",
    help="Database URL instead of the hub's (same table).",
)
_CONTEXT = typer.Option(None, "--context", help="Kubeconfig context.")
_NAMESPACE = typer.Option(None, "-n", "--namespace", help="Namespace (default: the hub's).")
_LOCAL = typer.Option(False, "--local", help="Use the embedded emulator (started in the background).")
_OUTPUT = typer.Option("text", "-o", "--output", help="text or json.")
_MODE = typer.Option(None, "--mode", help="direct or kro (default: the hub's).")
_FILES_IN_IMAGE = typer.Option(
    None, "--file-in-image", help="Path of FILE inside the image (default: /app/<file name>); once per FILE, in order."
)
app = typer.Typer(help="Instances from database rows (hubs).", no_args_is_help=True)


@app.callback()
def _hub() -> None:
    """Instances from database rows (hubs)."""


def load_hubs(path: Path) -> dict[str, Hub]:
    """The hubs a Python file defines (module-level names bound to a `Hub`), by hub name."""
    from pykro.deploy._names import shown
    from pykro.errors import PykroError
    from pykro.hub._hub import Hub

    try:
        found, folder = path.is_file(), path.is_dir()
    except OSError:  # a name the system refuses (too long, …)
        found = folder = False
    fix = "Give a .py file defining a Hub, or Lynq YAML files (.yaml/.yml: the LynqHub and its LynqForms)."
    if not found:
        raise PykroError("is a directory" if folder else "no such file", where=shown(str(path)), fix=fix)
    if path.suffix != ".py":
        raise PykroError(f"{path.suffix or 'a file without suffix'} is not a hub file", where=str(path), fix=fix)
    from pykro.authoring._loader import import_user_file

    module = import_user_file(path, prefix="pykro_hub")
    hubs = {hub.name: hub for hub in vars(module).values() if isinstance(hub, Hub)}
    if not hubs:
        raise PykroError(
            f"{path} defines no Hub", where=str(path), fix='Bind one to a name: hub = Hub("tenants", ...).'
        )
    return hubs


def _load_files(files: list[Path]) -> dict[str, tuple[Path, Hub]]:
    """Every hub of ``files`` by name, with the file defining it: Python files one by one, Lynq YAML files
    (``.yaml``/``.yml``) together (a LynqForm may be in another file than its LynqHub); two hubs of one name
    stop."""
    from pykro.errors import PykroError
    from pykro.hub.lynq import is_lynq_file

    given = [f.resolve() for f in files]
    for i, path in enumerate(given):
        if path in given[:i]:
            raise PykroError("the file is given twice", where=str(files[i]), fix="Give each file once.")
    hubs: dict[str, tuple[Path, Hub]] = {}
    found: list[tuple[Path, dict[str, Any]]] = []
    yaml_files = [f for f in files if is_lynq_file(f)]
    if yaml_files:
        from pykro.hub.lynq import load

        loaded = load(yaml_files)
        found.append((yaml_files[0], dict(loaded)))
    found += [(f, dict(load_hubs(f))) for f in files if not is_lynq_file(f)]
    for file, defined in found:
        for name, hub in defined.items():
            if name in hubs:
                raise PykroError(
                    f"hub {name!r} is defined in both {hubs[name][0]} and {file}",
                    where=str(file),
                    fix="Give each hub its own name.",
                )
            hubs[name] = (file, hub)
    return hubs


def _pick(files: list[Path], hub_name: str | None, loaded: dict[str, tuple[Path, Hub]] | None = None) -> Hub:
    """The hub ``--hub`` names among those of ``files`` (``loaded``: read already), or their only hub."""
    from pykro.errors import PykroError

    hubs = {name: hub for name, (_, hub) in (loaded if loaded is not None else _load_files(files)).items()}
    shown = ", ".join(str(f) for f in files)
    if hub_name is None and len(hubs) > 1:
        raise PykroError(
            f"{shown} define several hubs ({', '.join(sorted(hubs))})", where=shown, fix="Choose one with --hub."
        )
    if hub_name is not None and hub_name not in hubs:
        raise PykroError(f"{shown} has no hub {hub_name!r}", where="--hub", fix=f"Hubs: {', '.join(sorted(hubs))}.")
    return hubs[hub_name] if hub_name is not None else next(iter(hubs.values()))


def _check_output(output: str) -> None:
    from pykro.errors import PykroError

    if output not in ("text", "json"):
        raise PykroError(f"--output {output!r} is not text or json", where="--output", fix="Use -o text or -o json.")


def _targeted(
    files: list[Path],
    hub_name: str | None,
    local: bool,
    source: str | None,
    kubeconfig: Path | None,
    context: str | None,
    namespace: str | None,
    mode: str | None = None,
) -> Hub:
    """The hub of ``files`` pointed at the options' database and cluster (see `_point`)."""
    return _point(_pick(files, hub_name), local, source, kubeconfig, context, namespace, mode)


def _all_hubs(
    files: list[Path],
    local: bool,
    source: str | None,
    kubeconfig: Path | None,
    context: str | None,
    namespace: str | None,
    mode: str | None = None,
) -> list[Hub]:
    """Every hub of ``files`` (in order), pointed at the options' database and cluster; two hubs of one name stop."""
    hubs = _load_files(files)
    return [_point(hub, local, source, kubeconfig, context, namespace, mode) for _, hub in hubs.values()]


def _point(
    hub: Hub,
    local: bool,
    source: str | None,
    kubeconfig: Path | None,
    context: str | None,
    namespace: str | None,
    mode: str | None = None,
) -> Hub:
    """``hub`` pointed at the options' database and cluster; a given kubeconfig is checked first, so a broken one
    stops before any database read."""
    if namespace is not None:
        from pykro.deploy._names import check_namespace

        check_namespace(namespace, where="-n/--namespace")
    if local:
        from pykro.deploy.local import ensure_local

        kubeconfig = ensure_local()
    elif kubeconfig is not None or context is not None:
        from pykro.deploy._kubeconfig import load

        load(kubeconfig, context)
    if source is not None or kubeconfig is not None or context is not None or namespace is not None or mode:
        hub.target(source=source, kubeconfig=kubeconfig, context=context, namespace=namespace, mode=mode)
    if source is not None:  # a database error then names the option (or the variable) that gave the URL
        hub.wording.source_option = "--source" + (" ($PYKRO_HUB_SOURCE)" if os.environ.get("PYKRO_HUB_SOURCE") else "")
    from pykro.hub.lynq._hub import LynqHub

    if isinstance(hub, LynqHub):
        hub.use_password_ref()  # a LynqHub's passwordRef Secret, read from the cluster (not when --source is given)
    return hub


@app.command("sync")
def sync(
    files: list[Path] = _FILES,
    hub_name: str | None = typer.Option(None, "--hub", help="Which hub, when the files define several."),
    local: bool = typer.Option(False, "--local", help="Use the embedded emulator (started in the background)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Read the rows and plan; write nothing to the cluster."),
    allow_mass_delete: bool = typer.Option(
        False, "--allow-mass-delete", help="Let the sync delete more instances than the hub's mass-deletion guard."
    ),
    source: str | None = _SOURCE,
    kubeconfig: Path | None = _KUBECONFIG,
    context: str | None = typer.Option(None, "--context", help="Kubeconfig context."),
    namespace: str | None = typer.Option(None, "-n", "--namespace", help="Namespace (default: the hub's)."),
    mode: str | None = _MODE,
    changes: bool = typer.Option(False, "--changes", help="List only the instances that changed or failed."),
    output: str = typer.Option("text", "-o", "--output", help="text or json."),
) -> None:
    """Sync a hub once: every active row × form gets its instance; gone or inactive rows lose theirs."""
    _check_output(output)
    hub = _targeted(files, hub_name, local, source, kubeconfig, context, namespace, mode)
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
    files: list[Path] = _FILES,
    hub_name: str | None = typer.Option(None, "--hub", help="Which hub, when the files define several."),
    local: bool = typer.Option(False, "--local", help="Use the embedded emulator (started in the background)."),
    source: str | None = _SOURCE,
    kubeconfig: Path | None = _KUBECONFIG,
    context: str | None = typer.Option(None, "--context", help="Kubeconfig context."),
    namespace: str | None = typer.Option(None, "-n", "--namespace", help="Namespace (default: the hub's)."),
    mode: str | None = _MODE,
    syncs: int | None = typer.Option(None, "--syncs", help="Stop after this many syncs (default: run until ^C)."),
    allow_mass_delete: bool = typer.Option(
        False, "--allow-mass-delete", help="Let the first sync (only) delete more than the mass-deletion guard."
    ),
    metrics_port: int | None = typer.Option(
        None, "--metrics-port", help="Serve Prometheus metrics on this port (/metrics)."
    ),
) -> None:
    """Sync every sync_every, printing what changed; a sync that would delete too much stops and says so."""
    if syncs is not None and syncs < 1:
        from pykro.errors import PykroError

        raise PykroError(
            f"--syncs {syncs} is not a number of syncs", where="--syncs", fix="Give 1 or more, or leave it out."
        )
    if metrics_port is not None and not 0 <= metrics_port <= 65535:
        from pykro.errors import PykroError

        raise PykroError(
            f"--metrics-port {metrics_port} is not a TCP port",
            where="--metrics-port",
            fix="Give a port from 1 to 65535, e.g. 9090.",
        )
    hub = _targeted(files, hub_name, local, source, kubeconfig, context, namespace, mode)
    last: list[SyncReport] = []
    metrics = server = None
    if metrics_port is not None:
        from pykro.errors import PykroError
        from pykro.hub._metrics import Metrics

        metrics = Metrics()
        try:
            server = metrics.serve(metrics_port)
        except OSError as exc:
            hub.close()
            raise PykroError(
                f"cannot serve metrics on port {metrics_port}: {exc.strerror or exc}",
                where="--metrics-port",
                fix="Give a free port (another process may use this one; ports below 1024 need privileges).",
            ) from None

    def show(report: SyncReport) -> None:
        last[:] = [report]
        if metrics is not None:
            metrics.record(report, report.seconds)
        typer.echo(report.render(changes_only=True), nl=False)

    try:
        hub.run(syncs=syncs, allow_mass_delete=allow_mass_delete, on_report=show)
    except KeyboardInterrupt:
        typer.echo("stopped")
    finally:
        hub.close()
        if server is not None:
            server.shutdown()
            server.server_close()
    if last and not last[0].ok:  # the last sync failed: say so in the exit code (a daemon keeps syncing)
        raise typer.Exit(1)


@app.command("plan")
def plan(
    files: list[Path] = _FILES,
    local: bool = _LOCAL,
    source: str | None = _SOURCE,
    kubeconfig: Path | None = _KUBECONFIG,
    context: str | None = _CONTEXT,
    namespace: str | None = _NAMESPACE,
    mode: str | None = _MODE,
    changes: bool = typer.Option(False, "--changes", help="List only the instances a sync would change."),
    output: str = _OUTPUT,
) -> None:
    """What a sync of each hub would create, update and delete now; writes nothing (exit 1 when a row would fail
    or the sync would stop)."""
    _check_output(output)
    hubs = _all_hubs(files, local, source, kubeconfig, context, namespace, mode)
    reports: list[SyncReport] = []
    try:
        for hub in hubs:
            reports.append(hub.plan())
    finally:
        for hub in hubs:
            hub.close()
    if output == "json":
        data = [{**asdict(r), "ok": r.ok, "counts": r.counts()} for r in reports]
        typer.echo(json.dumps(data, indent=2))
    else:
        for report in reports:
            typer.echo(report.render(changes_only=changes), nl=False)
    if not all(r.ok for r in reports):
        raise typer.Exit(1)


@app.command("status")
def status(
    files: list[Path] = _FILES,
    local: bool = _LOCAL,
    source: str | None = _SOURCE,
    kubeconfig: Path | None = _KUBECONFIG,
    context: str | None = _CONTEXT,
    namespace: str | None = _NAMESPACE,
    mode: str | None = _MODE,
    output: str = _OUTPUT,
) -> None:
    """Each tenant × form of each hub: state, ready/desired resources, since, last error; and the hub's totals
    (exit 1 when the database or the cluster could not be read)."""
    _check_output(output)
    hubs = _all_hubs(files, local, source, kubeconfig, context, namespace, mode)
    found: list[HubStatus] = []
    try:
        for hub in hubs:
            found.append(hub.status())
    finally:
        for hub in hubs:
            hub.close()
    if output == "json":
        typer.echo(json.dumps([s.to_dict() for s in found], indent=2))
    else:
        for one in found:
            typer.echo(one.render(), nl=False)
    if any(s.error for s in found):
        raise typer.Exit(1)


@app.command("manifests")
def manifests(
    files: list[Path] = _FILES,
    image: str = typer.Option(..., "--image", help="Image holding pykro, the hub's files and what they import."),
    hub_name: str | None = typer.Option(None, "--hub", help="Which hub, when the files define several."),
    namespace: str | None = typer.Option(None, "-n", "--namespace", help="Namespace (default: the hub's)."),
    file_in_image: list[str] | None = _FILES_IN_IMAGE,
    source_secret: str | None = typer.Option(
        None, "--source-secret", help="Secret holding the database URL (read into PYKRO_HUB_SOURCE)."
    ),
    source_key: str = typer.Option("url", "--source-key", help="Key of the database URL in --source-secret."),
    output: str = typer.Option("yaml", "-o", "--output", help="yaml or json."),
    mode: str | None = _MODE,
) -> None:
    """Print the manifests running the hub in the cluster: ServiceAccount, RBAC for its forms, and a Deployment
    running `pykro hub run` with the same files (a LynqHub and its LynqForms may be in several files)."""
    from pykro import _yamlio as yamlio
    from pykro.errors import PykroError
    from pykro.hub._manifests import hub_manifests

    if output not in ("yaml", "json"):
        raise PykroError(f"--output {output!r} is not yaml or json", where="--output", fix="Use -o yaml or -o json.")
    if file_in_image and len(file_in_image) != len(files):
        raise PykroError(
            f"--file-in-image gives {len(file_in_image)} paths for {len(files)} files",
            where="--file-in-image",
            fix="Give it once per FILE, in the same order, or leave it out (/app/<file name>).",
        )
    loaded = _load_files(files)
    hub = _pick(files, hub_name, loaded)
    in_image = file_in_image or [f"/app/{f.name}" for f in files]
    if len(set(in_image)) < len(in_image):
        hub.close()
        raise PykroError(
            f"two files would be at the same path in the image ({', '.join(in_image)})",
            where="--file-in-image",
            fix="Give each FILE its own path with --file-in-image.",
        )
    if mode is not None:
        hub.target(mode=mode)
    try:
        target = namespace or hub.namespace
        if target:
            from pykro.deploy._names import check_namespace

            check_namespace(target, where="-n/--namespace")
        else:
            raise PykroError(f"hub {hub.name!r} names no namespace", where="-n/--namespace", fix="Pass -n NAMESPACE.")
        objects = hub_manifests(
            hub,
            image=image,
            files_in_image=in_image,
            namespace=target,
            source_secret=source_secret,
            source_key=source_key,
            hub_option=len(loaded) > 1,
        )
    finally:
        hub.close()
    if output == "json":
        typer.echo(json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}, indent=2))
    else:
        typer.echo(yamlio.dump_all(objects), nl=False)
