"""Argument types with stated limits, and library names spelled as command-line flags.

Every count a user can give on the command line has a maximum here, with the
reason in one line, so that ``--n-dyads 1e10`` or ``--workers 100000`` is
refused before any work instead of exhausting memory or forking without
limit. :func:`flag_spelling` rewrites the library's Python argument names in
an error message (``use cov_struct='independence'``) as the flags of the
command that was run (``use --cov-struct independence``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
from collections.abc import Callable
from typing import Any

__all__ = [
    "EXIT_PROBLEMS",
    "MAX_POWER_DYADS",
    "MAX_REPS",
    "MAX_SIMULATE_DYADS",
    "add_choice",
    "add_format_option",
    "add_strict_option",
    "bounded_int",
    "bounded_int_list",
    "exit_status",
    "flag_spelling",
    "max_workers",
    "output_plan",
    "passed_on",
    "workers",
]

#: ``simulate``: the cohort is built in memory (about 250 bytes a dyad with its CSV
#: text: 0.4 GB and 20 s for a million dyads, measured).
MAX_SIMULATE_DYADS = 1_000_000
SIMULATE_WHY = "a simulated cohort is built in memory, about 250 bytes a dyad"

#: ``power``: each worker holds one chunk of 100 replicates of a scenario at once
#: (about 110 bytes per dyad and replicate, measured: 1.1 GB at the limit).
MAX_POWER_DYADS = 100_000
POWER_WHY = "each worker holds 100 replicates at once, about 11 kB a dyad"

#: Monte Carlo replicates: the MC SE of a power is at most 0.5/sqrt(reps), 0.0005 here.
MAX_REPS = 1_000_000
REPS_WHY = "the Monte Carlo SE of a power is then at most 0.0005; more replicates only cost time"

#: Exit status of ``--strict`` when a claim or statistic is inconsistent or conflicts with
#: its primary.
EXIT_PROBLEMS = 1

#: Processes per CPU: more only add start-up time and memory.
WORKERS_PER_CPU = 4


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def max_workers() -> int:
    """The largest ``--workers``: :data:`WORKERS_PER_CPU` x the CPUs this process may use."""
    return WORKERS_PER_CPU * _cpus()


def _whole(text: str) -> int:
    """``"200"``, ``"1e3"`` or ``"1_000"`` as an int; ArgumentTypeError otherwise."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not value.is_integer():
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    return int(value)


def bounded_int(maximum: int, why: str) -> Callable[[str], int]:
    """An argparse ``type``: a whole number no larger than ``maximum`` (``why`` says why).

    Examples
    --------
    >>> bounded_int(100, "a reason")("1e2")
    100
    >>> bounded_int(100, "a reason")("1e10")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: 1e10 is above the limit of 100 (a reason)
    """

    def parse(text: str) -> int:
        value = _whole(text)
        if value > maximum:
            raise argparse.ArgumentTypeError(f"{text} is above the limit of {maximum} ({why})")
        return value

    parse.__name__ = "whole number"
    return parse


def bounded_int_list(maximum: int, why: str) -> Callable[[str], list[int]]:
    """An argparse ``type``: comma-separated whole numbers, each at most ``maximum``.

    Examples
    --------
    >>> bounded_int_list(1000, "a reason")("100, 200,300")
    [100, 200, 300]
    """
    one = bounded_int(maximum, why)

    def parse(text: str) -> list[int]:
        try:
            values = [one(v.strip()) for v in text.split(",") if v.strip()]
        except argparse.ArgumentTypeError as exc:
            if "limit" in str(exc):
                raise
            raise argparse.ArgumentTypeError(
                f"expected comma-separated whole numbers, got {text!r}"
            ) from None
        if not values:
            raise argparse.ArgumentTypeError("expected at least one whole number")
        return values

    parse.__name__ = "list of whole numbers"
    return parse


def workers(text: str) -> int:
    """An argparse ``type`` for ``--workers``: at most :func:`max_workers`."""
    value = _whole(text)
    limit = max_workers()
    if value > limit:
        raise argparse.ArgumentTypeError(
            f"{text} is above the limit of {limit} ({WORKERS_PER_CPU} per CPU of the "
            f"{_cpus()} this process may use; more processes only add start-up time and memory)"
        )
    return value


workers.__name__ = "whole number"


def output_plan() -> Any:
    """A new :class:`b12stats._io.OutputPlan` that also protects the bundled data files."""
    from b12stats import data
    from b12stats._io import OutputPlan

    plan = OutputPlan()
    with contextlib.suppress(FileNotFoundError):  # an installation without its data
        plan.add_protected_dir("the bundled data", data.data_dir())
    return plan


#: Library argument -> the option the commands fill it from, where the two names differ
#: (``--seed SEED`` is passed on as ``rng=SEED``).
LIBRARY_NAMES = {"rng": "seed"}


def passed_on(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    """The library's keyword arguments ``names``, each from the option it is named after.

    The commands name their options as the library names its arguments
    (``--cov-struct`` fills ``cov_struct``), except for :data:`LIBRARY_NAMES`
    (``rng`` from ``--seed``), so a call passes them on by name.

    Examples
    --------
    >>> passed_on(argparse.Namespace(cov_type="robust", seed=1, out="x.csv"), "cov_type", "rng")
    {'cov_type': 'robust', 'rng': 1}
    """
    return {name: getattr(args, LIBRARY_NAMES.get(name, name)) for name in names}


def _flags(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Python spelling -> flag, for every option of ``parser`` (dest and long name)."""
    out: dict[str, str] = {}
    for action in parser._actions:
        longs = [s for s in action.option_strings if s.startswith("--")]
        if not longs or action.dest == "help":
            continue
        flag = longs[0]
        for name in {action.dest, *(s[2:].replace("-", "_") for s in longs)}:
            out.setdefault(name, flag)
    for name, dest in LIBRARY_NAMES.items():
        if dest in out:
            out.setdefault(name, out[dest])
    return out


def flag_spelling(
    message: str, parser: argparse.ArgumentParser | None, *, keywords_only: bool = False
) -> str:
    """Rewrite Python argument names in ``message`` as ``parser``'s flags.

    Only a name followed by ``=`` (``cov_struct='independence'``), ``must``,
    ``should`` or by its value in parentheses (``n_clusters (40)``; one word: not
    prose like ``a seed (an integer >= 0)``) is rewritten,
    so prose and column names stay as they are; with ``keywords_only`` (for
    messages about data, which name columns) only the ``name=value`` spelling.
    A library argument the command fills from an option of another name
    (:data:`LIBRARY_NAMES`: ``rng`` from ``--seed``) is spelled as that option.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> _ = p.add_argument("--cov-struct")
    >>> _ = p.add_argument("--n-dyads")
    >>> flag_spelling("one per cluster; use cov_struct='independence'", p)
    'one per cluster; use --cov-struct independence'
    >>> flag_spelling("n_dyads must be >= 2, got 1", p)
    '--n-dyads must be >= 2, got 1'
    >>> _ = p.add_argument("--n-clusters")
    >>> flag_spelling("n_clusters (40) cannot exceed n_dyads (20)", p)
    '--n-clusters (40) cannot exceed --n-dyads (20)'
    >>> _ = p.add_argument("--seed")
    >>> flag_spelling("rng must be a seed (an integer >= 0); got -1", p)
    '--seed must be a seed (an integer >= 0); got -1'
    """
    if parser is None:
        return message
    flags = _flags(parser)
    if not flags:
        return message
    names = "|".join(sorted(map(re.escape, flags), key=len, reverse=True))

    def keyword(m: re.Match[str]) -> str:
        return f"{flags[m.group(1)]} {m.group(3)}"

    message = re.sub(rf"(?<![\w-])({names})=(['\"]?)([\w.+-]+)\2", keyword, message)
    if keywords_only:
        return message
    return re.sub(
        rf"(?<![\w-])({names})(?=\s*(?:=|must\b|should\b|\([\w.+'-]+\)))",
        lambda m: flags[m.group(1)],
        message,
    )


def add_choice(
    parser: argparse.ArgumentParser, flag: str, choices: tuple[str, ...], help: str
) -> None:
    """Add an option taking one of ``choices``, the first of them its default.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> add_choice(p, "--test", ("z", "knha"), "Wald z or Knapp-Hartung t (default z)")
    >>> p.parse_args([]).test, p.parse_args(["--test", "knha"]).test
    ('z', 'knha')
    """
    parser.add_argument(flag, choices=choices, default=choices[0], help=help)


def add_format_option(parser: argparse.ArgumentParser, help: str) -> None:
    """Add ``--format table|csv``: stdout as a readable table (the default) or CSV."""
    add_choice(parser, "--format", ("table", "csv"), help)


def add_strict_option(parser: argparse.ArgumentParser, what: str) -> None:
    """Add ``--strict``: exit :data:`EXIT_PROBLEMS` when any ``what`` (claim, statistic) fails."""
    parser.add_argument(
        "--strict",
        action="store_true",
        help=f"exit with status {EXIT_PROBLEMS} when any {what} is inconsistent or "
        "conflicts_with_primary",
    )


def exit_status(args: argparse.Namespace, result: Any) -> int:
    """:data:`EXIT_PROBLEMS` under ``--strict`` when the audit ``result`` has problems, else 0."""
    return EXIT_PROBLEMS if args.strict and result.has_problems else 0
