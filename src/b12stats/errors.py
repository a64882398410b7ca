"""Exceptions raised for user errors.

Every error a user can cause (a malformed table, an impossible value, an
unknown option) is a :class:`B12StatsError`. The CLI turns one into a single
``error: ...`` line on stderr and exit status 2; anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class B12StatsError(Exception):
    """Base class of errors caused by the user's input or options."""


class OptionError(B12StatsError, ValueError):
    """An argument or option has a value the function cannot accept."""


class DataValidationError(B12StatsError, ValueError):
    """A data file or table breaks its schema.

    Parameters
    ----------
    message
        What is wrong and what was expected.
    file
        The file (or table name) the problem is in.
    line
        The line number in the file (1 is the header, so data start at 2).
    column
        The column name.

    Examples
    --------
    >>> str(DataValidationError("must be >= 0", file="x.csv", line=3, column="value"))
    'x.csv, line 3, column value: must be >= 0'
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = None if file is None else str(file)
        self.line = line
        self.column = column
        self.reason = message
        where = []
        if self.file is not None:
            where.append(self.file)
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


def check_option(name: str, value: object, allowed: tuple[str, ...] | list[str]) -> None:
    """Raise :class:`OptionError` unless ``value`` is one of ``allowed``.

    Examples
    --------
    >>> check_option("method", "REML", ("REML", "DL"))
    >>> check_option("method", "ML", ("REML", "DL"))
    Traceback (most recent call last):
    ...
    b12stats.errors.OptionError: unknown method 'ML'; expected one of: REML, DL
    """
    if value not in allowed:
        raise OptionError(f"unknown {name} {value!r}; expected one of: {', '.join(allowed)}")
