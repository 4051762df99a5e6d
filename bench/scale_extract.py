"""Extraction throughput at scale: the local process pool against Dask (a local cluster, and a scheduler plus
workers started as separate commands, the way a real cluster runs).

    .venv/bin/python bench/scale_extract.py ../shared/bench                 # 10,000 and 100,000 documents
    .venv/bin/python bench/scale_extract.py ../shared/bench --quick         # 1,000 documents, a few minutes
    .venv/bin/python bench/scale_extract.py ../shared/bench --docs 1000000 --modes cluster

The corpus is one JSON-lines table of articles (the format a large corpus comes in) built in a temporary folder
from the TimeBank and TR-News texts under BENCH_DIR, repeated to the size asked; every document carries a salt
line unique to this run, so no per-document cache answers. Each mode starts with an empty extraction cache (the
gazetteer index is built once beforehand and shared) and uses the same cores (`--cores`, default 2):

* pool: `extract_mentions(workers=cores)` - the embedded default, a process pool;
* local-dask: `extract_on_cluster` on a `LocalCluster` of `cores` worker processes, one thread each;
* cluster: `dask scheduler` and `cores` x `dask worker --nthreads 1` started as separate commands on this machine,
  with `DASK_CONFIG=events/dask.yaml` as the README says, then `extract_on_cluster("tcp://127.0.0.1:PORT")`.

Both Dask modes run with the settings of `events/dask.yaml` (`events.distributed.cluster_config`);
`--dask-defaults` runs them with Dask's stock settings instead, for a before/after of those settings.

Timed: the per-document stage only (reading the table and merging are the same code in every mode and are
printed on their own line). Dask overhead = Dask time / pool time - 1 (the target is under 15%). Beside the wall
time, "cpu s" is the CPU time of every process of the mode over the same stage (this process, the pool's children,
the scheduler, nannies and workers): on a busy machine the wall time measures who got the cores, the CPU time
still measures the work, so "cpu vs pool" is the figure to compare there.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from extract_speed import bench_texts  # noqa: E402

MODES = ("pool", "local-dask", "cluster")


def write_article_table(texts: list[tuple[str, str]], n: int, path: Path, salt: str) -> int:
    """n articles as JSON lines (id,title,publisher,published,url,text); returns the number of words."""
    words = 0
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            when, text = texts[i % len(texts)]
            body = f"{text}\n\n(bench {salt} document {i})"
            words += len(body.split())
            out.write(json.dumps({"id": f"doc{i:07d}", "title": "", "publisher": "Bench", "published": when,
                                  "url": "", "text": body}, ensure_ascii=False) + "\n")
    return words


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_mb() -> float:
    return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


class TreeCpu:
    """CPU seconds of this process and all its descendants between `start()` and `stop()`: live processes by
    psutil (per pid, so a worker started before counts only its share), children that ended and were waited for
    (the pool's) by getrusage."""

    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        self.seconds = 0.0

    def _snapshot(self) -> tuple[dict[int, float], float]:
        me = self._psutil.Process()
        live: dict[int, float] = {}
        for proc in [me, *me.children(recursive=True)]:
            try:
                t = proc.cpu_times()
                live[proc.pid] = t.user + t.system
            except self._psutil.Error:
                pass
        waited = resource.getrusage(resource.RUSAGE_CHILDREN)
        return live, waited.ru_utime + waited.ru_stime

    def start(self) -> None:
        self._live, self._waited = self._snapshot()

    def stop(self) -> float:
        live, waited = self._snapshot()
        self.seconds = sum(cpu - self._live.get(pid, 0.0) for pid, cpu in live.items()) + waited - self._waited
        return self.seconds


def run_mode(mode: str, documents, cores: int, cache: Path, dask_defaults: bool = False,
             cpu: TreeCpu | None = None) -> tuple[float, int, int]:
    """(seconds, mentions, failed documents) of the per-document stage in one mode, from an empty mention cache;
    `cpu` (started and stopped around the same stage) gets the CPU seconds of every process of the mode."""
    cpu = cpu or TreeCpu()
    from events.distributed import CLUSTER_CONFIG, extract_on_cluster, local_cluster
    from events.pipeline import extract_mentions

    shutil.rmtree(cache / "mentions", ignore_errors=True)
    if mode == "pool":
        cpu.start()
        started = time.perf_counter()
        mentions = extract_mentions(documents, workers=cores)
        seconds = time.perf_counter() - started
        cpu.stop()
        return seconds, len(mentions), 0
    if mode == "local-dask":
        from distributed import Client, LocalCluster

        cluster = (LocalCluster(n_workers=cores, threads_per_worker=1, processes=True, dashboard_address=None)
                   if dask_defaults else local_cluster(cores))
        with cluster, Client(cluster) as client:
            client.run(_warm_gazetteer)
            cpu.start()
            started = time.perf_counter()
            run = extract_on_cluster(documents, client)
            seconds = time.perf_counter() - started
            cpu.stop()
            return seconds, len(run.mentions), len(run.failed)
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = Path(sys.executable).with_name("dask")
    env = {**os.environ, "ATLAS_CACHE_DIR": str(cache)}
    if not dask_defaults:
        env["DASK_CONFIG"] = str(CLUSTER_CONFIG)
    logs = cache / "logs"
    logs.mkdir(exist_ok=True)
    procs = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              env=env, stdout=open(logs / "scheduler.log", "wb"), stderr=subprocess.STDOUT)]
    procs += [subprocess.Popen([str(dask), "worker", address, "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
                               env=env, stdout=open(logs / f"worker{i}.log", "wb"), stderr=subprocess.STDOUT)
              for i in range(cores)]
    try:
        from distributed import Client

        deadline = time.monotonic() + 180
        while True:
            try:
                client = Client(address, timeout="5s")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        with client:
            client.wait_for_workers(cores, timeout=180)
            client.run(_warm_gazetteer)
            cpu.start()
            started = time.perf_counter()
            run = extract_on_cluster(documents, address)
            seconds = time.perf_counter() - started
            cpu.stop()
            return seconds, len(run.mentions), len(run.failed)
    finally:
        for proc in procs[::-1]:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _warm_gazetteer() -> None:
    """Load the gazetteer in a worker before timing, as the pool's parent does before forking."""
    from events.places import find_places

    find_places("")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench_dir", type=Path, help="folder with timebank/ and trnews/ (e.g. ../shared/bench)")
    parser.add_argument("--docs", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--cores", type=int, default=2, help="worker processes in every mode (default 2)")
    parser.add_argument("--quick", action="store_true", help="1,000 documents only")
    parser.add_argument("--dask-defaults", action="store_true",
                        help="run the Dask modes with Dask's stock settings, not events/dask.yaml (a before/after)")
    args = parser.parse_args(argv)
    sizes = [1000] if args.quick else args.docs
    texts = bench_texts(args.bench_dir)
    if not texts:
        raise SystemExit(f"no texts found under {args.bench_dir} (expected timebank/*.tml and trnews/TR-News.xml)")
    load = os.getloadavg()[0]
    print(f"{len(texts)} distinct texts; {os.cpu_count()} cores, load average {load:.1f} at start"
          f"{' (BUSY machine: figures are provisional)' if load > 1.5 else ''}; Python {sys.version.split()[0]}")
    cache = Path(tempfile.mkdtemp(prefix="atlas-scale-cache-"))
    os.environ["ATLAS_CACHE_DIR"] = str(cache)
    subprocess.run([sys.executable, "-c", "from events.places import find_places; find_places('x')"], check=True)
    from events.articles import open_corpus
    from events.merge import merge_mentions

    print(f"Dask settings: {'stock (--dask-defaults)' if args.dask_defaults else 'events/dask.yaml'}")
    print(f"| docs | words | mode | cores | s | docs/s | mentions | failed | vs pool | cpu s | cpu vs pool |")
    print(f"|---|---|---|---|---|---|---|---|---|---|---|")
    try:
        for n in sizes:
            salt = uuid.uuid4().hex[:12]
            table = cache / f"articles-{n}.jsonl"
            words = write_article_table(texts, n, table, salt)
            started = time.perf_counter()
            corpus = open_corpus(table)
            read_s = time.perf_counter() - started
            pool_s = pool_cpu = None
            mentions_n = 0
            for mode in args.modes:
                cpu = TreeCpu()
                seconds, mentions_n, failed = run_mode(mode, corpus.documents, args.cores, cache, args.dask_defaults,
                                                       cpu)
                if mode == "pool":
                    pool_s, pool_cpu = seconds, cpu.seconds
                versus = f"{seconds / pool_s - 1:+.1%}" if pool_s and mode != "pool" else ""
                cpu_versus = f"{cpu.seconds / pool_cpu - 1:+.1%}" if pool_cpu and mode != "pool" else ""
                print(f"| {n:,} | {words:,} | {mode} | {args.cores} | {seconds:.1f} | {n / seconds:,.1f} | "
                      f"{mentions_n:,} | {failed} | {versus} | {cpu.seconds:.1f} | {cpu_versus} |", flush=True)
            from events.pipeline import extract_mentions

            if n <= 20_000:  # the single-machine merge on what the last mode found (warm cache: only merging)
                mentions = extract_mentions(corpus.documents, workers=args.cores)
                started = time.perf_counter()
                incidents = merge_mentions(mentions)
                print(f"| {n:,} | | reading the table {read_s:.1f} s; merging {len(mentions):,} mentions into "
                      f"{len(incidents):,} incidents {time.perf_counter() - started:.1f} s | | | | | | | | |", flush=True)
            table.unlink()
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    print(f"peak RSS (this process or one child) {_peak_mb():.0f} MB; load average at end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
