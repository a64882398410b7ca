"""Where the chunks of a power simulation run: inline, a process pool, or any executor.

Each chunk (:class:`_Chunk`) is a number of replicates of one scenario with
its own random stream. On an executor, one task runs a batch of consecutive
chunks (:func:`_run_batch`; how many: :func:`_batch_sizes`), each chunk
still drawing from its own stream; :func:`_execute` returns the chunks'
results in submission order, so the answer depends neither on the executor,
nor on the number of workers, nor on the batching.

A ``dask.distributed`` worker started by a nanny has ``MALLOC_TRIM_THRESHOLD_``
set (dask's ``distributed.nanny.pre-spawn-environ``), which turns off glibc's
adaptive mmap threshold: every array of 128 kB or more is then mapped afresh
and page-faulted in, and a chunk costs about twice the CPU. The first batch a
worker process runs restores glibc's adaptive limits there
(:func:`_restore_malloc_thresholds`), whoever made the cluster.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import ctypes
import functools
import itertools
import logging
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from b12stats._validation import Integral, Interval, check_params, check_workers
from b12stats.errors import OptionError
from b12stats.power._model import fit_tested
from b12stats.power._options import MAX_IN_FLIGHT
from b12stats.power.spec import PowerSpec

__all__ = ["Runner", "dask_executor"]

logger = logging.getLogger(__name__)

#: Batches shrink as the work runs out (:func:`_batch_sizes`): each takes at most
#: 1/(this x workers) of the chunks left, so the last tasks are single chunks and
#: the workers finish close together even when the last scenarios are the largest ...
BATCH_SHARE_DIVISOR = 2
#: ... and at most this many chunks (of ``CHUNK_SIZE`` replicates) in one task:
#: enough to make a task's scheduling cost (about a millisecond on dask) small
#: against its work, few enough that a task is short and the bar moves.
MAX_CHUNKS_PER_TASK = 10


@dataclass(frozen=True)
class Runner:
    """Where to run: an ``executor``, else ``workers`` processes (1: inline), and a bar.

    Parameters
    ----------
    executor : concurrent.futures.Executor, optional
        E.g. ``ProcessPoolExecutor`` or a ``dask.distributed``
        ``Client.get_executor()``; overrides ``workers``.
    workers : int
        Without ``executor``: 1 runs inline, more starts a process pool.
    progress : bool, optional
        tqdm bar over chunks; default only when stderr is a terminal.
    chunks_per_task : int, optional
        Consecutive chunks run by one executor task. Default: batches that
        shrink as the chunks run out, sized from the executor's number of
        workers (:func:`_batch_sizes`). Results do not depend on it.
    """

    executor: cf.Executor | None = None
    workers: int = 1
    progress: bool | None = None
    chunks_per_task: int | None = None

    def __post_init__(self) -> None:
        check_params(
            progress=self.progress,
            chunks_per_task=self.chunks_per_task,
            constraints={
                "progress": [None, "boolean"],
                "chunks_per_task": [None, Interval(Integral, 1, None)],
            },
        )
        object.__setattr__(self, "workers", check_workers(self.workers))
        if self.executor is not None and not hasattr(self.executor, "submit"):
            raise OptionError(
                f"executor must be a concurrent.futures.Executor, got {self.executor!r}"
            )

    def run(self, tasks: Iterable[_Chunk], n_tasks: int) -> list[Any]:
        """Run the chunks; their results in order."""
        return _execute(
            tasks,
            n_tasks=n_tasks,
            executor=self.executor,
            workers=self.workers,
            progress=_progress_default(self.progress),
            chunks_per_task=self.chunks_per_task,
        )


@dataclass(frozen=True)
class _Chunk:
    """One executor task: ``reps`` replicates of one scenario (picklable)."""

    spec: PowerSpec
    n_dyads: int
    n_clusters: int
    reps: int
    seed: int
    index: int
    simulate: Callable[..., Any]


def _run_chunk(task: _Chunk) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulate and fit one chunk; return (estimate, se, converged) of the tested term."""
    seq = np.random.SeedSequence(task.seed, spawn_key=(task.n_dyads, task.n_clusters, task.index))
    sim = task.simulate(
        task.spec.design,
        n_dyads=task.n_dyads,
        n_clusters=task.n_clusters,
        reps=task.reps,
        rng=np.random.default_rng(seq),
    )
    res = fit_tested(task.spec, sim, cov_type=task.spec.cov_type)
    return res.params[:, 1].copy(), res.bse[:, 1].copy(), res.converged.copy()


def _run_batch(chunks: tuple[_Chunk, ...]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """One executor task: run consecutive chunks, each from its own stream; results in order."""
    _restore_malloc_thresholds()
    return [_run_chunk(task) for task in chunks]


def _batched(tasks: Iterable[_Chunk], sizes: int | Iterable[int]) -> Iterator[tuple[_Chunk, ...]]:
    """Consecutive groups of chunks, ``sizes`` long (one int: all that long), built lazily."""
    it = iter(tasks)
    each = itertools.repeat(sizes) if isinstance(sizes, int) else iter(sizes)
    for size in each:
        batch = tuple(itertools.islice(it, size))
        if not batch:
            return
        yield batch


def _executor_slots(executor: cf.Executor) -> int | None:
    """How many tasks ``executor`` runs at once, when it says; else None.

    ``max_workers`` of a :mod:`concurrent.futures` pool; the total threads of
    the workers of a ``dask.distributed`` ``Client.get_executor()`` (at the
    time of the call: an adaptive cluster may grow later).
    """
    n = getattr(executor, "_max_workers", None)
    if isinstance(n, int) and n >= 1:
        return n
    nthreads = getattr(getattr(executor, "_client", None), "nthreads", None)
    if callable(nthreads):
        total = sum(nthreads().values())
        return total if total >= 1 else None
    return None


def _batch_sizes(n_chunks: int, slots: int | None) -> Iterator[int]:
    """Chunks per executor task, task after task: guided self-scheduling.

    Each task takes ``ceil(R / (d P))`` of the ``R`` chunks still to submit
    (``P`` workers, ``d`` = :data:`BATCH_SHARE_DIVISOR`), at most
    :data:`MAX_CHUNKS_PER_TASK`: large tasks while much is left (few
    scheduling round trips), single chunks at the end (no worker waits long
    for the last task of another). One chunk per task when the executor does
    not say how many workers it has. Polychronopoulos & Kuck (1987); with
    ``d = 2``, the "factoring" of Hummel, Schonberg & Flynn (1992).

    References
    ----------
    Polychronopoulos CD, Kuck DJ (1987). Guided self-scheduling: a practical
    scheduling scheme for parallel supercomputers. IEEE Trans Comput
    C-36:1425-1439. doi:10.1109/TC.1987.5009495

    Hummel SF, Schonberg E, Flynn LE (1992). Factoring: a method for scheduling
    parallel loops. Commun ACM 35(8):90-101. doi:10.1145/135226.135232

    Examples
    --------
    >>> list(_batch_sizes(60, 2))
    [10, 10, 10, 8, 6, 4, 3, 3, 2, 1, 1, 1, 1]
    >>> list(_batch_sizes(3, None))
    [1, 1, 1]
    """
    left = n_chunks
    while left > 0:
        size = 1 if slots is None else -(-left // (BATCH_SHARE_DIVISOR * slots))
        size = min(MAX_CHUNKS_PER_TASK, size)
        yield size
        left -= size


#: ``mallopt`` parameters of glibc (``<malloc.h>``).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def _glibc() -> bool:
    """Whether this process runs on glibc (whose ``mallopt`` is used below)."""
    confstr = getattr(os, "confstr", None)
    if confstr is None:
        return False
    try:
        version = confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError):  # no such name: not glibc
        return False
    return version.startswith("glibc")


def _initial_environ() -> dict[str, str]:
    """The environment this process started with (what glibc read), else ``os.environ``.

    On Linux ``/proc/self/environ``: a variable set later in ``os.environ``
    (as a dask nanny does in the process that starts a cluster) did not reach
    this process's malloc.
    """
    try:
        with open("/proc/self/environ", "rb") as fh:
            raw = fh.read()
    except OSError:
        return dict(os.environ)
    pairs = (item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item)
    return {k.decode(errors="replace"): v.decode(errors="replace") for k, v in pairs}


@functools.cache
def _restore_malloc_thresholds() -> bool:
    """Undo ``MALLOC_TRIM_THRESHOLD_`` in this process, once; whether anything was changed.

    Setting that variable (dask's nanny sets 65536 for its workers, so that
    freed memory goes back to the OS at once) makes glibc fix its mmap
    threshold at 128 kB and trim the heap whenever 64 kB are free at its top:
    every numpy temporary of 128 kB or more -- a chunk's arrays are replicates
    x dyads doubles, 229 kB for 100 x 286 -- is mapped, page-faulted in and
    unmapped again, and a chunk costs about twice the CPU. Unset, glibc raises
    both thresholds as large blocks are freed, up to an mmap threshold of
    ``DEFAULT_MMAP_THRESHOLD_MAX`` (32 MiB on 64-bit) and a trim threshold of
    twice that; this sets them there (``mallopt(M_MMAP_THRESHOLD)``,
    ``mallopt(M_TRIM_THRESHOLD)``), unless the variable asks for more, and
    leaves ``MALLOC_MMAP_THRESHOLD_`` alone when that was set too. A process
    that did not start with the variable (any process but a dask worker, as a
    rule) and any platform other than glibc are left as they are; nothing is
    written to the environment.
    """
    env = _initial_environ()
    asked = env.get("MALLOC_TRIM_THRESHOLD_")
    if asked is None or not _glibc():
        return False
    mmap_max = 4 * 1024 * 1024 * ctypes.sizeof(ctypes.c_long)  # glibc's DEFAULT_MMAP_THRESHOLD_MAX
    try:
        if int(asked) >= 2 * mmap_max:
            return False
    except ValueError:
        pass  # glibc reads a malformed value as a number too; replace it
    libc = ctypes.CDLL(None)
    changed = libc.mallopt(_M_TRIM_THRESHOLD, 2 * mmap_max) == 1
    if "MALLOC_MMAP_THRESHOLD_" not in env:
        changed = (libc.mallopt(_M_MMAP_THRESHOLD, mmap_max) == 1) and changed
    logger.debug(
        "MALLOC_TRIM_THRESHOLD_=%s: malloc thresholds raised in process %d: %s",
        asked,
        os.getpid(),
        changed,
    )
    return changed


def _progress_default(progress: bool | None) -> bool:
    if progress is None:
        return bool(getattr(sys.stderr, "isatty", lambda: False)())
    return bool(progress)


class _NoBar:
    """Stand-in for a disabled progress bar."""

    def update(self, n: int = 1) -> None:
        """Do nothing."""


def _execute(
    tasks: Iterable[_Chunk],
    *,
    n_tasks: int,
    executor: cf.Executor | None,
    workers: int,
    progress: bool,
    chunks_per_task: int | None = None,
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Run the chunks inline, on a process pool, or on ``executor``; results in order.

    On an executor each task runs ``chunks_per_task`` consecutive chunks
    (default: shrinking batches, :func:`_batch_sizes`). ``tasks`` is consumed lazily: at most
    :data:`MAX_IN_FLIGHT` tasks are submitted and not yet collected at any
    time, so neither the chunks nor their pending futures are all built up
    front.
    """

    def bar() -> Any:
        if not progress:  # no tqdm object at all: tqdm starts a monitor thread
            return contextlib.nullcontext(_NoBar())
        from tqdm.auto import tqdm

        return tqdm(total=n_tasks, desc="power", unit="chunk")

    with contextlib.ExitStack() as stack:
        if executor is None and workers > 1:
            executor = stack.enter_context(
                cf.ProcessPoolExecutor(workers, mp_context=_mp_context())
            )
        if executor is None:
            out = []
            with bar() as pbar:
                for task in tasks:
                    out.append(_run_chunk(task))
                    pbar.update(1)
            return out
        sizes = chunks_per_task or _batch_sizes(n_tasks, _executor_slots(executor))
        todo = _batched(tasks, sizes)
        # submit (a fork pool starts its processes here) before the progress bar,
        # which may start a monitor thread
        pending = collections.deque(
            executor.submit(_run_batch, batch) for batch in itertools.islice(todo, MAX_IN_FLIGHT)
        )
        out = []
        try:
            with bar() as pbar:
                while pending:
                    done = pending.popleft().result()
                    out.extend(done)
                    pbar.update(len(done))
                    batch = next(todo, None)
                    if batch is not None:
                        pending.append(executor.submit(_run_batch, batch))
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
        return out


@contextlib.contextmanager
def dask_executor(address: str | None, *, timeout: float | None = None) -> Iterator[Any]:
    """The executor of a ``dask.distributed`` client of the scheduler at ``address``.

    For ``power(..., executor=...)`` (and :func:`~b12stats.power.sample_size`,
    :func:`~b12stats.power.replicate_estimates`). The cluster is the caller's:
    on exit the client is closed and the cluster left running. ``os.environ``
    is left as it was (importing ``distributed`` writes a variable into it).

    Parameters
    ----------
    address : str or None
        E.g. ``"tcp://scheduler:8786"``; None yields None (run as without a
        cluster), so that a caller can pass an optional address through.
    timeout : float, optional
        Seconds to wait for the connection (default: dask's
        ``distributed.comm.timeouts.connect``, 30 s).

    Yields
    ------
    concurrent.futures.Executor or None

    Raises
    ------
    OptionError
        dask.distributed is not installed, ``address`` is not one, or no
        scheduler answers there.

    Examples
    --------
    >>> with dask_executor(None) as ex:
    ...     print(ex)
    None
    """
    if address is None:
        yield None
        return
    with _environ_kept():
        try:
            import distributed
        except ImportError as exc:
            raise OptionError(
                "a scheduler address needs dask.distributed: pip install 'b12stats[dask]'"
            ) from exc
        from distributed.comm import parse_address
        from distributed.comm.registry import get_backend

        try:  # before a Client exists: a half-made one hangs the interpreter's exit
            get_backend(parse_address(address)[0])
        except ValueError as exc:
            raise OptionError(f"not a dask scheduler address: {address!r} ({exc})") from exc
        wait = {} if timeout is None else {"timeout": timeout}
        try:
            client = distributed.Client(address, set_as_default=False, **wait)
        except OSError as exc:  # nothing answers (dask's connect timeout is an OSError)
            raise OptionError(f"no dask scheduler at {address!r}: {exc}") from exc
        with client:
            yield client.get_executor()


@contextlib.contextmanager
def _environ_kept() -> Iterator[None]:
    """Put back on exit any ``os.environ`` variable changed or added inside."""
    before = dict(os.environ)
    try:
        yield
    finally:
        for key in set(os.environ) - set(before):
            del os.environ[key]
        for key, value in before.items():
            if os.environ.get(key) != value:
                os.environ[key] = value


def _mp_context() -> multiprocessing.context.BaseContext:
    """Start method of the worker processes.

    ``fork`` (instant start-up, the parent's imports inherited) where it is
    available and the parent runs a single Python thread; otherwise
    ``forkserver`` or ``spawn``, which do not fork a process holding other
    threads (a dask client, a GUI) -- a fork there can deadlock the child.
    OpenBLAS re-creates its own thread pool in a forked child (``pthread_atfork``).
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
