"""Rows as the database holds them, to check against what the ledger recorded of them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, literal_column, select, table


def stored(source: Any) -> Select[Any]:
    """Select every column of ``source`` (a table's name, or a mapped class) as the database holds it.

    Every column the table has in the database, one added behind the app's back included, and
    every value as the driver returns it, unconverted: a 2 in a boolean column stays 2.
    """
    return select(literal_column("*")).select_from(table(source) if isinstance(source, str) else source)
