"""The batched GEE engine under its former name: see :mod:`b12stats.models.batch`."""

from __future__ import annotations

from b12stats.models import batch as _batch
from b12stats.models._batch_engine import _separated as _separated
from b12stats.models.batch import *  # noqa: F403

__all__ = list(_batch.__all__)
