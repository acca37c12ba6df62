"""build_image() / `pykro build` with fake builders on PATH (shell scripts that record their arguments and answer as
the real tools do): detection order and naming, content-hash tags, digest-pinned references after a push, clear errors
when no builder exists or the build fails, and the reference used as a composition's image."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from pykro.cli.main import main
from pykro.integrations.containers import BuildError, build, build_image, content_tag

DIGEST = "sha256:" + "ab" * 32

FAKES = {
    # docker buildx build ... --metadata-file FILE ...: write the pushed digest there
    "docker": f"""#!/bin/sh
echo "docker $*" >> "$FAKE_LOG"
while [ $# -gt 0 ]; do
  if [ "$1" = "--metadata-file" ]; then printf '{{"containerimage.digest": "{DIGEST}"}}' > "$2"; fi
  shift
done
""",
    # podman push --digestfile FILE REF: write the digest there
    "podman": f"""#!/bin/sh
echo "podman $*" >> "$FAKE_LOG"
if [ "$1" = "push" ]; then printf '{DIGEST}' > "$3"; fi
""",
    "failing": """#!/bin/sh
echo "step 2/3: RUN make" >&2
echo "make: *** No rule to make target 'all'" >&2
exit 2
""",
}


@pytest.fixture
def tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty PATH directory (add fakes with _fake) and a log of the fakes' invocations."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("FAKE_LOG", str(tmp_path / "log"))
    monkeypatch.delenv("PYKRO_BUILDER", raising=False)
    return bin_dir


def _fake(bin_dir: Path, name: str, script: str | None = None) -> None:
    path = bin_dir / name
    path.write_text(script or FAKES[name], encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    root = tmp_path / "my-app"
    root.mkdir()
    (root / "Dockerfile").write_text("FROM scratch\nCOPY main /main\n", encoding="utf-8")
    (root / "main").write_text("v1", encoding="utf-8")
    (root / ".dockerignore").write_text("scratch/\n", encoding="utf-8")
    return root


def _cli(*argv: str) -> int:
    try:
        main(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _log(tools: Path) -> list[str]:
    return (Path(os.environ["FAKE_LOG"])).read_text(encoding="utf-8").splitlines()


def test_no_builder_is_a_clear_error(tools: Path, app_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(BuildError) as err:
        build_image(app_dir, "my-app")
    assert "no container image builder found: none of docker, buildah, nerdctl, podman is on PATH" in str(err.value)
    assert _cli("build", str(app_dir), "--name", "my-app") == 1
    stderr = capsys.readouterr().err
    assert stderr.startswith("error: no container image builder found") and "Traceback" not in stderr


def test_docker_first_pushed_and_pinned_by_digest(tools: Path, app_dir: Path) -> None:
    _fake(tools, "podman")
    _fake(tools, "docker")
    image = build(app_dir, "my-app", registry="registry.example.com/team")
    tag = content_tag(app_dir)
    assert image.builder == "docker" and image.tag == tag and len(tag) == 12
    assert image.reference == f"registry.example.com/team/my-app:{tag}@{DIGEST}"
    (call,) = _log(tools)
    assert call.startswith(f"docker buildx build --tag registry.example.com/team/my-app:{tag} --file ")
    assert " --push --metadata-file " in call and call.endswith(str(app_dir))


def test_a_named_builder_and_a_local_build(tools: Path, app_dir: Path) -> None:
    _fake(tools, "docker")
    _fake(tools, "podman")
    assert build_image(app_dir, "my-app", builder="podman") == f"my-app:{content_tag(app_dir)}"  # not pushed
    assert _log(tools) == [f"podman build --tag my-app:{content_tag(app_dir)} --file {app_dir}/Dockerfile {app_dir}"]
    ref = build_image(app_dir, "my-app", builder="podman", registry="ghcr.io/org")
    assert ref == f"ghcr.io/org/my-app:{content_tag(app_dir)}@{DIGEST}"
    with pytest.raises(BuildError, match="'nerdctl' is not installed"):
        build_image(app_dir, "my-app", builder="nerdctl")
    with pytest.raises(BuildError, match="unknown image builder 'kaniko'"):
        build_image(app_dir, "my-app", builder="kaniko")


def test_the_tag_follows_the_content(app_dir: Path) -> None:
    first = content_tag(app_dir)
    (app_dir / "scratch").mkdir()
    (app_dir / "scratch" / "tmp.txt").write_text("ignored", encoding="utf-8")
    assert content_tag(app_dir) == first  # .dockerignore'd
    (app_dir / "main").write_text("v2", encoding="utf-8")
    assert content_tag(app_dir) != first


def test_a_failing_build_reports_the_builders_message(tools: Path, app_dir: Path) -> None:
    _fake(tools, "podman", FAKES["failing"])
    with pytest.raises(BuildError) as err:
        build_image(app_dir, "my-app")
    assert "the image build failed (podman exited with 2)" in str(err.value)
    assert "No rule to make target" in str(err.value)


def test_mistakes_before_building(tools: Path, app_dir: Path, tmp_path: Path) -> None:
    _fake(tools, "podman")
    for args, text in (
        ((tmp_path / "nope", "my-app"), "is not a directory"),
        ((app_dir, "My App"), "is not a valid repository name"),
        ((tmp_path / "bin", "my-app"), "no Dockerfile"),
    ):
        with pytest.raises(BuildError, match=text):
            build_image(*args)
    assert not Path(os.environ["FAKE_LOG"]).exists()  # nothing was run


def test_cli_prints_the_reference_for_a_composition(
    tools: Path, app_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fake(tools, "podman")
    assert _cli("build", str(app_dir), "--name", "my-app", "--registry", "ghcr.io/org") == 0
    ref = capsys.readouterr().out.strip()
    assert ref == f"ghcr.io/org/my-app:{content_tag(app_dir)}@{DIGEST}"
    from pykro.integrations.webapp import webapp_with_processing

    spec = {"name": "shop", "app": {"image": ref}, "processing": {"eventKey": "a", "signingKey": "b"}}
    graph_spec = webapp_with_processing.spec_values(spec)
    assert graph_spec["app"]["image"] == ref
