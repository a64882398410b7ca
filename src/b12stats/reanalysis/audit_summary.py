"""Every published claim recomputed and judged, with counts by source kind."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class AuditResult:
    """Result of :func:`analysis_audit`: the full table and counts by source kind."""

    table: pd.DataFrame
    summary: pd.DataFrame
    verdicts: tuple[str, ...]


def analysis_audit() -> AuditResult:
    """Every published claim recomputed and judged (:func:`b12stats.audit.run_audit`)."""
    from b12stats import audit

    res = audit.run_audit()
    return AuditResult(
        table=res.to_frame(),
        summary=res.summary(),
        verdicts=tuple(getattr(audit, "VERDICTS", ())),
    )
