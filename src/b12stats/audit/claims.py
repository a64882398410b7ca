"""Worded claims: untraceable citations, paraphrases, findings without numbers.

Paraphrases are judged in the curated table ``data/claim_judgements.csv``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pandas as pd

from b12stats.audit import messages as msg
from b12stats.audit.core import Check, Context, Kind, decide
from b12stats.audit.registry import register
from b12stats.errors import OptionError

#: A field of a reasoning template: ``{ROW.column}``, ``{ROW.column:spec}`` or
#: ``{pct_change(ROW.column, ROW.column):spec}``.
_FIELD = re.compile(r"\{([^{}:]+?)(?::([^{}]*))?\}")
_REF = re.compile(r"^\s*([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)\s*$")
_CALL = re.compile(r"^\s*([a-z_]+)\((.*)\)\s*$")


def _pct_change(start: float, end: float) -> float:
    """Percent change from ``start`` to ``end``: ``100 (end / start - 1)``."""
    return 100 * (end / start - 1)


#: The computations a reasoning template may ask for, by name.
TEMPLATE_FUNCTIONS: dict[str, Callable[..., float]] = {"pct_change": _pct_change}


def render_reasoning(template: str, rows: Mapping[str, pd.Series], *, where: str) -> str:
    """Fill a judgement's reasoning template from the rows it names.

    Parameters
    ----------
    template
        Text with fields ``{ROW.column}``, ``{ROW.column:spec}`` (a format
        spec such as ``g`` or ``.0f``) or ``{name(ROW.column, ...):spec}``
        with ``name`` one of :data:`TEMPLATE_FUNCTIONS`.
    rows
        The rows a field may name, by row id (``"claim"``: the claim judged).
    where
        Names the judgement in error messages.

    Raises
    ------
    OptionError
        For a field naming a row not in ``rows``, a column the row lacks or
        an unknown function.

    Examples
    --------
    >>> row = pd.Series({"value": 206.0, "cutoff": 310.0, "timepoint": "6 weeks"})
    >>> render_reasoning("{m.value:g} at {m.timepoint}: +{pct_change(m.value, m.cutoff):.0f}%",
    ...                  {"m": row}, where="example")
    '206 at 6 weeks: +50%'
    """

    def ref(text: str) -> Any:
        m = _REF.match(text)
        if m is None:
            raise OptionError(f"{where}: cannot read the template field {{{text}}}")
        rid, col = m.groups()
        if rid not in rows:
            raise OptionError(
                f"{where}: the reasoning names row {rid!r}, which is not among its evidence rows"
            )
        if col not in rows[rid].index:
            raise OptionError(f"{where}: row {rid!r} has no column {col!r}")
        return rows[rid][col]

    def fill(m: re.Match[str]) -> str:
        body, spec = m.group(1), m.group(2) or ""
        call = _CALL.match(body)
        if call is not None:
            name, args = call.groups()
            if name not in TEMPLATE_FUNCTIONS:
                raise OptionError(f"{where}: unknown template function {name!r}")
            value: Any = TEMPLATE_FUNCTIONS[name](*(float(ref(a)) for a in args.split(",")))
        else:
            value = ref(body)
        return format(value, spec) if spec else str(value)

    return _FIELD.sub(fill, template)


def _judgement(ctx: Context, claim: pd.Series) -> tuple[str, str, tuple[str, ...]] | None:
    """(verdict, detail, evidence row ids) of the curated judgement of ``claim``, if any."""
    jd = ctx.judgements
    rows = jd[jd["claim_row_id"] == claim["row_id"]]
    if len(rows) == 0:
        return None
    j = rows.iloc[0]
    ids = tuple(x for x in str(j["evidence_row_ids"]).split(";") if x)
    evidence = {
        "claim": claim,
        **{rid: ctx.any_row(rid, where=f"claim_judgements {j['row_id']}") for rid in ids},
    }
    detail = render_reasoning(j["reasoning"], evidence, where=f"claim_judgements {j['row_id']}")
    return str(j["verdict"]), detail, ids


_KINDS = {
    "untraceable_citation": Kind("untraceable_citation", "claims", "untraceable"),
    "secondary_paraphrase": Kind("secondary_paraphrase", "claims", "paraphrase"),
    "finding": Kind("finding", "claims", "finding"),
}

#: The curated table of judgements of worded claims.
_JUDGEMENTS = "claim_judgements"

_CLAIM_NOT_FOUND = "no paper or report holding this number was found: "


@register("claims", order=220)
def check_claims(ctx: Context) -> Iterator[Check]:
    """Claims without numbers to recompute.

    A claim with a curated judgement in ``data/claim_judgements.csv`` gets
    its verdict and reasoning (the reasoning's numbers filled in from the
    rows it names; see :func:`render_reasoning`); the bundled judgements are
    of paraphrases of a primary. Without one: untraceable citations are
    ``unverifiable`` (no primary source), findings of primary sources stated
    without numbers ``unverifiable`` (nothing printed to recompute), and any
    other worded claim (a paraphrase, or a ``claim_type`` the audit does not
    know) an explicit ``unverifiable`` check saying that no judgement is
    recorded, so that no claim is silently skipped.

    Examples
    --------
    >>> check_claims()[0].verdict
    'unverifiable'
    """
    for _, row in ctx.rows["claims"].iterrows():
        kind = str(row["claim_type"])
        traced = row["traced_source_id"]
        cited = traced if kind == "secondary_paraphrase" and isinstance(traced, str) else None
        draft = _KINDS.get(kind, Kind(kind, "claims", "unjudged")).draft(
            ctx, row, claim=f"{row['subject']}: {row['value_text']}", reported=row["value_text"],
            cited=cited,
        )  # fmt: skip
        judged = _judgement(ctx, row)
        if judged is not None:
            verdict, detail, ids = judged
            yield draft.judge(verdict, "{reasoning}", uses=ids, reasoning=detail)
            continue
        if kind not in msg.CLAIM_TEXT:
            yield draft.judge(
                decide(evidence=False), msg.UNJUDGED_CLAIM_TEXT,
                claim_type=kind.replace("_", " "), table=_JUDGEMENTS,
            )  # fmt: skip
            continue
        yield draft.judge(
            decide(evidence=False), msg.CLAIM_TEXT[kind], attributed_to=row["attributed_to"],
            traced=f"traced only to {traced}; " if isinstance(traced, str) else _CLAIM_NOT_FOUND,
        )  # fmt: skip
