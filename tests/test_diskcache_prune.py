"""Pruning pykro's disk caches (schema slices, PyYAML facts): making a new digest folder removes the stale folders
pykro made for other digests, and nothing else (not the current one, not a recent one, not a folder holding anything
else, never through a symbolic link), quietly when it cannot."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pykro import _diskcache

OLD = 1_000_000_000.0  # 2001: long stale


def _digest(n: int) -> str:
    return f"{n:040x}"


def _folder(root: Path, name: str, files: dict[str, bytes] | None = None, mtime: float | None = OLD) -> Path:
    path = root / name
    path.mkdir(parents=True)
    for entry, data in (files if files is not None else {"index.marshal": marshal.dumps([1])}).items():
        (path / entry).write_bytes(data)
        if mtime is not None:
            os.utime(path / entry, (mtime, mtime))
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def test_a_new_folder_prunes_stale_folders_of_other_digests(tmp_path: Path) -> None:
    root = tmp_path / "kubernetes-schema"
    stale = _folder(
        root, _digest(1), {"index.marshal": b"x", ".index.abc.tmp": b"", "io.k8s.api.apps.v1.Deployment.marshal": b"y"}
    )
    recent = _folder(root, _digest(2), mtime=None)
    current = root / _digest(3)
    assert _diskcache.cached(current, "index", lambda: ["made"]) == ["made"]
    assert not stale.exists()
    assert recent.exists(), "another pykro may be using it right now"
    assert marshal.loads((current / "index.marshal").read_bytes()) == ["made"]


def test_only_folders_pykro_made_are_pruned(tmp_path: Path) -> None:
    root = tmp_path / "kubernetes-schema"
    foreign_name = _folder(root, "backup-of-" + _digest(4))
    upper = _folder(root, _digest(5).upper().replace("0", "A"))
    foreign_file = _folder(root, _digest(6), {"index.marshal": b"x", "notes.txt": b"mine"})
    nested = _folder(root, _digest(7))
    (nested / "sub.marshal").mkdir()  # not a regular file
    os.utime(nested, (OLD, OLD))
    plain_file = root / _digest(8)
    plain_file.write_bytes(b"a file named like a digest")
    os.utime(plain_file, (OLD, OLD))
    _diskcache.prune(root / _digest(9))
    for kept in (foreign_name, upper, foreign_file, nested, plain_file):
        assert kept.exists(), kept
    assert (foreign_file / "notes.txt").read_bytes() == b"mine"
    assert (foreign_file / "index.marshal").exists()


def test_symbolic_links_are_never_followed_or_removed(tmp_path: Path) -> None:
    root = tmp_path / "kubernetes-schema"
    root.mkdir()
    elsewhere = _folder(tmp_path / "elsewhere", _digest(10))
    link = root / _digest(11)
    link.symlink_to(elsewhere, target_is_directory=True)
    os.utime(link, (OLD, OLD), follow_symlinks=False)
    inner_link = _folder(root, _digest(12))
    (inner_link / "index.marshal").unlink()
    (inner_link / "index.marshal").symlink_to(elsewhere / "index.marshal")
    os.utime(inner_link, (OLD, OLD))
    _diskcache.prune(root / _digest(13))
    assert link.is_symlink() and (elsewhere / "index.marshal").exists()
    assert (inner_link / "index.marshal").is_symlink()


def test_the_current_folder_is_kept_however_old(tmp_path: Path) -> None:
    root = tmp_path / "kubernetes-schema"
    current = _folder(root, _digest(14))
    _diskcache.prune(current)
    assert (current / "index.marshal").exists()


def test_a_missing_root_is_fine(tmp_path: Path) -> None:
    _diskcache.prune(tmp_path / "nowhere" / _digest(15))


@pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not bind root")
def test_an_unwritable_cache_root_is_left_alone(tmp_path: Path) -> None:
    root = tmp_path / "kubernetes-schema"
    stale = _folder(root, _digest(16))
    root.chmod(0o500)
    try:
        assert _diskcache.cached(root / _digest(17), "index", lambda: ["made"]) == ["made"]
        assert stale.exists()
    finally:
        root.chmod(0o700)


def test_processes_pruning_and_writing_at_once_do_not_fail(tmp_path: Path) -> None:
    """Six processes make their own digest folder in one root while twenty stale ones are pruned under them."""
    root = tmp_path / "kubernetes-schema"
    for n in range(20):
        _folder(root, _digest(100 + n))
    code = (
        "import sys; from pathlib import Path; from pykro import _diskcache as d\n"
        "root, n = Path(sys.argv[1]), int(sys.argv[2])\n"
        "for i in range(30):\n"
        "    assert d.cached(root / f'{n:040x}', f'e{i}', lambda: [n, i]) == [n, i]\n"
        "    d.prune(root / f'{n:040x}')\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(root), str(200 + n)]) for n in range(6)]
    assert [p.wait() for p in procs] == [0] * 6
    assert sorted(p.name for p in root.iterdir()) == [_digest(200 + n) for n in range(6)]
    for n in range(6):
        assert marshal.loads((root / _digest(200 + n) / "e29.marshal").read_bytes()) == [200 + n, 29]
