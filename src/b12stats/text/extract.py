"""Extract summary statistics from plain text and HTML: the library behind ``b12stats extract``.

One row per statistic a reader finds in an abstract (see :data:`COLUMNS`):
correlations with their P, locations (median with quartiles, geometric mean
with CI, mean ± SD), shares of a group (with the count and denominator where
printed, and the cut-off), effects with CIs, fold ratios, two-group
comparisons printed with only a P value, and sample sizes. Everything is
read with regular expressions (:mod:`b12stats.text.patterns`); numbers that
belong to names (B-12, H1N1, NCT ids, journal volumes, years) are masked
first (:func:`b12stats.text.spans.mask_names`). Where a role was inferred
from list order ("respectively"), from a label in an earlier sentence, or
where a symbol was lost in copying ("!150" for "<150"), the row has
``needs_review`` set: the extractor does not guess.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from b12stats.errors import DataValidationError
from b12stats.stats.printed import _WORD_FRACTIONS
from b12stats.text import patterns as pat
from b12stats.text.numbers import word_to_int
from b12stats.text.roles import effect_of, find_label, mentions_respectively, spread_of
from b12stats.text.spans import enclosing_bracket, mask_names, normalise, sentences
from b12stats.text.units import CONCENTRATION, normalise_unit

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd

__all__ = ["COLUMNS", "extract_files", "extract_text", "read_text_file", "text_files"]

#: The columns of an extraction, in order.
COLUMNS = (
    "file",
    "statistic",
    "measure",
    "value",
    "low",
    "high",
    "spread",
    "count",
    "n",
    "p_text",
    "unit",
    "cutoff_text",
    "start",
    "end",
    "text",
    "needs_review",
)


#: How far before a number its label, spread word, count or cut-off is looked for
#: (characters); bounds the work per number, so a long run of numbers stays linear.
WINDOW = 400


@dataclass
class _Row:
    statistic: str
    measure: str
    value: str
    start: int
    end: int
    low: str = ""
    high: str = ""
    spread: str = "none"
    count: str = ""
    n: str = ""
    p_text: str = ""
    unit: str = ""
    cutoff_text: str = ""
    needs_review: bool = False


@dataclass
class _Sentence:
    """One sentence being read: its normalised and masked text and what is claimed."""

    text: str  # normalised
    masked: str
    original: str
    offset: int
    carried: str | None
    rows: list[_Row] = field(default_factory=list)
    claimed: list[bool] = field(default_factory=list)
    cutoffs: list[_Cutoff] | None = None

    def __post_init__(self) -> None:
        self.claimed = [False] * len(self.text)

    def before(self, pos: int) -> str:
        """The normalised text before ``pos``, at most :data:`WINDOW` characters."""
        return self.text[max(0, pos - WINDOW) : pos]

    def masked_before(self, pos: int) -> str:
        """The masked text before ``pos``, at most :data:`WINDOW` characters."""
        return self.masked[max(0, pos - WINDOW) : pos]

    def free(self, a: int, b: int) -> bool:
        return not any(self.claimed[a:b])

    def claim(self, a: int, b: int) -> None:
        for i in range(a, b):
            self.claimed[i] = True

    def add(self, row: _Row, a: int, b: int) -> None:
        self.claim(a, b)
        row.start += self.offset
        row.end += self.offset
        self.rows.append(row)


_UNIT_TAIL = re.compile(rf"^\s?(?P<u>{pat.UNIT})")
_CUTOFF_WORDS = re.compile(
    r"(?i)(?:defined\s+as|limit\s+(?:for\s+[\w\s-]+?\s+)?(?:was\s+|is\s+)?(?:defined\s+as\s+)?|"
    r"cut-?\s?offs?\s+(?:of\s+)?|threshold\s+(?:level\s+)?(?:is\s+|was\s+)?(?:defined\s+as\s+)?|"
    r"RDA\s*=?\s*|AI\s*=?\s*|EAR\s*=?\s*|=\s*|~\s*|[<>≤≥!]\s*|below\s+|above\s+|"
    r"ranged?\s+from\s+|between\s+|dose\s+of\s+|amount\s+|with\s+|received\s+|taking\s+|"
    r"took\s+|given\s+|containing\s+|plus\s+|of\s+up\s+to\s+)$"
)
_CUTOFF_CLAUSE = re.compile(
    r"(?i)(?:defined\s+as|threshold|cut-?\s?off|lower\s+limit|upper\s+limit|\bRDA\b|recommend)[^;.]*$"
)
_EFFECT_AFTER = re.compile(
    r"^\s*(?:\([^)]*\)\s*)?(?:and\s+[-+~]?\d+(?:\.\d+)?\s*%\s*)?"
    r"(?:higher|lower|greater|less|more|increase[ds]?|decrease[ds]?|reduction|reduced|"
    r"elevated|smaller|larger)\b"
)
_EFFECT_BEFORE = re.compile(
    r"(?i)\b(?:increased|decreased|declined|rose|fell|reduced|higher|lower|changed|raised)\b"
    r"[^.;,()]{0,40}?\bby\s*"
    r"(?:>|<|≥|≤|more\s+than\s+|less\s+than\s+)?\s*$"
)
_OF_N = re.compile(
    r"(?i)\b(?:of|among)\s+(?:the\s+|all\s+)?(?P<n>\d+)\s+(?:[A-Za-z'-]+\s+){0,3}?"
    r"(?:women|mothers|infants|children|newborns|neonates|babies|patients|participants|"
    r"adolescents|subjects|dyads|pairs)\b"
)
_FRACTION_SHARE = re.compile(
    r"(?i)\b(?P<q>approximately|about|nearly|almost|roughly|around|over|more\s+than|less\s+than)?"
    r"\s*(?P<v>one-third|one\s+third|two-thirds|two\s+thirds|one-quarter|one\s+quarter|"
    r"a\s+quarter|three-quarters|one-fifth|one-half|(?<![\w-])half|a\s+third)\s+of\b"
)
_LOST_CUTOFF = re.compile(
    rf"(?i)(?:deficien\w*|insufficien\w*|B\s?-?##|folate|level)\s*\(\s*(?P<c>\d+(?:\.\d+)?\s?"
    rf"{pat.UNIT})\s*\)"
)
_WORD_COUNT = re.compile(
    rf"(?i)(?<![\w-])(?P<k>{pat.WORD_NUMBER})(?:\s+(?:{pat.NOUNS}))?\s*\(\s*$(?P<n>)"
)
_P_LOST_SAMPLE = re.compile(r"\(\s*=\s*(?P<v>\d+)\s*\)")
_POP_BEFORE_SKIP = re.compile(
    r"(?i)(?:aged?|than|every|per|blocks\s+of|within|after|before|first|last|least|"
    r"(?:\d+|one|two|three|a)\s+(?:in|out\s+of)\s+|"
    r"[<>≤≥±=~]|-)\s*$"
)


def _unit(*candidates: str | None) -> str:
    for c in candidates:
        if c and c.strip():
            return normalise_unit(c.strip())
    return ""


def _unit_after(text: str, end: int) -> str:
    m = _UNIT_TAIL.match(text[end:])
    return normalise_unit(m.group("u")) if m else ""


def _location_measure(s: _Sentence, pos: int, extra: str = "") -> tuple[str, bool] | None:
    """Measure named before ``pos`` (or in ``extra``), else the carried one (review)."""
    label = find_label(s.before(pos) + " " + extra)
    if label is not None:
        return label.measure, False
    if s.carried is not None:
        return s.carried, True
    return None


def _default_spread(measure: str) -> str:
    return {"median": "quartiles", "geometric_mean": "ci", "mean": "ci"}.get(measure, "none")


# --- the passes over one sentence, in order; each claims the characters it reads ----------


def _sample_sizes_equal(s: _Sentence) -> None:
    for m in pat.N_EQUALS.finditer(s.masked):
        numbers = list(re.finditer(r"\d{1,3}(?:,\d{3})+(?!\d)|\d+", m.group("list")))
        base = m.start("list")
        for num in numbers:
            a, b = base + num.start(), base + num.end()
            s.add(_Row("sample_size", "n", num.group(), a, b, needs_review=len(numbers) > 1), a, b)
        s.claim(m.start(), m.end())
    for m in _P_LOST_SAMPLE.finditer(s.masked):
        if s.free(m.start(), m.end()):
            row = _Row(
                "sample_size", "n", m.group("v"), m.start("v"), m.end("v"), needs_review=True
            )
            s.add(row, m.start(), m.end())


_P_THRESHOLD = re.compile(
    r"(?i)^[\s,)]*(?:(?:was|were|is|are)\s+)?(?:considered|regarded|taken|defined|deemed|set|used)\b"
    r"|^[\s,)]*(?:indicat\w*|denot\w*)\s+(?:statistical\s+)?significan"
)
_P_THRESHOLD_BEFORE = re.compile(
    r"(?i)(?:significance|alpha|α)\s+(?:level|threshold)?\s*(?:was|of|at|set\s+at)?\s*$"
)


def _p_values(s: _Sentence) -> list[tuple[int, int, str, bool]]:
    found = []
    for m in pat.P_VALUE.finditer(s.masked):
        s.claim(m.start(), m.end())
        after = s.masked[m.end() : m.end() + 60]
        if _P_THRESHOLD.search(after) or _P_THRESHOLD_BEFORE.search(s.masked_before(m.start())):
            continue  # "P values < 0.05 were considered significant": a method, not a result
        found.append((m.start(), m.end(), s.original[m.start() : m.end()], False))
    for m in pat.P_LOST.finditer(s.masked):
        if s.free(m.start(), m.end()):
            found.append(
                (m.start() + 1, m.end() - 1, s.original[m.start() + 1 : m.end() - 1].strip(), True)
            )
            s.claim(m.start(), m.end())
    return sorted(found)


def _correlations(s: _Sentence) -> None:
    for m in pat.CORRELATION.finditer(s.masked):
        if not s.free(m.start("v"), m.end()):
            continue
        label = m.group("label").lower()
        before = s.before(m.start()).lower()
        if label in ("rho", "ρ", "rs", "r_s") or "spearman" in label or "spearman" in before:
            measure = "spearman"
        elif "pearson" in label or "pearson" in before:
            measure = "pearson"
        else:
            measure = "unspecified"
        row = _Row("correlation", measure, m.group("v"), m.start("v"), m.end())
        if m.group("df"):  # APA style: n = df + 2
            row.n = str(int(m.group("df")) + 2)
        if m.group("hi"):
            row.low, row.high, row.spread, row.needs_review = (
                m.group("v"),
                m.group("hi"),
                "range",
                True,
            )
        if m.group("rel") != "=":
            row.needs_review = True
        s.add(row, m.start(), m.end())
    for m in pat.CORRELATION_WORDS.finditer(s.masked):
        if not s.free(m.start("v"), m.end("v")) or not -1 <= float(m.group("v")) <= 1:
            continue
        before = s.before(m.end()).lower()
        measure = (
            "spearman"
            if re.search(r"spearman|\brho\b|ρ", before)
            else "pearson"
            if "pearson" in before
            else "unspecified"
        )
        s.add(_Row("correlation", measure, m.group("v"), m.start("v"), m.end("v")), *m.span())


_EFFECT_LABELS = {
    "aor": "odds_ratio",
    "or": "odds_ratio",
    "arr": "risk_ratio",
    "rr": "risk_ratio",
    "hr": "other",
    "pr": "prevalence_ratio",
    "irr": "risk_ratio",
    "β": "beta",
    "beta": "beta",
}


def _effects_with_ci(s: _Sentence) -> None:
    for m in pat.EFFECT_CI.finditer(s.masked):
        if not s.free(m.start("v"), m.end("hi")):
            continue
        a = m.start("label") if m.group("label") else m.start("v")
        unit = _unit_after(s.masked, m.end("v"))
        review = False
        before = s.before(m.start("v"))
        if m.group("label"):
            statistic, measure = "effect", _EFFECT_LABELS[m.group("label").lower()]
        elif unit == "%":  # a percent with its CI: a percent difference, else a share
            changed = _EFFECT_BEFORE.search(before) or _EFFECT_AFTER.match(
                s.masked[m.end() : m.end() + WINDOW]
            )
            statistic, measure = (
                ("effect", "percent_difference") if changed else ("share", "percent")
            )
        else:
            effect = effect_of(before)
            label = find_label(before)
            effect_pos = max(
                (
                    mm.start()
                    for mm in re.finditer(r"(?i)ratio|odds|risk|β|beta|difference", before)
                ),
                default=-1,
            )
            label_pos = -1 if label is None else label.position
            if effect is not None and effect_pos >= label_pos:
                statistic, measure = ("ratio", "fold") if effect == "fold" else ("effect", effect)
            elif label is not None:
                statistic, measure = "location", label.measure
            elif re.search(
                r"^(?:[^.;]|\.(?=\d)){0,80}?\b(?:higher|lower|greater|less|more|difference|increase|decrease)",
                s.text[m.end() : m.end() + WINDOW],
            ):
                statistic, measure = "effect", "difference"
            elif s.carried is not None:
                statistic, measure, review = "location", s.carried, True
            else:
                statistic, measure, review = "effect", "other", True
        row = _Row(
            statistic,
            measure,
            m.group("v"),
            a,
            m.end("hi"),
            low=m.group("lo"),
            high=m.group("hi"),
            spread="ci",
            unit=unit,
            needs_review=review,
        )
        s.add(row, a, m.end())


def _plus_minus(s: _Sentence) -> None:
    for m in pat.PLUS_MINUS.finditer(s.masked):
        if not s.free(m.start("v"), m.end("s")):
            continue
        found = _location_measure(s, m.start())
        measure, review = found if found is not None else ("mean", False)
        spread = "se" if spread_of(s.before(m.start())) == "se" else "sd"
        unit = _unit(m.group("u1"), m.group("u2"), m.group("u3")) or _unit_after(s.masked, m.end())
        end = m.end("hi") if m.group("hi") else m.end("s")
        row = _Row("location", measure, m.group("v"), m.start("v"), end, low=m.group("s"))
        row.spread, row.unit, row.needs_review = spread, unit, review
        s.add(row, m.start(), m.end())


_EFFECT_LABEL_BEFORE = re.compile(
    r"(?:\b(?P<label>aOR|AOR|OR|aRR|RR|HR|PR|IRR|β|beta)|(?P<words>odds\s+ratio|risk\s+ratio|"
    r"relative\s+risk|hazard\s+ratio|prevalence\s+ratio|ratio|difference))\s*"
    r"(?:\([^)]*\)\s*)?(?:of|was|were|is|=|:|,)?\s*$",
    re.IGNORECASE,
)


def _interval_effect(s: _Sentence, m: re.Match[str], before: str, inner: str) -> bool:
    """``OR 2.3 (1.1-4.6)``: an interval right after an effect's name is its CI."""
    lab = _EFFECT_LABEL_BEFORE.search(before[-40:])
    if lab is None:
        return False
    if lab.group("label"):
        statistic, measure = "effect", _EFFECT_LABELS[lab.group("label").lower()]
    else:
        named = effect_of(lab.group("words")) or "difference"
        statistic, measure = ("ratio", "fold") if named == "fold" else ("effect", named)
    spread = "range" if re.search(r"(?i)\brange\b", inner) else "ci"
    row = _Row(statistic, measure, m.group("v"), m.start("v"), m.end("hi"), low=m.group("lo"))
    row.high, row.spread = m.group("hi"), spread
    row.unit = _unit(m.group("u1"), m.group("u2"), m.group("u3"))
    row.needs_review = "CI" not in inner and "confidence" not in inner.lower()
    s.add(row, m.start(), m.end())
    return True


def _intervals(s: _Sentence) -> None:
    matches = [*pat.INTERVAL.finditer(s.masked), *pat.SPREAD_AFTER.finditer(s.masked)]
    for m in sorted(matches, key=lambda m: m.start()):
        if not s.free(m.start("v"), m.end("hi")):
            continue
        inner = m.group("lab") or ""
        if re.search(r"(?i)\bn\b|\bp\b", inner):
            continue
        before = s.before(m.start())
        if _interval_effect(s, m, before, inner):
            continue
        found = _location_measure(s, m.start(), inner)
        if found is None:
            continue
        measure, review = found
        label = find_label(before)
        scope = before[label.position :] if label is not None else before
        spread = spread_of(inner) or spread_of(scope) or _default_spread(measure)
        if spread in ("sd", "se"):  # "mean (SD)" does not print bounds
            spread = _default_spread(measure)
        unit = _unit(m.group("u1"), m.group("u2"), m.group("u3"))
        row = _Row("location", measure, m.group("v"), m.start("v"), m.end("hi"), low=m.group("lo"))
        row.high, row.spread, row.unit, row.needs_review = m.group("hi"), spread, unit, review
        s.add(row, m.start(), m.end())


_RANGE_MEAN = re.compile(
    rf"(?i)\branged?\s+from\s+(?P<lo>{pat.BOUND})\s*(?:to|-)\s*(?P<hi>{pat.BOUND})\s?"
    rf"(?P<u1>{CONCENTRATION})?\s*[,;]?\s*(?:with\s+a\s+|and\s+a\s+)?(?P<m>mean|median)\s*"
    rf"(?:of\s+|was\s+|=\s*|:\s*)?(?P<v>{pat.NUM})\s?(?P<u2>{CONCENTRATION})?"
)


def _range_then_centre(s: _Sentence) -> None:
    """``ranged from 0.3 to 3.2 ng/ml, mean 0.97 ng/ml``: a location with its range."""
    for m in _RANGE_MEAN.finditer(s.masked):
        if not s.free(m.start(), m.end()):
            continue
        row = _Row("location", m.group("m").lower(), m.group("v"), m.start("lo"), m.end("v"))
        row.low, row.high, row.spread = m.group("lo"), m.group("hi"), "range"
        row.unit = _unit(m.group("u2"), m.group("u1"))
        s.add(row, m.start(), m.end())


def _value_spread_word(s: _Sentence) -> None:
    """``250 pmol/L (SD 80)``: a location with its SD or SE named in the bracket."""
    for m in pat.VALUE_SPREAD_WORD.finditer(s.masked):
        if not s.free(m.start("v"), m.end("s")):
            continue
        found = _location_measure(s, m.start())
        measure, review = found if found is not None else ("mean", True)
        spread = (
            "sd" if m.group("w").lower().startswith("s") and "d" in m.group("w").lower() else "se"
        )
        row = _Row("location", measure, m.group("v"), m.start("v"), m.end("s"), low=m.group("s"))
        row.spread, row.unit, row.needs_review = (
            spread,
            _unit(m.group("u1"), m.group("u2")),
            review,
        )
        s.add(row, m.start(), m.end())


def _labelled_values(s: _Sentence) -> None:
    """``the mean age was 28.4 years``: a single value right after its measure."""
    for m in pat.LABELLED_VALUE.finditer(s.masked):
        if not s.free(m.start("v"), m.end("v")):
            continue
        measure = "geometric_mean" if "geometric" in m.group("m").lower() else m.group("m").lower()
        measure = "mean" if measure == "average" else measure
        row = _Row("location", measure, m.group("v"), m.start("v"), m.end("v"))
        row.unit = normalise_unit(m.group("u"))
        s.add(row, m.start("v"), m.end("v"))


def _value_sd(s: _Sentence) -> None:
    for m in pat.VALUE_SD.finditer(s.masked):
        if not s.free(m.start("v"), m.end("s")):
            continue
        before = s.before(m.start())
        if spread_of(before) not in ("sd", "se"):
            continue
        found = _location_measure(s, m.start())
        measure, review = found if found is not None else ("mean", True)
        unit = _unit(m.group("u1"), m.group("u2")) or _unit_after(s.masked, m.end())
        row = _Row("location", measure, m.group("v"), m.start("v"), m.end("s"), low=m.group("s"))
        row.spread, row.unit, row.needs_review = spread_of(before) or "sd", unit, review
        s.add(row, m.start(), m.end())


def _ratios(s: _Sentence) -> None:
    for m in pat.RATIO.finditer(s.masked):
        if s.free(m.start(), m.end()):
            s.add(
                _Row("ratio", "fold", m.group("v"), m.start("v"), m.end(), unit="fold"),
                m.start(),
                m.end(),
            )


@dataclass(frozen=True)
class _Cutoff:
    start: int
    end: int
    text: str
    lost: bool
    owner: int | None  # the share printed right before it, which it belongs to
    prefix: bool  # introduces the shares after it


def _cutoffs(s: _Sentence) -> list[_Cutoff]:
    """The sentence's cut-offs, each with the share it follows or whether it leads."""
    if s.cutoffs is not None:
        return s.cutoffs
    shares = sorted(
        [m.start() for m in re.finditer(r"\d\s*(?:%|per\s?cent|percent)", s.masked)]
        + [m.start() for m in pat.SHARE_WORDS.finditer(s.masked)]
    )
    found = []
    previous_end = 0
    for m in pat.CUTOFF.finditer(s.masked):
        rest = s.masked[m.end() : m.end() + 60]
        i = bisect.bisect_left(shares, m.start()) - 1
        owner = shares[i] if i >= 0 else None
        if owner is not None and (owner < previous_end or m.start() - owner >= 150):
            owner = None
        introduces = re.match(r"^[\s)]*(?:in|among|of|was\s+found\s+in)\s+[\d.]+\s*%", rest)
        if introduces:
            owner = None
        prefix = owner is None or re.match(r"^[\s)]*[;,]\s*[\d.]+\s*%", rest) is not None
        text = s.original[m.start() : m.end()]
        found.append(_Cutoff(m.start(), m.end(), text, s.masked[m.start()] == "!", owner, prefix))
        previous_end = m.end()
    s.cutoffs = found
    return found


def _cutoff_for(s: _Sentence, a: int, b: int) -> tuple[str, bool]:
    """The cut-off of the share printed at ``[a, b)``.

    A cut-off printed right after a share belongs to it ("15% were deficient
    (<148 pmol/L)"); any other cut-off introduces the shares after it ("(<160
    pg/ml) in 72% of the mothers and 41% of the babies"), up to the next one.
    """
    cutoffs = _cutoffs(s)
    starts = [c.start for c in cutoffs]
    i = bisect.bisect_left(starts, b)
    chosen: tuple[str, bool] | None = None
    owner = cutoffs[i].owner if i < len(cutoffs) else None
    if owner is not None and a <= owner < b + 1:
        chosen = (cutoffs[i].text, cutoffs[i].lost)
    if chosen is None:
        for c in reversed(cutoffs[:i]):
            if c.prefix and c.end <= a:
                chosen = (c.text, c.lost)
                break
    if chosen is None and i < len(cutoffs) and cutoffs[i].start - b < 150:
        chosen = (cutoffs[i].text, cutoffs[i].lost)
    if chosen is None:
        base = max(0, a - WINDOW)
        for m in _LOST_CUTOFF.finditer(s.masked_before(a)):
            chosen = (s.original[base + m.start("c") : base + m.end("c")], True)
    return chosen if chosen is not None else ("", False)


def _share_row(
    s: _Sentence, m: re.Match[str], value: str, a: int, b: int
) -> tuple[_Row, int, int]:
    before, after = s.masked_before(a), s.masked[b : b + WINDOW]
    row = _Row("share", "percent", value, a, b, unit="%")
    start, end = a, b
    cm = re.search(
        rf"(?<![\w.#,])(?P<k>\d{{1,3}}(?:,\d{{3}})+|\d+)\s*(?:/\s*(?P<n>\d+)\s*)?"
        rf"(?:\s+{pat.NOUNS}\s*)?\(\s*$",
        before,
    ) or _WORD_COUNT.search(before)
    if cm:
        k = cm.group("k")
        row.count, row.n, start = (
            k if k.replace(",", "").isdigit() else str(word_to_int(k)),
            cm.group("n") or "",
            max(0, a - WINDOW) + cm.start(),
        )
    else:
        cm = re.match(r"^\s*\(\s*(?P<k>\d+)\s*(?:/\s*(?P<n>\d+)\s*)?\)", after)
        if cm:
            row.count, row.n, end = cm.group("k"), cm.group("n") or "", b + cm.end()
    after_n = re.match(
        r"^[\s)]*(?:\(\s*n\s*=\s*(?P<n>\d+)\s*\)|(?:of|out\s+of)\s+(?:the\s+|all\s+)?(?P<m>\d+)\b)",
        s.masked[end : end + 40],
    )
    if not row.n and after_n:
        row.n = after_n.group("n") or after_n.group("m")
    if not row.n and row.count:
        of_n = list(_OF_N.finditer(before))
        if of_n:
            row.n = of_n[-1].group("n")
    row.cutoff_text, lost = _cutoff_for(s, a, b)
    row.needs_review = lost
    row.start, row.end = start, end if not row.count or end > b else b
    return row, start, end


_NOT_A_SHARE_BEFORE = re.compile(
    r"(?i)(?:\bpower\s+(?:of\s+)?|\bCVs?\b[^.;%]{0,30}|coefficients?\s+of\s+variation[^.;%]{0,30}"
    r"|(?:intra|inter)-?\s?assay[^.;%]{0,40})$"
)


def _shares(s: _Sentence) -> None:
    for m in pat.SHARE.finditer(s.masked):
        a, b = m.start("v"), m.end()
        if not s.free(a, b):
            continue
        before = s.masked_before(m.start())
        if re.match(
            r"(?i)^\s*(?:CI|confidence|credible|power|of\s+(?:the\s+)?(?:variance|variation))",
            s.masked[b : b + WINDOW],
        ) or _NOT_A_SHARE_BEFORE.search(before):
            s.claim(a, b)
            continue
        value = m.group("v")
        rel = (m.group("rel") or "").strip()
        signed = value[0] in "+-"
        if (
            signed
            or _EFFECT_AFTER.match(s.masked[b : b + WINDOW])
            or _EFFECT_BEFORE.search(before)
        ):
            row = _Row("effect", "percent_difference", value, a, b, unit="%")
            if m.group("hi"):
                hi = m.group("hi")
                row.low, row.high, row.spread, row.needs_review = value, hi, "range", True
                if value.startswith("-"):  # "-16-17%": both ends are falls
                    row.high = "-" + hi
            if rel:
                row.needs_review = True
            s.add(row, m.start(), b)
            continue
        if m.group("hi"):  # "16-42%" without a sign: a range of shares
            row, start, end = _share_row(s, m, value, a, b)
            row.low, row.high, row.spread, row.needs_review = value, m.group("hi"), "range", True
        else:
            row, start, end = _share_row(s, m, value, a, b)
        if rel and rel != "~":
            row.needs_review = True
        s.add(row, min(start, m.start()), max(end, b))
    for m in pat.SHARE_WORDS.finditer(s.masked):
        if s.free(m.start(), m.end()):
            value = str(word_to_int(m.group("v")))
            row, start, end = _share_row(s, m, value, m.start(), m.end())
            s.add(row, start, end)
    for m in _FRACTION_SHARE.finditer(s.masked):
        if s.free(m.start("v"), m.end("v")):
            words = " ".join(m.group("v").lower().replace("-", " ").split())
            percent = 100 * _WORD_FRACTIONS[words.replace("one half", "half")]
            value = f"{percent:.1f}".removesuffix(".0")
            row, start, end = _share_row(s, m, value, m.start("v"), m.end("v"))
            s.add(row, start, end)


def _k_of_n(s: _Sentence) -> None:
    for m in pat.K_OF_N.finditer(s.masked):
        if not s.free(m.start("k"), m.end("n")):
            continue
        k = m.group("k")
        if not k.isdigit():
            if k.lower() in ("one",):
                continue
            k = str(word_to_int(k))
        if int(k) > int(m.group("n")):
            continue
        # no percent printed: the value is empty (k and n are the share)
        row = _Row("share", "percent", "", m.start("k"), m.end("n"), count=k, n=m.group("n"))
        row.cutoff_text, row.needs_review = _cutoff_for(s, m.start("k"), m.end("n"))
        s.add(row, m.start("k"), m.end("n"))


def _populations(s: _Sentence) -> None:
    for m in pat.POPULATION.finditer(s.masked):
        a, b = m.start("v"), m.end("v")
        if not s.free(a, b):
            continue
        raw = m.group("v")
        if _POP_BEFORE_SKIP.search(s.masked_before(a)):
            continue
        if raw.replace(",", "").isdigit():
            value = raw
        else:
            if raw.lower() in ("one", "zero"):
                continue
            value = str(word_to_int(raw))
        s.add(_Row("sample_size", "n", value, a, b), a, b)


def _locations(s: _Sentence) -> None:
    conc = re.compile(CONCENTRATION)
    for m in pat.LIST_VALUES.finditer(s.masked):
        units = list(conc.finditer(m.group("list")))
        if not units:  # a list of numbers without a unit: no locations
            continue
        listed = m.group("list")[: units[-1].end()]  # up to its last unit
        end = m.start() + len(listed)
        items = [
            n
            for n in re.finditer(pat.NUM, listed)
            if s.free(m.start() + n.start(), m.start() + n.end())
        ]
        if not items:
            continue
        before = s.masked_before(m.start())
        if _CUTOFF_WORDS.search(before) or _CUTOFF_CLAUSE.search(before[-80:]):
            continue
        if re.search(
            r"(?i)(?:deficien\w*|insufficien\w*|level|folate|B\s?-?##)\s*\(\s*$", before
        ) and re.match(r"^\s*\)", s.masked[end : end + 20]):
            continue  # "(200 pg/mL)" after a deficiency: a cut-off whose "<" was lost
        vs = re.search(r"\bvs\.?|\bversus\b", listed) is not None
        found = _location_measure(s, m.start())
        if found is None or (found[1] and not vs and len(items) < 2):
            if not vs:  # a single value under a label of an earlier sentence: a dose, a limit
                continue
            measure, review = "", True
        else:
            measure, review = found
        if re.search(r"(?i)ranged?\s+from\s*$|\brange\s*:?\s*$", before):
            continue
        for num in items:
            a, b = m.start() + num.start(), m.start() + num.end()
            tail = conc.search(listed, num.end())
            unit = normalise_unit(tail.group()) if tail else ""
            s.add(
                _Row("location", measure, num.group(), a, b, unit=unit, needs_review=review), a, b
            )


_OWNERS = ("correlation", "effect", "ratio")


def _attach_p(s: _Sentence, ps: list[tuple[int, int, str, bool]]) -> None:
    """Give each P to the estimate it tests, else make it a P-only comparison.

    A P belongs to the correlations, effects and ratios printed before it in
    its bracket, else (a bracket holding no estimate) to those of the same
    clause before the bracket. A P with only group values (medians, shares)
    is a ``comparison``/``p_only`` row; the values in its bracket get it as
    their ``p_text`` too.
    """
    off = s.offset
    previous_end = 0
    local = sorted(s.rows, key=lambda r: r.start)
    for a, b, text, lost in ps:
        pos = s.text.rfind("(", 0, a) if lost else a
        bracket = enclosing_bracket(s.text, pos)
        inside = []
        if bracket is not None:
            inside = [
                r
                for r in local
                if max(bracket, previous_end) <= r.start - off and r.end - off <= a
            ]
        owners = [r for r in inside if r.statistic in _OWNERS and not r.p_text]
        if not owners and not any(r.statistic in _OWNERS for r in inside):
            stop = bracket if bracket is not None else pos
            clause = max(previous_end, s.text.rfind(";", 0, stop) + 1)
            owners = [
                r
                for r in local
                if r.statistic in _OWNERS
                and not r.p_text
                and clause <= r.start - off
                and r.end - off <= stop
                and (bracket is not None or stop - (r.end - off) < 60)
            ]
        if owners:
            for r in owners:
                r.p_text = text
                r.needs_review = r.needs_review or lost
        else:
            num = re.search(r"\d*\.\d+|\d+", s.text[a:b])
            value = num.group() if num else ""
            s.add(_Row("comparison", "p_only", value, a, b, p_text=text, needs_review=lost), a, b)
            for r in inside:
                if r.statistic in ("location", "share") and not r.p_text:
                    r.p_text = text
        previous_end = b


def _share_units(s: _Sentence) -> None:
    """``245 ± 98 vs. 310 ± 120 pg/mL``: a value without a unit takes the next one's."""
    locations = sorted((r for r in s.rows if r.statistic == "location"), key=lambda r: r.start)
    for left, right in reversed(list(itertools.pairwise(locations))):
        gap = s.text[left.end - s.offset : right.start - s.offset]
        if not left.unit and right.unit and re.fullmatch(r"\s*(?:vs\.?|versus|and|,)\s*", gap):
            left.unit = right.unit


def _read_sentence(
    text: str, masked: str, original: str, offset: int, carried: str | None
) -> _Sentence:
    s = _Sentence(text, masked, original, offset, carried)
    ps = _p_values(s)
    _sample_sizes_equal(s)
    _correlations(s)
    _effects_with_ci(s)
    _plus_minus(s)
    _intervals(s)
    _range_then_centre(s)
    _value_spread_word(s)
    _value_sd(s)
    _ratios(s)
    _shares(s)
    _k_of_n(s)
    _populations(s)
    _locations(s)
    _labelled_values(s)
    _attach_p(s, ps)
    _share_units(s)
    if mentions_respectively(text) and len(s.rows) > 1:
        for r in s.rows:
            r.needs_review = True
    return s


def _rows(text: str) -> list[tuple[_Row, tuple[int, int]]]:
    norm = normalise(text)
    masked = mask_names(norm)
    carried: str | None = None
    out = []
    for a, b in sentences(norm):
        s = _read_sentence(norm[a:b], masked[a:b], text[a:b], a, carried)
        label = find_label(norm[a:b])
        if label is not None:
            carried = label.measure
        for row in sorted(s.rows, key=lambda r: (r.start, r.end)):
            out.append((row, (a, b)))
    return out


def extract_text(text: str, *, file: str | None = None) -> pd.DataFrame:
    """Summary statistics printed in ``text``, one row each (columns :data:`COLUMNS`).

    Parameters
    ----------
    text
        Plain text (for HTML, pass the result of :func:`read_text_file`).
    file
        Fills the ``file`` column.

    Returns
    -------
    pandas.DataFrame
        Strings as printed (``value``, ``low``, ``high``, ``count``, ``n``, ``p_text``,
        ``cutoff_text``), the normalised ``unit``, 0-based ``start``/``end`` offsets
        of the statistic's numbers in ``text`` (end exclusive), its sentence in
        ``text`` and ``needs_review``.

    Raises
    ------
    DataValidationError
        If ``text`` is not a string.

    Examples
    --------
    >>> t = "Milk and serum B12 were correlated (r = .36, P < 0.001; n = 40)."
    >>> row = extract_text(t).iloc[0]
    >>> row.statistic, row.value, row.p_text, t[row.start : row.end]
    ('correlation', '.36', 'P < 0.001', '.36')
    """
    import pandas as pd

    if not isinstance(text, str):
        raise DataValidationError(
            f"extract_text needs a string, got {type(text).__name__}", file=file
        )
    records = []
    for row, (a, b) in _rows(text):
        records.append(
            {
                "file": file or "",
                "statistic": row.statistic,
                "measure": row.measure,
                "value": row.value,
                "low": row.low,
                "high": row.high,
                "spread": row.spread,
                "count": row.count,
                "n": row.n,
                "p_text": row.p_text,
                "unit": row.unit,
                "cutoff_text": row.cutoff_text,
                "start": row.start,
                "end": row.end,
                "text": " ".join(text[a:b].split()),
                "needs_review": row.needs_review,
            }
        )
    frame = pd.DataFrame(records, columns=list(COLUMNS))
    return frame.astype({"start": "int64", "end": "int64", "needs_review": "bool"})


# --- files -----------------------------------------------------------------------------------

_SKIP_TAGS = {
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "aside",
    "noscript",
    "form",
    "svg",
    "head",
    "template",
}
_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "main", "blockquote", "dd", "dt", "figcaption", "title",
}  # fmt: skip


class _MainText(HTMLParser):
    """Text of an HTML page without scripts, navigation and page furniture."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.main_parts: list[str] = []
        self.skip = 0
        self.main = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in ("main", "article"):
            self.main += 1
        if tag in _BLOCK_TAGS:
            self._emit("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self.skip:
            self.skip -= 1
        elif tag in ("main", "article") and self.main:
            self.main -= 1
        if tag in _BLOCK_TAGS:
            self._emit("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self._emit(data)

    def _emit(self, text: str) -> None:
        self.parts.append(text)
        if self.main:
            self.main_parts.append(text)

    def text(self) -> str:
        chosen = (
            "".join(self.main_parts) if "".join(self.main_parts).strip() else "".join(self.parts)
        )
        lines = [" ".join(line.split()) for line in chosen.splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _is_html(path: Path, text: str) -> bool:
    if path.suffix.lower() in (".html", ".htm", ".xhtml"):
        return True
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html"))


def read_text_file(path: str | Path) -> str:
    """The text of a plain-text file, or the main text of an HTML file.

    Raises
    ------
    DataValidationError
        Naming the file, if it is missing, a directory, empty, binary or not UTF-8.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.html"
    >>> _ = p.write_text("<html><script>x=1</script><p>Median 3 (2, 4) pmol/L.</p></html>")
    >>> read_text_file(p)
    'Median 3 (2, 4) pmol/L.\\n'
    """
    p = Path(path)
    if not p.exists():
        raise DataValidationError("file not found", file=path)
    if p.is_dir():
        raise DataValidationError("is a directory, not a text file", file=path)
    data = p.read_bytes()
    if not data.strip():
        raise DataValidationError("the file is empty", file=path)
    if b"\x00" in data[:8192]:
        raise DataValidationError(
            "a binary file, not text (expected plain text or HTML)", file=path
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataValidationError(
            f"not UTF-8 text (byte {exc.start}); save it as UTF-8", file=path
        ) from None
    if _is_html(p, text):
        parser = _MainText()
        parser.feed(text)
        parser.close()
        text = parser.text()
        if not text.strip():
            raise DataValidationError("the HTML page has no text", file=path)
    return text


def text_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files ``paths`` stand for: a folder is its ``*.txt``/``*.html`` files, sorted."""
    out: list[Path] = []
    for path in paths:
        p = Path(path)
        if p.is_dir():
            found = sorted(
                q
                for q in p.iterdir()
                if q.is_file() and q.suffix.lower() in (".txt", ".html", ".htm")
            )
            if not found:
                raise DataValidationError("the folder has no .txt or .html files", file=path)
            out.extend(found)
        else:
            out.append(p)
    return out


def extract_files(paths: Iterable[str | Path]) -> pd.DataFrame:
    """:func:`extract_text` over files; a folder stands for its ``*.txt``/``*.html`` files, sorted.

    The ``file`` column holds each file's name as given (inside a folder: the
    folder joined with the name).

    Raises
    ------
    DataValidationError
        For a file :func:`read_text_file` cannot read, or a folder without texts.
    """
    import pandas as pd

    frames = [extract_text(read_text_file(p), file=str(p)) for p in text_files(paths)]
    if not frames:
        return pd.DataFrame(columns=list(COLUMNS))
    return pd.concat(frames, ignore_index=True)
