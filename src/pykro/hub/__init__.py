"""Hubs: one instance of each form (a composition) per active row of a database table, view or query — Lynq's
LynqHub/LynqForm, with typed specs, safe deletions and cross-form order. See docs/hub.md."""

from __future__ import annotations

from pykro.hub.hub import Delete, Form, Hub, Outcome, Retain, SyncReport, parse_interval
from pykro.hub.source import Row, Source, SourceError

__all__ = ["Delete", "Form", "Hub", "Outcome", "Retain", "Row", "Source", "SourceError", "SyncReport", "parse_interval"]
