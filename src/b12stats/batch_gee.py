"""The batched GEE engine under its former name: see :mod:`b12stats.models.batch`."""

from __future__ import annotations

from b12stats.models._batch_engine import _separated as _separated
from b12stats.models.batch import (
    DEFAULT_MAXITER,
    DEFAULT_TOL,
    DIVERGED_LINPRED,
    LEVERAGE_COND,
    SEPARATION_LINPRED,
    STATUS,
    BatchGEEResult,
    fit_gee_batch,
)

__all__ = [
    "DEFAULT_MAXITER",
    "DEFAULT_TOL",
    "DIVERGED_LINPRED",
    "LEVERAGE_COND",
    "SEPARATION_LINPRED",
    "STATUS",
    "BatchGEEResult",
    "fit_gee_batch",
]
