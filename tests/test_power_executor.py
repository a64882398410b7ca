"""Tests for b12stats.power.executor: batching of chunks into tasks, dask, malloc, environment."""

from __future__ import annotations

import concurrent.futures as cf
import gc
import json
import math
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from b12stats import power as pw
from b12stats.errors import OptionError
from b12stats.power import executor as px
from b12stats.power import run as pr
from b12stats.power.spec import PowerSpec
from b12stats.simulate import get_design

KENYA = get_design("kenya")
SRC = str(Path(px.__file__).resolve().parents[2])
#: A small grid: 3 scenarios x 7 chunks of 10 replicates (the last one of 5),
#: so that batches of 2, 3 or 4 chunks cross scenario boundaries and end short.
SCENARIOS = [(40, 8), (60, 12), (80, 17)]
SPEC = PowerSpec(KENYA, model="linear", reps=65, chunk_size=10, true_value=math.nan)
SEED = 11
N_CHUNKS = len(SCENARIOS) * 7


def _table(runner: pw.Runner) -> pd.DataFrame:
    return pr._power_table(SPEC.for_scenarios(SCENARIOS), SCENARIOS, SEED, runner)


@pytest.fixture(scope="module")
def inline() -> pd.DataFrame:
    return _table(pw.Runner())


# ------------------------------------------------------------------ batching


def test_batched_groups_consecutive_chunks_lazily() -> None:
    pulled = []

    def source() -> Iterator[int]:
        for i in range(7):
            pulled.append(i)
            yield i

    batches = px._batched(source(), 3)
    assert next(batches) == (0, 1, 2)
    assert pulled == [0, 1, 2]  # nothing read ahead
    assert list(batches) == [(3, 4, 5), (6,)]


def test_batch_sizes_shrink_to_single_chunks() -> None:
    # closed form of guided self-scheduling: ceil(left / (d * P)), capped
    d, cap = px.BATCH_SHARE_DIVISOR, px.MAX_CHUNKS_PER_TASK
    for n, slots in [(60, 2), (7, 3), (10**4, 2), (1, 4)]:
        sizes = list(px._batch_sizes(n, slots))
        assert sum(sizes) == n  # every chunk in exactly one task
        left = n
        for size in sizes:
            assert size == min(cap, -(-left // (d * slots)))
            left -= size
        assert sizes[-1] == 1 and sizes == sorted(sizes, reverse=True)
    assert list(px._batch_sizes(N_CHUNKS, None)) == [1] * N_CHUNKS  # workers unknown
    assert list(px._batch_sizes(0, 2)) == []


def test_batched_takes_a_sequence_of_sizes() -> None:
    assert list(px._batched(range(7), [3, 2, 5])) == [(0, 1, 2), (3, 4), (5, 6)]
    assert list(px._batched(range(4), [1, 1])) == [(0,), (1,)]  # sizes run out first


def test_executor_slots() -> None:
    with cf.ThreadPoolExecutor(3) as ex:
        assert px._executor_slots(ex) == 3

    class Bare(cf.Executor):
        pass

    assert px._executor_slots(Bare()) is None


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2"])
def test_chunks_per_task_is_checked(bad: Any) -> None:
    with pytest.raises(OptionError, match="chunks_per_task"):
        pw.Runner(chunks_per_task=bad)


def test_in_flight_counts_tasks_not_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    state = {"yielded": 0, "collected": 0}

    class Counted(cf.Future):
        def result(self, timeout: float | None = None) -> Any:
            state["collected"] += len(super().result(timeout))
            return super().result(timeout)

    class Inline(cf.Executor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> cf.Future:
            fut = Counted()
            fut.set_result(fn(*args, **kwargs))
            return fut

    monkeypatch.setattr(px, "MAX_IN_FLIGHT", 3)
    monkeypatch.setattr(px, "_run_chunk", lambda task: task)

    def tasks() -> Iterator[int]:
        for i in range(20):
            assert state["yielded"] - state["collected"] <= 3 * 4
            state["yielded"] += 1
            yield i

    out = px._execute(tasks(), n_tasks=20, executor=Inline(), workers=1, progress=False,
                      chunks_per_task=4)  # fmt: skip
    assert out == list(range(20))


@pytest.mark.parametrize("per_task", [1, 2, 3, 4, N_CHUNKS, N_CHUNKS + 5])
def test_same_table_for_any_batching(per_task: int, inline: pd.DataFrame) -> None:
    with cf.ThreadPoolExecutor(2) as ex:
        got = _table(pw.Runner(executor=ex, chunks_per_task=per_task))
    pd.testing.assert_frame_equal(inline, got, check_exact=True)


def test_same_table_on_a_process_pool_batched(inline: pd.DataFrame) -> None:
    # chunks pickled in batches to other processes; default batching, and 3 per task
    for per_task in (None, 3):
        got = _table(pw.Runner(workers=2, chunks_per_task=per_task))
        pd.testing.assert_frame_equal(inline, got, check_exact=True)


def test_batches_draw_the_published_streams(inline: pd.DataFrame) -> None:
    # chunk k of scenario (n, c) draws from SeedSequence(seed, spawn_key=(n, c, k)),
    # whatever the batching: rebuild the first scenario's estimates chunk by chunk
    spec = SPEC.for_scenarios(SCENARIOS)
    est = []
    for k in range(7):
        reps = min(10, 65 - 10 * k)
        chunk = px._Chunk(spec, 40, 8, reps, SEED, k, pr._simulate_arrays)
        e, _, ok = px._run_chunk(chunk)
        est.append(e[ok])
    assert math.isclose(float(np.concatenate(est).mean()), inline["mean_estimate"][0],
                        rel_tol=1e-12)  # fmt: skip


# ------------------------------------------------------------------ malloc


def _glibc_linux() -> bool:
    return sys.platform.startswith("linux") and px._glibc()


needs_glibc = pytest.mark.skipif(not _glibc_linux(), reason="glibc mallopt, Linux /proc")

#: In a fresh interpreter: minor page faults of 200 allocations of 1 MiB
#: temporaries before and after the fix, its return value, and the environment.
PROBE = """
import json, os, resource
import numpy as np
from b12stats.power import executor as px

def faults():
    f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(200):
        a = np.ones(131072)
        a += 1.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0

env = dict(os.environ)
before = faults()
changed = px._restore_malloc_thresholds()
again = px._restore_malloc_thresholds()
after = faults()
print(json.dumps({"before": before, "after": after, "changed": changed, "again": again,
                  "env_same": env == dict(os.environ)}))
"""


def _probe(**env: str) -> dict[str, Any]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**base, "PYTHONPATH": SRC, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(out.stdout)


@needs_glibc
def test_malloc_fix_stops_page_faults_of_large_temporaries() -> None:
    # the state a dask nanny starts its workers in: each 1 MiB temporary is
    # mapped and faulted in afresh (256 pages), 200 of them about 51,000 faults
    got = _probe(MALLOC_TRIM_THRESHOLD_="65536")
    assert got["changed"] is True
    assert got["again"] is True  # once per process (cached)
    assert got["before"] > 200 * 200
    assert got["after"] < got["before"] / 20
    assert got["env_same"]  # mallopt only: nothing written to the environment


@needs_glibc
def test_malloc_left_alone_without_the_variable() -> None:
    got = _probe()
    assert got["changed"] is False
    assert got["before"] < 200 * 50  # glibc's adaptive threshold: the heap is reused
    assert got["env_same"]


def test_malloc_fix_needs_the_variable_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    # set in os.environ after start-up (as a dask nanny does in the process that
    # starts a cluster): glibc never read it, so this process is left alone
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    if sys.platform.startswith("linux"):
        assert "MALLOC_TRIM_THRESHOLD_" not in px._initial_environ()
        assert px._restore_malloc_thresholds.__wrapped__() is False


@pytest.mark.parametrize(
    ("environ", "glibc"),
    [
        ({"MALLOC_TRIM_THRESHOLD_": "65536"}, False),  # not glibc: no mallopt
        ({"MALLOC_TRIM_THRESHOLD_": str(2**40)}, True),  # asks for more than the fix gives
        ({}, True),
    ],
)
def test_malloc_fix_does_nothing_when_not_needed(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], glibc: bool
) -> None:
    def no_libc(*args: Any) -> None:
        raise AssertionError("mallopt called")

    monkeypatch.setattr(px, "_initial_environ", lambda: environ)
    monkeypatch.setattr(px, "_glibc", lambda: glibc)
    monkeypatch.setattr(px.ctypes, "CDLL", no_libc)
    assert px._restore_malloc_thresholds.__wrapped__() is False


# ------------------------------------------------------------------ environment


def test_power_leaves_the_environment_alone(inline: pd.DataFrame) -> None:
    before = dict(os.environ)
    _table(pw.Runner(workers=2))
    pw.power(KENYA, n_dyads=40, reps=20, rng=1, true_value=math.nan)
    assert dict(os.environ) == before


@pytest.mark.slow
def test_dask_cluster_batched_identical_and_fixed(
    inline: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # worker processes started by nannies, as on a real cluster (~5 s of start-up)
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        ex = client.get_executor()
        assert px._executor_slots(ex) == 2
        env = dict(os.environ)  # after the nanny's own changes
        tables = [_table(pw.Runner(executor=ex, chunks_per_task=k)) for k in (None, 1, 4)]
        with px.dask_executor(cluster.scheduler_address) as by_address:  # a second client
            tables.append(_table(pw.Runner(executor=by_address)))
        # the CLI on the same cluster: the table inline gives, and the --target-power
        # search (which runs after the table is written) still has its executor
        from b12stats.cli import main

        out = tmp_path / "cli.csv"
        argv = ["power", "--design", "kenya", "--n-dyads", "40,80", "--reps", "20"]
        argv += ["--seed", "1", "--target-power", "0.3", "--out", str(out)]
        assert main([*argv, "--scheduler", cluster.scheduler_address]) == 0
        assert "reach" in capsys.readouterr().out
        cli_table = pd.read_csv(out)
        assert dict(os.environ) == env  # b12stats added nothing
        worker_env = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
        fixed = client.run(px._restore_malloc_thresholds)  # cached: what the first batch did
    with warnings.catch_warnings():  # the closed cluster's sockets, collected here
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    for got in tables:
        pd.testing.assert_frame_equal(inline, got, check_exact=True)
    api = pw.power("kenya", n_dyads=[40, 80], reps=20, rng=1)
    pd.testing.assert_frame_equal(cli_table, api, check_exact=True, check_dtype=False)
    if _glibc_linux() and set(worker_env.values()) == {"65536"}:
        assert set(fixed.values()) == {True}


def test_dask_executor_without_address_runs_as_before() -> None:
    with px.dask_executor(None) as ex:
        assert ex is None


@pytest.mark.slow
# the half-made Client that dask leaves behind may complain when it is collected
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("address", ["tcp://127.0.0.1:9", "nonsense://x"])
def test_dask_executor_bad_address_is_an_option_error(address: str) -> None:
    pytest.importorskip("distributed")
    before = dict(os.environ)
    with (
        pytest.raises(OptionError, match="dask scheduler"),
        px.dask_executor(address, timeout=0.5),
    ):
        pass
    assert dict(os.environ) == before
    with warnings.catch_warnings():  # collect it here, not in a later test
        warnings.simplefilter("ignore")
        gc.collect()


@pytest.mark.slow
def test_cli_scheduler_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("distributed")
    from b12stats.cli import main

    argv = ["power", "--design", "kenya", "--n-dyads", "40", "--reps", "20", "--seed", "1"]
    assert main([*argv, "--out", str(tmp_path / "a.csv"), "--scheduler", "nonsense://x"]) == 2
    assert "not a dask scheduler address" in capsys.readouterr().err
