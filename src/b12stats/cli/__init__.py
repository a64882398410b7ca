"""Command-line interface: a thin argparse layer over the library.

Each subcommand lives in its own module in this package, which declares
``COMMAND`` (its help, a :class:`b12stats.cli._help.Command`),
``add_arguments(parser)`` and ``run(args) -> int``; :func:`build_parser` makes
the subparsers from them. Heavy imports happen inside ``run`` so that
``b12stats --help`` and light commands start fast.

User errors (:class:`b12stats.errors.B12StatsError`, bad options, unreadable
files) print one ``error: ...`` line on stderr and exit with status 2, never a
traceback. Every ``OSError`` (a file that cannot be read or written) is turned
into that line in :func:`main`, the one place that catches them.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from b12stats._version import __version__
from b12stats.cli._args import flag_spelling
from b12stats.errors import B12StatsError, OptionError

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS = (
    "init", "data", "reproduce", "design", "simulate", "fit", "meta", "power", "report",
    "extract", "check",
)  # fmt: skip

EXIT_USAGE = 2


class ArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"error: {self.prog}: {message}\n")


def build_parser() -> ArgumentParser:
    """Return the top-level parser with every available subcommand."""
    parser = ArgumentParser(
        prog="b12stats",
        description="Reanalyse published vitamin B12 summaries (mothers, milk, infants).",
        epilog=(
            "Start with 'b12stats report' (the whole reanalysis as report/index.html). "
            "'b12stats COMMAND --help' shows each command's options and examples."
        ),
    )
    parser.add_argument("--version", action="version", version=f"b12stats {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"b12stats.cli.{name}")
        except ModuleNotFoundError as exc:  # a command not built yet
            if exc.name != f"b12stats.cli.{name}":
                raise
            continue
        command = module.COMMAND.add_parser(sub, name)
        module.add_arguments(command)
        command.set_defaults(func=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status (also used as the console script)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except B12StatsError as exc:
        # the library's argument names as this command's flags
        message = flag_spelling(
            str(exc),
            _subparser(parser, args.command),
            keywords_only=not isinstance(exc, OptionError),
        )
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # output piped into e.g. `head`
        sys.stderr.close()
        return 0
    except OSError as exc:  # the one place file-system errors become one line
        print(f"error: {os_error_message(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


def _subparser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found = action.choices.get(command)
            return found if isinstance(found, argparse.ArgumentParser) else None
    return None


def os_error_message(exc: OSError) -> str:
    """One line for an OSError: the path and what went wrong (``x.csv: file not found``).

    :mod:`b12stats._io` replaces the names of its temporary files by the user's
    path before an error gets here.

    Examples
    --------
    >>> import errno
    >>> os_error_message(FileNotFoundError(errno.ENOENT, "No such file or directory", "x.csv"))
    'x.csv: file not found'
    >>> os_error_message(OSError(errno.ENOSPC, "No space left on device", "out/a.csv"))
    'out/a.csv: no space left on device'
    """
    if isinstance(exc, FileNotFoundError):
        reason = "file not found"
    elif isinstance(exc, IsADirectoryError):
        reason = "is a directory, not a file"
    elif isinstance(exc, NotADirectoryError):
        reason = "a part of the path is a file, not a directory"
    elif isinstance(exc, PermissionError):
        reason = "permission denied"
    elif exc.strerror:
        reason = exc.strerror[:1].lower() + exc.strerror[1:]
    else:
        reason = str(exc) or type(exc).__name__
    return f"{exc.filename}: {reason}" if exc.filename is not None else reason


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
