"""Hubs: one instance of each form (a composition) per active row of a database table, view or query — Lynq's
LynqHub/LynqForm, with typed specs, safe deletions and cross-form order. See docs/hub.md.

The names below load on first use, so that registering ``pykro hub`` in the CLI (``pykro.hub._cli``) loads neither
SQLAlchemy nor the deploy engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pykro import _lazy

if TYPE_CHECKING:
    from pykro.hub._generated import random_password
    from pykro.hub._hub import Delete, Form, Hub, Outcome, Retain, SyncReport, parse_interval
    from pykro.hub._source import Row, Source, SourceError

_LAZY = {
    "Delete": "pykro.hub._hub",
    "Form": "pykro.hub._hub",
    "Hub": "pykro.hub._hub",
    "Outcome": "pykro.hub._hub",
    "Retain": "pykro.hub._hub",
    "SyncReport": "pykro.hub._hub",
    "parse_interval": "pykro.hub._hub",
    "random_password": "pykro.hub._generated",
    "Row": "pykro.hub._source",
    "Source": "pykro.hub._source",
    "SourceError": "pykro.hub._source",
}

__all__ = [
    "Delete",
    "Form",
    "Hub",
    "Outcome",
    "Retain",
    "Row",
    "Source",
    "SourceError",
    "SyncReport",
    "parse_interval",
    "random_password",
]


if not TYPE_CHECKING:
    __getattr__ = _lazy.lazy_getattr(__name__, _LAZY)


def __dir__() -> list[str]:
    return list(__all__)
