"""The audit's core: verdicts, the :class:`Check` record, the table context.

Every check family (the other modules of :mod:`b12stats.audit`) reads the
tables through one :class:`Context` and returns :class:`Check` records.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from b12stats.errors import OptionError

__all__ = [
    "ALPHA",
    "APPROX_REL_TOL",
    "COLUMNS",
    "CONF_LEVEL",
    "N_MAX_SCAN",
    "PROBLEM_VERDICTS",
    "REQUIRED_TABLES",
    "VERDICTS",
    "Check",
    "Context",
    "Draft",
    "Kind",
    "cgroup",
    "decide",
    "flag",
    "isnum",
    "load_tables",
]

#: The verdicts, in the order summaries list them.
VERDICTS = ("reproduced", "consistent", "inconsistent", "conflicts_with_primary", "unverifiable")

#: Verdicts that make ``b12stats reproduce --strict`` fail.
PROBLEM_VERDICTS = ("inconsistent", "conflicts_with_primary")

#: Relative looseness of "approximately/about/around/roughly" (and "nearly", one-sided).
APPROX_REL_TOL = 0.10

#: Two-sided level at which words like "correlated" or "significant" are read.
ALPHA = 0.05

#: Confidence level of the intervals the audit computes.
CONF_LEVEL = 0.95

#: Largest n scanned when looking for the n a printed (r, P) pair needs. Every
#: bundled pair needs n < 200; larger n are reported as "n >= ..." (open-ended).
N_MAX_SCAN = 10_000

#: Tables whose every row some check must reference (cohort facts only for
#: secondary and lay sources, see :func:`b12stats.audit.coverage`).
REQUIRED_TABLES = (
    "concentrations",
    "comparisons",
    "correlations",
    "prevalences",
    "effects",
    "reference_values",
    "claims",
)

#: Curated tables the audit reads besides the claims it judges.
CURATED_TABLES = ("claim_judgements",)

ALL_TABLES = ("sources", "cohorts", *REQUIRED_TABLES)

#: Columns of :meth:`AuditResult.to_frame`, in order.
COLUMNS = (
    "check_id",  # unique, stable: "<row_id>:<family>"
    "source_id",  # the source whose claim is judged
    "source_kind",  # primary / secondary / lay / reference
    "claim",  # what the source claims, short
    "reported",  # the numbers as printed
    "recomputed",  # what the audit computed (text)
    "verdict",  # one of VERDICTS
    "detail",  # one or two sentences: what was computed and why the verdict
    "category",  # the family of check (FAMILIES keys)
    "table",  # the data table of the claim judged
    "row_ids",  # ';'-joined row ids of every data row the check used
    "cited_source_id",  # for comparisons with a primary source: that source
    "value",  # main recomputed number (NaN if none)
    "value_low",  # its interval (NaN if none)
    "value_high",
)


def isnum(x: Any) -> bool:
    """Whether a cell holds a value (not None / NaN / NA)."""
    return x is not None and not pd.isna(x)


def flag(x: Any) -> bool | None:
    """A nullable boolean cell as True / False / None."""
    return None if x is None or pd.isna(x) else bool(x)


def cgroup(compartment: str) -> str:
    """maternal_serum_or_plasma -> maternal; infant_plasma -> infant; milk -> milk."""
    return str(compartment).split("_", 1)[0]


@dataclass(frozen=True)
class Check:
    """One audit check: a claim, what was recomputed, the verdict and why.

    The first attributes follow :data:`COLUMNS` (``row_ids`` as a tuple
    here). ``numbers`` holds the structured numbers the check used, by name
    (e.g. ``n``, ``printed_low``, ``printed_high``, ``expected``), so that a
    program can read them without parsing ``detail``.
    """

    check_id: str
    category: str
    table: str
    row_ids: tuple[str, ...]
    source_id: str
    source_kind: str
    claim: str
    reported: str
    recomputed: str
    verdict: str
    detail: str
    cited_source_id: str | None = None
    value: float = math.nan
    value_low: float = math.nan
    value_high: float = math.nan
    numbers: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise OptionError(
                f"verdict {self.verdict!r} of {self.check_id} is not one of {', '.join(VERDICTS)}"
            )

    def as_dict(self) -> dict[str, Any]:
        """The check as one row of :meth:`AuditResult.to_frame`."""
        out = {c: getattr(self, c) for c in COLUMNS}
        out["row_ids"] = ";".join(self.row_ids)
        return out


class TableSet(dict[str, pd.DataFrame]):
    """The tables of one audit run, carrying their indexed views once built."""

    ctx: Context | None = None


class Context:
    """Indexed views of the tables that the family functions share."""

    def __init__(self, tables: Mapping[str, pd.DataFrame]) -> None:
        missing = [t for t in ALL_TABLES if t not in tables]
        if missing:
            raise OptionError(f"run_audit needs the tables {', '.join(missing)}")
        self.t = tables
        src = tables["sources"].set_index("source_id")
        self.kinds: dict[str, str] = {str(k): str(v) for k, v in src["kind"].items()}
        self.cites: dict[str, str | None] = {
            str(k): (v if isinstance(v, str) and v else None)
            for k, v in src["cites_source_id"].items()
        }
        self.rows = {
            name: tables[name].set_index("row_id", drop=False)
            for name in ALL_TABLES
            if name != "sources"
        }
        if "claim_judgements" in tables:
            self.judgements = tables["claim_judgements"]
        else:
            from b12stats.data import load_table

            self.judgements = load_table("claim_judgements")

    def any_row(self, row_id: str, *, where: str) -> pd.Series:
        """The row with id ``row_id`` in whichever table holds it.

        Raises
        ------
        OptionError
            When no table has it (``where`` names who asked).
        """
        for frame in self.rows.values():
            if row_id in frame.index:
                out = frame.loc[row_id]
                if isinstance(out, pd.Series):
                    return out
        raise OptionError(f"{where}: no table holds a row {row_id!r}")

    @classmethod
    def of(cls, tables: Mapping[str, pd.DataFrame]) -> Context:
        """The context for ``tables``; built once per :func:`run_audit` (see ``TableSet``)."""
        if isinstance(tables, TableSet):
            if tables.ctx is None:
                tables.ctx = cls(tables)
            return tables.ctx
        return cls(tables)

    def kind(self, source_id: str) -> str:
        """The kind of a source (``"unknown"`` when not in the sources table)."""
        return self.kinds.get(source_id, "unknown")

    def row(self, table: str, row_id: str) -> pd.Series:
        """One row of ``table`` by its row id."""
        out = self.rows[table].loc[row_id]
        if not isinstance(out, pd.Series):  # pragma: no cover - row ids are unique on load
            raise OptionError(f"row id {row_id!r} is not unique in {table}")
        return out

    def check(self, source_id: str, **kw: Any) -> Check:
        """A :class:`Check` of ``source_id`` (its kind filled in)."""
        return Check(source_id=source_id, source_kind=self.kind(source_id), **kw)

    def rows_with(
        self, table: str, *given: str, lacking: Sequence[str] = ()
    ) -> Iterator[pd.Series]:
        """Rows of ``table`` with a value in every column ``given`` and none in ``lacking``."""
        frame = self.rows[table]
        keep = frame[list(given)].notna().all(axis=1) & frame[list(lacking)].isna().all(axis=1)
        for _, row in frame[keep].iterrows():
            yield row

    def citing(self, table: str) -> Iterator[tuple[pd.Series, str]]:
        """Rows of ``table`` from secondary or lay sources that cite a source, with its id."""
        for _, row in self.rows[table].iterrows():
            cited = self.cites.get(row["source_id"])
            if cited is not None and self.kind(row["source_id"]) in ("secondary", "lay"):
                yield row, cited

    def cohort_n(self, cohort: str, source_id: str) -> pd.Series | None:
        """The n_participants row for a cohort: the same source first, else a primary one.

        When a cohort has several n rows in a source (e.g. arms), none is chosen.
        """
        coh = self.t["cohorts"]
        rows = coh[(coh["cohort"] == cohort) & (coh["attribute"] == "n_participants")]
        same = rows[rows["source_id"] == source_id]
        if len(same) == 1:
            return same.iloc[0]
        if len(same) > 1:
            return None
        prim = rows[rows["source_kind"] == "primary"]
        return prim.iloc[0] if len(prim) == 1 else None

    def primary_match(self, conc_row: pd.Series, cited: str) -> pd.Series | None:
        """The concentration row of ``cited`` on the same cohort and compartment group."""
        conc = self.rows["concentrations"]
        cand = conc[
            (conc["source_id"] == cited)
            & (conc["cohort"] == conc_row["cohort"])
            & (conc["compartment"].map(cgroup) == cgroup(conc_row["compartment"]))
        ]
        return cand.iloc[0] if len(cand) == 1 else None


def load_tables() -> dict[str, pd.DataFrame]:
    """The bundled tables the audit reads, by name (fresh copies).

    Examples
    --------
    >>> sorted(load_tables())[:3]
    ['claim_judgements', 'claims', 'cohorts']
    """
    from b12stats.data import load_table

    return {name: load_table(name) for name in (*ALL_TABLES, *CURATED_TABLES)}


def decide(
    *,
    evidence: bool = True,
    reproduced: bool = False,
    compatible: bool = False,
    against_primary: bool = False,
) -> str:
    """The verdict policy: one verdict from what a check found.

    Parameters
    ----------
    evidence
        Whether anything could be recomputed or compared; ``False`` gives
        ``unverifiable`` whatever else is said.
    reproduced
        The recomputation matches the printed number to its printed precision
        (or a secondary source repeats its primary exactly).
    compatible
        The printed number lies within the uncertainty the recomputation
        carries (rounding of the inputs, a CI, the looseness of the words).
    against_primary
        The comparison is of a secondary or lay source with its primary: a
        mismatch is ``conflicts_with_primary`` rather than ``inconsistent``.

    Returns
    -------
    str
        One of :data:`VERDICTS`.

    Examples
    --------
    >>> decide(reproduced=True), decide(compatible=True), decide()
    ('reproduced', 'consistent', 'inconsistent')
    >>> decide(against_primary=True), decide(evidence=False, reproduced=True)
    ('conflicts_with_primary', 'unverifiable')
    """
    if not evidence:
        return "unverifiable"
    if reproduced:
        return "reproduced"
    if compatible:
        return "consistent"
    return "conflicts_with_primary" if against_primary else "inconsistent"


@dataclass(frozen=True)
class Kind:
    """What one family's checks share: their category, table and check-id suffix."""

    category: str
    table: str
    suffix: str

    def draft(
        self,
        ctx: Context,
        row: pd.Series,
        *,
        claim: str,
        reported: str,
        cited: str | None = None,
        check_id: str | None = None,
        source_id: str | None = None,
    ) -> Draft:
        """The parts of a check known before judging: who claims what, about which row."""
        sid = str(row["source_id"] if source_id is None else source_id)
        return Draft(
            ctx=ctx,
            kind=self,
            row_id=str(row["row_id"]),
            source_id=sid,
            claim=claim,
            reported=reported,
            cited=cited,
            check_id=f"{row['row_id']}:{self.suffix}" if check_id is None else check_id,
        )


@dataclass(frozen=True)
class Draft:
    """A check waiting for its verdict (see :meth:`Kind.draft`)."""

    ctx: Context
    kind: Kind
    row_id: str
    source_id: str
    claim: str
    reported: str
    cited: str | None
    check_id: str

    def judge(
        self,
        verdict: str,
        template: str,
        *,
        uses: tuple[str, ...] = (),
        recomputed: str = "",
        value: float = math.nan,
        low: float = math.nan,
        high: float = math.nan,
        **numbers: Any,
    ) -> Check:
        """The finished :class:`Check`; ``uses``: row ids used besides the claim's own.

        ``detail`` is ``template.format(**numbers)`` (a message template with
        ``str.format`` fields); ``numbers`` are kept as the check's structured
        numbers (:attr:`Check.numbers`).
        """
        return self.ctx.check(
            self.source_id,
            check_id=self.check_id,
            category=self.kind.category,
            table=self.kind.table,
            row_ids=(self.row_id, *uses),
            claim=self.claim,
            reported=self.reported,
            recomputed=recomputed,
            verdict=verdict,
            detail=template.format(**numbers),
            cited_source_id=self.cited,
            value=value,
            value_low=low,
            value_high=high,
            numbers=numbers,
        )
