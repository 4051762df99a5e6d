"""A separate process writing to a corrections store, for the concurrency and kill-mid-save tests.

    python tests/store_worker.py many DB TAG N [GO]  # N edits of inc-paris's actors, starting once file GO exists
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
        for i in range(n):
            store.edit("inc-paris", {"actors": f"{tag}-{i}"}, user=tag, note=f"{tag} {i}")
            time.sleep(0.002)  # a session does other things between saves; without this the busy-wait lets one writer run ahead
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
