"""Dates as day numbers (days since 1970-01-01) and the time bins (week, month, quarter, year) they fall in."""

from __future__ import annotations

import numpy as np
import pandas as pd

_DAY_MS = 86_400_000

_NO_DAY = np.iinfo(np.int64).min
_DAY0 = np.datetime64("1970-01-01", "D")


def _iso(days: np.ndarray) -> np.ndarray:
    """Day numbers (days since 1970-01-01) -> ISO date strings (object array)."""
    return np.datetime_as_string(np.asarray(days, dtype=np.int64).astype("datetime64[D]"), unit="D").astype(object)


def _day_numbers(text: pd.Series) -> np.ndarray:
    """ISO date strings -> int64 days since 1970-01-01 (`_NO_DAY` where empty or not a date)."""
    stamps = pd.to_datetime(text.where(text != ""), errors="coerce", format="ISO8601")
    days = stamps.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    out = days.astype(np.int64)
    out[np.isnat(days)] = _NO_DAY
    return out


# timeline bins, finest first: (name, numpy datetime unit, length in days)
_TIME_BINS = (("day", "D", 1), ("week", "W", 7), ("month", "M", 31), ("quarter", "Q", 92), ("year", "Y", 366))


def _bin_start(days: np.ndarray, unit: str) -> np.ndarray:
    """datetime64[D] -> the first day of its week (Monday), month, quarter or year."""
    if unit == "D":
        return days
    if unit == "W":  # 1970-01-01 was a Thursday
        return days - ((days.astype(np.int64) + 3) % 7).astype("timedelta64[D]")
    if unit == "Q":
        months = days.astype("datetime64[M]").astype(np.int64)
        return (months - months % 3).astype("datetime64[M]").astype("datetime64[D]")
    return days.astype(f"datetime64[{unit}]").astype("datetime64[D]")
