"""The CRDs shipped in pykro.integrations are the fixtures' upstream CRDs with only their descriptions removed."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from tests.helpers import shared

from pykro import _yamlio as yamlio
from pykro.crds._codegen import strip_descriptions

CRDS = shared("fixtures", "crds")


def test_vendored_crds_match_upstream_without_descriptions() -> None:
    data = resources.files("pykro.integrations").joinpath("data")
    shipped = sorted(p.name for p in data.iterdir() if p.name.endswith(".json"))
    assert len(shipped) == 12
    upstream = {p.stem: p for p in CRDS.rglob("*.yaml")}
    for name in shipped:
        entry: dict[str, Any] = json.loads(data.joinpath(name).read_text("utf-8"))
        original = upstream[name.removesuffix(".json")]
        assert entry["crd"] == strip_descriptions(yamlio.load_file(original)), name
        assert entry["license"] == "Apache-2.0"
        assert entry["source"].startswith("https://github.com/") and entry["source"].endswith("/" + original.name)
    assert "Apache License" in data.joinpath("LICENSE-Apache-2.0.txt").read_text("utf-8")
