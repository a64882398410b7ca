"""Render the pages of ``b12stats check`` with Jinja2 (templates in ``templates/``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from b12stats.audit.core import VERDICTS, Check
from b12stats.plots.audit import VERDICT_COLORS
from b12stats.text.check import PRIORITY

__all__ = ["CSS_FILE", "TEMPLATE_DIR", "Mark", "marks_for", "render_summary_page",
           "render_text_page"]  # fmt: skip

#: Folder of the Jinja2 templates and the CSS (shipped in the wheel with the package).
TEMPLATE_DIR = Path(__file__).with_name("templates")

#: The page's style sheet, inlined into each page so that a page is one file.
CSS_FILE = TEMPLATE_DIR / "check.css"


@dataclass
class Mark:
    """One highlighted span: its offsets, verdict and the checks that judged it."""

    start: int
    end: int
    verdict: str
    checks: list[Check] = field(default_factory=list)
    ident: str = ""
    snippet: str = ""

    @property
    def title(self) -> str:
        """The hover text: each check's verdict and detail."""
        return "\n".join(f"{c.verdict}: {c.detail}" for c in self.checks)


def marks_for(text: str, checks: Iterable[Check]) -> list[Mark]:
    """Non-overlapping marks over ``text``, in order; a span inside another joins it.

    Each check carries its span in ``numbers["start"]``/``numbers["end"]``
    (:meth:`b12stats.text.check_base.Row.check`); checks without a valid
    span inside the text are left out (they are in the table).

    Examples
    --------
    >>> from b12stats.audit import Check
    >>> c = Check("a#0:x", "grim", "extracted", ("a#0",), "a", "primary", "50.0%", "50.0%",
    ...           "", "inconsistent", "no count", numbers={"start": 4, "end": 9})
    >>> [(m.start, m.end, m.verdict) for m in marks_for("One 50.0% share", [c])]
    [(4, 9, 'inconsistent')]
    """
    spans: dict[tuple[int, int], list[Check]] = {}
    for c in checks:
        try:
            s, e = int(c.numbers.get("start", -1)), int(c.numbers.get("end", -1))
        except (TypeError, ValueError):
            continue
        if 0 <= s < e <= len(text):
            spans.setdefault((s, e), []).append(c)
    out: list[Mark] = []
    for (s, e), cs in sorted(spans.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
        if out and s < out[-1].end:
            out[-1].checks.extend(cs)  # inside or overlapping the previous mark
            continue
        out.append(Mark(s, e, "", list(cs)))
    for i, m in enumerate(out):
        m.verdict = min((c.verdict for c in m.checks), key=PRIORITY.index)
        m.ident = f"s{i}"
        m.snippet = text[m.start : m.end]
    return out


def _segments(text: str, marks: Sequence[Mark]) -> list[tuple[str, Mark | None]]:
    out: list[tuple[str, Mark | None]] = []
    at = 0
    for m in marks:
        if m.start > at:
            out.append((text[at : m.start], None))
        out.append((text[m.start : m.end], m))
        at = m.end
    if at < len(text):
        out.append((text[at:], None))
    return out


@cache
def _env() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _common() -> dict[str, Any]:
    return {
        "css": CSS_FILE.read_text(encoding="utf-8"),
        "verdicts": VERDICTS,
        "colors": {v: VERDICT_COLORS[v] for v in VERDICTS},
    }


def _counts(checks: Iterable[Check]) -> dict[str, int]:
    out = dict.fromkeys(VERDICTS, 0)
    for c in checks:
        out[c.verdict] += 1
    return out


def render_text_page(
    text: str,
    checks: Sequence[Check],
    *,
    title: str,
    extracted: pd.DataFrame | None = None,
    back_link: str | None = None,
) -> str:
    """The HTML page of one text: highlighted statistics, details panel, audit table.

    Parameters
    ----------
    text
        The text as read (offsets of the checks refer to it).
    checks
        The checks of this text (:func:`b12stats.text.check.audit_rows`).
    title
        Shown as the page title (the file name).
    extracted
        The extraction rows, listed below the audit table when given.
    back_link
        Relative link to a summary page, if any.
    """
    marks = marks_for(text, checks)
    mark_of = {id(c): m.ident for m in marks for c in m.checks}
    rows = [{"c": c, "mark": mark_of.get(id(c), "")} for c in checks]
    ex = None
    if extracted is not None and len(extracted):
        ex = {
            "columns": list(extracted.columns),
            "rows": extracted.astype(object).where(extracted.notna(), "").values.tolist(),
        }
    return _env().get_template("check.html.j2").render(
        title=title, segments=_segments(text, marks), marks=marks, rows=rows,
        counts=_counts(checks), extracted=ex, back_link=back_link, **_common(),
    )  # fmt: skip


def render_summary_page(pages: Sequence[Mapping[str, Any]], *, title: str) -> str:
    """The summary page of several texts.

    Parameters
    ----------
    pages
        One mapping per text: ``file``, ``href`` (its page), ``statistics``
        (number of extracted rows), ``checks`` (its :class:`Check` list).
    """
    rows = [
        {"file": p["file"], "href": p["href"], "statistics": p["statistics"],
         "counts": _counts(p["checks"]), "total": len(p["checks"])}
        for p in pages
    ]  # fmt: skip
    return _env().get_template("summary.html.j2").render(title=title, rows=rows, **_common())
