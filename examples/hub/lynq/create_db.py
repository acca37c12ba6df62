"""Create the SQLite database of seed 002's LynqHub: ``python examples/hub/lynq/create_db.py nodes.db`` runs
nodes.sql (the seed's ``nodes`` table and three tenants, one of them inactive). Then, with the emulator:

    pykro hub sync examples/hub/lynq/*.yaml --source sqlite:///nodes.db --local -n lynq-system
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

SQL = Path(__file__).with_name("nodes.sql")


def create(path: str | Path) -> Path:
    """A new SQLite file at ``path`` holding the seed's nodes table."""
    path = Path(path)
    if path.exists():
        raise SystemExit(f"{path} exists already; remove it or give another path")
    with sqlite3.connect(path) as conn:
        conn.executescript(SQL.read_text())
    return path


if __name__ == "__main__":
    create(sys.argv[1] if len(sys.argv) > 1 else "nodes.db")
    print(f"created {sys.argv[1] if len(sys.argv) > 1 else 'nodes.db'}")
