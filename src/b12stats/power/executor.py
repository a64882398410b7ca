"""Where the chunks of a power simulation run: inline, a process pool, or any executor.

Each chunk (:class:`_Chunk`) is one task: a number of replicates of one
scenario with its own random stream; :func:`_execute` runs the chunks and
returns their results in submission order, so the answer does not depend on
the executor or the number of workers.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import itertools
import multiprocessing
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from b12stats._validation import check_params, check_workers
from b12stats.errors import OptionError
from b12stats.power._model import fit_tested
from b12stats.power._options import MAX_IN_FLIGHT
from b12stats.power.spec import PowerSpec

__all__ = ["Runner"]


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
    """

    executor: cf.Executor | None = None
    workers: int = 1
    progress: bool | None = None

    def __post_init__(self) -> None:
        check_params(progress=self.progress, constraints={"progress": [None, "boolean"]})
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
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Run the chunks inline, on a process pool, or on ``executor``; results in order.

    ``tasks`` is consumed lazily: at most :data:`MAX_IN_FLIGHT` chunks are
    submitted and not yet collected at any time, so neither the tasks nor
    their pending futures are all built up front.
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
        todo = iter(tasks)
        # submit (a fork pool starts its processes here) before the progress bar,
        # which may start a monitor thread
        pending = collections.deque(
            executor.submit(_run_chunk, task) for task in itertools.islice(todo, MAX_IN_FLIGHT)
        )
        out = []
        try:
            with bar() as pbar:
                while pending:
                    out.append(pending.popleft().result())
                    pbar.update(1)
                    task = next(todo, None)
                    if task is not None:
                        pending.append(executor.submit(_run_chunk, task))
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
        return out


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
