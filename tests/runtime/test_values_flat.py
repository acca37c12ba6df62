"""The one-pass check of flat specs (string, integer and boolean fields with no other constraint) agrees with the
full check: the same values and defaults for good specs, and every spec it does not settle (unknown or doubled
fields, wrong or ambiguous types, missing required fields, oversized specs) goes to the full check's error."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import Field

from pykro import Spec
from pykro import _yamlio as yamlio
from pykro.errors import ValidationError
from pykro.runtime import _values as v


class FlatSpec(Spec):
    name: str
    image_tag: str = Field(default="latest", alias="imageTag")
    replicas: int = 1
    public: bool = False


SCHEMA, MODEL = v.schema_of(FlatSpec)
assert SCHEMA is not None


def test_the_schema_is_flat() -> None:
    assert SCHEMA is not None
    assert v._flat(SCHEMA, MODEL) is not None
    assert v._flat({**SCHEMA, "x-kubernetes-validations": [{"rule": "true"}]}, MODEL) is None
    enum = {**SCHEMA, "properties": {**SCHEMA["properties"], "name": {"type": "string", "enum": ["a"]}}}
    assert v._flat(enum, MODEL) is None


@pytest.mark.parametrize(
    "spec",
    [
        {"name": "a"},
        {"name": "a", "imageTag": "v1", "replicas": 3, "public": True},
        {"name": "a", "image_tag": "v1"},
        {"replicas": 2, "name": "b"},
    ],
)
def test_good_specs_agree_with_the_full_check(spec: dict[str, Any]) -> None:
    assert SCHEMA is not None
    fast = v._flat_check(SCHEMA, spec, MODEL)
    assert fast is not None
    assert fast == v._full_check(SCHEMA, spec, MODEL, None, "spec")
    assert v.check_spec(SCHEMA, spec, model=MODEL) == fast[0]


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({"name": "a", "replicaz": 2}, "unknown field 'spec.replicaz'"),
        ({"name": "a", "imageTag": "x", "image_tag": "y"}, "given twice"),
        ({"name": "a", "replicas": "3"}, "spec.replicas in body must be of type integer"),
        ({"name": "a", "replicas": True}, "spec.replicas in body must be of type integer"),
        (yamlio.load_values("name: a\npublic: yes", "values.yaml"), "spec.public is written yes"),
        ({"replicas": 2}, "spec.name: Required value"),
        ({"name": "x" * (v.MAX_SPEC_BYTES + 1)}, "pykro accepts at most"),
    ],
)
def test_other_specs_get_the_full_checks_error(spec: dict[str, Any], words: str) -> None:
    assert SCHEMA is not None
    assert v._flat_check(SCHEMA, spec, MODEL) is None
    with pytest.raises(ValidationError) as err:
        v.check_spec(SCHEMA, spec, model=MODEL)
    assert words in str(err.value)


def test_a_spec_near_the_size_limit_is_measured_exactly() -> None:
    assert SCHEMA is not None
    spec = {"name": "x" * (v.MAX_SPEC_BYTES // 12)}  # under the limit, over the one-pass bound
    assert v._flat_check(SCHEMA, spec, MODEL) is None
    assert v.check_spec(SCHEMA, spec, model=MODEL) == spec
