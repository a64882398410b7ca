"""Write outputs whole or not at all, and never over an input.

Every file b12stats writes goes to a temporary file in the target directory
first and is renamed over the target only when complete, so an interrupted or
failing run never leaves a half-written output.

A command with several outputs plans them in one :class:`OutputPlan` before
any work: every output is checked against every input and every other output
(resolved paths, :func:`os.path.samefile` where both exist) and for
writability (its parent must be, or be creatable as, a writable directory).
While the plan is open (``with plan:``), every write through this module
(:func:`atomic_open` and the helpers built on it, also those called deep in
the library) goes to a temporary file that is renamed into place only when the
``with`` block ends without an error; on an error or Ctrl-C every temporary
file is removed, and so are the directories created for the outputs.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from b12stats.errors import OptionError

__all__ = [
    "OutputPlan",
    "atomic_open",
    "save_figure",
    "write_bytes",
    "write_csv",
    "write_text",
]

#: The plan whose ``with`` block is running (writes are deferred to its end).
_ACTIVE: contextvars.ContextVar[OutputPlan | None] = contextvars.ContextVar(
    "b12stats_output_plan", default=None
)


def _resolve(path: str | Path) -> Path:
    return Path(os.path.abspath(os.fspath(path))).resolve()


def _same(a: Path, b: Path) -> bool:
    if a == b:
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def _shown(path: str | Path) -> str:
    return os.fspath(path)


@dataclass
class _Pending:
    tmp: Path
    target: Path
    shown: str


@dataclass
class OutputPlan:
    """All the inputs and outputs of one command, checked before any work.

    Parameters
    ----------
    command
        Used in messages only.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "in.csv").write_text("x\\n1\\n")
    4
    >>> plan = OutputPlan()
    >>> plan.add_input("DATA.csv", d / "in.csv")
    >>> plan.add_output("--out", d / "in.csv")
    Traceback (most recent call last):
    ...
    b12stats.errors.OptionError: --out ... is the input DATA.csv; choose another path
    >>> plan = OutputPlan()
    >>> plan.add_output("--out", d / "sub" / "a.csv")
    >>> with plan:
    ...     write_text(d / "sub" / "a.csv", "1\\n")
    ...     (d / "sub" / "a.csv").exists()  # renamed into place at the end
    False
    >>> (d / "sub" / "a.csv").read_text()
    '1\\n'
    """

    command: str = ""
    inputs: list[tuple[str, str, Path]] = field(default_factory=list)
    outputs: list[tuple[str, str, Path]] = field(default_factory=list)
    protected: list[tuple[str, Path]] = field(default_factory=list)
    _pending: list[_Pending] = field(default_factory=list, repr=False)
    _created_dirs: list[Path] = field(default_factory=list, repr=False)
    _token: contextvars.Token[OutputPlan | None] | None = field(default=None, repr=False)

    # --- planning ---------------------------------------------------------------------------
    def add_input(self, option: str, path: str | Path | None) -> None:
        """Record an input file (``option`` names it in messages); ``None`` is ignored."""
        if path is None:
            return
        resolved = _resolve(path)
        self.inputs.append((option, _shown(path), resolved))
        for out_opt, out_shown, out in self.outputs:
            if _same(out, resolved):
                raise OptionError(
                    f"{out_opt} {out_shown} is the input {option}; choose another path"
                )

    def add_protected_dir(self, what: str, directory: str | Path) -> None:
        """Refuse outputs that would replace an existing file under ``directory``.

        ``what`` names it in the message (e.g. ``"the bundled data"``).
        """
        self.protected.append((what, _resolve(directory)))

    def add_output(self, option: str, path: str | Path | None) -> None:
        """Record an output file and check it; raise OptionError if it cannot be written.

        The output must not be an input or another output, must not be an
        existing directory, and its nearest existing ancestor must be a
        writable directory.
        """
        if path is None:
            return
        shown = _shown(path)
        if shown == "" or shown.endswith(("/", os.sep)):
            raise OptionError(f"{option} {shown!r}: expected a file name, not a directory")
        resolved = _resolve(path)
        for in_opt, _in_shown, src in self.inputs:
            if _same(resolved, src):
                raise OptionError(f"{option} {shown} is the input {in_opt}; choose another path")
        for what, directory in self.protected:
            if resolved.is_relative_to(directory) and resolved.exists():
                raise OptionError(
                    f"{option} {shown} is a file of {what} (an input); choose another path"
                )
        for other_opt, other_shown, other in self.outputs:
            if _same(resolved, other):
                same = f"{other_opt} {other_shown}" if other_shown != shown else other_opt
                raise OptionError(
                    f"{option} {shown} is the same file as {same}; give each output its own path"
                )
        _check_writable(option, shown, resolved)
        self.outputs.append((option, shown, resolved))

    # --- the transaction --------------------------------------------------------------------
    def __enter__(self) -> OutputPlan:
        if self._token is not None:
            raise RuntimeError("an OutputPlan can be entered once")
        self._token = _ACTIVE.set(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._token is not None
        _ACTIVE.reset(self._token)
        if exc_type is None:
            self._commit()
        else:
            self._rollback()

    def _shown_for(self, target: Path) -> str:
        for _opt, shown, out in self.outputs:
            if out == target:
                return shown
        return os.fspath(target)

    def _make_parent(self, parent: Path, shown: str) -> None:
        missing: list[Path] = []
        p = parent
        while not p.exists():
            missing.append(p)
            if p.parent == p:
                break
            p = p.parent
        for d in reversed(missing):
            try:
                d.mkdir()
            except FileExistsError:
                if not d.is_dir():
                    raise _user_oserror(errno.ENOTDIR, d) from None
                continue
            except OSError as exc:
                raise _user_oserror(exc.errno, d) from None
            self._created_dirs.append(d)

    def _temporary(self, target: Path) -> tuple[int, Path]:
        shown = self._shown_for(target)
        self._make_parent(target.parent, shown)
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        except OSError as exc:
            raise _user_oserror(exc.errno, shown) from None
        self._pending.append(_Pending(Path(tmp), target, shown))
        with contextlib.suppress(OSError):
            os.fchmod(fd, _file_mode(target))
        return fd, Path(tmp)

    def _commit(self) -> None:
        done: list[_Pending] = []
        existed = {p.target: p.target.exists() for p in self._pending}
        try:
            for p in self._pending:
                try:
                    os.replace(p.tmp, p.target)
                except OSError as exc:
                    raise _user_oserror(exc.errno, p.shown) from None
                done.append(p)
        except BaseException:
            for p in done:  # outputs that did not exist before are removed again
                if not existed[p.target]:
                    with contextlib.suppress(OSError):
                        os.unlink(p.target)
            self._rollback()
            raise
        self._pending.clear()
        self._created_dirs.clear()

    def _rollback(self) -> None:
        for p in self._pending:
            with contextlib.suppress(OSError):
                os.unlink(p.tmp)
        self._pending.clear()
        for d in reversed(self._created_dirs):
            with contextlib.suppress(OSError):
                d.rmdir()  # only if empty
        self._created_dirs.clear()


def _names_temporary(exc: OSError, tmp: Path) -> bool:
    """Whether ``exc`` names no file, or the temporary ``tmp`` (or its descriptor)."""
    name = exc.filename
    if name is None or isinstance(name, int):
        return True
    try:
        return Path(os.fsdecode(name)) == tmp
    except TypeError:
        return False


def _file_mode(target: Path) -> int:
    """The mode a plain ``open(target, "w")`` would leave: the existing file's, else 0666 & ~umask.

    :func:`tempfile.mkstemp` creates files readable by their owner only; an
    output is for sharing like any file the user writes.
    """
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _user_oserror(code: int | None, shown: str | Path) -> OSError:
    """An OSError naming the user's path (never a temporary file)."""
    code = code or errno.EIO
    return OSError(code, os.strerror(code), os.fspath(shown))


def _check_writable(option: str | None, shown: str, resolved: Path) -> None:
    """Raise OptionError unless ``resolved`` can be created or replaced.

    ``option`` (e.g. ``--out``) starts the message; None for a library call.
    """
    what = shown if option is None else f"{option} {shown}"
    if resolved.is_dir():
        raise OptionError(f"{what}: is a directory; give a file name")
    parent = resolved.parent
    while not parent.exists():
        if parent.parent == parent:
            break
        parent = parent.parent
    if not parent.is_dir():
        raise OptionError(
            f"{what}: {_relative(parent, resolved, shown)} is a file, not a directory"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OptionError(
            f"{what}: cannot write in the directory "
            f"{_relative(parent, resolved, shown)} (permission denied)"
        )


def _relative(ancestor: Path, resolved: Path, shown: str) -> str:
    """``ancestor`` spelled as the user did, where possible (``x`` in ``x/y.csv``)."""
    given = Path(shown)
    depth = len(resolved.relative_to(ancestor).parts)
    parts = given.parts
    if depth <= len(parts):
        spelled = Path(*parts[: len(parts) - depth]) if len(parts) > depth else Path(".")
        if _resolve(spelled) == ancestor:
            return os.fspath(spelled)
    return os.fspath(ancestor)


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; rename it to ``path`` on success.

    Inside an :class:`OutputPlan`'s ``with`` block the rename waits for the
    end of the block (all outputs or none).

    Parameters
    ----------
    path
        The final destination. Its directory is created if missing.
        :class:`~b12stats.errors.OptionError` if it cannot be (a part of the
        path is a file, or the directory is not writable) or ``path`` is a
        directory.
    mode
        ``"w"`` (text, UTF-8 unless ``encoding`` is given) or ``"wb"``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_open(d / "a.txt") as fh:
    ...     _ = fh.write("hello")
    >>> (d / "a.txt").read_text()
    'hello'
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open supports modes 'w' and 'wb', not {mode!r}")
    if mode == "w":
        kwargs.setdefault("encoding", "utf-8")
        kwargs.setdefault("newline", "")
    plan = _ACTIVE.get()
    if plan is not None:
        target = _resolve(path)
        fd, tmp = plan._temporary(target)
        try:
            with os.fdopen(fd, mode, **kwargs) as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            if _names_temporary(exc, tmp):
                raise _user_oserror(exc.errno, plan._shown_for(target)) from None
            raise
        return
    path = Path(path)
    _check_writable(None, os.fspath(path), _resolve(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with contextlib.suppress(OSError):
        os.fchmod(fd, _file_mode(path))
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError) and _names_temporary(exc, Path(tmp_name)):
            raise _user_oserror(exc.errno, path) from None
        raise


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8)."""
    with atomic_open(path, "w") as fh:
        fh.write(text)


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)


def write_csv(path: str | Path, frame: Any, **kwargs: Any) -> None:
    """Write a DataFrame as CSV atomically (no index; floats in their shortest round-trip form)."""
    kwargs.setdefault("index", False)
    with atomic_open(path, "w") as fh:
        frame.to_csv(fh, lineterminator="\n", **kwargs)


def save_figure(fig: Any, path: str | Path, **kwargs: Any) -> None:
    """Save a matplotlib figure atomically; the format comes from the suffix."""
    path = Path(path)
    kwargs.setdefault("format", path.suffix.lstrip(".").lower() or "png")
    with atomic_open(path, "wb") as fh:
        fig.savefig(fh, **kwargs)
