"""Help layout shared by the subcommands (not a subcommand itself).

Each subcommand module declares its ``--help`` once, as a :class:`Command`
record named ``COMMAND``; :func:`b12stats.cli.build_parser` turns every one
into a subparser (:meth:`Command.add_parser`). :class:`HelpFormatter` wraps
prose paragraphs to the terminal width like argparse's default, but keeps
indented lines (command examples in an ``epilog``) exactly as written, so every
subcommand can end its ``--help`` with copy-paste examples.
"""

from __future__ import annotations

import argparse
import textwrap
from dataclasses import dataclass
from typing import Any

__all__ = ["Command", "HelpFormatter", "examples"]


class HelpFormatter(argparse.HelpFormatter):
    """Wrap prose paragraphs; keep lines starting with two spaces verbatim."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out = []
        for para in text.split("\n\n"):
            lines = para.splitlines()
            if lines and all(line.startswith("  ") for line in lines):
                out.append("\n".join(indent + line for line in lines))
            else:
                out.append(
                    textwrap.fill(
                        " ".join(para.split()),
                        width,
                        initial_indent=indent,
                        subsequent_indent=indent,
                    )
                )
        return "\n\n".join(out)


def examples(*commands: str) -> str:
    """An ``epilog`` listing example command lines (one per argument)."""
    return "examples:\n\n" + "\n".join(f"  {c}" for c in commands)


@dataclass(frozen=True)
class Command:
    """What ``b12stats NAME --help`` says about a subcommand.

    Parameters
    ----------
    help : str
        The line ``b12stats --help`` lists the command with.
    description : str
        The prose under the usage line (wrapped to the terminal's width).
    examples : tuple of str
        Example command lines, which end the help as copy-paste lines.
    """

    help: str
    description: str
    examples: tuple[str, ...]

    def add_parser(self, subparsers: Any, name: str) -> argparse.ArgumentParser:
        """Add the subcommand ``name`` to ``subparsers`` with this help; return its parser.

        Examples
        --------
        >>> sub = argparse.ArgumentParser(prog="b12stats").add_subparsers()
        >>> p = Command("say hello", "Print hello.", ("b12stats hello",)).add_parser(sub, "hello")
        >>> print(p.format_help().split("\\n", 2)[2])
        Print hello.
        <BLANKLINE>
        options:
          -h, --help  show this help message and exit
        <BLANKLINE>
        examples:
        <BLANKLINE>
          b12stats hello
        <BLANKLINE>
        """
        parser: argparse.ArgumentParser = subparsers.add_parser(
            name,
            help=self.help,
            description=self.description,
            formatter_class=HelpFormatter,
            epilog=examples(*self.examples),
        )
        return parser
