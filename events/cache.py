"""On-disk caches that can be damaged, raced or planted without harm.

A cache folder is shared and writable, so what is read back is untrusted: every entry is sealed with its kind, its
length and a SHA-256 checksum and anything that does not check out is a miss (the caller rebuilds); entries are
written under a per-process temporary name and renamed into place, so two first runs never share a half-written
file; the per-document cache is JSON decoded against the dataclasses' type hints (nothing in it can run code), and
the gazetteer's pickle is loaded by an unpickler that only knows the `array` type. When the folder cannot be
written (read-only, full), nothing is stored and the run goes on from memory.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging
import os
import pickle
import stat
import tempfile
import types
import typing
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAGIC = b"incident-atlas cache 1\n"
MAX_HEADER = 512
SHARED_TEXT = 200  # texts longer than this are written once per cache entry however often they recur


class CacheDamaged(ValueError):
    """A cache entry that is not what it claims to be; the caller recomputes it."""


def seal(payload: bytes, kind: str) -> bytes:
    """`payload` behind a header naming its kind, length and checksum."""
    header = json.dumps({"kind": kind, "length": len(payload), "sha256": hashlib.sha256(payload).hexdigest()})
    return MAGIC + header.encode("ascii") + b"\n" + payload


def unseal(data: bytes, kind: str) -> bytes:
    """The payload of a sealed entry of `kind`; `CacheDamaged` when anything does not check out."""
    if not data.startswith(MAGIC):
        raise CacheDamaged("not a cache entry of this version")
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + MAX_HEADER)
    if end < 0:
        raise CacheDamaged("header missing")
    try:
        header = json.loads(data[len(MAGIC):end].decode("ascii"))
        expected_kind, length, digest = header["kind"], header["length"], header["sha256"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise CacheDamaged(f"damaged header ({exc})") from exc
    payload = data[end + 1:]
    if expected_kind != kind:
        raise CacheDamaged(f"a {expected_kind!r} entry, not {kind!r}")
    if length != len(payload) or hashlib.sha256(payload).hexdigest() != digest:
        raise CacheDamaged("length or checksum does not match (a torn or damaged file)")
    return payload


def read_entry(path: Path, kind: str) -> bytes | None:
    """The checked payload stored at `path`, or None (missing, unreadable, not a regular file, damaged)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            data = handle.read()
        return unseal(data, kind)
    except (OSError, CacheDamaged, MemoryError) as exc:
        log.info("cache entry %s ignored: %s", path, exc)
        return None


def write_entry(path: Path, payload: bytes, kind: str) -> bool:
    """Store `payload` at `path` atomically; False when the folder cannot be written (the run goes on without)."""
    return replace_file(path, seal(payload, kind))


def replace_file(path: Path, data: bytes) -> bool:
    """Write `data` under a name no other process uses, then rename it into place; False when it cannot be written."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".{os.getpid()}.tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        return True
    except OSError as exc:
        _warn_unwritable(path.parent, exc)
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False


_warned: set[str] = set()


def _warn_unwritable(folder: Path, exc: OSError) -> None:
    key = str(folder)
    if key not in _warned:
        _warned.add(key)
        log.warning("cache folder %s cannot be written (%s); working from memory", folder, exc.strerror or exc)


def usable_folder(folder: Path) -> Path | None:
    """`folder`, created if needed, or None when it cannot be (the caller keeps its results in memory)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _warn_unwritable(folder, exc)
        return None
    return folder if folder.is_dir() else None


# --------------------------------------------------------------------------------------------------- restricted pickle

class _ArrayOnlyUnpickler(pickle.Unpickler):
    """Builds plain containers and `array.array` only: a planted pickle cannot name any other callable."""

    ALLOWED = {("array", "array"), ("array", "_array_reconstructor")}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a cache entry")


def dumps_plain(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads_plain(payload: bytes) -> Any:
    """Unpickle data made of builtins and arrays; anything else is `CacheDamaged`."""
    try:
        return _ArrayOnlyUnpickler(io.BytesIO(payload)).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError,
            MemoryError, RecursionError, OverflowError) as exc:
        raise CacheDamaged(f"cannot unpickle ({type(exc).__name__})") from exc


# --------------------------------------------------------------------------------------------------- typed JSON

def to_json(value: Any, shared: dict[int, int] | None = None) -> Any:
    """Dataclasses (frozen records), dates, tuples and plain values as JSON-ready data.

    With `shared` (a memo), a tuple or long text met again (the same object: a sentence and its places, shared by
    the sentence's mentions) is written once as {"$id": n, "$items": [...]} or {"$id": n, "$str": "..."} and then
    as {"$ref": n}, so a payload grows with the data, not with how often it is referred to (as pickle's memo does).
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name), shared) for f in dataclasses.fields(value)}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        if shared is not None and isinstance(value, tuple) and len(value) > 1:
            ref = shared.get(id(value))
            if ref is not None:
                return {"$ref": ref}
            shared[id(value)] = len(shared)
            return {"$id": shared[id(value)], "$items": [to_json(v, shared) for v in value]}
        return [to_json(v, shared) for v in value]
    if shared is not None and isinstance(value, str) and len(value) > SHARED_TEXT:
        ref = shared.get(id(value))
        if ref is not None:
            return {"$ref": ref}
        shared[id(value)] = len(shared)
        return {"$id": shared[id(value)], "$str": value}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot store a {type(value).__name__} in a JSON cache entry")


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_json(data: Any, hint: Any, shared: dict[int, Any] | None = None) -> Any:
    """Rebuild a value of type `hint` from `to_json` data, checking every type on the way (`CacheDamaged` if not)."""
    shared = {} if shared is None else shared
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if data is None and type(None) in options:
            return None
        for option in options:
            if option is type(None):
                continue
            try:
                return from_json(data, option, shared)
            except CacheDamaged:
                continue
        raise CacheDamaged(f"{type(data).__name__} is none of {hint}")
    if origin in (tuple, list):
        args = typing.get_args(hint)
        item = args[0] if args else Any
        if origin is tuple and isinstance(data, dict) and set(data) == {"$ref"}:
            found = shared.get(data["$ref"]) if isinstance(data["$ref"], int) else None
            if found is None or not isinstance(found, tuple):
                raise CacheDamaged("reference to a tuple not written before")
            return found
        if origin is tuple and isinstance(data, dict) and set(data) == {"$id", "$items"}:
            if not isinstance(data["$id"], int) or data["$id"] in shared or not isinstance(data["$items"], list):
                raise CacheDamaged("bad shared tuple")
            shared[data["$id"]] = value = tuple(from_json(v, item, shared) for v in data["$items"])
            return value
        if not isinstance(data, list):
            raise CacheDamaged(f"expected a list for {hint}")
        return (tuple if origin is tuple else list)(from_json(v, item, shared) for v in data)
    if hint is Any:
        return data
    if dataclasses.is_dataclass(hint):
        if not isinstance(data, dict):
            raise CacheDamaged(f"expected an object for {hint.__name__}")
        hints = _hints(hint)
        fields = {f.name for f in dataclasses.fields(hint) if f.init}
        if set(data) != fields:
            raise CacheDamaged(f"{hint.__name__} fields differ")
        return hint(**{name: from_json(value, hints[name], shared) for name, value in data.items()})
    if hint is date:
        if not isinstance(data, str):
            raise CacheDamaged("expected an ISO date")
        try:
            return date.fromisoformat(data)
        except ValueError as exc:
            raise CacheDamaged(str(exc)) from exc
    if hint is bool:
        if type(data) is not bool:
            raise CacheDamaged("expected true/false")
        return data
    if hint is int:
        if type(data) is not int:
            raise CacheDamaged("expected an integer")
        return data
    if hint is float:
        if type(data) not in (int, float):
            raise CacheDamaged("expected a number")
        return float(data)
    if hint is str:
        if isinstance(data, dict) and set(data) == {"$ref"}:
            found = shared.get(data["$ref"]) if isinstance(data["$ref"], int) else None
            if not isinstance(found, str):
                raise CacheDamaged("reference to a text not written before")
            return found
        if isinstance(data, dict) and set(data) == {"$id", "$str"}:
            if not isinstance(data["$id"], int) or data["$id"] in shared or not isinstance(data["$str"], str):
                raise CacheDamaged("bad shared text")
            shared[data["$id"]] = data["$str"]
            return data["$str"]
        if not isinstance(data, str):
            raise CacheDamaged("expected a string")
        return data
    raise CacheDamaged(f"no JSON form for {hint}")


def dumps_records(records: typing.Sequence[Any]) -> bytes:
    """A list of dataclass records as JSON bytes (TypeError when a field has no JSON form)."""
    shared: dict[int, int] = {}
    return json.dumps([to_json(r, shared) for r in records], ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads_records(payload: bytes, cls: type) -> list[Any]:
    """The list of `cls` records `dumps_records` wrote, every field type-checked; `CacheDamaged` otherwise."""
    try:
        data = json.loads(payload.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise CacheDamaged(f"not JSON ({type(exc).__name__})") from exc
    try:
        return from_json(data, list[cls])
    except (TypeError, ValueError, RecursionError) as exc:
        if isinstance(exc, CacheDamaged):
            raise
        raise CacheDamaged(f"records do not fit {cls.__name__} ({exc})") from exc


def load_records(path: Path, cls: type, kind: str) -> list[Any] | None:
    """The records stored at `path`, or None when missing or damaged (the caller recomputes and stores them)."""
    payload = read_entry(path, kind)
    if payload is None:
        return None
    try:
        return loads_records(payload, cls)
    except CacheDamaged as exc:
        log.info("cache entry %s ignored: %s", path, exc)
        return None


def store_records(path: Path, records: typing.Sequence[Any], kind: str) -> bool:
    try:
        payload = dumps_records(records)
    except (TypeError, ValueError) as exc:  # a field without a JSON form: run on without this entry
        log.warning("not cached (%s)", exc)
        return False
    return write_entry(path, payload, kind)


# --------------------------------------------------------------------------------------------------- tables

def dumps_frames(frames: dict[str, Any], meta: dict[str, Any]) -> bytes:
    """Named DataFrames (as Parquet) and a small JSON `meta` in one payload: no pickle, types kept."""
    blobs = {name: frame.to_parquet(index=False) for name, frame in frames.items()}
    header = json.dumps({"meta": meta, "frames": [[name, len(blob)] for name, blob in blobs.items()]})
    return header.encode("utf-8") + b"\n" + b"".join(blobs.values())


def loads_frames(payload: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """(frames, meta) that `dumps_frames` wrote; `CacheDamaged` when the payload is anything else."""
    import pandas as pd

    end = payload.find(b"\n")
    try:
        header = json.loads(payload[:end].decode("utf-8"))
        meta, layout = header["meta"], header["frames"]
        if not isinstance(meta, dict) or not isinstance(layout, list):
            raise TypeError("bad header")
        frames, pos = {}, end + 1
        for name, length in layout:
            if not isinstance(name, str) or type(length) is not int or length < 0 or pos + length > len(payload):
                raise ValueError("bad frame layout")
            frames[name] = pd.read_parquet(io.BytesIO(payload[pos:pos + length]))
            pos += length
    except Exception as exc:  # noqa: BLE001 - whatever pyarrow raises on bad bytes is a damaged entry
        raise CacheDamaged(f"not a table entry ({type(exc).__name__})") from exc
    return frames, meta
