"""HTML pages of ``b12stats check``: a text with its statistics coloured by verdict.

:func:`render_text_page` draws one text: every extracted statistic's span
(``start``/``end``) is a ``<mark>`` in the colour of its verdict
(:data:`b12stats.plots.audit.VERDICT_COLORS`), with the checks' details on
hover (``title``) and on click (a details panel), and the audit table below.
:func:`render_summary_page` lists several texts with their verdict counts and
links to their pages. Templates and CSS live in ``templates/`` (Jinja2).
"""

from __future__ import annotations

from b12stats.textpage.render import (
    CSS_FILE,
    TEMPLATE_DIR,
    Mark,
    marks_for,
    render_summary_page,
    render_text_page,
)

__all__ = [
    "CSS_FILE",
    "TEMPLATE_DIR",
    "Mark",
    "marks_for",
    "render_summary_page",
    "render_text_page",
]
