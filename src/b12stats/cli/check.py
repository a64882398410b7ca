"""``b12stats check``: extract the statistics of texts, audit them, write CSVs and HTML pages."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from b12stats.cli._args import add_strict_option, exit_status
from b12stats.cli._help import Command

COMMAND = Command(
    help="extract the statistics of a text (abstract, summary page) and audit them",
    description=(
        "Extract every summary statistic of each text (as 'b12stats extract') and audit what "
        "the text itself allows: r with P and n, CIs against P and estimate, quartiles and "
        "ranges in order and in one unit, GRIM and k/n for shares, ratios against the values "
        "they divide, two-group comparisons against their P, implausible B12 units or "
        "magnitudes. With --primary, every statistic is also matched to the primary "
        "source's. Verdicts as 'b12stats reproduce'. With --out DIR, write DIR/extracted.csv, "
        "DIR/audit.csv and DIR/index.html (the text with every statistic coloured by its "
        "verdict); several texts give DIR/summary.csv, a summary DIR/index.html and a page "
        "per text in DIR/texts/."
    ),
    examples=(
        "b12stats check abstract.txt                 # one line per check and a summary",
        "b12stats check abstract.txt --out checked/  # extracted.csv, audit.csv, index.html",
        "b12stats check summary.html --primary abstract.txt --out checked/",
        "b12stats check texts/ --out checked/   # a folder: summary.csv and a page per text",
        "b12stats check abstract.txt --strict        # exit status 1 if any statistic fails",
    ),
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``b12stats check``."""
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="plain-text or HTML files, or folders of them (*.txt, *.html)",
    )
    p.add_argument(
        "--primary",
        metavar="FILE",
        help="the primary source the texts report (plain text or HTML)",
    )
    p.add_argument("--out", metavar="DIR", help="write the CSVs and HTML pages into DIR")
    add_strict_option(p, "statistic")


def _page_names(paths: list[Path]) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for i, p in enumerate(paths):
        name = f"{p.stem}.html"
        if name in seen:
            name = f"{p.stem}_{i}.html"
        seen.add(name)
        names.append(name)
    return names


def run(args: argparse.Namespace) -> int:
    """Extract, audit, print, write; return the exit status."""
    import pandas as pd

    from b12stats import _io
    from b12stats.audit.core import PROBLEM_VERDICTS, VERDICTS
    from b12stats.audit.result import AuditResult
    from b12stats.cli._args import output_plan
    from b12stats.errors import OptionError
    from b12stats.text import extract_text, read_text_file, text_files
    from b12stats.text.check import audit_rows
    from b12stats.textpage import render_summary_page, render_text_page

    paths = text_files(args.files)
    plan = output_plan()
    for p in paths:
        plan.add_input("FILE", p)
    plan.add_input("--primary", args.primary)
    out = Path(args.out) if args.out is not None else None
    many = len(paths) > 1
    names = _page_names(paths)
    if out is not None:
        if out.exists() and not out.is_dir():
            raise OptionError(f"--out must be a directory, got the file {str(out)!r}")
        for name in ("extracted.csv", "audit.csv", "index.html"):
            plan.add_output("--out", out / name)
        if many:
            plan.add_output("--out", out / "summary.csv")
            for name in names:
                plan.add_output("--out", out / "texts" / name)
    primary_text = primary_rows = None
    if args.primary is not None:
        primary_text = read_text_file(args.primary)
        primary_rows = extract_text(primary_text, file=Path(args.primary).name)
    texts: list[str] = []
    frames: list[pd.DataFrame] = []
    results: list[AuditResult] = []
    for p in paths:
        text = read_text_file(p)
        rows = extract_text(text, file=p.name)
        texts.append(text)
        frames.append(rows)
        results.append(audit_rows(rows, primary_rows=primary_rows, text=text,
                                  primary_text=primary_text))  # fmt: skip
    everything = AuditResult(tuple(c for r in results for c in r.checks))
    summary = pd.DataFrame(
        [{"file": p.name, "statistics": len(f), **r.verdict_counts(), "checks": len(r.checks),
          "problems": sum(c.verdict in PROBLEM_VERDICTS for c in r.checks)}
         for p, f, r in zip(paths, frames, results, strict=True)],
        columns=["file", "statistics", *VERDICTS, "checks", "problems"],
    )  # fmt: skip
    if out is not None:
        with plan:
            extracted = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
            _io.write_csv(out / "extracted.csv", extracted, index=False)
            _io.write_csv(out / "audit.csv", everything.to_frame(), index=False)
            if many:
                _io.write_csv(out / "summary.csv", summary, index=False)
                pages: list[dict[str, Any]] = []
                for p, name, text, f, r in zip(paths, names, texts, frames, results, strict=True):
                    _io.write_text(
                        out / "texts" / name,
                        render_text_page(
                            text, r.checks, title=p.name, extracted=f, back_link="../index.html"
                        ),
                    )
                    pages.append({"file": p.name, "href": f"texts/{name}", "statistics": len(f),
                                  "checks": r.checks})  # fmt: skip
                _io.write_text(
                    out / "index.html", render_summary_page(pages, title=f"{len(paths)} texts")
                )
            else:
                _io.write_text(
                    out / "index.html",
                    render_text_page(
                        texts[0], results[0].checks, title=paths[0].name, extracted=frames[0]
                    ),
                )
    if many:
        print(summary.to_string(index=False))
        print()
        print(everything.summary_line())
    else:
        print(everything.to_text())
    if out is not None:
        print(f"wrote {out / 'index.html'}")
    return exit_status(args, everything)
