"""CelType: an immutable value, compared on all its parts, hashed without its fields; copied and pickled whole."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError

import pytest

from pykro.cel._types import CelType

OBJECT = CelType.object_of({"x": CelType.INT, "items": CelType.list_of(CelType.object_of({"n": CelType.STRING}))}, "O")


@pytest.mark.parametrize("value", [OBJECT, CelType.map_of(CelType.STRING, OBJECT), CelType.DYN], ids=str)
def test_a_type_survives_copies_and_pickling(value: CelType) -> None:
    for same in (copy.copy(value), copy.deepcopy(value), pickle.loads(pickle.dumps(value))):
        assert same == value and hash(same) == hash(value) and repr(same) == repr(value)
        inner = same.params[1] if same.kind == "map" else same
        if inner.fields is not None:
            assert type(inner.fields).__name__ == "mappingproxy"
            assert inner.field_type("items") == CelType.list_of(CelType.object_of({"n": CelType.STRING}))


def test_types_compare_fields_but_hash_without_them() -> None:
    other = CelType.object_of({"x": CelType.STRING}, "O")
    assert other != OBJECT and hash(OBJECT) == hash(other)
    with pytest.raises(FrozenInstanceError):
        OBJECT.name = "P"  # type: ignore[misc]
    with pytest.raises(ValueError, match="unknown CEL type kind 'nope'"):
        CelType("nope")
