"""Help layout shared by the subcommands (not a subcommand itself).

:class:`HelpFormatter` wraps prose paragraphs to the terminal width like
argparse's default, but keeps indented lines (command examples in an
``epilog``) exactly as written, so every subcommand can end its ``--help`` with
copy-paste examples.
"""

from __future__ import annotations

import argparse
import textwrap

__all__ = ["HelpFormatter", "examples"]


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
