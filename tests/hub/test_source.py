"""`pykro.hub._source`: one SELECT only, identifiers checked, read-only connections (the server refuses writes),
values typed by the columns' SQL types, rows streamed in pages, database failures as `SourceError`."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from pykro.errors import PykroError
from pykro.hub import Hub, Row, Source, SourceError
from pykro.hub._model import active_flag as _active
from pykro.hub._model import parse_interval


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("DELETE FROM nodes", "does not start with SELECT"),
        ("SELECT 1; DROP TABLE nodes", "more than one statement"),
        ("WITH d AS (DELETE FROM nodes RETURNING *) SELECT * FROM d", "contains DELETE"),
        ("SELECT * INTO backup FROM nodes", "contains INTO"),
        ("SELECT * FROM nodes FOR UPDATE", "contains UPDATE"),
        ("   ", "is empty"),
    ],
)
def test_a_query_that_is_not_one_select_is_refused(query: str, problem: str) -> None:
    with pytest.raises(PykroError, match=problem):
        Source("sqlite://", query=query)


def test_a_select_may_hold_those_words_in_strings_and_end_with_a_semicolon() -> None:
    source = Source("sqlite://", query="SELECT 'drop; delete :x' AS note, 1 AS n;")
    assert [dict(r) for r in source.rows()] == [{"note": "drop; delete :x", "n": 1}]


@pytest.mark.parametrize("name", ["nodes; DROP TABLE x", "no-dash", "1st", "a.b.c", 'x"y'])
def test_table_and_column_names_are_checked(name: str) -> None:
    with pytest.raises(PykroError, match=r"identifier|more than one dot"):
        Source("sqlite://", table=name)
    with pytest.raises(PykroError, match="identifier"):
        Hub("h", "sqlite://", table="nodes", uid=name)


def test_the_connection_refuses_writes(db: Any) -> None:
    db.nodes(("a", True, "img", 1))
    source = Source(db.url, table=db.table)
    assert [r.node_id for r in source.rows()] == ["a"]
    with pytest.raises(sa.exc.DBAPIError), source.engine.begin() as conn:
        conn.execute(sa.text(f"DELETE FROM {db.table}"))
    assert [r.node_id for r in source.rows()] == ["a"]
    source.close()


def test_values_are_typed_by_the_column_types(db: Any) -> None:
    json_type = {"postgresql": "JSONB", "mysql": "JSON"}.get(db.engine.dialect.name, "JSON")
    db.run(f"CREATE TABLE {{t}} (node_id VARCHAR(20) PRIMARY KEY, flag BOOLEAN, n INTEGER, config {json_type})")
    db.run("INSERT INTO {t} VALUES ('a', :f, 3, :c)", f=True, c='{"tier": "gold", "zones": [1, 2]}')
    (row,) = Source(db.url, table=db.table).rows()
    assert row.config == {"tier": "gold", "zones": [1, 2]}
    assert row.n == 3 and _active(row.flag) is True


def test_rows_stream_in_pages(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'many.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"))
        conn.execute(sa.text("INSERT INTO t (id, name) VALUES (:i, :n)"), [{"i": i, "n": f"r{i}"} for i in range(1203)])
    source = Source(url, table="t", page=100)
    rows = source.rows()
    first = next(rows)
    assert first == Row({"id": 0, "name": "r0"})
    assert sum(1 for _ in rows) == 1202
    source.close()


def test_database_failures_are_source_errors(tmp_path: Any) -> None:
    sa.create_engine(f"sqlite:///{tmp_path / 'empty.db'}").connect().close()  # an empty database
    missing = Source(f"sqlite:///{tmp_path / 'empty.db'}", table="nodes")
    with pytest.raises(SourceError, match="table nodes does not exist"):
        list(missing.rows())
    # a misspelt file is not created (an empty database would read as "no rows")
    with pytest.raises(SourceError, match=r"the SQLite database file .*nodez\.db does not exist"):
        list(Source(f"sqlite:///{tmp_path / 'nodez.db'}", table="nodes").rows())
    assert not (tmp_path / "nodez.db").exists()
    nowhere = Source("postgresql+psycopg://u:secret-pw@127.0.0.1:1/db", table="nodes")
    with pytest.raises(SourceError, match="cannot read") as info:
        list(nowhere.rows())
    assert "secret-pw" not in str(info.value)  # the password is never shown
    with pytest.raises(PykroError, match="cannot use the database URL"):
        list(Source("nosuchdb://x", table="nodes").rows())


def test_a_misspelt_column_names_the_columns() -> None:
    row = Row({"node_id": "a", "image": "x"})
    with pytest.raises(AttributeError, match=r"no column 'imagee' \(columns: node_id, image\); did you mean 'image'\?"):
        _ = row.imagee
    with pytest.raises(KeyError, match=r"column 'imag', which the row does not have \(columns: node_id, image\)"):
        _ = row["imag"]


@pytest.mark.parametrize(
    ("value", "flag"),
    [(True, True), (1, True), ("1", True), ("Yes", True), ("TRUE", True), (False, False), (0, False), (None, False),
     ("no", False), ("0", False), ("active", None), (2, None)],
)  # fmt: skip
def test_activation_values(value: Any, flag: bool | None) -> None:
    assert _active(value) is flag


def test_sync_intervals() -> None:
    assert [parse_interval(t) for t in ("30s", "1m", "2h")] == [30, 60, 7200]
    for bad in ("0s", "1d", "30", "1.5m"):
        with pytest.raises(PykroError, match="not a duration"):
            parse_interval(bad)


def test_booleans_are_read_as_stored(db: Any) -> None:
    """0/1 in a BOOLEAN (MySQL: TINYINT(1)) column are booleans; another value stays as it is, so that an
    unreadable activation fails its row instead of SQLite turning 'false' into True."""
    db.run("CREATE TABLE {t} (node_id VARCHAR(20) PRIMARY KEY, flag BOOLEAN)")
    db.run("INSERT INTO {t} VALUES ('a', :t), ('b', :f)", t=True, f=False)
    if db.engine.dialect.name == "sqlite":
        db.run("INSERT INTO {t} VALUES ('c', 'false'), ('d', 2)")
    rows = {r.node_id: r.flag for r in Source(db.url, table=db.table).rows()}
    assert rows["a"] is True and rows["b"] is False
    if db.engine.dialect.name == "sqlite":
        assert (rows["c"], rows["d"]) == ("false", 2)
        assert _active(rows["c"]) is False and _active(rows["d"]) is None


def test_a_database_failure_says_which_part_of_the_url_is_wrong(db: Any) -> None:
    """Wrong password, unknown database, nothing listening, missing table: each a SourceError whose ``part`` lets
    the hub name the field to fix (`Hub.source_problem`), never showing the password."""
    db.run("SELECT 1")  # the database exists (SQLite: the file is made)
    url = sa.engine.make_url(db.url)
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        cases = [(url.set(database=url.database + "z"), "database")]
    else:
        cases = [
            (url.set(password="Wr0ng-pw"), "auth"),
            (url.set(database="nosuchdb"), "database"),
            (url.set(port=1), "connect"),
        ]
    cases.append((url, "table"))  # the test's table is not created
    for case, part in cases:
        source = Source(case.render_as_string(hide_password=False), table=db.table)
        with pytest.raises(SourceError) as caught:
            list(source.rows())
        source.close()
        assert caught.value.part == part, caught.value
        assert "Wr0ng-pw" not in str(caught.value)
        assert caught.value.where == ("table=" if part == "table" else "source="), caught.value


def test_an_unquoted_at_sign_in_the_password_never_shows_part_of_it() -> None:
    """``user:p@ss-word@host``: the driver would take ``ss-word@host`` for the host and print it; the URL is refused
    before any connection, shown without its authority."""
    source = Source("mysql+pymysql://u:p@ss-word@127.0.0.1:1/db", table="nodes")
    with pytest.raises(SourceError) as caught:
        list(source.rows())
    assert caught.value.part == "url" and "%40" in str(caught.value)
    assert "ss-word" not in str(caught.value) and "ss-word" not in source.shown
