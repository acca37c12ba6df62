"""Celestra's documented API, read from its own docs (tests/builders/celestra_docs.py), against pykro.builders:
every public name exists, and every method the docs call is either implemented or raises PykroError "not
supported" (never AttributeError); the not-supported table names only methods pykro lacks."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

import pykro.builders as builders
import pykro.celestra as celestra
from pykro.builders import _not_supported as not_supported
from pykro.errors import PykroError

from .celestra_docs import documented_methods, imported_names, public_names

DOCUMENTED = documented_methods()
USER_CLASSES = {"MyCustomPlugin"}  # a class the plugin page defines itself


def test_the_docs_were_read() -> None:
    """The scan finds what it should (so the tests below cannot pass on an empty scan)."""
    assert {"App", "StatefulApp", "Volume", "Companion", "ResourceGenerator"} <= set(DOCUMENTED)
    assert {"image", "port", "storage", "backup_schedule"} <= set(DOCUMENTED["StatefulApp"])
    assert {"size", "mount_path", "iops"} <= set(DOCUMENTED["Volume"])
    assert {"Volume", "Deployment"} <= imported_names()
    assert {"ResourceGenerator", "OptimizationStrategy", "kubernetes_only"} <= public_names()


@pytest.mark.parametrize("name", sorted(public_names() | imported_names()))
def test_every_public_name_exists_in_both_import_paths(name: str) -> None:
    assert getattr(builders, name) is getattr(celestra, name)
    assert name in builders.__all__


def _refused_on_creation(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, not_supported._NotSupported)


METHODS = [
    (cls, method)
    for cls, methods in sorted(DOCUMENTED.items())
    if cls not in USER_CLASSES and not _refused_on_creation(getattr(builders, cls, None))
    for method in sorted(methods)
]


@pytest.mark.parametrize(("cls", "method"), METHODS, ids=[f"{c}.{m}" for c, m in METHODS])
def test_every_documented_method_is_implemented_or_refused(cls: str, method: str) -> None:
    target = getattr(builders, cls)
    member = inspect.getattr_static(target, method, None)
    assert member is not None, f"{cls}.{method} is documented by Celestra but missing from pykro"
    if getattr(member, "__pykro_unsupported__", False):
        receiver = object.__new__(target) if isinstance(target, type) else target
        with pytest.raises(PykroError, match=rf"^.*{cls}\.{method}\(\) is not supported: .+\. Use .+"):
            getattr(receiver, method)("anything", key="value")


@pytest.mark.parametrize(
    "cls", sorted(n for n in public_names() | imported_names() if _refused_on_creation(getattr(builders, n)))
)
def test_classes_pykro_does_not_have_refuse_on_creation(cls: str) -> None:
    with pytest.raises(PykroError, match=rf"{cls} is not supported: .+\. Use .+"):
        getattr(builders, cls)("anything")


def test_the_table_lists_only_documented_methods() -> None:
    """Every entry of NOT_SUPPORTED is a method Celestra documents (no invented names)."""
    for cls, groups in not_supported.NOT_SUPPORTED.items():
        for names, why, instead in groups:
            assert why and instead
            for name in names.split():
                assert name in DOCUMENTED.get(cls, {}), f"{cls}.{name} is not in Celestra's docs"


def test_installing_over_an_implemented_method_is_refused() -> None:
    class Fake:
        def image(self) -> None: ...

    saved = dict(not_supported.NOT_SUPPORTED)
    try:
        not_supported.NOT_SUPPORTED.clear()
        not_supported.NOT_SUPPORTED["Fake"] = [("image", "why", "instead")]
        with pytest.raises(RuntimeError, match=r"Fake\.image"):
            not_supported.install({"Fake": Fake})
    finally:
        not_supported.NOT_SUPPORTED.clear()
        not_supported.NOT_SUPPORTED.update(saved)
