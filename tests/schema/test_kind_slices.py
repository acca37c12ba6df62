"""The per-kind slices of the Kubernetes bundle: read from the disk cache, rebuilt when missing or damaged, and the
same as what the whole bundle gives."""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pykro import _diskcache
from pykro.schema import _ints as ints_module
from pykro.schema import _kubernetes as k8s
from pykro.schema import _quantity as quantity_module

DEPLOYMENT = "io.k8s.api.apps.v1.Deployment"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    k8s._cache_dir.cache_clear()
    folder = k8s._cache_dir()
    assert folder is not None and folder.is_relative_to(tmp_path)
    yield folder
    k8s._cache_dir.cache_clear()


def test_a_slice_is_written_once_and_read_back_equal(cache: Path) -> None:
    made = k8s._make_slice(DEPLOYMENT)
    assert k8s._cached(DEPLOYMENT, lambda: made) == made
    assert marshal.loads((cache / f"{DEPLOYMENT}.marshal").read_bytes()) == made
    assert k8s._cached(DEPLOYMENT, lambda: pytest.fail("read from the cache, not made again")) == made


def test_a_damaged_slice_is_made_again(cache: Path) -> None:
    cache.mkdir(parents=True)
    (cache / f"{DEPLOYMENT}.marshal").write_bytes(marshal.dumps(k8s._make_slice(DEPLOYMENT))[:-100])
    made = k8s._make_slice(DEPLOYMENT)
    assert k8s._cached(DEPLOYMENT, lambda: made) == made
    assert marshal.loads((cache / f"{DEPLOYMENT}.marshal").read_bytes()) == made


def test_the_cache_is_named_by_the_bundle_this_module_and_python(cache: Path) -> None:
    assert cache == _diskcache.folder(
        _diskcache.root("kubernetes-schema"),
        k8s._BUNDLE / "_definitions.json",
        Path(k8s.__file__),
        Path(quantity_module.__file__ or ""),  # the quantity pattern the slices carry
        Path(ints_module.__file__ or ""),  # the integer ranges they carry
    )


def test_a_changed_source_or_python_names_another_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "source.json"
    source.write_text("{}")
    first = _diskcache.folder(tmp_path, source)
    assert first is not None and first == _diskcache.folder(tmp_path, source)
    source.write_text('{"a": 1}')  # another size
    second = _diskcache.folder(tmp_path, source)
    assert second not in (None, first)
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # the same size, written again
    assert _diskcache.folder(tmp_path, source) not in (None, first, second)
    third = _diskcache.folder(tmp_path, source)
    monkeypatch.setattr(sys, "hexversion", sys.hexversion + 1)
    assert _diskcache.folder(tmp_path, source) != third
    assert _diskcache.folder(tmp_path, tmp_path / "missing") is None


def test_a_slice_holds_every_definition_its_kind_reaches_as_the_bundle_has_it() -> None:
    whole = k8s._definitions_doc()["$defs"]
    part = k8s._kind_slice(DEPLOYMENT)["defs"]
    for name, schema in part.items():
        assert schema == whole[name]
        assert all(ref in part for ref in k8s._refs(name))
    assert "io.k8s.api.core.v1.PodSpec" in part and "io.k8s.api.core.v1.Service" not in part


def test_the_gvk_index_matches_the_bundle() -> None:
    assert k8s._gvk_index() == k8s._make_gvk_index()


def test_an_unwritable_cache_still_gives_the_slice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    k8s._cache_dir.cache_clear()
    try:
        assert k8s._cached(DEPLOYMENT, lambda: k8s._make_slice(DEPLOYMENT)) == k8s._make_slice(DEPLOYMENT)
        assert not any(tmp_path.rglob("*.marshal"))
    finally:
        k8s._cache_dir.cache_clear()


def test_a_relative_xdg_cache_home_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    root = k8s._cache_root()
    assert root is not None and root.is_absolute() and "relative" not in root.parts
