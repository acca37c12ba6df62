"""Every `pykro` command (enumerated from the typer app, so a new command is swept too) against bad input: unknown
options, missing and extra arguments, files that are missing, directories, empty, binary or not YAML, names with
``/``, ``..``, ``%2F``, newlines, ANSI escapes or 5000 characters, and a malformed --kubeconfig.

Each run must end with one line ``error: ...`` that names the bad input, exit code 2 for a usage error and 1 for
any other failure, no traceback, no "internal error", no raw escape character, and no location inside pykro or an
installed package. Runs in-process for every case and as a real subprocess for a subset (real exit codes).
Cluster commands start from a valid invocation against an emulator, so only the bad value can make them fail."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from tests.helpers import shared

from pykro.cli.main import app, main
from pykro.emulator._cluster import LocalCluster

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
WEBAPP_RGD = str(EXAMPLES / "rgd" / "webapp.yaml")
WEBAPP_INSTANCE = str(EXAMPLES / "rgd" / "webapp-instance.yaml")
WEBAPP_PY = str(EXAMPLES / "webapp.py")
HUB_PY = str(EXAMPLES / "hub_tenants.py")
VALKEY_CRD = str(shared("fixtures", "crds", "valkey-operator", "config", "crd", "bases", "hyperspike.io_valkeys.yaml"))

USAGE, FAILURE = 2, 1
FAILURE_OF = {"diff": 2}  # `pykro diff` exits like `kubectl diff`: 1 means "there are changes", 2 an error
# Parameters whose value is a file pykro reads, and those that are Kubernetes names.
FILE_PARAMS = {"target", "source", "file", "instance", "values", "observed", "rules", "faults", "kubeconfig"}
NAME_PARAMS = {"name", "namespace"}
CHOICE_PARAMS = {"output", "mode", "on_failure"}  # one of a few words
# (command, parameter) pairs for which an empty file is valid input (no values, no rules, a new kubeconfig).
EMPTY_OK = {("render", "values"), ("deploy", "values"), ("diff", "values")}
EMPTY_OK |= {("emulator start", "rules"), ("emulator start", "faults"), ("emulator start", "kubeconfig")}
# Output files: a missing one is created, not an error. --observed of `rgd expand` is a directory.
MISSING_OK = {("emulator start", "kubeconfig")}
DIRECTORY_OK = {("rgd expand", "observed")}
BAD_NAMES = {
    "slash": "x/../../../kube-system/configmaps/victim",
    "dotdot": "..",
    "percent": "a%2Fb",
    "newline": "bad\nname",
    "ansi": "\x1b[31mred\x1b[0m",
    "long": "a" * 5000,
}
EXTRA_ARGS = {
    "plain": "unexpected-extra",
    "traversal": "../x",
    "dotdot": "..",
    "slash": "a/b",
    "percent": "a%2Fb",
    "newline": "extra\nline",
    "ansi": "\x1b]0;title\x07x",
    "long": "b" * 5000,
}


@dataclass
class Case:
    id: str
    argv: list[str]
    code: int
    names: str  # text the message must contain (the bad input as shown: escaped, or shortened when very long)


def _commands() -> Iterator[tuple[str, Any]]:
    def walk(cmd: Any, path: list[str]) -> Iterator[tuple[str, Any]]:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, [*path, name])
        else:
            yield " ".join(path), cmd

    yield from walk(typer.main.get_command(app), [])


COMMANDS = dict(_commands())


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_commands_help_renders(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`pykro build --help` was an internal error: rich read "[/path]" in an option's help as a closing tag."""
    try:
        main([*command.split(), "--help"])
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert code in (0, None) and err == "", err
    assert "Usage:" in out and "--help" in out


def _shown(value: str) -> str:
    """How an error message shows ``value``: escaped as repr does, only its start when very long."""
    return repr(value[:40])[1:-1]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("bad-input")
    (root / "empty.yaml").write_text("")
    (root / "binary.yaml").write_bytes(b"\xff\xfe\x00\x01garbage\x80")
    (root / "notyaml.yaml").write_text("key: [unclosed\n  - : :\n")
    (root / "kubeconfig-bad").write_text("apiVersion: v1\nclusters: []\ncontexts: []\n")
    (root / "dir").mkdir()
    (root / "image").mkdir()  # a build context, and a fake image builder (`pykro build --builder PATH/podman`)
    (root / "image" / "Dockerfile").write_text("FROM scratch\n")
    (root / "bin").mkdir()
    (root / "bin" / "podman").write_text("#!/bin/sh\nexit 0\n")
    (root / "bin" / "podman").chmod(0o755)
    return {
        "missing": str(root / "does-not-exist.yaml"),
        "directory": str(root / "dir"),
        "empty": str(root / "empty.yaml"),
        "binary": str(root / "binary.yaml"),
        "notyaml": str(root / "notyaml.yaml"),
        "kubeconfig": str(root / "kubeconfig-bad"),
        "root": str(root),
    }


pytestmark = pytest.mark.cluster(simulate=False)


def _hub_db(tmp: str) -> str:
    """A SQLite database with the example hub's table, empty (a valid sync has nothing to do)."""
    path = Path(tmp) / "hub.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE IF NOT EXISTS nodes (node_id TEXT PRIMARY KEY, is_active BOOLEAN)")
    return f"sqlite:///{path}"


def _base(command: str, kubeconfig: str, tmp: str) -> tuple[list[str], dict[str, str | None]]:
    """A valid invocation (positionals, options) each case changes one thing of."""
    remote: dict[str, str | None] = {"--kubeconfig": kubeconfig, "-n": "sweep"}
    instance = Path(tmp) / "webapp-instance.yaml"  # the example instance without its namespace: -n sweep places it
    if not instance.exists():
        instance.write_text(Path(WEBAPP_INSTANCE).read_text().replace("  namespace: demo\n", ""))
    bases: dict[str, tuple[list[str], dict[str, str | None]]] = {
        "render": ([WEBAPP_PY], {"--manifests": None, "--set": "replicas=2"}),
        "deploy": ([WEBAPP_RGD], {"-f": str(instance), **remote, "--no-wait": None}),
        "diff": ([WEBAPP_RGD], {"-f": str(instance), **remote}),
        "status": (["shop"], {"--file": WEBAPP_RGD, **remote}),
        "delete": (["shop"], {"--file": WEBAPP_RGD, **remote}),
        "list": ([], dict(remote)),
        "rgd validate": ([WEBAPP_RGD], {}),
        "rgd crd": ([WEBAPP_RGD], {}),
        "rgd order": ([WEBAPP_RGD], {}),
        "rgd expand": ([WEBAPP_RGD], {"-i": WEBAPP_INSTANCE}),
        "emulator start": ([], {"--port": "0", "--kubeconfig": f"{tmp}/started-kubeconfig"}),
        "emulator get": (["namespaces"], {"--kubeconfig": kubeconfig}),
        "emulator stop": ([], {}),
        # --source is a database URL here: a missing SQLite file is refused at the sync (tests/hub)
        "hub sync": ([HUB_PY], {"--dry-run": None, "--source": _hub_db(tmp), **remote}),
        "hub run": ([HUB_PY], {"--syncs": "1", "--source": _hub_db(tmp), **remote}),
        "hub plan": ([HUB_PY], {"--source": _hub_db(tmp), **remote}),
        "hub status": ([HUB_PY], {"--source": _hub_db(tmp), **remote}),
        "hub manifests": ([HUB_PY], {"--image": "registry.example/hub:1", "-n": "sweep"}),
        "types": ([VALKEY_CRD], {}),
        "build": ([f"{tmp}/image"], {"--name": "sweep-app", "--builder": f"{tmp}/bin/podman"}),
    }
    if command in bases:
        return bases[command]
    # a command added later: its required arguments get a placeholder, the generic cases still apply
    arguments = [p for p in COMMANDS[command].params if p.param_type_name == "argument" and p.required]
    return ["placeholder"] * len(arguments), {}


def _argv(command: str, positionals: list[str], options: dict[str, str | None]) -> list[str]:
    out = [*command.split(), *positionals]
    for opt, value in options.items():
        out += [opt] if value is None else [opt, value]
    return out


def _cases(command: str, files: dict[str, str], kubeconfig: str) -> list[Case]:
    cmd = COMMANDS[command]
    positionals, options = _base(command, kubeconfig, files["root"])
    params = [p for p in cmd.params if p.name != "help"]
    arguments = [p for p in params if p.param_type_name == "argument"]
    value_options = [p for p in params if p.param_type_name == "option" and not getattr(p, "is_flag", False)]
    cases = [
        Case("unknown-option", _argv(command, positionals, {**options, "--no-such-option": None}), USAGE, "--no-such"),
        Case("unknown-short-option", _argv(command, positionals, {**options, "-Z": None}), USAGE, "-Z"),
    ]
    # a command taking any number of files (`pykro types CRD...`) reads an extra argument as one more file
    extra_code = FAILURE if any(p.nargs == -1 for p in arguments) else USAGE
    for key, extra in EXTRA_ARGS.items():
        filler = [*positionals, *(["filler"] * (len(arguments) - len(positionals)))]
        cases.append(Case(f"extra-{key}", [*_argv(command, filler, options), extra], extra_code, _shown(extra)))
    if any(p.required for p in arguments):
        cases.append(Case("missing-argument", _argv(command, [], options), USAGE, "Missing argument"))
    if value_options:
        opt = value_options[0].opts[0]
        rest = {k: v for k, v in options.items() if k not in value_options[0].opts}
        cases.append(Case("option-without-value", [*_argv(command, positionals, rest), opt], USAGE, opt))
        long = next(o for o in [*value_options[0].opts, "--x"] if o.startswith("--"))
        typo = long[:-1] if len(long) > 3 else long + "x"
        cases.append(Case("misspelt-option", _argv(command, positionals, {**options, typo: "1"}), USAGE, typo))
    for param in params:
        if param.name in FILE_PARAMS and not (command.startswith("hub ") and param.name == "source"):
            for kind in ("missing", "directory", "empty", "binary", "notyaml"):
                allowed = {"empty": EMPTY_OK, "missing": MISSING_OK, "directory": DIRECTORY_OK}.get(kind, set())
                if (command, param.name) in allowed:
                    continue
                if kind == "notyaml" and param.name in ("target", "source") and command == "render":
                    continue  # a Python file, covered by the binary case
                cases.append(
                    _with(command, param, files[kind], positionals, options, arguments, f"{param.name}-{kind}")
                )
            if param.name == "kubeconfig" and command != "emulator start":
                cases.append(
                    _with(command, param, files["kubeconfig"], positionals, options, arguments, "bad-kubeconfig")
                )
        if param.name == "output_dir":  # an existing file where the directory should be
            cases.append(_with(command, param, files["empty"], positionals, options, arguments, "output-dir-is-a-file"))
        if param.name in CHOICE_PARAMS:
            cases.append(
                _with(command, param, "bogus-choice", positionals, options, arguments, f"{param.name}-unknown")
            )
        if param.name in NAME_PARAMS:
            for key, bad in BAD_NAMES.items():
                cases.append(_with(command, param, bad, positionals, options, arguments, f"{param.name}-{key}"))
    return cases


def _with(
    command: str,
    param: Any,
    value: str,
    positionals: list[str],
    options: dict[str, str | None],
    arguments: list[Any],
    case_id: str,
) -> Case:
    if param.param_type_name == "argument":
        index = arguments.index(param)
        args = [*positionals, *(["filler"] * (index + 1 - len(positionals)))]
        args[index] = value
        return Case(case_id, _argv(command, args, options), FAILURE_OF.get(command, FAILURE), _shown(value))
    rest = {k: v for k, v in options.items() if k not in param.opts}
    argv = _argv(command, positionals, {**rest, param.opts[0]: value})
    return Case(case_id, argv, FAILURE_OF.get(command, FAILURE), _shown(value))


class _WouldServe(BaseException):
    """`emulator start` got past every check: the bad input was accepted."""


def _check(case: Case, code: int, err: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, err
    assert "\x1b" not in err and "\x07" not in err, repr(err)
    assert "site-packages" not in err and "/src/pykro/" not in err, err
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("warning:")]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert code == case.code, f"exit {code}, expected {case.code}: {err}"
    shown = {case.names, case.names.replace("\\n", "\\x0a")}  # click writes a newline in an argument as \x0a
    assert any(s in err for s in shown), f"the message does not name {case.names!r}: {err}"


def test_every_command_has_at_least_ten_bad_inputs(files: dict[str, str]) -> None:
    assert {"render", "deploy", "status", "diff", "delete", "list", "rgd expand", "emulator start"} <= set(COMMANDS)
    for command in COMMANDS:
        assert len(_cases(command, files, "kubeconfig")) >= 10, command


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_bad_input_in_process(
    command: str,
    files: dict[str, str],
    cluster: LocalCluster,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    import pykro.emulator._server as server

    async def refuse_to_serve(*args: Any, **kwargs: Any) -> Any:
        raise _WouldServe

    monkeypatch.setattr(server, "listen", refuse_to_serve)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # `emulator stop` and --local stay in here
    failures = []
    for case in _cases(command, files, str(cluster.kubeconfig_path)):
        try:
            main(case.argv)
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        except _WouldServe:
            code = -1
        _, err = capsys.readouterr()
        try:
            assert code != -1, "emulator start accepted it and began to listen"
            _check(case, code, err)
        except AssertionError as exc:
            failures.append(f"{case.id} {case.argv!r}: {exc}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("command", sorted(c for c in COMMANDS if c != "emulator start"))
def test_bad_input_as_a_real_process(
    command: str, files: dict[str, str], cluster: LocalCluster, tmp_path: Path
) -> None:
    """A subset as real processes: the first usage error, the first file error and the first name error."""
    cases = _cases(command, files, str(cluster.kubeconfig_path))
    chosen = [cases[0]]
    chosen += [c for c in cases if c.id.endswith(("-binary", "-directory"))][:1]
    chosen += [c for c in cases if c.id.endswith("-ansi") and not c.id.startswith("extra")][:1]
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    for case in chosen:
        proc = subprocess.run(
            [sys.executable, "-m", "pykro", *case.argv], capture_output=True, text=True, env=env, check=False
        )
        _check(case, proc.returncode, proc.stderr)


def test_the_valid_invocations_succeed(
    files: dict[str, str], cluster: LocalCluster, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sweep's starting points work, so in every case above only the bad value made the command fail."""
    monkeypatch.setenv("XDG_STATE_HOME", files["root"] + "/state")
    order = ["deploy", "status", "diff", "list", "delete"]
    for command in [*order, *(c for c in sorted(COMMANDS) if c not in order and c != "emulator start")]:
        try:
            main(_argv(command, *_base(command, str(cluster.kubeconfig_path), files["root"])))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        _, err = capsys.readouterr()
        assert code == 0 or (command == "diff" and code == 1), f"{command}: {err}"


# One deliberate mistake per command, as a new user makes them (a typo in a value, the wrong kind of file, a flag
# that does not apply): each was accepted silently, misreported or reported in Python terms before.
MISTAKES: list[tuple[str, list[str], str]] = [
    ("render", [WEBAPP_PY, "--rgd", "--name", "x", "-n", "y"], "--name/-n only apply to --manifests"),
    ("render", [WEBAPP_PY, "--manifests", "--set", "replicas=2", "--set", "replicas.x=1"],
     "--set replicas.x=1: replicas is not a mapping (it is 2)"),
    ("render", [WEBAPP_PY, "--manifests", "--set", "replicas=y"], "replicas is written y, which kubectl"),
    ("render", [WEBAPP_PY, "--manifests", "-f", "{other-kind}"], "holds a Database object, not a WebApp instance"),
    ("deploy", [f"{WEBAPP_RGD}:webap", "--set", "name=shop", "{remote}"],
     "no ResourceGraphDefinition named 'webap' in this file (it has 'webapp'). Did you mean 'webapp'?"),
    ("deploy", [WEBAPP_RGD, "-f", WEBAPP_INSTANCE, "{remote}"],  # the file says demo, -n says sweep
     "the instance names namespace 'demo' (metadata.namespace) but -n/--namespace names 'sweep'"),
    ("deploy", [WEBAPP_RGD, "--set", "name=shop", "--timeout", "-5", "{remote}"],
     "--timeout must be a positive number of seconds, not -5"),
    ("deploy", ["{two-instances}", "{remote}"], "2 WebApp instances in this file; a deploy takes one"),
    ("diff", [WEBAPP_RGD, "--set", "name=shop", "--set", "ingress.enabled=on", "{remote}"],
     "ingress.enabled is written on, which kubectl (YAML 1.1) reads as true"),
    ("delete", ["shop", "--timeout", "0", "{remote}"], "--timeout must be a positive number of seconds, not 0"),
    ("status", ["shop", "--file", f"{WEBAPP_RGD}:webapps", "{remote}"], "Did you mean 'webapp'?"),
    ("rgd validate", [WEBAPP_PY], "is a Python file; `pykro rgd` commands read an RGD YAML file"),
    ("rgd expand", [WEBAPP_RGD, "-i", WEBAPP_RGD], "the document is a ResourceGraphDefinition (kro.run/v1alpha1), not"),
    ("rgd expand", [WEBAPP_RGD, "-i", "{bad-name}"], "WebApp instance name 'Shop_X' is not a valid Kubernetes name"),
    ("rgd crd", ["{big-int}"], "99999999999999999999 does not fit in 64 bits"),
    ("rgd order", ["{on-key}"], "kubectl reads the key 'on' as bool, not as text"),
    ("emulator start", ["--port", "0", "--rules", "{rules}"], "delays.Deploymnet: unknown kind 'Deploymnet'"),
    ("types", [WEBAPP_PY], "is a Python file; `pykro types` reads CRD YAML files"),
    ("render", [str(EXAMPLES), "--rgd"], "examples: is a directory, not a file. Give the path of a .py file"),
    ("rgd expand", [WEBAPP_RGD, "-i", WEBAPP_INSTANCE, "--observed", "{observed-no-kind}"],
     "x.yaml: an observed object needs apiVersion, kind and metadata.name"),
    ("render", [WEBAPP_PY, "--manifests", "-f", "{twice}"], "twice.yaml:2:1: the key 'replicas' is written twice"),
    ("render", [WEBAPP_PY, "--manifests", "--set", "replicas"], "--set: 'replicas' is not KEY=VALUE"),
]  # fmt: skip


def _mistake_files(root: Path) -> dict[str, str]:
    instance = Path(WEBAPP_INSTANCE).read_text()
    rgd = Path(WEBAPP_RGD).read_text()
    texts = {
        "two-instances": rgd + "\n---\n" + instance + "\n---\n" + instance.replace("name: shop\n", "name: shop2\n", 1),
        "bad-name": instance.replace("name: shop\n", "name: Shop_X\n", 1),
        "big-int": rgd.replace("  schema:\n", "  schema:\n    size: 99999999999999999999\n", 1),
        "on-key": rgd.replace("  schema:\n", "  schema:\n    on: x\n", 1),
        "rules": "delays: {Deploymnet: 200}\n",
        "other-kind": "apiVersion: example.com/v1\nkind: Database\nmetadata: {name: db}\nspec: {replicas: 2}\n",
        "twice": "replicas: 2\nreplicas: 3\n",
    }
    for key, text in texts.items():
        (root / f"mistake-{key}.yaml").write_text(text)
    observed = root / "observed"
    observed.mkdir()
    (observed / "x.yaml").write_text("foo: bar\n")
    return {key: str(root / f"mistake-{key}.yaml") for key in texts} | {"observed-no-kind": str(observed)}


@pytest.mark.parametrize(
    ("command", "args", "message"), MISTAKES, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(MISTAKES)]
)
def test_a_new_users_mistakes(
    command: str,
    args: list[str],
    message: str,
    cluster: LocalCluster,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pykro.emulator._server as server

    async def refuse_to_serve(*args: Any, **kwargs: Any) -> Any:
        raise _WouldServe

    monkeypatch.setattr(server, "listen", refuse_to_serve)
    made = _mistake_files(tmp_path)
    argv = command.split()
    for arg in args:
        if arg == "{remote}":
            argv += ["--kubeconfig", str(cluster.kubeconfig_path), "-n", "sweep"]
        elif arg.startswith("{"):
            argv.append(made[arg.strip("{}")])
        else:
            argv.append(arg)
    if command == "emulator start":
        argv += ["--kubeconfig", str(tmp_path / "kubeconfig")]
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    _, err = capsys.readouterr()
    assert code == FAILURE_OF.get(command, FAILURE), err
    assert message in err and err.count("\n") == 1 and err.startswith("error: "), err
    assert "Traceback" not in err and "internal error" not in err
