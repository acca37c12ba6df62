"""Build a container image for a composition: ``build_image(context, name, registry=...)`` (and ``pykro build``).

The image is tagged with a hash of the build context's content (so the same sources give the same tag and a change
gives a new one), built with the builder found on the machine — ``docker`` (buildx), ``buildah``, ``nerdctl`` or
``podman``, in that order, or the one named by ``builder=`` / ``$PYKRO_BUILDER`` — and, with a registry, pushed; the
result is a reference pinned by digest (``registry/name:tag@sha256:...``) that a composition can use as an image.
Without a registry the image stays in the builder's local store and the reference is ``name:tag``."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pykro.errors import PykroError

BUILDERS = ("docker", "buildah", "nerdctl", "podman")
DOCKERFILES = ("Dockerfile", "Containerfile")
TAG_LENGTH = 12
MAX_NAME = 255  # a repository name, registry included (the distribution reference grammar)
_NAME = re.compile(r"[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*\Z")
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_SKIPPED = (".git", ".hg", ".svn", "__pycache__", "node_modules/.cache")


class BuildError(PykroError):
    """A container image could not be built or pushed."""


@dataclass(frozen=True)
class Image:
    """A built image: ``reference`` (digest-pinned when pushed), ``tag`` (the content hash) and ``digest``."""

    reference: str
    tag: str
    digest: str | None
    builder: str


def _ignored(context: Path) -> list[str]:
    file = context / ".dockerignore"
    if not file.is_file():
        return []
    lines = (line.strip() for line in file.read_text(encoding="utf-8", errors="replace").splitlines())
    return [line.rstrip("/") for line in lines if line and not line.startswith("#") and not line.startswith("!")]


def content_tag(context: str | Path) -> str:
    """The first hex digits of a SHA-256 over every file's relative path, mode and bytes (``.dockerignore``d and
    VCS files left out): equal for equal sources."""
    root = Path(context)
    ignored = _ignored(root)
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if any(part in _SKIPPED for part in rel.split("/")) or any(
            fnmatch.fnmatchcase(rel, pattern) or rel.startswith(pattern + "/") for pattern in ignored
        ):
            continue
        digest.update(rel.encode() + b"\0" + oct(path.stat().st_mode & 0o111).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:TAG_LENGTH]


def find_builder(named: str | None = None) -> str:
    """The builder to use: ``named`` (or ``$PYKRO_BUILDER``) if given, else the first of BUILDERS on PATH."""
    wanted = named or os.environ.get("PYKRO_BUILDER") or None
    if wanted is not None:
        if os.path.basename(wanted) not in BUILDERS:
            raise BuildError(f"unknown image builder {wanted!r}", fix=f"Use one of: {', '.join(BUILDERS)}.")
        if shutil.which(wanted) is None:
            raise BuildError(
                f"the image builder {wanted!r} is not installed (not found on PATH)",
                fix=f"Install it, or name another one of: {', '.join(BUILDERS)}.",
            )
        return wanted
    for candidate in BUILDERS:
        if shutil.which(candidate) is not None:
            return candidate
    raise BuildError(
        "no container image builder found: none of " + ", ".join(BUILDERS) + " is on PATH",
        fix="Install Docker (with buildx), Buildah, nerdctl or Podman, or build the image elsewhere and pass its "
        "reference to the composition.",
    )


def _run(command: list[str], what: str) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BuildError(f"cannot run {command[0]}: {exc.strerror}", fix="Check the builder's installation.") from None
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-5:])
        raise BuildError(
            f"{what} failed ({command[0]} exited with {done.returncode}): {tail}",
            where=" ".join(command[:3]),
            fix="Fix the build (the builder's message is above).",
        )
    return done.stdout


def _digest(text: str, builder: str) -> str:
    found = _DIGEST.search(text)
    if found is None:
        raise BuildError(
            f"{builder} pushed the image but reported no sha256 digest", fix="Check the builder's version."
        )
    return found.group(0)


def build_image(
    context: str | Path,
    name: str,
    *,
    registry: str | None = None,
    builder: str | None = None,
    dockerfile: str | Path | None = None,
    platform: str | None = None,
) -> str:
    """Build ``context`` as the image ``name`` (and push it to ``registry``); return the reference to use."""
    return build(context, name, registry=registry, builder=builder, dockerfile=dockerfile, platform=platform).reference


def build(
    context: str | Path,
    name: str,
    *,
    registry: str | None = None,
    builder: str | None = None,
    dockerfile: str | Path | None = None,
    platform: str | None = None,
) -> Image:
    """:func:`build_image`, returning the whole :class:`Image`."""
    root = Path(context).expanduser()
    if not root.is_dir():
        raise BuildError(f"the build context {root} is not a directory", fix="Pass the folder holding the Dockerfile.")
    if not isinstance(name, str) or not _NAME.match(name) or len(name) > MAX_NAME:
        shown = repr(name[:60]) + ("..." if len(name) > 60 else "") if isinstance(name, str) else repr(name)
        raise BuildError(
            f"image name {shown} is not a valid repository name",
            fix=f"Use at most {MAX_NAME} lower-case letters, digits and . _ - / separators, e.g. 'my-app'.",
        )
    if dockerfile is not None:  # relative to the working directory, as `docker build -f`
        file = Path(dockerfile).expanduser()
        if not file.is_file():
            raise BuildError(
                f"the Dockerfile {str(dockerfile)!r} does not exist (or is not a file)",
                fix="Check the path (dockerfile=, CLI: --file).",
            )
    else:
        found = next((root / name for name in DOCKERFILES if (root / name).is_file()), None)
        if found is None:
            raise BuildError(
                f"no Dockerfile in {root}",
                fix="Add a Dockerfile (or Containerfile), or name one (dockerfile=, CLI: --file).",
            )
        file = found
    if registry is not None and (not registry.strip() or registry.startswith(("http://", "https://"))):
        raise BuildError(
            f"registry {registry!r} must be a host[/path] such as 'ghcr.io/my-org'", fix="Leave out the scheme."
        )
    tool = find_builder(builder)
    kind = os.path.basename(tool)
    tag = content_tag(root)
    repo = f"{registry.rstrip('/')}/{name}" if registry else name
    ref = f"{repo}:{tag}"
    extra = ["--platform", platform] if platform else []
    with tempfile.TemporaryDirectory(prefix="pykro-build-") as tmp:
        out = Path(tmp) / "digest"
        if kind == "docker":
            push = ["--push"] if registry else ["--load"]
            _run(
                [
                    tool,
                    "buildx",
                    "build",
                    "--tag",
                    ref,
                    "--file",
                    str(file),
                    *extra,
                    *push,
                    "--metadata-file",
                    str(out),
                    str(root),
                ],
                "the image build",
            )
            digest = _pushed_docker_digest(out) if registry else None
        else:
            verb = ["bud"] if kind == "buildah" else ["build"]
            _run([tool, *verb, "--tag", ref, "--file", str(file), *extra, str(root)], "the image build")
            digest = None
            if registry:
                if kind == "nerdctl":
                    _run([tool, "push", ref], "the image push")
                    text = _run([tool, "image", "inspect", "--format", "{{json .RepoDigests}}", ref], "inspect")
                    digest = _digest(text, kind)
                else:
                    target = [f"docker://{ref}"] if kind == "buildah" else []
                    _run([tool, "push", "--digestfile", str(out), ref, *target], "the image push")
                    digest = _digest(out.read_text(encoding="utf-8") if out.exists() else "", kind)
    return Image(reference=f"{ref}@{digest}" if digest else ref, tag=tag, digest=digest, builder=kind)


def _pushed_docker_digest(metadata: Path) -> str:
    try:
        data = json.loads(metadata.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    return _digest(str(data.get("containerimage.digest", "")) if isinstance(data, dict) else "", "docker buildx")


__all__ = ["BUILDERS", "BuildError", "Image", "build", "build_image", "content_tag", "find_builder"]
