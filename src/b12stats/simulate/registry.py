"""Plugin hooks of the simulation core: design names, data rows and source kinds.

The simulation core does not read the data tables (the layer contract in
``pyproject.toml``: core < domain). Three things a user expects from it need
them, so the core asks a *provider* registered here:

* ``resolve``: ``obj -> Design`` for a design name or a design-file path
  (:func:`resolve_design`, behind :func:`b12stats.simulate.get_design`);
* ``rows``: the default row lookup of :meth:`Design.from_toml` (a callable
  ``(table, row_id) -> Mapping | None``; see
  :data:`~b12stats.simulate.files.RowLookup`);
* ``source_kind``: ``row_id -> "primary" | "secondary" | ... | None``, the kind of
  the source a published number was read from (:meth:`Design.describe`);
* ``builtin``: the module that holds the built-in designs
  (``design_names``, ``design_dir``, ``list_designs``).

The domain module :mod:`b12stats.designs` registers itself when imported.
When nothing is registered yet, the core imports the module named by
:data:`PROVIDER` (by its dotted name, so the core holds no import of the
domain layer). A third-party provider may call :func:`register` first.

Examples
--------
>>> from b12stats.simulate.registry import resolve_design
>>> resolve_design("kenya").n_dyads
286
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from b12stats.errors import OptionError

if TYPE_CHECKING:
    from b12stats.simulate.design import Design

__all__ = ["HOOKS", "PROVIDER", "hook", "register", "resolve_design"]

#: the module imported (by name) when no provider has registered
PROVIDER = "b12stats.designs"

#: the hooks a provider may register
HOOKS = ("resolve", "rows", "source_kind", "builtin")

_hooks: dict[str, Any] = {}


def register(**hooks: Any) -> None:
    """Register provider hooks (keywords from :data:`HOOKS`); later calls replace earlier ones."""
    unknown = sorted(set(hooks) - set(HOOKS))
    if unknown:
        raise OptionError(f"unknown hook {unknown[0]!r}; expected one of: {', '.join(HOOKS)}")
    _hooks.update(hooks)


def hook(name: str, *, required: bool = True) -> Any:
    """The registered hook ``name``, importing :data:`PROVIDER` when none is registered.

    Returns None for a missing hook when ``required`` is false; otherwise a
    missing hook raises :class:`~b12stats.errors.OptionError`.
    """
    if name not in _hooks:
        try:
            importlib.import_module(PROVIDER)
        except ModuleNotFoundError as exc:  # pragma: no cover - the provider ships with us
            if exc.name != PROVIDER:
                raise
    found = _hooks.get(name)
    if found is None and required:
        raise OptionError(
            f"no {name!r} provider registered for designs (import {PROVIDER} or call "
            "b12stats.simulate.registry.register)"
        )
    return found


def resolve_design(obj: Any) -> Design:
    """A Design: returned as is; a name or a ``.toml`` path handed to the ``resolve`` hook."""
    from b12stats.simulate.design import Design

    if isinstance(obj, Design):
        return obj
    resolver: Callable[[Any], Design] = hook("resolve")
    return resolver(obj)
