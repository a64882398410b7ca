"""Extractor passes for estimates: correlations, effects, locations and fold ratios.

Each pass reads one pattern of :mod:`b12stats.text.patterns` from a sentence
and adds its rows (see :mod:`b12stats.text.sentence`).
"""

from __future__ import annotations

import itertools
import re

from b12stats.text import patterns as pat
from b12stats.text.roles import effect_of, find_label, spread_of
from b12stats.text.sentence import (
    WINDOW,
    _default_spread,
    _location_measure,
    _Row,
    _Sentence,
    _unit,
    _unit_after,
)
from b12stats.text.units import CONCENTRATION, normalise_unit

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


def _add_value_with_spread(
    s: _Sentence, m: re.Match[str], spread: str, unit: str, *, review: bool, end: int | None = None
) -> None:
    """Add a location ``v`` with its SD or SE ``s`` (groups of ``m``).

    Its measure is the one named before it, else the carried one (review),
    else a mean (``review`` says whether that mean needs review).
    """
    found = _location_measure(s, m.start())
    measure, needs_review = found if found is not None else ("mean", review)
    stop = m.end("s") if end is None else end
    row = _Row("location", measure, m.group("v"), m.start("v"), stop, low=m.group("s"))
    row.spread, row.unit, row.needs_review = spread, unit, needs_review
    s.add(row, m.start(), m.end())


def _plus_minus(s: _Sentence) -> None:
    for m in pat.PLUS_MINUS.finditer(s.masked):
        if not s.free(m.start("v"), m.end("s")):
            continue
        spread = "se" if spread_of(s.before(m.start())) == "se" else "sd"
        unit = _unit(m.group("u1"), m.group("u2"), m.group("u3")) or _unit_after(s.masked, m.end())
        end = m.end("hi") if m.group("hi") else m.end("s")
        _add_value_with_spread(s, m, spread, unit, review=False, end=end)


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
        word = m.group("w").lower()
        spread = "sd" if word.startswith("s") and "d" in word else "se"
        _add_value_with_spread(s, m, spread, _unit(m.group("u1"), m.group("u2")), review=True)


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
        unit = _unit(m.group("u1"), m.group("u2")) or _unit_after(s.masked, m.end())
        _add_value_with_spread(s, m, spread_of(before) or "sd", unit, review=True)


def _ratios(s: _Sentence) -> None:
    for m in pat.RATIO.finditer(s.masked):
        if s.free(m.start(), m.end()):
            s.add(
                _Row("ratio", "fold", m.group("v"), m.start("v"), m.end(), unit="fold"),
                m.start(),
                m.end(),
            )


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


def _share_units(s: _Sentence) -> None:
    """``245 ± 98 vs. 310 ± 120 pg/mL``: a value without a unit takes the next one's."""
    locations = sorted((r for r in s.rows if r.statistic == "location"), key=lambda r: r.start)
    for left, right in reversed(list(itertools.pairwise(locations))):
        gap = s.text[left.end - s.offset : right.start - s.offset]
        if not left.unit and right.unit and re.fullmatch(r"\s*(?:vs\.?|versus|and|,)\s*", gap):
            left.unit = right.unit
