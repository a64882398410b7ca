"""``scipy.stats`` for the normal and t distribution functions, without importing it.

Importing :mod:`scipy.stats` takes 0.6-1 s, about half of a short command
(``b12stats reproduce``, ``b12stats simulate``). A module that calls the
standard normal and Student t distribution functions imports this one as
``stats``: :data:`norm` and :data:`t` compute what ``scipy.stats.norm`` and
``scipy.stats.t`` compute at ``loc=0, scale=1`` -- the same special
functions (:func:`scipy.special.ndtr`, ``ndtri``, ``stdtr``, ``stdtrit``) on
the same float64 values, hence the same numbers -- and anything else
(``lognorm``, ``truncnorm``, ``chi2``, another method, ``loc``/``scale``) is
:mod:`scipy.stats`'s own, imported on first use.

Examples
--------
>>> import scipy.stats
>>> from b12stats.stats import _scipy_stats as stats
>>> bool(stats.norm.ppf(0.975) == scipy.stats.norm.ppf(0.975))
True
>>> bool(stats.t.sf(2.1, 28) == scipy.stats.t.sf(2.1, 28))
True
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
from scipy import special

#: ``sqrt(2 pi)``, as scipy.stats divides the normal density by it.
_NORM_PDF_C = np.sqrt(2 * np.pi)


def _scipy_stats() -> Any:
    return importlib.import_module("scipy.stats")


def _f(x: Any) -> Any:
    """``x`` as float64 (what scipy.stats computes on); scalars stay scalars."""
    return np.asarray(x, dtype=np.float64)


class _Norm:
    """``scipy.stats.norm``: ``cdf``, ``sf``, ``pdf``, ``ppf``, ``isf`` at loc 0, scale 1."""

    def cdf(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return _scipy_stats().norm.cdf(x, *args, **kwargs)
        return special.ndtr(_f(x))

    def sf(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return _scipy_stats().norm.sf(x, *args, **kwargs)
        return special.ndtr(-_f(x))

    def pdf(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return _scipy_stats().norm.pdf(x, *args, **kwargs)
        x = _f(x)
        return np.exp(-(x**2) / 2.0) / _NORM_PDF_C

    def ppf(self, q: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return _scipy_stats().norm.ppf(q, *args, **kwargs)
        return special.ndtri(_f(q)) + 0.0  # + loc: -0.0 becomes 0.0, as in scipy.stats

    def isf(self, q: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return _scipy_stats().norm.isf(q, *args, **kwargs)
        return -special.ndtri(_f(q)) + 0.0

    def __getattr__(self, name: str) -> Any:
        return getattr(_scipy_stats().norm, name)


class _T:
    """``scipy.stats.t``: ``cdf``, ``sf``, ``ppf``, ``isf`` with ``df``, at loc 0, scale 1."""

    def cdf(self, x: Any, df: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return _scipy_stats().t.cdf(x, df, *args, **kwargs)
        return special.stdtr(_f(df), _f(x))

    def sf(self, x: Any, df: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return _scipy_stats().t.sf(x, df, *args, **kwargs)
        return special.stdtr(_f(df), -_f(x))

    def ppf(self, q: Any, df: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return _scipy_stats().t.ppf(q, df, *args, **kwargs)
        q = _f(q)  # scipy.stats sets the ends itself (stdtrit(df, 0) is +inf)
        return np.where(q == 0, -np.inf, np.where(q == 1, np.inf, special.stdtrit(_f(df), q)))[()]

    def isf(self, q: Any, df: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return _scipy_stats().t.isf(q, df, *args, **kwargs)
        q = _f(q)
        out = np.where(q == 0, np.inf, np.where(q == 1, -np.inf, -special.stdtrit(_f(df), q)))
        return (out + 0.0)[()]

    def __getattr__(self, name: str) -> Any:
        return getattr(_scipy_stats().t, name)


norm = _Norm()
t = _T()


def __getattr__(name: str) -> Any:
    """Any other name: :mod:`scipy.stats`'s, imported now."""
    return getattr(_scipy_stats(), name)
