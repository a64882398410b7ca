"""Character-level preparation of a text: same-length normalisation, sentences, masks.

Every function here keeps offsets: the normalised and masked texts have the
length of the input, so a match at ``[start, end)`` in them is the same span
of the user's text.
"""

from __future__ import annotations

import re

__all__ = ["enclosing_bracket", "mask_names", "normalise", "sentences"]

# one character for one character, so offsets survive
_SAME_LENGTH = str.maketrans(
    {
        "·": ".",  # Lancet middle-dot decimals
        "−": "-",
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "μ": "µ",  # Greek mu -> micro sign
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "∼": "~",
        "≈": "~",
        "\u2264": "≤",
    }
)


def normalise(text: str) -> str:
    """The text with typographic characters replaced one for one (same length).

    Examples
    --------
    >>> normalise("P = 0·006; 3 μg; −0.2")
    'P = 0.006; 3 µg; -0.2'
    """
    return text.translate(_SAME_LENGTH)


_ABBREVIATIONS = (
    "vs", "e.g", "i.e", "ie", "eg", "al", "fig", "figs", "approx", "ca", "no", "dr",
    "ed", "ref", "refs", "resp", "st", "inc", "ltd", "mr", "mrs", "ms", "prof", "cf",
)  # fmt: skip
_END = re.compile(r"[.!?](?=[\s\"'”’)\]]*\s)|[.!?](?=[A-Z][a-z]+:)|(?<=[a-z)])\.(?=[A-Z][a-z])")
_HEADING = re.compile(r"\n")


def _is_abbreviation(text: str, dot: int) -> bool:
    m = re.search(r"([A-Za-z.]+)$", text[max(0, dot - 12) : dot])
    return m is not None and m.group(1).lower().rstrip(".") in _ABBREVIATIONS


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text`` (end exclusive, whitespace trimmed).

    A sentence ends at ``.``, ``!`` or ``?`` followed by space (not after an
    abbreviation such as "vs." or "e.g.", and never inside a decimal such as
    "0.36"), at a run-in heading ("disorders.Objective:"), at a blank line, and
    at a line break after a short line or after final punctuation (lines of
    text copied from PDFs, which break mid-sentence, are joined).

    Examples
    --------
    >>> t = "Median was 3.5 (vs. 2.1). Next one.\\nHeading\\nBody r = .2."
    >>> [t[a:b] for a, b in sentences(t)]
    ['Median was 3.5 (vs. 2.1).', 'Next one.', 'Heading', 'Body r = .2.']
    """
    cuts: set[int] = set()
    for m in _END.finditer(text):
        if text[m.start()] == "." and _is_abbreviation(text, m.start()):
            continue
        cuts.add(m.end())
    for m in _HEADING.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line = text[line_start : m.start()].rstrip()
        nxt = text[m.end() : m.end() + 1]
        if not line or len(line) < 80 or line[-1] in ".!?:" or (nxt and not nxt.strip()):
            cuts.add(m.start())
    spans = []
    start = 0
    for cut in [*sorted(cuts), len(text)]:
        a, b = start, cut
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            spans.extend(_chunks(text, a, b))
        start = max(start, cut)
    return spans


#: Longest "sentence" read as one (characters): a table copied as text, with no
#: full stops, is cut at spaces into pieces this long so the work stays linear.
MAX_SENTENCE = 2000


def _chunks(text: str, a: int, b: int) -> list[tuple[int, int]]:
    out = []
    while b - a > MAX_SENTENCE:
        cut = text.rfind("; ", a, a + MAX_SENTENCE)
        if cut <= a:
            cut = text.rfind(" ", a + MAX_SENTENCE // 2, a + MAX_SENTENCE)
        if cut <= a:
            cut = a + MAX_SENTENCE
        out.append((a, cut))
        a = cut
        while a < b and text[a].isspace():
            a += 1
    if b > a:
        out.append((a, b))
    return out


_NAME_PATTERNS = [
    r"https?://\S+|www\.\S+",
    r"\bdoi:?\s*\S+|\b10\.\d{4,}/\S+",
    r"\bPMID:?\s*\d+",
    r"\bNCT\d+|\bISRCTN\d+|\bCTRI/[\d/]+",
    r"\b[A-Z]\d+[A-Z]\d+\b",  # H1N1
    r"\b\d*[a-z]*B[\s-]?(?:12|6|2|1|9)\b(?!\s*[.,]?\d)",  # B-12, B 12, 3cB12
    r"\bB[\s-]?(?:12|6|2|1|9)\b",
    r"\b(?:kg|m)/m\s?[23²³]\b",
    r"\b\d+(?:st|nd|rd|th)\b",
    r"\b\d+(?::\d+)+\b",  # allocation ratios 1:1:1:1, clock times
    r"\b\d+\s*\(\s*\d+(?:-\d+)?\s*\)\s*:\s*\d+(?:-\d+)?",  # 148 ( 1 ) : 86-93
    r"\b\d+\(\d+(?:-\d+)?\)",  # journal volume 90(5-6)
    r";\s*\d+\s*\(\d+\):\s*\d+(?:-\d+)?",
    r"\b\d+(?:-\d+){2,}\b",  # grant and registry numbers
    r"\b(?:19|20)\d\d\b(?!\s*(?:[-,]\s*\d+\s*)?(?:pmol|pg|ng|nmol|µ|g\b|women|mothers|infants|children))",
    r"(?<=[A-Za-z])-\d+\b(?![.\d]*\s*%)",  # omega-3, COVID-19
    r"\b(?:Fig(?:ure)?s?\.?|Tables?|SPSS|version|ed\.)\s*\d+(?:\.\d+)?",
    r"\b\d+\s*[´'′]?-?\s*phosphate|\b\d+\s*-?hydroxy",
    r"\b\d+-?(?:month|week|year|day)s?-old\b",
    r"\(\s*\d+(?:\.\d+)?\s*\)(?=\.?\s*(?:[A-Z]|$))(?<=^\(\d{3}\.\d\))",
]
_NAMES = re.compile("|".join(f"(?:{p})" for p in _NAME_PATTERNS))


def mask_names(text: str) -> str:
    """The text with the digits of names replaced by ``#`` (same length).

    Names: vitamin names (B-12, B 12), virus and trial ids (H1N1, NCT...),
    kg/m2, ordinals, ratios such as 1:1:1:1, journal volumes ("90(5-6)"),
    grant numbers, years, DOIs, URLs, PMIDs, figure/table numbers and chemical
    positions ("5'-phosphate").

    Examples
    --------
    >>> mask_names("vitamin B-12 (NCT01234567), BMI 22 kg/m2, in 2017")
    'vitamin B-## (NCT########), BMI 22 kg/m#, in ####'
    """
    out = list(text)
    for m in _NAMES.finditer(text):
        for i in range(m.start(), m.end()):
            if out[i].isdigit():
                out[i] = "#"
    return "".join(out)


def enclosing_bracket(text: str, pos: int, limit: int = 400) -> int | None:
    """Index of the innermost ``(`` or ``[`` open at ``pos``, else ``None``.

    Looks back at most ``limit`` characters.

    Examples
    --------
    >>> enclosing_bracket("a (b [c] d) e", 9), enclosing_bracket("a (b) c", 6)
    (2, None)
    """
    depth = 0
    for i in range(pos - 1, max(-1, pos - 1 - limit), -1):
        ch = text[i]
        if ch in ")]":
            depth += 1
        elif ch in "([":
            if depth == 0:
                return i
            depth -= 1
    return None
