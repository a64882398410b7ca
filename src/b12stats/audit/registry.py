"""The registry of check families: each family registers itself with its place in the run.

A family is a function ``tables -> list[Check]``; :func:`register` records it
under a name with an ``order`` (the run order, so that adding a module never
reorders the audit's output) and :func:`families` returns them sorted.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping

import pandas as pd

from b12stats.audit.core import Check, Context, load_tables
from b12stats.errors import OptionError

__all__ = ["Family", "families", "register"]

#: A family of checks: the tables in, one :class:`Check` per claim judged out.
Family = Callable[[Mapping[str, pd.DataFrame] | None], list[Check]]

_REGISTRY: dict[str, tuple[int, Family]] = {}


def register(name: str, *, order: int) -> Callable[[Callable[[Context], Iterable[Check]]], Family]:
    """Decorator: register a family of checks under ``name``, run at position ``order``.

    The decorated function takes the :class:`~b12stats.audit.core.Context`
    and yields its checks; what is registered (and returned) takes the
    tables (``None``: the bundled ones) and returns the list, so every
    family is called the same way.

    Raises
    ------
    OptionError
        When ``name`` or ``order`` is taken by another family.
    """

    def deco(fn: Callable[[Context], Iterable[Check]]) -> Family:
        @functools.wraps(fn)
        def family(tables: Mapping[str, pd.DataFrame] | None = None) -> list[Check]:
            return list(fn(Context.of(load_tables() if tables is None else tables)))

        for other, (o, _) in _REGISTRY.items():
            if other == name or o == order:
                raise OptionError(f"family {name!r} (order {order}) clashes with {other!r} ({o})")
        _REGISTRY[name] = (order, family)
        return family

    return deco


def families() -> dict[str, Family]:
    """The registered families by name, in run order."""
    return {k: fn for k, (_, fn) in sorted(_REGISTRY.items(), key=lambda kv: kv[1][0])}
