"""The result of one audit run: the checks, as a frame, text, counts and HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd

from b12stats.audit.core import COLUMNS, PROBLEM_VERDICTS, VERDICTS, Check
from b12stats.errors import OptionError
from b12stats.format import shorten

__all__ = ["AuditResult"]


@dataclass(frozen=True)
class AuditResult:
    """The checks of one audit run.

    Attributes
    ----------
    checks
        One :class:`Check` per claim judged, in the order the families ran.
    source_kinds
        Kinds listed by :meth:`summary` (always all four, in this order).
    """

    checks: tuple[Check, ...]
    source_kinds: tuple[str, ...] = field(default=("primary", "secondary", "lay", "reference"))

    def to_frame(self) -> pd.DataFrame:
        """One row per check with the columns :data:`COLUMNS`, in that order.

        ==========================  ==============================================
        ``check_id``                unique and stable, ``"<row_id>:<check>"``
        ``source_id``               the source whose claim is judged
        ``source_kind``             primary / secondary / lay / reference
        ``claim``                   what the source claims, short
        ``reported``                the numbers as printed
        ``recomputed``              what the audit computed, as text
        ``verdict``                 one of :data:`VERDICTS`
        ``detail``                  what was computed and why the verdict
        ``category``                the kind of check (e.g. ``r_p_n``, ``ratio``)
        ``table``                   the data table of the claim
        ``row_ids``                 ';'-joined ids of every data row used
        ``cited_source_id``         the source compared with, if any (else None)
        ``value``                   the main recomputed number (float, NaN if none)
        ``value_low, value_high``   its interval (float, NaN if none)
        ==========================  ==============================================

        Examples
        --------
        >>> from b12stats.audit import run_audit
        >>> frame = run_audit().to_frame()
        >>> frame.columns[:8].tolist()  # doctest: +NORMALIZE_WHITESPACE
        ['check_id', 'source_id', 'source_kind', 'claim', 'reported', 'recomputed',
         'verdict', 'detail']
        """
        frame = pd.DataFrame([c.as_dict() for c in self.checks], columns=list(COLUMNS))
        for col in ("value", "value_low", "value_high"):
            frame[col] = frame[col].astype("float64")
        return frame

    def summary(self) -> pd.DataFrame:
        """Verdict counts by source kind.

        Returns
        -------
        DataFrame
            Columns ``source_kind``, one per verdict in :data:`VERDICTS`
            order, and ``total``; one row per source kind (zeros included).

        Examples
        --------
        >>> from b12stats.audit import run_audit
        >>> s = run_audit().summary()
        >>> s.columns.tolist()
        ['source_kind', 'reproduced', 'consistent', 'inconsistent', 'conflicts_with_primary', \
'unverifiable', 'total']
        >>> s["source_kind"].tolist()
        ['primary', 'secondary', 'lay', 'reference']
        """
        counts = {k: dict.fromkeys(VERDICTS, 0) for k in self.source_kinds}
        for c in self.checks:
            counts.setdefault(c.source_kind, dict.fromkeys(VERDICTS, 0))[c.verdict] += 1
        rows = [{"source_kind": k, **v, "total": sum(v.values())} for k, v in counts.items()]
        return pd.DataFrame(rows, columns=["source_kind", *VERDICTS, "total"])

    def summary_line(self) -> str:
        """``"N checks: a reproduced, b consistent, ..."`` (every verdict listed, in order).

        Examples
        --------
        >>> AuditResult(()).summary_line()
        '0 checks: 0 reproduced, 0 consistent, 0 inconsistent, 0 conflicts_with_primary, \
0 unverifiable'
        """
        counts = self.verdict_counts()
        return f"{len(self.checks)} checks: " + ", ".join(f"{v} {k}" for k, v in counts.items())

    def to_text(self, *, width: int = 100, detail_lines: int = 3) -> str:
        """The readable table ``b12stats reproduce`` prints, each line at most ``width`` wide.

        Per check, line 1: ``check_id`` (30 characters), ``source_kind`` (9),
        ``verdict`` (22) and the ``claim`` in the rest; then the ``detail``,
        indented by 4 and wrapped, cut with "…" after ``detail_lines`` lines
        (``0``: never cut). A blank line and :meth:`summary_line` end it.

        Examples
        --------
        >>> from b12stats.audit import run_audit
        >>> text = run_audit().to_text()
        >>> max(len(line) for line in text.splitlines()) <= 100
        True
        """
        import textwrap

        if width < 40:
            raise OptionError(f"width must be at least 40 characters, got {width}")
        if detail_lines < 0:
            raise OptionError(f"detail_lines must be >= 0, got {detail_lines}")
        cols = [("check_id", 30), ("source_kind", 9), ("verdict", 22)]
        widths = [*cols, ("claim", width - sum(w for _, w in cols) - len(cols))]
        lines = [" ".join(f"{name:<{w}}" for name, w in widths).rstrip(), "    detail"]
        lines.append("-" * width)
        for c in self.checks:
            lines.append(" ".join(f"{shorten(getattr(c, n), w):<{w}}" for n, w in widths).rstrip())
            wrapped = textwrap.wrap(" ".join(c.detail.split()), width - 4) or [""]
            if detail_lines and len(wrapped) > detail_lines:
                rest = " ".join(wrapped[detail_lines - 1 :])
                wrapped = [*wrapped[: detail_lines - 1], shorten(rest, width - 4)]
            lines.extend("    " + w for w in wrapped)
        return "\n".join([*lines, "", self.summary_line()])

    def verdict_counts(self) -> dict[str, int]:
        """Number of checks per verdict (every verdict present)."""
        out = dict.fromkeys(VERDICTS, 0)
        for c in self.checks:
            out[c.verdict] += 1
        return out

    def _repr_html_(self) -> str:
        """Verdict counts by source kind and every problem check, as HTML (for notebooks)."""
        problems = [c for c in self.checks if c.verdict in PROBLEM_VERDICTS]
        rows = "".join(
            f"<tr><td>{html.escape(c.check_id)}</td><td>{html.escape(c.verdict)}</td>"
            f"<td>{html.escape(c.detail)}</td></tr>"
            for c in problems
        )
        return (
            f"<p>{html.escape(self.summary_line())}</p>"
            + self.summary().to_html(index=False)
            + (
                "<table><thead><tr><th>check_id</th><th>verdict</th><th>detail</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>"
                if problems
                else ""
            )
        )

    @property
    def has_problems(self) -> bool:
        """Whether any check is ``inconsistent`` or ``conflicts_with_primary``."""
        return any(c.verdict in PROBLEM_VERDICTS for c in self.checks)
