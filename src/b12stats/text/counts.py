"""Extractor passes for counts: shares with their cut-offs, "k of n" and sample sizes.

A share's count and denominator are read next to it, and its cut-off is the
one printed right after it or the one introducing it (:func:`_cutoff_for`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from b12stats.stats.printed import _WORD_FRACTIONS
from b12stats.text import patterns as pat
from b12stats.text.estimates import _EFFECT_AFTER, _EFFECT_BEFORE
from b12stats.text.numbers import word_to_int
from b12stats.text.sentence import WINDOW, _Row, _Sentence

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
#: ``involuntary movements were encountered in 18.``: a count at the end of a clause, the
#: share of the sample printed before (needs review)
_FOUND_IN = re.compile(
    r"(?i)\b(?:present|found|seen|observed|encountered|noted|detected|occurred|reported)"
    r"\s+in\s+(?P<k>\d+)(?=\s*(?:[.;]|$))"
)
#: after a population (``Twelve mothers``, ``Only 6 children below four months``): it
#: had a condition, so the number counts a share whose percent is not printed
_HAD_CONDITION = re.compile(
    r"(?i)^(?:(?!\b(?:who|that|which|with|and|or)\b)[^.;,()\d]){0,60}?"
    r"\b(?:had|has|have|showed|developed|were|was)\s+(?:a\s+)?"
    r"(?:low|high|raised|elevated|reduced|abnormal|suspect(?:ed)?|deficient|insufficient|"
    r"marginal|subclinical|an(?:a)?emi\w*)\b"
)
#: ``of them 39 were deficient and 145 were sufficient``: the sizes of the groups a sample
#: is split into, printed without a noun
_GROUP_SIZES = re.compile(
    r"(?i)\b(?:out\s+)?of\s+(?:them|these|those|whom)\s*,?\s*(?P<a>\d+)\s+were\s+"
    r"[^.;,()\d]{1,40}?\s+and\s+(?P<b>\d+)\s+were\b"
)


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


def _found_in(s: _Sentence) -> None:
    for m in _FOUND_IN.finditer(s.masked):
        a, b = m.span("k")
        if not s.free(a, b) or not s.sample or int(m.group("k")) > int(s.sample.replace(",", "")):
            continue
        row = _Row("share", "percent", "", a, b, count=m.group("k"), n=s.sample)
        row.cutoff_text, _ = _cutoff_for(s, a, b)
        row.needs_review = True  # its n is that of an earlier sentence
        s.add(row, a, b)


def _group_sizes(s: _Sentence) -> None:
    for m in _GROUP_SIZES.finditer(s.masked):
        for g in ("a", "b"):
            a, b = m.span(g)
            if s.free(a, b):
                s.add(_Row("sample_size", "n", m.group(g), a, b), a, b)


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
        if _HAD_CONDITION.search(s.masked[m.end() : m.end() + WINDOW]):
            row = _Row("share", "percent", "", a, b, count=value)
            row.cutoff_text, row.needs_review = _cutoff_for(s, a, b)
            s.add(row, a, b)
        else:
            s.add(_Row("sample_size", "n", value, a, b), a, b)
