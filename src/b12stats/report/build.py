"""Assemble the report: run the sections, render the Jinja2 template, write ``index.html``."""

from __future__ import annotations

import base64
import concurrent.futures as cf
import contextlib
import datetime as _dt
import functools
import io
import logging
import math
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from b12stats._version import __version__
from b12stats.designs import default_design_name
from b12stats.format import format_fixed
from b12stats.reanalysis import DEFAULT_REPS, DEFAULT_SEED, NothingToShow, Tables
from b12stats.reanalysis._common import rows as _rows
from b12stats.reanalysis._common import table
from b12stats.report import sections as _sec
from b12stats.report.sections import Job, Planned, Section
from b12stats.report.tables import table_view

logger = logging.getLogger(__name__)

__all__ = [
    "SOURCE_KIND_HEADINGS",
    "RenderedFigure",
    "Section",
    "build_report",
    "render_figures",
    "render_html",
    "render_tables",
    "run_section",
    "run_sections",
]

NOT_AVAILABLE = "not available in this version"

#: Source kinds in the order the report lists them, with their headings.
SOURCE_KIND_HEADINGS = {
    "primary": "Primary papers",
    "secondary": "Secondary summaries",
    "lay": "Lay articles",
    "reference": "Reference values and constants",
}

#: Resolution of the figures embedded in the page.
EMBED_DPI = 110


@functools.cache
def _template_env() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("b12stats.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _asset(name: str) -> str:
    return resources.files("b12stats.report").joinpath("templates", name).read_text("utf-8")


def _fig_to_base64(fig: Any) -> str:
    """``fig`` as base64 PNG at :data:`EMBED_DPI`, drawn once; the figure is closed.

    The figures are laid out by ``tight_layout`` when they are made, so
    ``bbox_inches="tight"`` (a second full draw) would only trim the margin.
    ``tight_layout`` leaves a placeholder layout engine on the figure, for
    which ``savefig`` lays everything out once more before drawing; without
    it the PNG is the same, 20% sooner.
    """
    import matplotlib
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(
        {"figure.autolayout": False, "figure.constrained_layout.use": False}
    ):
        fig.set_layout_engine(None)  # no engine (with these rc settings)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=EMBED_DPI)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


@dataclass(frozen=True)
class RenderedFigure:
    """A section's figure as the page embeds it."""

    name: str
    caption: str
    png_base64: str


def render_figures(sec: Section) -> Section:
    """Draw ``sec.figures`` once into ``sec.rendered`` (base64 PNG) and close them.

    The drawing time is added to ``sec.seconds``.
    """
    t0 = time.perf_counter()
    sec.rendered += [RenderedFigure(n, c, _fig_to_base64(f)) for n, f, c in sec.figures]
    sec.figures = []
    sec.seconds += time.perf_counter() - t0
    return sec


def render_tables(sec: Section) -> Section:
    """Format ``sec.tables`` for the page into ``sec.table_views`` (once).

    The formatting time is added to ``sec.seconds``.
    """
    if len(sec.table_views) != len(sec.tables):
        t0 = time.perf_counter()
        sec.table_views = [(caption, table_view(frame)) for caption, frame in sec.tables]
        sec.seconds += time.perf_counter() - t0
    return sec


def _section_view(sec: Section) -> dict[str, Any]:
    return {
        "key": sec.key,
        "title": sec.title,
        "available": sec.available,
        "finding": sec.finding,
        "finding_items": sec.finding_items,
        "notes": sec.notes,
        "rendered_figures": render_figures(sec).rendered,
        "table_views": render_tables(sec).table_views,
    }


def _sources_view(tables: Tables = None) -> list[tuple[str, list[dict[str, str]]]]:
    def text(x: Any) -> str:
        return x.strip() if isinstance(x, str) else ""

    groups: dict[str, list[dict[str, str]]] = {}
    for s in _rows(table(tables, "sources")):
        authors = text(s.authors)
        journal = text(s.journal)
        groups.setdefault(str(s.kind), []).append(
            {
                "source_id": str(s.source_id),
                "authors": "" if authors.lower() == "unknown" else authors,
                "year": f"{int(s.year)}" if pd.notna(s.year) else "",
                "title": text(s.title),
                "journal": f"{journal} {text(s.volume_pages)}".strip() if journal else "",
                "doi": text(s.doi),
                "pmid": str(s.pmid).strip() if pd.notna(s.pmid) else "",
                "cites": text(s.cites_source_id),
            }
        )
    order = [k for k in SOURCE_KIND_HEADINGS if k in groups]
    order += sorted(k for k in groups if k not in SOURCE_KIND_HEADINGS)
    return [(SOURCE_KIND_HEADINGS.get(k, k), groups[k]) for k in order]


def run_section(key: str, title: str, fn: Callable[[], Section]) -> Section:
    """Run one section under ``key``.

    An :class:`ImportError` gives a "not available" section instead;
    :class:`~b12stats.reanalysis.NothingToShow` an omitted one whose
    ``finding`` is the reason (listed under "Not shown").
    """
    t0 = time.perf_counter()
    try:
        sec = fn()
        sec.key = key
    except ImportError as exc:  # a library piece missing from this installation
        logger.warning("section %s: %s", key, exc)
        sec = Section(key, title, available=False, finding=f"{title}: {NOT_AVAILABLE} ({exc}).")
    except NothingToShow as exc:  # the data in use hold nothing for it
        sec = Section(key, title, available=False, omitted=True, finding=exc.reason)
    sec.seconds = time.perf_counter() - t0
    return sec


#: Sections started first when they run in parallel (the slowest; the rest fill in).
_SLOW_FIRST = ("power", "ptrend", "simulated_cohort", "distributions", "audit")

#: The plan and its jobs the worker processes run (set before they are forked).
_PLAN: Sequence[Planned] = ()
_JOBS: Sequence[Job] = ()


def _call_job(job: Job) -> tuple[bool, Any, float]:
    """Run ``job``: ``(ok, result or exception, seconds)``."""
    t0 = time.perf_counter()
    try:
        return True, job.fn(), time.perf_counter() - t0
    except Exception as exc:  # raised again by the sections that need it
        return False, exc, time.perf_counter() - t0


def _run_job(j: int) -> tuple[bool, Any, float]:
    """Run job ``j`` of :data:`_JOBS` (in a worker process)."""
    return _call_job(_JOBS[j])


def _with_results(fn: Callable[..., Section], done: Sequence[tuple[bool, Any, float]]) -> Any:
    """``fn`` called with the jobs' results, or the first job's exception raised."""

    def call() -> Section:
        for ok, value, _ in done:
            if not ok:
                raise value
        return fn(*(value for _, value, _ in done))

    return call


def _make(p: Planned, done: Sequence[tuple[bool, Any, float]]) -> Section:
    """Section ``p`` from its jobs' results, figures drawn, tables formatted (with seconds)."""
    sec = render_tables(render_figures(run_section(p.key, p.title, _with_results(p.fn, done))))
    sec.seconds += sum(seconds for _, _, seconds in done)
    return sec


def _run_planned(i: int, done: Sequence[tuple[bool, Any, float]] = ()) -> Section:
    """Run section ``i`` of :data:`_PLAN` (in a worker process)."""
    return _make(_PLAN[i], done)


def _warm(tables: Tables, designs: Sequence[Any] = ()) -> None:
    """Load before forking what every worker would otherwise load again.

    pyplot (every section draws a figure), :mod:`scipy.stats` (the
    simulations' truncated-normal covariates, the sections' tests), the
    bundled tables, cached per process (:func:`b12stats.data.load_table`),
    and the GEE engine's compiled kernels (one replicate of each model of
    the first design; about 0.5 s to load): loaded here, the forked workers
    share them.
    """
    import matplotlib.pyplot  # noqa: F401
    import scipy.stats  # noqa: F401

    from b12stats import data
    from b12stats.errors import B12StatsError
    from b12stats.power import power
    from b12stats.simulate import get_design

    if tables is None:
        for name in data.table_names():
            data.load_table(name)
    for d in list(designs)[:1]:
        with contextlib.suppress(B12StatsError):  # the section says what is wrong
            design = get_design(d)
            for model in ("linear", "trend"):
                power(design, reps=1, model=model, rng=0, true_value=math.nan, progress=False)


def _prepare_page() -> None:
    """Compile the page's templates (the parent does it while the workers run)."""
    _template_env().get_template("report.html.j2")


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _jobs(plan: Sequence[Planned]) -> list[Job]:
    """The plan's jobs, each key once, in order of first need."""
    return list({job.key: job for p in plan for job in p.needs}.values())


def run_sections(
    plan: Sequence[Planned | tuple[str, str, Callable[[], Section]]],
    *,
    workers: int = 1,
    progress: bool = False,
    meanwhile: Callable[[], Any] | None = None,
) -> list[Section]:
    """Run every section of ``plan``, figures drawn and tables formatted; in plan order.

    ``plan`` holds :class:`~b12stats.report.sections.Planned` items or
    ``(key, title, function)`` triples. Each job a section needs
    (``needs``) runs once, its result passed to every section that needs
    it. With ``workers > 1`` the jobs and sections run in that many forked
    processes, the jobs first, then the slowest sections, each as soon as
    a process is free and its jobs are done; each section's numbers depend
    on its own seed only, so the sections are the same for any
    ``workers``. Where ``fork`` is not available, or the process runs other
    threads (a fork could deadlock), they run one after the other. A
    section's ``seconds`` include those of its jobs. ``meanwhile()`` runs
    in this process once the workers have started (or after the sections,
    when there are none), e.g. to prepare the page.
    """
    global _PLAN, _JOBS
    items = [Planned(*p) for p in plan]
    jobs = _jobs(items)
    workers = max(1, min(workers, len(items) + len(jobs)))
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if workers == 1 or not forkable or threading.active_count() > 1:
        out = _run_serial(items, progress)
        if meanwhile is not None:
            meanwhile()
        return out
    rank = {k: r for r, k in enumerate(_SLOW_FIRST)}
    order = sorted(
        range(len(items)), key=lambda i: rank.get(items[i].key.split("-")[0], len(rank))
    )
    index = {job.key: j for j, job in enumerate(jobs)}
    # jobs first (they hold sections back), then the sections, slowest first
    todo: list[tuple[str, int]] = [("job", j) for j in range(len(jobs))]
    todo += [("section", i) for i in order]
    results: dict[int, tuple[bool, Any, float]] = {}
    done: dict[int, Section] = {}

    def ready(unit: tuple[str, int]) -> bool:
        return unit[0] == "job" or all(index[j.key] in results for j in items[unit[1]].needs)

    _PLAN, _JOBS = items, jobs
    try:
        ctx = multiprocessing.get_context("fork")
        with cf.ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            running: dict[cf.Future[Any], tuple[str, int]] = {}
            while todo or running:
                for unit in [u for u in todo if ready(u)][: workers - len(running)]:
                    todo.remove(unit)
                    kind, i = unit
                    if kind == "job":
                        running[pool.submit(_run_job, i)] = unit
                    else:
                        needed = [results[index[j.key]] for j in items[i].needs]
                        running[pool.submit(_run_planned, i, needed)] = unit
                if meanwhile is not None:
                    meanwhile()
                    meanwhile = None
                finished, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
                for fut in finished:
                    kind, i = running.pop(fut)
                    if kind == "job":
                        results[i] = fut.result()
                        continue
                    done[i] = fut.result()
                    if progress:
                        print(
                            f"[{len(done)}/{len(items)}] {items[i].title} "
                            f"({format_fixed(done[i].seconds, 1)} s)",
                            file=sys.stderr,
                            flush=True,
                        )
    finally:
        _PLAN, _JOBS = (), ()
    return [done[i] for i in range(len(items))]


def _run_serial(items: Sequence[Planned], progress: bool) -> list[Section]:
    """:func:`run_sections` in this process: each job once, when a section first needs it."""
    results: dict[str, tuple[bool, Any, float]] = {}
    out = []
    for i, p in enumerate(items, 1):
        if progress:
            print(f"[{i}/{len(items)}] {p.title} ...", file=sys.stderr, flush=True)
        for job in p.needs:
            if job.key not in results:
                results[job.key] = _call_job(job)
        out.append(_make(p, [results[job.key] for job in p.needs]))
    return out


def render_section(sec: Section) -> str:
    """One section as HTML (the ``section`` macro of ``templates/macros.html.j2``)."""
    macros = _template_env().get_template("macros.html.j2").module
    return str(macros.section(_section_view(sec)))  # type: ignore[attr-defined]


def render_table(frame: pd.DataFrame) -> str:
    """One DataFrame as HTML (the ``table`` macro of ``templates/macros.html.j2``)."""
    macros = _template_env().get_template("macros.html.j2").module
    return str(macros.table(table_view(frame)))  # type: ignore[attr-defined]


def render_html(
    sections: list[Section],
    assumptions: list[tuple[str, pd.DataFrame]],
    *,
    seed: int,
    reps: int,
    meta: str,
    tables: Tables = None,
    command: str = "",
) -> str:
    """The whole page from finished sections (template ``templates/report.html.j2``)."""
    return str(
        _template_env()
        .get_template("report.html.j2")
        .render(
            css=_asset("report.css"),
            script=_asset("report.js"),
            meta=meta,
            seed=seed,
            reps=reps,
            command=command or f"b12stats report --seed {seed} --reps {reps}",
            sections=[_section_view(s) for s in sections if not s.omitted],
            not_shown=[(s.title, s.finding) for s in sections if s.omitted],
            assumptions=[(name, table_view(frame)) for name, frame in assumptions],
            not_available=NOT_AVAILABLE,
            sources=_sources_view(tables),
        )
    )


def build_report(
    out: str | Path = "report",
    *,
    tables: Tables = None,
    designs: Sequence[Any] | None = None,
    seed: int = DEFAULT_SEED,
    reps: int = DEFAULT_REPS,
    progress: bool | None = None,
    command: str = "",
    workers: int | None = None,
) -> Path:
    """Run every analysis on the data in use and write one self-contained ``out/index.html``.

    The report covers what ``tables`` hold: a section whose analysis finds
    nothing to show is left out and listed with its reason under "Not shown".

    Parameters
    ----------
    out
        Output directory (created if missing).
    tables
        The tables in use, by name (as :func:`b12stats.packages.load_tables`
        returns the bundled tables joined with data packages); ``None``: the
        bundled tables. A table missing from the mapping counts as empty.
    designs
        One simulated-cohort, P-trend and power section per design: built-in
        names, ``.toml`` paths or :class:`~b12stats.simulate.Design` objects
        (default: the bundled ``kenya`` design; empty: no simulation sections,
        listed under "Not shown").
    seed
        Seed of every simulation (the simulated cohort, the P-trend and the power curves).
    reps
        Monte Carlo replicates per point of the power curves.
    progress
        Print one line per section on stderr; default: only when stderr is a
        terminal.
    command
        The command line that reproduces the report, as the page states it
        (default: ``b12stats report --seed SEED --reps REPS``).
    workers
        Processes the sections run in (:func:`run_sections`; default: the CPUs
        this process may use). The page is the same for any number, but for
        its date and run time.

    Returns
    -------
    Path
        The path of ``index.html``.

    Examples
    --------
    >>> import tempfile
    >>> path = build_report(tempfile.mkdtemp(), reps=20)  # doctest: +SKIP
    """
    import matplotlib

    from b12stats._io import write_text
    from b12stats.errors import OptionError

    if not isinstance(reps, int | np.integer) or reps < 1:
        raise OptionError(f"reps must be a whole number >= 1, got {reps!r}")
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise OptionError(f"seed must be a non-negative whole number, got {seed!r}")
    if progress is None:
        progress = sys.stderr.isatty()
    t_start = time.perf_counter()
    started = _dt.datetime.now(_dt.UTC)
    if designs is None:
        designs = (default_design_name(),)
    elif isinstance(designs, str | Path):
        raise OptionError(f"designs must be a sequence of design names or paths, got {designs!r}")
    if workers is None:
        workers = _cpus()
    elif not isinstance(workers, int | np.integer) or workers < 1:
        raise OptionError(f"workers must be a whole number >= 1, got {workers!r}")
    plan = _sec.plan(seed=seed, reps=reps, tables=tables, designs=designs)
    _warm(tables, designs)
    sections = run_sections(plan, workers=int(workers), progress=progress, meanwhile=_prepare_page)
    assumptions: list[tuple[str, pd.DataFrame]] = []
    for sec in sections:  # the same design used twice is listed once
        if sec.omitted:
            continue
        for name, frame in sec.assumptions:
            same = [n for n, f in assumptions if f.equals(frame)]
            if same:
                sec.notes.append(f"{name}: the same design as '{same[0]}'.")
                continue
            assumptions.append((name, frame))
    elapsed = time.perf_counter() - t_start
    meta = (
        f"b12stats {__version__} · seed {seed} · {reps} Monte Carlo replicates "
        f"per power point · generated {started:%Y-%m-%d %H:%M:%S} UTC · "
        f"numpy {np.__version__}, pandas {pd.__version__}, matplotlib "
        f"{matplotlib.__version__}, Python {sys.version.split()[0]} · {format_fixed(elapsed, 1)} s"
    )
    doc = render_html(
        sections, assumptions, seed=seed, reps=reps, meta=meta, tables=tables, command=command
    )
    path = Path(out) / "index.html"
    write_text(path, doc)
    with contextlib.suppress(OSError):  # temp files are created 0600; a report is for sharing
        path.chmod(0o644)
    if progress:
        print(f"wrote {path} ({format_fixed(elapsed, 1)} s)", file=sys.stderr, flush=True)
    return path
