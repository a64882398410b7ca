"""Every published claim recomputed and judged, with counts by source kind."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from b12stats.reanalysis._common import NothingToShow, Tables, table


@dataclass(frozen=True)
class AuditResult:
    """Result of :func:`analysis_audit`: the full table and counts by source kind."""

    table: pd.DataFrame
    summary: pd.DataFrame
    verdicts: tuple[str, ...]


def analysis_audit(*, tables: Tables = None) -> AuditResult:
    """Every published claim recomputed and judged (:func:`b12stats.audit.run_audit`).

    ``tables``: the tables in use (``None``: the bundled ones). Raises
    :class:`~b12stats.reanalysis._common.NothingToShow` when they hold no
    claim the audit can check.
    """
    from b12stats import audit, data

    if tables is not None:  # every table the audit reads, empty where the data have none
        tables = {name: table(tables, name) for name in data.table_names()}
    res = audit.run_audit(tables)
    frame = res.to_frame()
    if frame.empty:
        raise NothingToShow("the data in use hold no published claim the audit checks")
    return AuditResult(
        table=frame,
        summary=res.summary(),
        verdicts=tuple(getattr(audit, "VERDICTS", ())),
    )
