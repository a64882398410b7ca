"""Draft rows of a data package from extracted statistics (``b12stats extract --to-data``).

The extractor reads numbers and their measures; what the data tables also
need -- the compartment (maternal blood, milk, infant blood), the two
variables of a correlation -- is guessed from the words of the sentence.
Every row written is a draft: its ``location`` says so (and why it needs
review, when the extractor marked it), and the source row is ``verified =
false``. Rows whose table needs something the sentence does not tell (a
correlation naming fewer than two compartments, a location in a unit the
concentrations table does not hold) are not written; :func:`draft_tables`
returns them with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from b12stats.errors import OptionError
from b12stats.stats.printed import parse_p
from b12stats.text.numbers import number_value

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Drafts", "draft_tables"]

#: Units the concentrations and prevalences tables hold.
TABLE_UNITS = ("pmol/L", "pg/mL", "ng/L", "µg/L", "nmol/L", "µg/d")
KINDS = ("primary", "secondary", "lay", "reference")
_NOT_STATED = "not stated (draft)"

_EFFECT_MEASURES = {
    "percent_difference": "percent_difference",
    "difference": "mean_difference",
    "beta": "regression_coefficient",
    "odds_ratio": "odds_ratio",
    "risk_ratio": "ratio",
    "prevalence_ratio": "ratio",
}

# words naming a compartment, the first that matches wins within one phrase
_COMPARTMENTS = [
    ("milk", r"\b(?:breast\s*-?\s*)?milk\b"),
    ("maternal_intake", r"\bintakes?\b|\bdiet(?:ary)?\b"),
    ("infant", r"\b(?:cord|infants?|newborns?|neonat\w*|bab(?:y|ies)|child(?:ren)?|umbilical)\b"),
    ("maternal", r"\b(?:mothers?|maternal|women|pregnan\w*|lactating)\b"),
]
_VARIABLES = {
    "milk": "milk",
    "maternal_intake": "maternal_intake",
    "infant": "infant_blood",
    "maternal": "maternal_blood",
}


@dataclass
class Drafts:
    """Draft tables for a data package, and the extracted rows left out."""

    tables: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row index, reason)


def _compartments(text: str) -> list[str]:
    """Compartments named in ``text``, in order of first mention."""
    found: list[tuple[int, str]] = []
    for name, pattern in _COMPARTMENTS:
        m = re.search(pattern, text, re.IGNORECASE)
        if m:
            found.append((m.start(), name))
    return [name for _, name in sorted(found)]


def _compartment(text: str) -> str | None:
    names = _compartments(text)
    if not names:
        return None
    first = names[0]
    if first in ("milk", "maternal_intake"):
        return first
    kind = (
        "serum"
        if re.search(r"\bserum\b", text, re.I)
        else "plasma"
        if re.search(r"\bplasma\b", text, re.I)
        else "serum_or_plasma"
    )
    return f"{first}_{kind}"


def _number(text: object) -> float | None:
    s = "" if text is None else str(text).strip()
    if not s:
        return None
    try:
        return number_value(s)
    except OptionError:
        return None


def _printed(text: object) -> str:
    """The number as printed (its decimals matter to the checks), or ``""``."""
    s = "" if text is None else str(text).strip().lstrip("+")
    if _number(s) is None or not re.fullmatch(r"-?(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d+)?", s):
        return ""
    s = s.replace(",", "")
    return "0" + s if s.startswith(".") else "-0" + s[1:] if s.startswith("-.") else s


def _ci_fields(row: Mapping[str, Any], text: str) -> dict[str, object]:
    """``ci_low``, ``ci_high`` and ``ci_level`` of a row printed with its CI in ``text``."""
    level = re.search(r"(\d{2})\s?%\s*(?:CI|confidence)", text)
    return {
        "ci_low": _printed(row["low"]),
        "ci_high": _printed(row["high"]),
        "ci_level": int(level.group(1)) / 100 if level else 0.95,
    }


def _int(text: object) -> int | None:
    x = _number(text)
    return int(x) if x is not None and x == int(x) and x >= 1 else None


def _p(text: object) -> str:
    s = "" if text is None else str(text).strip()
    if not re.match(r"[Pp]\b|[Pp][\s-]", s):  # a P whose letter was lost is left for review
        return ""
    try:
        parse_p(s)
    except OptionError:
        return ""
    return s


def _cutoff(text: str) -> tuple[str, float | None, str]:
    m = re.match(r"^\s*(<=|>=|≤|≥|<|>)\s*(\d*\.?\d+)\s*(.+?)\s*$", text or "")
    if not m:
        return "", None, ""
    from b12stats.text.units import normalise_unit

    relation = {"≤": "<=", "≥": ">="}.get(m.group(1), m.group(1))
    unit = normalise_unit(m.group(3))
    if unit not in TABLE_UNITS:
        return "", None, ""
    return relation, float(m.group(2)), unit


def draft_tables(
    extracted: pd.DataFrame,
    *,
    source_id: str,
    kind: str,
    existing_ids: Sequence[str] = (),
) -> Drafts:
    """Rows for the tables of a data package, from :func:`~b12stats.text.extract_text` rows.

    Parameters
    ----------
    extracted
        Rows of :func:`b12stats.text.extract_files` (its columns).
    source_id
        The id of the source the rows come from (a ``sources`` row is drafted).
    kind
        The source's kind: primary, secondary, lay or reference.
    existing_ids
        Row ids already used (in the package's tables); new ids avoid them.

    Returns
    -------
    Drafts
        ``tables`` maps a table name (sources, cohorts, correlations,
        concentrations, prevalences, effects, comparisons) to its rows as
        dicts of the table's columns; ``skipped`` lists the extracted rows not
        written and why.

    Raises
    ------
    OptionError
        For a source id that is not a plain identifier or an unknown kind.

    Examples
    --------
    >>> from b12stats.text import extract_text
    >>> rows = extract_text("Milk and infant serum B12 were correlated (r = 0.4, P = 0.01).")
    >>> d = draft_tables(rows, source_id="me2026", kind="primary")
    >>> r = d.tables["correlations"][0]
    >>> r["var_x"], r["var_y"], r["r"], r["p_text"]
    ('milk', 'infant_blood', '0.4', 'P = 0.01')
    """
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", source_id or ""):
        raise OptionError(
            f"source_id must be a plain identifier (letters, digits, _), got {source_id!r}"
        )
    if kind not in KINDS:
        raise OptionError(f"unknown kind {kind!r}; expected one of: {', '.join(KINDS)}")
    used = set(existing_ids)
    counter = [0]

    def new_id(prefix: str) -> str:
        while True:
            counter[0] += 1
            rid = f"{source_id}_{prefix}{counter[0]}"
            if rid not in used:
                used.add(rid)
                return rid

    files = sorted({Path(str(f)).name for f in extracted.get("file", []) if str(f)})
    drafts = Drafts({name: [] for name in _TABLES})
    cohort = f"{source_id}_cohort"
    drafts.tables["sources"].append(
        {
            "source_id": source_id,
            "kind": kind,
            "verified": "false",
            "note": "draft rows from b12stats extract"
            + (f" of {', '.join(files)}" if files else "")
            + "; check every row against the text",
        }
    )
    found = [_int(v) for v in extracted.loc[extracted["statistic"] == "sample_size", "value"]]
    sizes = [s for s in found if s is not None]
    drafts.tables["cohorts"].append(
        {
            "row_id": new_id("cohort"),
            "source_id": source_id,
            "cohort": cohort,
            "country": _NOT_STATED,
            "location": "draft",
            "attribute": "n_participants",
            "value_num": max(sizes) if sizes else "",
            "value_text": "" if sizes else _NOT_STATED,
            "text": "largest sample size extracted" if sizes else "no sample size extracted",
        }
    )
    concentration_ids: dict[int, str] = {}
    records: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()} for r in extracted.to_dict("records")
    ]
    for i, row in enumerate(records):
        text = str(row.get("text") or "")
        where = f"draft from {Path(str(row.get('file') or '')).name or 'text'}"
        if row.get("needs_review"):
            where += "; needs review (role from list order, label or lost symbol)"
        base = {"source_id": source_id, "cohort": cohort, "location": where, "text": text}
        stat = row["statistic"]
        n = _int(row.get("n"))
        if stat == "correlation":
            names = _compartments(text)
            if len(names) < 2:
                drafts.skipped.append((i, "the sentence names fewer than two compartments"))
                continue
            drafts.tables["correlations"].append(
                {
                    **base,
                    "row_id": new_id("r"),
                    "var_x": _VARIABLES[names[0]],
                    "var_y": _VARIABLES[names[1]],
                    "coefficient": row["measure"],
                    "adjusted": "false",
                    "r": _printed(row["value"]),
                    "p_text": _p(row.get("p_text")),
                    "n": n or "",
                }
            )
        elif stat == "location":
            unit = row.get("unit") or ""
            compartment = _compartment(text)
            if row["measure"] not in ("median", "geometric_mean", "mean"):
                drafts.skipped.append((i, "the measure (median, mean, ...) is not printed"))
                continue
            if unit not in TABLE_UNITS:
                drafts.skipped.append((i, f"unit {unit or 'none'!r} is not a B12 unit"))
                continue
            if compartment is None:
                drafts.skipped.append((i, "the sentence names no compartment"))
                continue
            rid = new_id("c")
            entry: dict[str, object] = {
                **base,
                "row_id": rid,
                "timepoint": _NOT_STATED,
                "compartment": compartment,
                "group": _NOT_STATED,
                "n": n or "",
                "statistic": row["measure"],
                "value": _printed(row["value"]),
                "unit": unit,
            }
            if row.get("spread") in ("quartiles", "iqr"):
                entry.update(q1=_printed(row["low"]), q3=_printed(row["high"]))
            elif row.get("spread") == "ci":
                entry.update(_ci_fields(row, text))
            drafts.tables["concentrations"].append(entry)
            concentration_ids[i] = rid
        elif stat == "share":
            percent = _number(row["value"]) if row.get("unit") == "%" else None
            compartment = _compartment(text)
            if percent is None:
                drafts.skipped.append((i, "a count without a printed percentage"))
                continue
            if compartment is None:
                drafts.skipped.append((i, "the sentence names no compartment"))
                continue
            relation, cutoff, unit = _cutoff(str(row.get("cutoff_text") or ""))
            drafts.tables["prevalences"].append(
                {
                    **base,
                    "row_id": new_id("p"),
                    "timepoint": _NOT_STATED,
                    "compartment": compartment,
                    "group": _NOT_STATED,
                    "condition": "share of the sample (draft: name the condition)",
                    "relation": relation,
                    "cutoff": "" if cutoff is None else cutoff,
                    "unit": unit,
                    "percent": _printed(row["value"]),
                    "n": n or "",
                }
            )
        elif stat == "effect":
            measure = _EFFECT_MEASURES.get(row["measure"])
            if measure is None:
                drafts.skipped.append((i, "the kind of effect is not printed"))
                continue
            entry = {
                **base,
                "row_id": new_id("e"),
                "outcome": _NOT_STATED,
                "contrast": _NOT_STATED,
                "timepoint": _NOT_STATED,
                "measure": measure,
                "estimate": _printed(row["value"]),
                "p_text": _p(row.get("p_text")),
                "n": n or "",
            }
            if row.get("spread") == "ci":
                entry.update(_ci_fields(row, text))
            drafts.tables["effects"].append(entry)
        elif stat == "ratio":
            drafts.tables["_ratios"].append({"index": i, **{str(k): v for k, v in row.items()}})
        else:
            reason = {
                "comparison": "a P-only comparison has no table (its values are drafted)",
                "sample_size": "sample sizes go into the n of the rows and the cohort",
            }[stat]
            drafts.skipped.append((i, reason))
    # a fold ratio with exactly two concentrations drafted from its sentence
    for ratio in drafts.tables.pop("_ratios"):
        i = int(ratio["index"])  # type: ignore[call-overload]
        same = [
            j
            for j, r in enumerate(extracted.to_dict("records"))
            if j in concentration_ids and r["text"] == ratio["text"] and r["file"] == ratio["file"]
        ]
        if len(same) != 2:
            drafts.skipped.append((i, "a ratio without exactly two drafted values beside it"))
            continue
        drafts.tables["comparisons"].append(
            {
                "row_id": new_id("ratio"),
                "source_id": source_id,
                "location": f"draft from {Path(str(ratio['file'])).name}",
                "numerator_id": concentration_ids[same[0]],
                "denominator_id": concentration_ids[same[1]],
                "ratio": _printed(ratio["value"]),
                "ratio_text": f"{ratio['value']}x",
                "p_text": _p(ratio.get("p_text")),
                "text": ratio["text"],
            }
        )
    return drafts


_TABLES: Mapping[str, None] = dict.fromkeys(
    (
        "sources",
        "cohorts",
        "correlations",
        "concentrations",
        "prevalences",
        "effects",
        "comparisons",
        "_ratios",
    )
)
