"""Reading texts from files: plain text, or the main text of an HTML page; folders of texts."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from b12stats.errors import DataValidationError

if TYPE_CHECKING:
    from collections.abc import Iterable

_SKIP_TAGS = {
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "aside",
    "noscript",
    "form",
    "svg",
    "head",
    "template",
}
_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "main", "blockquote", "dd", "dt", "figcaption", "title",
}  # fmt: skip


class _MainText(HTMLParser):
    """Text of an HTML page without scripts, navigation and page furniture."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.main_parts: list[str] = []
        self.skip = 0
        self.main = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in ("main", "article"):
            self.main += 1
        if tag in _BLOCK_TAGS:
            self._emit("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self.skip:
            self.skip -= 1
        elif tag in ("main", "article") and self.main:
            self.main -= 1
        if tag in _BLOCK_TAGS:
            self._emit("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self._emit(data)

    def _emit(self, text: str) -> None:
        self.parts.append(text)
        if self.main:
            self.main_parts.append(text)

    def text(self) -> str:
        chosen = (
            "".join(self.main_parts) if "".join(self.main_parts).strip() else "".join(self.parts)
        )
        lines = [" ".join(line.split()) for line in chosen.splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _is_html(path: Path, text: str) -> bool:
    if path.suffix.lower() in (".html", ".htm", ".xhtml"):
        return True
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html"))


def read_text_file(path: str | Path) -> str:
    """The text of a plain-text file, or the main text of an HTML file.

    Raises
    ------
    DataValidationError
        Naming the file, if it is missing, a directory, empty, binary or not UTF-8.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.html"
    >>> _ = p.write_text("<html><script>x=1</script><p>Median 3 (2, 4) pmol/L.</p></html>")
    >>> read_text_file(p)
    'Median 3 (2, 4) pmol/L.\\n'
    """
    p = Path(path)
    if not p.exists():
        raise DataValidationError("file not found", file=path)
    if p.is_dir():
        raise DataValidationError("is a directory, not a text file", file=path)
    data = p.read_bytes()
    if not data.strip():
        raise DataValidationError("the file is empty", file=path)
    if b"\x00" in data[:8192]:
        raise DataValidationError(
            "a binary file, not text (expected plain text or HTML)", file=path
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataValidationError(
            f"not UTF-8 text (byte {exc.start}); save it as UTF-8", file=path
        ) from None
    if _is_html(p, text):
        parser = _MainText()
        parser.feed(text)
        parser.close()
        text = parser.text()
        if not text.strip():
            raise DataValidationError("the HTML page has no text", file=path)
    return text


def text_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files ``paths`` stand for: a folder is its ``*.txt``/``*.html`` files, sorted."""
    out: list[Path] = []
    for path in paths:
        p = Path(path)
        if p.is_dir():
            found = sorted(
                q
                for q in p.iterdir()
                if q.is_file() and q.suffix.lower() in (".txt", ".html", ".htm")
            )
            if not found:
                raise DataValidationError("the folder has no .txt or .html files", file=path)
            out.extend(found)
        else:
            out.append(p)
    return out
