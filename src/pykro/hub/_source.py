"""Where a hub's rows come from: a table, a view or one SELECT, read through SQLAlchemy 2 Core from SQLite (the
embedded default), PostgreSQL (psycopg 3) or MySQL/MariaDB (PyMySQL).

Read-only twice over: a ``query=`` must be one SELECT (or ``WITH … SELECT``) statement, and every connection is put
in read-only mode (``PRAGMA query_only`` / ``SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY`` /
``SET SESSION TRANSACTION READ ONLY``), so the server itself refuses a write. Table and column names are checked and
quoted by SQLAlchemy, never formatted into SQL. A table or view is reflected, so values come typed by the columns'
SQL types (JSON columns as dicts and lists, booleans as bool); rows are streamed (server-side cursors) in pages."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, NoSuchTableError, SQLAlchemyError

from pykro.errors import PykroError

__all__ = [
    "URL_PARTS",
    "MissingColumn",
    "Row",
    "Source",
    "SourceError",
    "check_identifier",
    "check_query",
    "failed_part",
    "redacted_url",
]

PAGE = 500
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,63}\Z")
_FIRST_WORD = re.compile(r"^\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*([A-Za-z]+)", re.S)
_WRITE_WORDS = re.compile(
    r"\b(insert|update|delete|merge|upsert|create|alter|drop|truncate|grant|revoke|call|exec|execute|copy|"
    r"lock|into|attach|detach|pragma|vacuum)\b",
    re.I,
)
_JSON_CHECK = re.compile(r"\s*\(?\s*json_valid\(`?(\w+)`?\)\s*\)?\s*", re.I)
_MARIADB_CHECKS = sa.text(
    "SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
    "WHERE CONSTRAINT_SCHEMA = COALESCE(:schema, DATABASE()) AND TABLE_NAME = :table"
)
_STRINGS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`")


class SourceError(PykroError):
    """The database cannot be read (connection, query or table): a sync that meets one changes nothing. ``part``
    says which part of the hub's source is wrong, so a hub can name it in its own words (`Hub.source_problem`):
    ``url``, ``connect`` (host or port), ``auth`` (user or password), ``database``, ``table`` (or the query),
    ``uid``, ``active``, ``changed_column``, or ``read`` (anything else)."""

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None, part: str = "read") -> None:
        self.part = part
        super().__init__(what, where=where, fix=fix)


URL_PARTS = frozenset({"url", "connect", "auth", "database"})
"""The `SourceError` parts about the database URL (not the table, query or columns)."""

_CONNECT_CODES = frozenset({2002, 2003, 2005, 2006, 2013})  # MySQL/MariaDB client errors: no server reached
_AUTH_CODES = frozenset({1045, 1698, 1251})
_DATABASE_CODES = frozenset({1044, 1049})
_AUTH_WORDS = re.compile(r"password authentication failed|no password supplied|role \".*\" does not exist", re.I)
_DATABASE_WORDS = re.compile(r"database \".*\" does not exist|unknown database", re.I)
_CONNECT_WORDS = re.compile(
    r"connection refused|resolve host|translate host name|name or service not known|timed? ?out|no route to host|"
    r"network is unreachable|could not connect|can't connect|unable to open database file",
    re.I,
)


def failed_part(error: BaseException | None) -> str:
    """Which part of a source a database driver's error is about (see `SourceError`): by MySQL error code, else
    by the words of the message (PostgreSQL's connection errors carry no SQLSTATE)."""
    if error is None:
        return "read"
    code = error.args[0] if error.args and isinstance(error.args[0], int) else None
    text = str(error)
    if code in _AUTH_CODES or (code is None and _AUTH_WORDS.search(text)):
        return "auth"
    if code in _DATABASE_CODES or (code is None and _DATABASE_WORDS.search(text)):
        return "database"
    if code in _CONNECT_CODES or (code is None and _CONNECT_WORDS.search(text)):
        return "connect"
    return "read"


_PART_FIXES = {
    "connect": "Check the host and port, and that the database server runs and can be reached from here.",
    "auth": "Check the user name and the password (the password is never shown).",
    "database": "Check the database name (and that the user may connect to it).",
}


class MissingColumn(KeyError):
    """``row["name"]`` of a column the row does not have (the message names the columns there are)."""


class Row(Mapping[str, Any]):
    """One row: ``row.node_id`` or ``row["node_id"]``; a misspelt column names the columns there are."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getitem__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise MissingColumn(f"column {key!r}, which the row does not have{self._columns(key)}") from None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"the row has no column {name!r}{self._columns(name)}") from None

    def _columns(self, name: str) -> str:
        """`` (columns: …)``, with the closest one to ``name`` when there is one."""
        close = difflib.get_close_matches(name, list(self._values), n=1, cutoff=0.6)
        return f" (columns: {', '.join(self._values)})" + (f"; did you mean {close[0]!r}?" if close else "")

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Row({self._values!r})"


def check_identifier(name: str, what: str) -> str:
    """``name`` when it is a plain SQL identifier (letters, digits, ``_``, ``$``; not starting with a digit)."""
    if not isinstance(name, str) or not _IDENT.match(name):
        raise PykroError(
            f"{what} {name!r} is not a plain SQL identifier",
            fix="Use letters, digits and underscores (at most 64, not starting with a digit); for anything else "
            "create a view and name the view.",
        )
    return name


def check_query(query: str) -> str:
    """``query`` when it is one read-only SELECT statement (``WITH … SELECT`` included)."""
    bare = _STRINGS.sub("''", query).strip().rstrip(";").strip()
    first = _FIRST_WORD.match(bare)
    problem = None
    if not bare:
        problem = "is empty"
    elif ";" in bare:
        problem = "holds more than one statement"
    elif first is None or first.group(1).lower() not in ("select", "with"):
        problem = "does not start with SELECT"
    elif (word := _WRITE_WORDS.search(bare)) is not None:
        problem = f"contains {word.group(1).upper()}"
    if problem:
        raise PykroError(
            f"the hub's query {problem}; a hub only reads, with one SELECT statement",
            where="query=",
            fix="Write a single SELECT (or WITH ... SELECT) without writes, locks or INTO; or name a table or view "
            "with table=.",
        )
    return query.strip().rstrip(";").rstrip()


class _StrictBoolean(sa.types.TypeDecorator[Any]):
    """A boolean column read as stored: 0 and 1 become False and True, any other value stays as it is (SQLite's
    own conversion would turn ``'false'`` into True)."""

    impl = sa.Integer
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
            return bool(value)
        return value


def _boolean_column(dialect: str, column_type: Any) -> bool:
    """SQLite's BOOLEAN, and MySQL/MariaDB's TINYINT(1) (what BOOLEAN is there)."""
    if dialect == "sqlite":
        return isinstance(column_type, sa.Boolean)
    if dialect in ("mysql", "mariadb"):
        return type(column_type).__name__ == "TINYINT" and getattr(column_type, "display_width", None) == 1
    return False


def _read_only(dbapi_connection: Any, dialect: str) -> None:
    """Make a fresh DBAPI connection refuse writes (the server enforces it)."""
    statement = {
        "sqlite": "PRAGMA query_only = ON",
        "postgresql": "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
        "mysql": "SET SESSION TRANSACTION READ ONLY",
        "mariadb": "SET SESSION TRANSACTION READ ONLY",
    }.get(dialect)
    if statement is None:
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()
    dbapi_connection.commit()


def redacted_url(url: str) -> str:
    """The URL with its password masked (for messages), also one given as a query parameter (``?password=``); a
    URL holding ``@`` more than once (an unquoted ``@`` in the password) is not shown at all: where its password
    ends cannot be told."""
    if url.count("@") > 1:
        return f"{url.partition('://')[0]}://… (not shown: it holds '@' more than once)"
    try:
        parsed = sa.engine.make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return "<unparsable URL>"
    hidden = {key: "***" for key in parsed.query if key.lower() in _PASSWORD_PARAMETERS}
    shown = parsed.update_query_dict(hidden) if hidden else parsed
    return shown.render_as_string(hide_password=True).replace("%2A%2A%2A", "***")


_PASSWORD_PARAMETERS = frozenset({"password", "passwd", "pwd", "sslpassword"})
"""Query parameters of a database URL that hold a password (libpq's, and the MySQL drivers' spellings)."""


def _check_sqlite_file(url: str, shown: str) -> None:
    """A SQLite file source must exist: opening a missing file would create an empty database (a misspelt path
    would read as "no rows")."""
    try:
        parsed = sa.engine.make_url(url)
    except (ArgumentError, ValueError):
        return  # create_engine reports it
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        return
    if not Path(database).is_file():
        raise SourceError(
            f"cannot read {shown}: the SQLite database file {database} does not exist",
            where="source=",
            fix="Check the path (sqlite:///relative/path.db or sqlite:////absolute/path.db).",
            part="database",
        )


class Source:
    """The rows of one table, view or query; the engine (its connection pool) lives as long as the source."""

    def __init__(self, url: str, *, table: str | None = None, query: str | None = None, page: int = PAGE) -> None:
        if (table is None) == (query is None):
            raise PykroError("a hub reads either a table (or view) or a query", fix="Pass table=... or query=....")
        self.url = url
        self.shown = redacted_url(url)
        self.table_name = table
        self.query = check_query(query) if query is not None else None
        if table is not None:
            parts = table.split(".")
            if len(parts) > 2:
                raise PykroError(f"table {table!r} has more than one dot", fix="Use table or schema.table.")
            for part in parts:
                check_identifier(part, "table name")
        self.page = max(1, page)
        self._engine: Engine | None = None
        self._table: sa.Table | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            if self.url.count("@") > 1:  # the driver would read part of the password as the host, and print it
                raise SourceError(
                    f"cannot use the database URL {self.shown}",
                    where="source=",
                    fix="Write each @ of the user name or password as %40 (each : as %3A, / as %2F).",
                    part="url",
                )
            _check_sqlite_file(self.url, self.shown)
            try:
                engine = sa.create_engine(self.url, pool_pre_ping=True)
            except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
                reason = str(exc).replace(self.url, "…")
                if isinstance(exc, ValueError):  # make_url's int(port)
                    reason = "its port is not a number"
                elif self.shown == "<unparsable URL>":
                    reason = "it is not a URL of the form DIALECT+DRIVER://USER:PASSWORD@HOST:PORT/DATABASE"
                raise SourceError(
                    f"cannot use the database URL {self.shown}: {reason}",
                    where="source=",
                    fix="Use sqlite:///FILE, postgresql+psycopg://USER:PASSWORD@HOST/DB or "
                    "mysql+pymysql://USER:PASSWORD@HOST/DB.",
                    part="url",
                ) from None
            dialect = engine.dialect.name
            event.listen(engine, "connect", lambda conn, _record: _read_only(conn, dialect))
            self._engine = engine
        return self._engine

    def _selectable(self, conn: sa.Connection) -> sa.Select[Any] | sa.TextClause:
        if self.query is not None:
            return sa.text(self.query.replace(":", "\\:"))  # no bind parameters: every colon is the query's
        if self._table is None:
            assert self.table_name is not None
            schema, _, name = self.table_name.rpartition(".")
            self._table = sa.Table(name, sa.MetaData(), schema=schema or None, autoload_with=conn)
            for column in self._table.c:
                if _boolean_column(conn.dialect.name, column.type):
                    column.type = _StrictBoolean()
            if getattr(conn.dialect, "is_mariadb", False):  # MariaDB's JSON is LONGTEXT CHECK (json_valid(col))
                checks = conn.execute(_MARIADB_CHECKS, {"schema": schema or None, "table": name}).scalars()
                for clause in checks:
                    found = _JSON_CHECK.fullmatch(str(clause or ""))
                    if found and found.group(1) in self._table.c:
                        self._table.c[found.group(1)].type = sa.JSON()
        return sa.select(self._table)

    def _since(self, selectable: sa.Select[Any] | sa.TextClause, column: str, value: Any) -> sa.Select[Any]:
        """``selectable`` narrowed to the rows whose ``column`` is at least ``value``."""
        if isinstance(selectable, sa.TextClause):
            sub = selectable.columns(sa.column(column)).subquery("pykro_changed")
            return sa.select(sa.text("*")).select_from(sub).where(sub.c[column] >= value)
        assert self._table is not None
        if column not in self._table.c:
            raise SourceError(
                f"table {self.table_name} has no changed column {column!r} "
                f"(columns: {', '.join(self._table.c.keys())})",
                where="changed_column=",
                fix="Name a column that grows whenever a row changes (a timestamp or a version).",
                part="changed_column",
            )
        return selectable.where(self._table.c[column] >= value)

    def rows(self, since: tuple[str, Any] | None = None) -> Iterator[Row]:
        """Every row (with ``since=(column, value)``: those whose column is at least value), streamed in pages; a
        database failure is a `SourceError` (raised before or while reading)."""
        what = f"table {self.table_name}" if self.table_name else "the hub's query"
        try:
            with self.engine.connect() as conn:
                try:
                    selectable = self._selectable(conn)
                except NoSuchTableError:
                    raise SourceError(
                        f"{what} does not exist in {self.shown}",
                        where="table=",
                        fix="Check the table or view name (and that the hub's user may read it).",
                        part="table",
                    ) from None
                if since is not None:
                    selectable = self._since(selectable, *since)
                result = conn.execution_options(yield_per=self.page).execute(selectable)
                names = list(result.keys())
                for values in result:
                    yield Row(dict(zip(names, values, strict=True)))
        except SourceError:
            self._table = None
            raise
        except SQLAlchemyError as exc:
            self._table = None  # the table may have changed: reflect it again next time
            orig = getattr(exc, "orig", None)
            reason = str(orig or exc).strip().splitlines()[0]
            part = failed_part(orig)
            raise SourceError(
                f"cannot read {what} from {self.shown}: {reason}",
                where="source=" if part in _PART_FIXES else "query=" if self.query is not None else None,
                fix=_PART_FIXES.get(part)
                or "Check the database (reachable, the table or view exists, the user may SELECT from it).",
                part=part if part != "read" or self.query is None else "table",
            ) from None

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
