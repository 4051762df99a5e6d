"""Extraction on a real Dask cluster: a scheduler and two worker processes started here on localhost.

The cluster's extraction must equal the local process pool's, through the library and the `events extract
--scheduler` command, and a worker killed in the middle of a run must cost nothing but a retried batch.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from events.articles import open_corpus
from events.pipeline import extract_corpus, extract_mentions
from events.settings import get_settings

ROOT = Path(__file__).resolve().parent.parent
DASK = Path(sys.executable).with_name("dask")

# Short wire reports written for this test: other places and years than the samples.
EVENTS = [
    ("Mogadishu", "a car bomb exploded near a market", "killing {k} people"),
    ("Maiduguri", "gunmen attacked a village outside the city", "killing {k} villagers"),
    ("Kandahar", "a roadside bomb struck a police convoy", "killing {k} officers"),
    ("Aden", "an airstrike hit a port warehouse", "killing {k} workers"),
    ("Quetta", "a suicide bomber attacked a rally", "killing {k} people"),
    ("Benghazi", "militias shelled a residential district", "killing {k} civilians"),
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]


def write_corpus(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["file,title,publisher,published,url"]
    for i in range(n):
        place, what, toll = EVENTS[i % len(EVENTS)]
        month = MONTHS[(i // len(EVENTS)) % len(MONTHS)]
        day, year, killed = 1 + i % 27, 2011 + i % 7, 3 + i
        text = (f"{place} ({month} {day + 1}, {year}) - On {month} {day}, {year}, {what} in {place}, "
                f"{toll.format(k=killed)}, officials said. Police said {killed // 2} people were wounded.\n\n"
                f"Residents said the area had been calm for weeks. Report number {i}.")
        (folder / f"w{i:03d}.txt").write_text(text, encoding="utf-8")
        lines.append(f"w{i:03d}.txt,{place} report {i},Test Wire,{year}-{MONTHS.index(month) + 1:02d}-{day + 1:02d},")
    (folder / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker_cache(tmp: Path) -> Path:
    """A fresh cache folder holding the gazetteer index already built (no 10 s build per worker)."""
    from events.gazetteer import Gazetteer

    Gazetteer.load()  # built once in the default cache (the first test to need it pays for it)
    cache = tmp / "worker-cache"
    cache.mkdir(parents=True, exist_ok=True)
    for path in Path(get_settings()["cache_dir"]).glob("gazetteer-*.pickle"):
        shutil.copy(path, cache / path.name)
    return cache


class Cluster:
    """`dask scheduler` and two `dask worker` processes on 127.0.0.1, each started as its own command with the
    README's `DASK_CONFIG=events/dask.yaml`."""

    def __init__(self, tmp: Path):
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.cache = worker_cache(tmp)
        env = dict(os.environ, ATLAS_CACHE_DIR=str(self.cache), PYTHONUNBUFFERED="1",
                   DASK_CONFIG=str(ROOT / "events" / "dask.yaml"))
        env.pop("ATLAS_SCHEDULER", None)
        self.logs = tmp / "logs"
        self.logs.mkdir(exist_ok=True)
        self.scheduler = self._start(["scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                                      "--no-dashboard"], env, "scheduler")
        self.workers = [self._start(["worker", self.address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                                     "--name", f"w{i}", "--host", "127.0.0.1"], env, f"worker{i}")
                        for i in range(2)]
        from distributed import Client

        deadline = time.monotonic() + 120
        while True:
            try:
                self.client = Client(self.address, timeout="5s")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        self.client.wait_for_workers(2, timeout=120)

    def _start(self, args: list[str], env: dict, name: str) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")
        return subprocess.Popen([str(DASK), *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def worker_pid(self, address: str) -> int:
        return self.client.run(os.getpid, workers=[address])[address]

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            for proc in [*self.workers, self.scheduler]:
                if proc.poll() is None:
                    proc.terminate()
            for proc in [*self.workers, self.scheduler]:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("wire") / "corpus", 36)


@pytest.fixture(scope="module")
def local(corpus_dir, tmp_path_factory):
    """The local process pool's extraction (its own empty cache)."""
    old = os.environ.get("ATLAS_CACHE_DIR")
    os.environ["ATLAS_CACHE_DIR"] = str(worker_cache(tmp_path_factory.mktemp("local")))
    try:
        corpus = open_corpus(corpus_dir)
        return corpus, extract_mentions(corpus.documents, workers=1, use_cache=False), \
            extract_corpus(corpus, workers=1, use_cache=False, scheduler="")
    finally:
        if old is None:
            del os.environ["ATLAS_CACHE_DIR"]
        else:
            os.environ["ATLAS_CACHE_DIR"] = old


@pytest.fixture()
def cluster(tmp_path):
    if not DASK.exists():
        pytest.skip(f"no dask command beside {sys.executable}")
    c = Cluster(tmp_path)
    yield c
    c.close()


def test_cluster_extraction_equals_the_local_one(cluster, corpus_dir, local, tmp_path, monkeypatch):
    corpus, mentions, extraction = local
    assert len(mentions) >= len(corpus.documents)  # the test corpus does report incidents
    from events.distributed import extract_on_cluster

    seen: list[tuple[int, int, int]] = []
    run = extract_on_cluster(corpus.documents, cluster.address, batch_size=5, progress=lambda *a: seen.append(a))
    assert run.failed == [] and run.batches == 8
    assert run.mentions == mentions
    assert seen[-1] == (len(corpus.documents), 0, len(corpus.documents))
    from events.merge import merge_mentions
    from events.merge_blocks import merge_on_cluster

    assert merge_on_cluster(run.mentions, cluster.client) == merge_mentions(mentions)
    # the whole command: corpus on the cluster, tables as a Parquet dataset (the workers' cache answers now)
    from events.cli import main
    from events.warehouse import Warehouse

    monkeypatch.setenv("ATLAS_CACHE_DIR", str(cluster.cache))
    assert main(["extract", str(corpus_dir), "--out", str(tmp_path / "atlas"), "--scheduler", cluster.address]) == 0
    warehouse = Warehouse(tmp_path / "atlas")
    from events.views import FilterState

    rows = warehouse.rows(FilterState(), limit=10_000, order="id")
    want = extraction.incidents.sort_values("id").reset_index(drop=True)
    pd.testing.assert_frame_equal(rows[want.columns.tolist()].reset_index(drop=True), want, check_dtype=False)
    warehouse.close()


def test_the_cluster_runs_with_the_extraction_settings(cluster):
    """The README's DASK_CONFIG reaches the scheduler and every worker: less background wake-up than Dask's stock
    settings (a 20 ms tick, a 10 ms profiler), which cost the workers ~10% more CPU per document than the pool."""
    from events.distributed import cluster_config, settings_in_force

    want = cluster_config()
    assert want["distributed.admin.tick.interval"] == "1s" and want["distributed.worker.profile.enabled"] is False
    assert all(got == want for got in cluster.client.run(settings_in_force).values())
    assert cluster.client.run_on_scheduler(settings_in_force) == want
    ticks = cluster.client.run(lambda dask_worker: dask_worker._tick_interval)
    assert set(ticks.values()) == {1.0}
    profiled = cluster.client.run(lambda dask_worker: "profile" in dask_worker.periodic_callbacks)
    assert not any(profiled.values())


def test_a_local_cluster_uses_the_settings_and_equals_the_pool(local):
    """`--scheduler local`: the cluster made here runs with `events/dask.yaml` without any environment, and this
    process's own Dask settings stay as they were."""
    import dask
    from distributed import Client

    from events.distributed import cluster_config, extract_on_cluster, local_cluster, settings_in_force

    corpus, mentions, _ = local
    stock_tick = dask.config.get("distributed.admin.tick.interval")
    with local_cluster(2) as made, Client(made) as client:
        assert all(got == cluster_config() for got in client.run(settings_in_force).values())
        run = extract_on_cluster(corpus.documents, client, use_cache=False, batch_size=7)
    assert run.failed == [] and run.mentions == mentions
    assert dask.config.get("distributed.admin.tick.interval") == stock_tick


def test_a_worker_killed_mid_run_loses_nothing(cluster, local):
    corpus, mentions, _ = local
    from events.distributed import extract_on_cluster

    victim = sorted(cluster.client.scheduler_info(n_workers=-1)["workers"])[0]
    pid = cluster.worker_pid(victim)
    killed_with: list[int] = []

    def progress(done: int, failed: int, total: int) -> None:
        if not killed_with and done >= 4:
            busy = cluster.client.processing(workers=[victim]).get(victim, ())
            killed_with.append(len(busy))
            os.kill(pid, signal.SIGKILL)

    run = extract_on_cluster(corpus.documents, cluster.address, batch_size=2, use_cache=False, progress=progress)
    assert killed_with and killed_with[0] >= 1, "the worker was killed while it held batches"
    assert cluster.workers[0].poll() is not None or cluster.workers[1].poll() is not None
    assert run.failed == []
    assert run.mentions == mentions
    assert len(cluster.client.scheduler_info(n_workers=-1)["workers"]) == 1


def test_an_unreachable_scheduler_is_a_clear_error(corpus_dir, monkeypatch):
    from events import distributed
    from events.distributed import extract_on_cluster

    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT_S", 2)
    corpus = open_corpus(corpus_dir)
    with pytest.raises(RuntimeError, match="cannot reach the Dask scheduler"):
        extract_on_cluster(corpus.documents[:2], f"tcp://127.0.0.1:{free_port()}")
