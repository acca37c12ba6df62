"""`pykro emulator ...`: run the local Kubernetes API emulator (`start`) and look at what it holds (`get`)."""

from __future__ import annotations

import base64
import ipaddress
import json
import signal
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import typer

from pykro.cli._files import load_doc
from pykro.cli._out import console
from pykro.emulator._home import default_kubeconfig
from pykro.errors import PykroError

__all__ = ["app", "exposure_warnings", "get", "start", "stop"]

T = TypeVar("T")
app = typer.Typer(help="Run and inspect the local Kubernetes API emulator.", no_args_is_help=True)
DEFAULT_KUBECONFIG = default_kubeconfig()
_KUBECONFIG_OUT = typer.Option(DEFAULT_KUBECONFIG, "--kubeconfig", help="Where to write the kubeconfig.")
_KUBECONFIG_IN = typer.Option(DEFAULT_KUBECONFIG, "--kubeconfig", help="The emulator's kubeconfig.")
_STATE = typer.Option(None, "--state", help="Keep objects in this JSON file across restarts.")
_STATE_FSYNC = typer.Option(
    False,
    "--state-fsync",
    help="Sync every write to disk before answering it (survives a machine crash, not only a killed emulator).",
)
_RULES = typer.Option(None, "--rules", help="Simulation rules (YAML).")
_FAULTS = typer.Option(None, "--faults", help="Fault injection plan (YAML).")


@app.command()
def start(
    port: int = typer.Option(6443, "--port", min=0, max=65535, help="Port to listen on (0: any free port)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (loopback by default)."),
    kubeconfig: Path = _KUBECONFIG_OUT,
    state: Path | None = _STATE,
    state_fsync: bool = _STATE_FSYNC,
    seed: int = typer.Option(0, "--seed", help="Seed for names, IPs, simulation and faults."),
    simulate: bool = typer.Option(True, "--simulate/--no-simulate", help="Run the workload simulator."),
    rules: Path | None = _RULES,
    faults: Path | None = _FAULTS,
    tls: bool = typer.Option(True, "--tls/--no-tls", help="Serve HTTPS (kubectl only sends tokens over TLS)."),
    kro: bool = typer.Option(False, "--kro", help="Run the simulated KRO controller (a test double)."),
    operators: bool = typer.Option(
        False, "--operators", help="Install the CRDs of the simulated operators (CloudNativePG, Flux, Valkey)."
    ),
) -> None:
    """Serve the emulator until Ctrl-C or SIGTERM; writes a kubeconfig for kubectl and lightkube."""
    import asyncio

    from rich.text import Text

    from pykro.emulator._cluster import CONTEXT
    from pykro.emulator._cluster import kubeconfig as emulator_kubeconfig
    from pykro.emulator._home import check_kubeconfig_target, write_kubeconfig
    from pykro.emulator._server import EmulatorConfig, create_app, listen
    from pykro.emulator._tls import self_signed

    config = EmulatorConfig(
        host=host, port=port, seed=seed, state_file=state, state_fsync=state_fsync, simulate=simulate
    )
    if kro:
        from pykro.emulator._kro_double import SimulatedKro

        config.controllers.append(SimulatedKro())
    if operators:
        from pykro.emulator._simulation.operators import OperatorCRDs

        config.controllers.append(OperatorCRDs())
    if rules is not None:
        from pykro.emulator._simulation import SimulationRules

        config.rules = _load_plan(SimulationRules.load, rules, "--rules file")
    if faults is not None:
        from pykro.emulator._faults import FaultPlan

        config.faults = _load_plan(FaultPlan.load, faults, "--faults file")
    check_kubeconfig_target(kubeconfig)
    _check_not_serving(kubeconfig)
    for warning in exposure_warnings(host, tls):
        console(stderr=True).print(Text.assemble(("warning:", "bold yellow"), " ", warning))
    cert = self_signed(host) if tls else None

    async def serve() -> None:
        web_app = create_app(config)
        try:
            runner, bound = await listen(web_app, host, port, cert.server_context() if cert else None)
        except OSError as exc:
            raise PykroError(
                f"cannot listen on {host}:{port}: {exc.strerror}", fix="Check --host, or pick another --port."
            ) from None
        server = f"{'https' if cert else 'http'}://{host}:{bound}"
        merged = write_kubeconfig(
            kubeconfig, emulator_kubeconfig(server, config.token, cert.cert_pem if cert else None)
        )
        console().print(f"pykro emulator serving at {server}")
        how = f"context {CONTEXT} merged into {kubeconfig} (now its current-context)" if merged else str(kubeconfig)
        console().print(f"kubeconfig: {how}\n  export KUBECONFIG={kubeconfig}")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        console().print("stopping")
        await runner.cleanup()

    asyncio.run(serve())


def _check_not_serving(kubeconfig: Path) -> None:
    """Refuse to take over the kubeconfig of an emulator that still answers there (the one `--local` started, or
    another `start`): it would keep running, unreachable, and `--local` would report it stuck once this one stops."""
    from pykro.deploy.local import healthy

    if kubeconfig.exists() and healthy(kubeconfig):
        raise PykroError(
            f"an emulator already answers at the kubeconfig {kubeconfig}; a second one would take it over",
            where="--kubeconfig",
            fix="Use the running one (`pykro emulator stop` stops the background one), or pass another --kubeconfig.",
        )


def _load_plan(load: Callable[[Path], T], path: Path, what: str) -> T:
    """``load(path)`` with the file's own problems (missing, a directory, not UTF-8, bad YAML) as PykroErrors."""
    from pykro import _yamlio as yamlio

    text = yamlio.read_user_file(path, what=what)
    try:
        return load(path)
    except PykroError:
        raise
    except Exception as exc:
        if getattr(exc, "problem_mark", None) is None:  # not a YAML syntax error
            raise
        yamlio.load_user_all(text, str(path))  # raises the syntax error at file:line:col
        raise


def exposure_warnings(host: str, tls: bool) -> list[str]:
    """What `start` warns about: listening beyond loopback, and a bearer token sent without TLS."""
    found = []
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        found.append(
            f"--host {host} listens beyond loopback: anyone who can reach this address can reach the emulator, and "
            "whoever holds the kubeconfig's token can read and change everything in it."
        )
    if not tls:
        found.append("--no-tls: the kubeconfig's bearer token travels unencrypted (plain HTTP) with every request.")
    return found


# get ------------------------------------------------------------------------------------------------------------
class _Remote:
    """Plain HTTPS requests to the emulator named by a kubeconfig it wrote."""

    def __init__(self, path: Path) -> None:
        import ssl

        from pykro.emulator._cluster import CONTEXT

        cfg = load_doc(path, what="kubeconfig")
        try:  # the emulator's context (the file may be a kubeconfig it was merged into), else the current one
            contexts = {c["name"]: c["context"] for c in cfg["contexts"]}
            context = contexts.get(CONTEXT) or contexts[cfg["current-context"]]
            cluster = next(c["cluster"] for c in cfg["clusters"] if c["name"] == context["cluster"])
            self.server = cluster["server"]
            self.token = next(u["user"] for u in cfg["users"] if u["name"] == context["user"])["token"]
            ca = cluster.get("certificate-authority-data")
            self.ctx = ssl.create_default_context(cadata=base64.b64decode(ca).decode()) if ca else None
        except (KeyError, StopIteration, TypeError, AttributeError, ValueError, ssl.SSLError):
            raise PykroError(
                f"not a kubeconfig written by `pykro emulator start` (it needs a {CONTEXT} context or a "
                "current-context, with a cluster server, a user token and valid certificate-authority-data)",
                where=str(path),
                fix="Start the emulator with `pykro emulator start` or pass --kubeconfig.",
            ) from None
        self.where = str(path)

    def get(self, path: str, accept: str = "application/json") -> Any:
        import urllib.error
        import urllib.request

        req = urllib.request.Request(
            self.server + path, headers={"Authorization": f"Bearer {self.token}", "Accept": accept}
        )
        try:
            with urllib.request.urlopen(req, context=self.ctx) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as err:
            body = json.loads(err.read() or b"{}")
            raise PykroError(body.get("message", f"HTTP {err.code}"), where=self.server) from None
        except urllib.error.URLError as err:
            raise PykroError(
                f"the emulator is not reachable at {self.server} ({err.reason})",
                where=self.where,
                fix="Start it with `pykro emulator start`.",
            ) from None

    def resolve(self, name: str) -> tuple[str, dict[str, Any]]:
        """(URL prefix, resource entry) for a kind, plural, singular or short name."""
        wanted = name.lower()
        accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
        for root in ("/api", "/apis"):
            for group in self.get(root, accept)["items"]:
                for version in group["versions"][:1]:
                    for res in version["resources"]:
                        names = {
                            res["resource"],
                            res.get("singularResource", ""),
                            res["responseKind"]["kind"].lower(),
                            *res.get("shortNames", []),
                        }
                        if wanted in names:
                            g = group["metadata"].get("name", "")
                            prefix = f"/apis/{g}/{version['version']}" if g else f"/api/{version['version']}"
                            return prefix, res
        raise PykroError(
            f'the server doesn\'t have a resource type "{name}"',
            where=self.server,
            fix="List the kinds with `kubectl api-resources`.",
        )


def _age(ts: str | None) -> str:
    if not ts:
        return ""
    seconds = int((datetime.now(UTC) - datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{max(seconds, 0)}s"


def _ready(obj: dict[str, Any]) -> str:
    status = obj.get("status") or {}
    for cond in status.get("conditions") or []:
        if cond.get("type") in ("Ready", "Available", "Established", "Complete"):
            return f"{cond['type']}={cond.get('status')}"
    return str(status.get("phase", ""))


@app.command()
def get(
    kind: str = typer.Argument(..., help="Kind, plural, singular or short name (deploy, pods, Widget...)."),
    name: str | None = typer.Argument(None, help="One object's name."),
    namespace: str = typer.Option("default", "--namespace", "-n"),
    all_namespaces: bool = typer.Option(False, "--all-namespaces", "-A"),
    output: str | None = typer.Option(None, "--output", "-o", help="yaml or json (default: a table)."),
    kubeconfig: Path = _KUBECONFIG_IN,
) -> None:
    """Show objects held by a running emulator."""
    from pykro.deploy._names import check_namespace, check_segment

    check_namespace(namespace, where="-n/--namespace")
    if name is not None:
        check_segment(name, "name")
    remote = _Remote(kubeconfig)
    prefix, res = remote.resolve(kind)
    scoped = res["scope"] == "Namespaced"
    path = prefix
    if scoped and not (all_namespaces and name is None):
        path += f"/namespaces/{urllib.parse.quote(namespace, safe='')}"
    path += f"/{res['resource']}" + (f"/{urllib.parse.quote(name, safe='')}" if name else "")
    doc = remote.get(path)
    if output in ("yaml", "json"):
        from pykro import _yamlio as yamlio

        typer.echo(yamlio.dump(doc) if output == "yaml" else json.dumps(doc, indent=2))
        return
    if output is not None:
        raise PykroError(f"unknown output format {output!r}", fix="Use -o yaml or -o json.")
    items = [doc] if name else doc.get("items", [])
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    if scoped:
        table.add_column("NAMESPACE")
    for col in ("NAME", "STATUS", "AGE"):
        table.add_column(col)
    for obj in items:
        meta = obj.get("metadata", {})
        row = [meta.get("name", ""), _ready(obj), _age(meta.get("creationTimestamp"))]
        table.add_row(*([meta.get("namespace", "")] if scoped else []), *row)
    console().print(table)


@app.command()
def stop() -> None:
    """Stop the per-user background emulator that `--local` started (its objects stay in its state file)."""
    from pykro.deploy.local import stop_local

    if stop_local():
        console().print("stopped the local emulator")
    else:
        console().print("no local emulator is running")
