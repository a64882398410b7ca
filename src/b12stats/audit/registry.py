"""The registry of check families: each family registers itself with its place in the run.

A family is a function ``tables -> list[Check]``; :func:`register` records it
under a name with an ``order`` (the run order, so that adding a module never
reorders the audit's output) and :func:`families` returns them sorted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from b12stats.audit.core import Check
from b12stats.errors import OptionError

__all__ = ["Family", "families", "register"]

#: A family of checks: the tables in, one :class:`Check` per claim judged out.
Family = Callable[[Mapping[str, pd.DataFrame]], list[Check]]

_REGISTRY: dict[str, tuple[int, Family]] = {}


def register(name: str, *, order: int) -> Callable[[Family], Family]:
    """Decorator: register a family of checks under ``name``, run at position ``order``.

    Raises
    ------
    OptionError
        When ``name`` or ``order`` is taken by another family.
    """

    def deco(fn: Family) -> Family:
        for other, (o, f) in _REGISTRY.items():
            if f is not fn and (other == name or o == order):
                raise OptionError(f"family {name!r} (order {order}) clashes with {other!r} ({o})")
        _REGISTRY[name] = (order, fn)
        return fn

    return deco


def families() -> dict[str, Family]:
    """The registered families by name, in run order."""
    return {k: fn for k, (_, fn) in sorted(_REGISTRY.items(), key=lambda kv: kv[1][0])}
