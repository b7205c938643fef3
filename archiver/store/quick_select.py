"""SELECTs compiled once for SQLite and run on the driver's own ``sqlite3`` connection.

For a channel page's few indexed, LIMITed queries, SQLAlchemy's ``execute`` costs several
times what SQLite does: per statement a cache key of thirty columns and an execution
context, per row its Row machinery. A ``QuickSelect`` compiles its statement once (per
dialect, and per list length for one expanding ``IN``), runs it on the raw cursor, and
applies the same result processors SQLAlchemy would (JSON, Boolean), so the rows hold the
same values as through ``conn.execute``.

Only a synchronous reader exposes its ``sqlite3`` connection (``loop_reader.LoopConnection``,
the mirror's); everywhere else the statement runs through SQLAlchemy as usual.

It leans on SQLAlchemy's compiler: ``SQLCompiler.positiontup``, ``construct_expanded_state``
and the types' ``result_processor``. These may change between minor releases, so
pyproject.toml pins SQLAlchemy to the series tested, and ``tests/web/test_quick_reads.py``
checks that every page read this way holds the same rows as through SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection


class SqliteReader(Protocol):
    """A read connection that can hand out its ``sqlite3`` connection (and its dialect)."""

    dialect: sa.Dialect

    @property
    def sqlite3_connection(self) -> sqlite3.Connection: ...


def quick_reader(conn: object) -> SqliteReader | None:
    """``conn`` if its queries may run on its raw ``sqlite3`` connection, else None."""
    # an attribute check: isinstance against a runtime Protocol costs more than the query
    return cast(SqliteReader, conn) if hasattr(type(conn), "sqlite3_connection") else None


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str | int, ...]  # per ``?`` mark: a parameter, or an index in the expanded list
    defaults: dict[str, Any]  # values bound inside the statement (e.g. OFFSET 0)
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column index, processor)


class QuickSelect:
    """A SELECT with bound parameters, to run many times on a ``SqliteReader``.

    ``expanding`` names its one ``bindparam(..., expanding=True)``, if any: the SQL is then
    compiled for each list length met (pages ask for at most a few dozen rows).
    Parameters must be plain values (ints, strings): no bind processors are applied.
    """

    def __init__(self, statement: sa.Select[Any], expanding: str | None = None) -> None:
        self.statement = statement
        self.expanding = expanding
        self._compiled: dict[tuple[type, int], _Compiled] = {}

    async def fetch(self, conn: object, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        """The result rows on any connection: on the raw cursor of a ``SqliteReader``, else
        through SQLAlchemy (``conn`` is then an ``AsyncConnection``)."""
        reader = quick_reader(conn)
        if reader is not None:
            return self.rows(reader, params)
        result = await cast(AsyncConnection, conn).execute(self.statement, params)
        rows: Sequence[Sequence[Any]] = result.all()
        return rows

    def rows(self, reader: SqliteReader, params: Mapping[str, Any]) -> list[list[Any]]:
        """The result rows, each a list of column values as SQLAlchemy would return them."""
        values = params.get(self.expanding, ()) if self.expanding else ()
        compiled = self._compiled_for(reader.dialect, len(values))
        merged = {**compiled.defaults, **params}
        args = tuple(values[n] if isinstance(n, int) else merged[n] for n in compiled.names)
        cursor = reader.sqlite3_connection.execute(compiled.sql, args)
        rows = [list(row) for row in cursor]
        for index, process in compiled.processors:
            for row in rows:
                value = row[index]
                if value is not None:  # NULL stays None (checked in _result_processors)
                    row[index] = process(value)
        return rows

    def _compiled_for(self, dialect: sa.Dialect, length: int) -> _Compiled:
        key = (type(dialect), length)  # a reader's dialect is pysqlite's, with defaults
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = self._compile(dialect, length)
        return found

    def _compile(self, dialect: sa.Dialect, length: int) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        if compiled.positiontup is None:
            raise ValueError(f"{dialect.name}: QuickSelect needs a positional paramstyle")
        sql, names = compiled.string, list[str | int](compiled.positiontup)
        defaults = {k: v for k, v in compiled.params.items() if v is not None}
        if self.expanding:
            # the list's values are their own indexes, to find where each one is bound
            expanded = compiled.construct_expanded_state({self.expanding: list(range(length))})
            sql = expanded.statement
            names = [
                n if n in compiled.positiontup else expanded.parameters[n]
                for n in expanded.positiontup or ()
            ]
        processors = _result_processors(dialect, list(self.statement.selected_columns))
        return _Compiled(sql, tuple(names), defaults, processors)


def _result_processors(
    dialect: sa.Dialect, columns: Sequence[sa.ColumnElement[Any]]
) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    found = []
    for index, column in enumerate(columns):
        process = column.type.dialect_impl(dialect).result_processor(dialect, None)
        if process is not None:
            if process(None) is not None:
                raise ValueError(f"{column}: QuickSelect skips NULLs, its type maps them")
            found.append((index, process))
    return tuple(found)
