"""The regular expressions of the extractor (standard-library :mod:`re`).

Numbers: ``NUM`` is a printed number as it stands for a value ("0.36", ".23",
"13,612"); ``BOUND`` is a number inside an interval, where a comma separates
the bounds ("167,289" is two quartiles, never 167289).
"""

from __future__ import annotations

import re

from b12stats.text.numbers import WORD_NUMBER as WORD_NUMBER
from b12stats.text.units import CONCENTRATION, UNIT

__all__ = [
    "BOUND",
    "CORRELATION",
    "CORRELATION_WORDS",
    "CUTOFF",
    "EFFECT_CI",
    "INTERVAL",
    "K_OF_N",
    "LABELLED_VALUE",
    "LIST_VALUES",
    "NOUNS",
    "NUM",
    "N_EQUALS",
    "PLUS_MINUS",
    "POPULATION",
    "P_LOST",
    "P_VALUE",
    "RATIO",
    "SHARE",
    "SHARE_WORDS",
    "SPREAD_AFTER",
    "VALUE_SD",
    "VALUE_SPREAD_WORD",
]

_EDGE = r"(?<![\w.#/])"
NUM = _EDGE + r"(?<!\d-)[-+]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?![\d#])"
BOUND = _EDGE + r"[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?![\d#])"
_U = rf"(?:\s?{UNIT})"
_REL = r"(?:<=|>=|≤|≥|<|>|=)"

#: ``P < 0.001``, ``p=.03``, ``P-trend = 0.03``, ``p value<.0001``, ``P = <0.001``
P_VALUE = re.compile(
    rf"(?<![A-Za-z])[Pp](?:[\s-]*(?:values?|trend|for\s+trend|interaction|for\s+interaction))?"
    rf"\s*(?P<rel>=\s*(?:<|>|≤|≥)|{_REL})\s*"
    rf"(?P<num>\d*\.\d+(?:\s*[×x*]\s*10\s*[-−]\s*\d+)?|\d+(?:\.\d+)?(?:[eE]-?\d+)?)(?![\d#])"
)
#: ``( < 0.001)``: a P whose italic letter was lost.
P_LOST = re.compile(r"\(\s*(?P<rel><|=|≤)\s*(?P<num>0?\.\d+)\s*\)")

#: ``r = 0.36``, ``rho = 0.29``, ``r=-0.21``, ``rho = 0.36-0.55``, APA ``r(38) = .51``
CORRELATION = re.compile(
    rf"(?<![A-Za-z])(?P<label>r|R|rho|ρ|r_?s|Spearman's rho|Pearson's r)"
    rf"(?:\s*\(\s*(?P<df>\d+)\s*\))?\s*(?P<rel>{_REL})\s*"
    rf"(?P<v>{BOUND})(?:\s*(?:-|to)\s*(?P<hi>{BOUND}))?"
)

#: ``Spearman's correlation coefficient was 0.32``, ``correlation coefficient = -0.4``
CORRELATION_WORDS = re.compile(
    rf"(?i)\bcorrelation\s+(?:coefficients?\s*)?(?:\(\s*(?:r|rho|ρ|rs)\s*\)\s*)?"
    rf"(?:was|of|=|:|were)\s*(?P<v>{BOUND})(?![\d%])"
)

_CI = r"(?:\d{2}\s?%\s*(?:CI|confidence\s+intervals?)(?:\s*[(\[]CI[)\]])?|CI)"
#: ``aOR 1.51; 95% CI: 1.18, 1.92``, ``0.45 (95% CI 0.19, 0.73)``, ``2.0 (95% CI: 1.94-2.06)``
EFFECT_CI = re.compile(
    rf"(?:(?P<label>aOR|AOR|OR|aRR|RR|HR|PR|IRR|β|beta)\s*[:=]?\s*)?"
    rf"(?P<v>{BOUND}){_U}?\s*(?:[;,]\s*|[(\[]\s*)(?P<ci>{_CI})\s*[:,=]?\s*"
    rf"(?P<lo>{BOUND}){_U}?\s*(?:,|;|to|-)\s*(?P<hi>{BOUND}){_U}?\s*[)\]]?"
)

#: ``37.2 ± 2.6``, ``130 +/- 61.7 pg/ml``, with an optional range after: ``(22.3-41)``
PLUS_MINUS = re.compile(
    rf"(?P<v>{NUM})(?P<u1>{_U})?\s*(?:±|\+/-|\+-)\s*(?P<s>{BOUND})(?P<u2>{_U})?"
    rf"(?:\s*\((?P<lo>{BOUND})\s*-\s*(?P<hi>{BOUND})\))?(?P<u3>{_U})?"
)

_SPREAD_WORDS = (
    r"(?i:IQR|inter-?\s?quartile\s+range|inner\s+quartile\s+range|range|Q1\s*[-,]\s*Q3|"
    r"25th\s*[-,]\s*75th(?:\s+percentiles?)?|quartiles?(?:\s+1\s*(?:,|and)\s*3)?|min\s*[-,]\s*max)"
)
#: ``276 pmol/L (193, 399 pmol/L)``, ``245 (175-323) pmol/L``, ``421 [271-502]``,
#: ``220 (inner quartile range: 167,289) pmol/L``
INTERVAL = re.compile(
    rf"(?P<v>{NUM})(?P<u1>{_U})?\s*[(\[]\s*(?:(?P<lab>{_SPREAD_WORDS}|[A-Za-z][A-Za-z0-9 %]*?)"
    rf"(?:\s*[:=,]\s*|\s+(?=[-+.\d])))?"
    rf"(?P<lo>{BOUND})(?:{_U})?\s*(?:,|;|to|-)\s*(?P<hi>{BOUND})(?P<u2>{_U})?\s*[)\]]"
    rf"(?P<u3>{_U})?"
)

#: ``mean age was 28.4 years``, ``median birth weight of 3120 g``: a labelled single value
LABELLED_VALUE = re.compile(
    rf"(?i)\b(?P<m>mean|median|average|geometric\s+mean)\s+(?:[\w()-]+\s+){{0,5}}?"
    rf"(?:was|were|of|:|=|is)?\s*(?P<v>{NUM})\s?"
    rf"(?P<u>years?|y|months?|mo|weeks?|wk|days?|g|kg|cm|mL/d|(?:{CONCENTRATION}))(?![\w/])"
)

#: ``mean 250 pmol/L (SD 80)``, ``4.1 (SE 0.3)``
VALUE_SPREAD_WORD = re.compile(
    rf"(?P<v>{NUM})(?P<u1>{_U})?\s*[(\[]\s*(?P<w>SD|SE|SEM|s\.d\.)\s*[:=,]?\s*(?P<s>{BOUND})"
    rf"(?P<u2>{_U})?\s*[)\]]"
)

#: ``186 pmol/L; IQR: 110-262 pmol/L``: the spread named after a semicolon or comma
SPREAD_AFTER = re.compile(
    rf"(?P<v>{NUM})(?P<u1>{_U})?\s*[;,]\s*(?P<lab>{_SPREAD_WORDS}|\d{{2}}\s?%\s*CI)\s*[:=,]?\s*"
    rf"(?P<lo>{BOUND})(?:{_U})?\s*(?:,|to|-)\s*(?P<hi>{BOUND})(?P<u2>{_U})?(?P<u3>)"
)

#: ``24 (16) weeks`` after a "mean (SD)" label
VALUE_SD = re.compile(rf"(?P<v>{NUM})(?P<u1>{_U})?\s*\(\s*(?P<s>{BOUND})\s*\)(?P<u2>{_U})?")

#: ``2.03x higher``, ``2.5 times``, ``3-fold``
RATIO = re.compile(
    rf"(?P<v>{BOUND})\s*(?:x|×|-fold|\s?fold|\s?times)(?![\w]|\s*\d)"
    r"(?!\s*(?:daily|a\s+day|a\s+week|per\b|weekly|each|during|over|in\s+\d))"
)

#: ``63.7%``, ``+26%``, ``16-42%``; the relation before (">40%") is kept
SHARE = re.compile(
    rf"(?P<rel>(?i:more|fewer|less)\s+than\s+|>|<|≥|≤|~\s?)?(?P<v>[-+]?{BOUND})"
    rf"(?:\s*-\s*(?P<hi>{BOUND}))?\s*(?:%|\s?per\s?cent\b|\s?percent\b)"
)
#: ``Fifteen percent``, ``Three per cent``
SHARE_WORDS = re.compile(rf"(?i)\b(?P<v>{WORD_NUMBER})\s+(?:per\s?cent|percent)\b")

#: a cut-off: ``<310 pmol/L``, ``≤220 pmol/L``, ``!150 pmol/L`` (lost symbol)
CUTOFF = re.compile(
    rf"(?P<rel><=|>=|≤|≥|<|>|!)\s*(?P<v>{BOUND})(?:\s*-\s*{BOUND})?\s?(?P<u>{UNIT})"
    rf"|(?P<v2>{BOUND})\s*-\s*(?P<hi2>{BOUND})\s?(?P<u2>(?:p|n|µ|u)(?:mol|g)\s?/\s?m?[lL])"
)

#: ``n = 26``, ``n=40``, ``n 512``, ``n = 80/68/66``, ``n = 361, 262, 244, and 224``
N_EQUALS = re.compile(
    r"(?<![A-Za-z])[nN]\s*(?:=\s*|\s)(?P<list>(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)"
    r"(?:\s*(?:/|,\s*and|,|and)\s*\d+(?![\d.])"
    r"(?!\s*(?:wk|weeks?|mo|months?|y|years?|days?|d|%)\b))*)(?![\d.])"
)

NOUNS = (
    r"(?:women|woman|mothers?|infants?|children|child|newborns?|neonates?|babies|baby|"
    r"patients?|participants?|adolescents?|girls|boys|subjects|dyads|pairs|individuals|"
    r"pregnan(?:t|cies)|omnivores|vegans|vegetarians|pescatarians|controls|cases|"
    r"milks|families|households|persons|people|men|adults|volunteers|students)"
)
_SKIP_WORDS = (
    r"(?!(?:of|to|and|or|in|at|with|aged?|months?|weeks?|years?|days?|mo|wk|y|h|g|kg|ml|"
    r"times|percent|per)\b)"
)
#: ``173 newborns``, ``Twenty-seven pregnant Danish women``, ``the 273 enrolled women``
POPULATION = re.compile(
    rf"(?<![\w.,#/<>=±-])(?<![<>=±]\s)(?P<v>\d+(?:,\d{{3}})*|(?i:{WORD_NUMBER}))"
    rf"(?:,?\s+{_SKIP_WORDS}[A-Za-z'-]+){{0,4}}?,?\s+(?P<noun>{NOUNS})\b"
)

#: ``12 of 21 infants``, ``Seven of the 9 infants``
K_OF_N = re.compile(
    rf"(?<![\w.#])(?P<k>\d+|(?i:{WORD_NUMBER}))\s+(?:out\s+)?of\s+(?:the\s+|all\s+)?"
    rf"(?P<n>\d+)(?:\s+[A-Za-z'-]+){{0,3}}?\s+{NOUNS}\b"
)

#: a list of values (possessive: linear on long runs of numbers); the extractor keeps it
#: up to its last unit: ``225, 172 and 319 pmol/L``, ``348 pmol/L vs. 171 pmol/L``
LIST_VALUES = re.compile(
    rf"(?P<list>{NUM}(?:\s?{CONCENTRATION})?(?:\s*(?:,\s*and|,|and|vs\.?|versus|to)\s*{NUM}"
    rf"(?:\s?{CONCENTRATION})?)*+)"
)
