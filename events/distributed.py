"""The per-document stage on a Dask cluster: batches of documents mapped over `dask.distributed` workers.

Documents travel to the workers in batches; each worker runs the very function the local process pool runs
(`events.pipeline.extract_document`, behind the same on-disk cache keyed by content hash, in the worker
machine's `cache_dir`) and sends the mentions back. The client keeps a bounded number of batches in flight, so
a million documents never sit in the scheduler at once, and puts the results back in document order, so the
merge sees exactly what the local pool would have given it.

Failures stay small: a document whose extraction raises is reported by id and reason, the rest of its batch goes
on; a batch whose worker dies is rescheduled by Dask on another worker (up to the scheduler's
``allowed-failures``), and a batch that raised as a whole is retried `BATCH_RETRIES` times before its documents
are reported as failed.

    run = extract_on_cluster(corpus.documents, "tcp://10.0.0.5:8786", progress=print_progress)
    run.mentions, run.failed
"""

from __future__ import annotations

import math
import os
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from events.corpus import CorpusProblem, Document
from events.mentions import IncidentMention

BATCH_RETRIES = 2
CONNECT_TIMEOUT_S = 20
BATCHES_PER_THREAD = 4  # batches in flight per worker thread: enough to keep workers busy, few enough to stream
# Dask settings for extraction clusters (less background wake-up per process; why in the file). Start the scheduler
# and workers with DASK_CONFIG pointing here; a local cluster made by `connect("local")` uses them by itself.
CLUSTER_CONFIG = Path(__file__).with_name("dask.yaml")

# done, failed, total documents
ClusterProgress = Callable[[int, int, int], None]


@dataclass
class ClusterRun:
    mentions: list[IncidentMention] = field(default_factory=list)
    failed: list[CorpusProblem] = field(default_factory=list)
    documents: int = 0
    batches: int = 0
    seconds: float = 0.0


def extract_batch(documents: Sequence[Document], use_cache: bool = True) -> list[tuple[str, list[IncidentMention] | None, str]]:
    """On a worker: (doc id, mentions or None, error) per document; one bad document never fails the batch."""
    from events.pipeline import _extract_cached
    from events.settings import cache_dir

    root = None
    if use_cache:
        path = cache_dir() / "mentions"
        path.mkdir(parents=True, exist_ok=True)
        root = str(path)
    out: list[tuple[str, list[IncidentMention] | None, str]] = []
    for document in documents:
        try:
            out.append((document.doc_id, _extract_cached((document, root)), ""))
        except Exception as exc:  # noqa: BLE001 - reported per document, the batch goes on
            where = traceback.extract_tb(exc.__traceback__)[-1]
            out.append((document.doc_id, None, f"extraction failed: {type(exc).__name__}: {exc} "
                                               f"({Path(where.filename).name}:{where.lineno})"))
    return out


def worker_engine_version() -> str:
    from events.pipeline import engine_version

    return engine_version()


def batch_size_for(n_documents: int, threads: int) -> int:
    """Batches big enough to amortise a round trip (at least 8 documents), small enough that a lost batch costs
    little and every thread gets many (at most 256 documents)."""
    if n_documents <= 0:
        return 1
    return max(8, min(256, math.ceil(n_documents / max(1, threads * 16))))


def cluster_config() -> dict[str, object]:
    """The Dask settings of `CLUSTER_CONFIG` as dotted keys ("distributed.admin.tick.interval"), the form
    `dask.config.set` takes without replacing the sections around them."""
    import yaml

    flat: dict[str, object] = {}

    def walk(prefix: str, node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else str(key), value)
        else:
            flat[prefix] = node

    walk("", yaml.safe_load(CLUSTER_CONFIG.read_text(encoding="utf-8")))
    return flat


def settings_in_force() -> dict[str, object]:
    """This process's values of the keys `cluster_config()` sets (run on a worker, it tells whether the worker was
    started with them)."""
    import dask

    return {key: dask.config.get(key, None) for key in cluster_config()}


def local_cluster(workers: int = 0):
    """A `LocalCluster` of `workers` processes (default: one per core), one thread each, with `cluster_config()`:
    the scheduler, nannies and workers are all made inside the settings, so all of them run with them."""
    import dask
    from distributed import LocalCluster

    n = workers or os.cpu_count() or 1
    with dask.config.set(cluster_config()):
        return LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)


def connect(scheduler: str, workers: int = 0):
    """A `distributed.Client` for a scheduler address, or for a new local cluster when `scheduler` is "local"."""
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise RuntimeError("extraction on a cluster needs dask[distributed]: pip install 'dask[distributed]'") from exc
    if scheduler == "local":
        return Client(local_cluster(workers))
    address = scheduler if "://" in scheduler else f"tcp://{scheduler}"
    try:
        return Client(address, timeout=f"{CONNECT_TIMEOUT_S}s")
    except (OSError, TimeoutError) as exc:
        raise RuntimeError(f"cannot reach the Dask scheduler at {address} ({exc}); start one with "
                           f"'dask scheduler' and check the address and port (default 8786)") from exc


@contextmanager
def client_for(scheduler: str | object, workers: int = 0) -> Iterator:
    """A client for `scheduler` (an address, "local", or a Client, handed back as is), closed afterwards when made here."""
    if not isinstance(scheduler, str):
        yield scheduler
        return
    client = connect(scheduler, workers)
    try:
        yield client
    finally:
        cluster = getattr(client, "cluster", None)
        client.close()
        if cluster is not None:
            cluster.close()


def check_workers(client) -> int:
    """Threads across the cluster's workers; refuses workers that run other extraction code than this machine."""
    from events.pipeline import engine_version

    workers = client.scheduler_info(n_workers=-1).get("workers", {})
    if not workers:
        try:
            client.wait_for_workers(1, timeout=60)
        except TimeoutError as exc:
            raise RuntimeError(f"the Dask scheduler {client.scheduler.address} has no workers after 60 s; start "
                               f"some with 'dask worker {client.scheduler.address}'") from exc
        workers = client.scheduler_info(n_workers=-1).get("workers", {})
    versions = client.run(worker_engine_version)
    mine = engine_version()
    other = {address: v for address, v in versions.items() if v != mine}
    if other:
        address, version = next(iter(other.items()))
        raise RuntimeError(f"worker {address} runs extraction code {version}, this machine {mine}: install the same "
                           f"version of incident-atlas (and its data/) on every worker, then restart the workers")
    return sum(int(w.get("nthreads", 1)) for w in workers.values()) or 1


def extract_on_cluster(documents: Sequence[Document], scheduler: str | object, use_cache: bool = True,
                       batch_size: int = 0, progress: ClusterProgress | None = None, workers: int = 0) -> ClusterRun:
    """Mentions of every document, extracted on a Dask cluster, in document order.

    `scheduler` is an address (``tcp://host:8786``), "local" (a local cluster of `workers` processes), or a
    `distributed.Client` already connected."""
    from distributed import as_completed

    started = time.perf_counter()
    run = ClusterRun(documents=len(documents))
    with client_for(scheduler, workers) as client:
        threads = check_workers(client)
        size = batch_size or batch_size_for(len(documents), threads)
        batches = [list(documents[i:i + size]) for i in range(0, len(documents), size)]
        run.batches = len(batches)
        results: list[list[tuple[str, list[IncidentMention] | None, str]] | None] = [None] * len(batches)
        in_flight = max(2, threads * BATCHES_PER_THREAD)
        queue = iter(range(len(batches)))
        index_of: dict[object, int] = {}
        done = failed = 0

        def submit(i: int):
            future = client.submit(extract_batch, batches[i], use_cache, pure=False, retries=BATCH_RETRIES)
            index_of[future] = i
            return future

        pending = as_completed([submit(i) for _, i in zip(range(in_flight), queue)])
        for future in pending:
            i = index_of.pop(future)
            if future.status == "finished":
                results[i] = future.result()
            else:  # Dask already retried it (BATCH_RETRIES times, or on other workers after a worker died)
                error = future.exception()
                reason = ("its batch was lost with every worker that ran it (a document too large or too slow?)"
                          if _is_killed_worker(error) else f"extraction failed after {BATCH_RETRIES} retries: {error!r}")
                results[i] = [(d.doc_id, None, reason) for d in batches[i]]
            future.release()
            done += sum(1 for _, found, _ in results[i] if found is not None)
            failed += sum(1 for _, found, _ in results[i] if found is None)
            if progress:
                progress(done, failed, len(documents))
            nxt = next(queue, None)
            if nxt is not None:
                pending.add(submit(nxt))
        for batch in results:
            for doc_id, found, error in batch or []:
                if found is None:
                    run.failed.append(CorpusProblem(doc_id, error))
                else:
                    run.mentions.extend(found)
    run.seconds = time.perf_counter() - started
    return run


def _is_killed_worker(error: BaseException | None) -> bool:
    try:
        from distributed.scheduler import KilledWorker
    except ImportError:  # pragma: no cover
        return False
    return isinstance(error, KilledWorker)


def extract_and_merge_on_cluster(documents: Sequence[Document], scheduler: str | object, use_cache: bool = True,
                                 workers: int = 0, progress: Callable[[int, int, str], None] | None = None):
    """(incidents, failed documents): the per-document stage, then the merge in blocks (`events.merge_blocks`),
    on one cluster connection. `progress` is the pipeline's (done, total, note)."""
    from events.merge_blocks import merge_on_cluster

    def cluster_progress(done: int, failed: int, total: int) -> None:
        if progress:
            progress(done + failed, total, f"{failed} failed" if failed else "")

    with client_for(scheduler, workers) as client:
        run = extract_on_cluster(documents, client, use_cache=use_cache, progress=cluster_progress)
        return merge_on_cluster(run.mentions, client), run.failed
