"""A separate process writing to a corrections store, for the concurrency and kill-mid-save tests.

    python tests/store_worker.py many DB TAG N [GO [PARTNER]]  # N edits of inc-paris's actors, starting once file
                                                     # GO exists, never more than 2 ahead of writer PARTNER
    python tests/store_worker.py hang DB           # one edit that prints WRITING inside its transaction, then sleeps
    python tests/store_worker.py loop DB           # edits until killed, printing each committed seq

The worker attaches the synthetic extraction from tests/conftest.py, as a dashboard session would.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from conftest import synthetic_extraction  # noqa: E402
from events.store import CorrectionStore  # noqa: E402


def _write_count(path: Path, count: int) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(str(count))
    tmp.replace(path)


def _read_count(path: Path) -> int:
    try:
        return int(path.read_text() or 0)
    except (OSError, ValueError):
        return 0


def main(argv: list[str]) -> int:
    mode, db = argv[0], argv[1]
    ex = synthetic_extraction(HERE)
    store = CorrectionStore(db, incidents=ex.incidents, mentions=ex.mentions)
    if mode == "many":
        tag, n = argv[2], int(argv[3])
        go = Path(argv[4]) if len(argv) > 4 else None
        if go is not None:  # say this writer is attached (imports take seconds on a loaded machine)
            go.with_name(f"ready-{tag}").touch()
        while go is not None and not go.exists():  # a start line, so both writers really overlap
            time.sleep(0.005)
        partner = go.with_name(f"count-{argv[5]}") if go is not None and len(argv) > 5 else None
        for i in range(n):
            store.edit("inc-paris", {"actors": f"{tag}-{i}"}, user=tag, note=f"{tag} {i}")
            if go is not None:
                _write_count(go.with_name(f"count-{tag}"), i + 1)
            # a session does other things between saves; on a loaded machine one writer would otherwise run through
            # all its saves in one time slice, so wait (at most 5 s) while it is more than 2 saves ahead of the other
            deadline = time.time() + 5
            while partner is not None and _read_count(partner) < min(i + 1, n) - 2 and time.time() < deadline:
                time.sleep(0.002)
        return 0
    if mode == "hang":
        def pause() -> None:
            print("WRITING", flush=True)
            time.sleep(60)
        store._before_commit = pause
        store.edit("inc-ankara", {"title": "half-written title", "killed": 7}, user="doomed")
        return 0
    if mode == "loop":
        i = 0
        while True:
            seq = store.edit("inc-sinai", {"killed": i % 1000}, user="loop", note=str(i)) if i % 1000 != 224 else None
            if seq is not None:
                print(seq, flush=True)
            i += 1
    raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
