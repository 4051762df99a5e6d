"""The atlas's settings in one documented table.

Defaults come first, then environment variables (``ATLAS_<NAME>``), then whatever the caller passes
(CLI flags, dashboard controls); each value is checked against its default's type.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("workers", 0, "Worker processes for extraction; 0 means one per core."),
    Setting("scheduler", "", "Dask scheduler (tcp://host:8786) that runs extraction on a cluster; 'local' starts a local Dask cluster of `workers` processes; empty uses this machine's process pool."),
    Setting("cache_dir", str(DATA_DIR / "cache"), "Where the gazetteer index and per-document extraction cache live."),
    Setting("online_geocoder", "", "Name of a geopy geocoder (e.g. 'nominatim') to resolve places the offline gazetteer lacks; empty keeps everything offline."),
    Setting("geocoder_user_agent", "incident-atlas", "User agent sent to the online geocoder when one is turned on."),
    Setting("max_upload_mb", 5, "Largest article file accepted, in megabytes."),
    Setting("corpus_roots", "", "Folders (separated by ':') whose subfolders the dashboard's 'Corpus folder' box may open; empty allows only the folder the dashboard was started on (--corpus) and the folders inside it."),
    Setting("corrections_db", str(DATA_DIR / "corrections.sqlite"), "SQLite file holding analysts' corrections."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(setting: Setting, value: Any) -> Any:
    kind = type(setting.default)
    if isinstance(value, kind):
        return value
    if kind is bool:
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"setting {setting.name!r} expects true/false, got {value!r}")
    try:
        return kind(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"setting {setting.name!r} expects {kind.__name__}, got {value!r}") from exc


def get_settings(**overrides: Any) -> dict[str, Any]:
    """Merge defaults, ATLAS_* environment variables and explicit overrides (None means 'not given')."""
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        value = setting.default
        env = os.environ.get(f"ATLAS_{setting.name.upper()}")
        if env is not None:
            value = _coerce(setting, env)
        values[setting.name] = value
    for name, value in overrides.items():
        if name not in _BY_NAME:
            raise ValueError(f"unknown setting {name!r}; known: {', '.join(_BY_NAME)}")
        if value is not None:
            values[name] = _coerce(_BY_NAME[name], value)
    return values


def cache_dir(**overrides: Any) -> Path:
    """The cache folder, created when possible; a read-only or full disk is not an error (caches fall back to memory)."""
    path = Path(get_settings(**overrides)["cache_dir"])
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
    return path


def corpus_roots(start_corpus: str | Path, **overrides: Any) -> list[Path]:
    """The folders the dashboard may open corpora in: the `corpus_roots` setting, else the folder it started on."""
    configured = [p for p in str(get_settings(**overrides)["corpus_roots"]).split(os.pathsep) if p.strip()]
    return [Path(p).expanduser().resolve() for p in (configured or [str(start_corpus)])]


def check_corpus_folder(folder: str | Path, roots: list[Path]) -> Path:
    """`folder` resolved (links followed), if it lies inside one of `roots`; else a ValueError saying why.

    Anyone who reaches the dashboard can type a folder, so the box opens only what the operator configured.
    """
    path = Path(folder).expanduser().resolve()
    if not any(path == root or path.is_relative_to(root) for root in roots):
        allowed = ", ".join(str(r) for r in roots)
        raise ValueError(f"{folder} is outside the corpus folders this dashboard may open ({allowed}); "
                         "the operator can add folders with the corpus_roots setting (ATLAS_CORPUS_ROOTS)")
    return path
