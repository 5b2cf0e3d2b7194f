"""Conversions of Python and NumPy time values to the engine's unit (private module).

The engine counts time in int64 milliseconds since the Unix epoch, UTC. Accepted inputs:

* ``int`` (and NumPy integers): milliseconds since the epoch, as they are;
* ``datetime.datetime``: an aware one is converted from its zone; a naive one is taken as UTC
  (not local time), as ``numpy.datetime64`` and pandas do;
* ``datetime.date``: midnight UTC of that day;
* ``numpy.datetime64`` (any unit) and ``pandas.Timestamp``: truncated to whole milliseconds
  (towards minus infinity).

``bool`` and ``float`` are refused with ``TypeError``: a float time is usually seconds, and
guessing its unit would silently shift data.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any, Union

import numpy as np
import numpy.typing as npt

from .errors import InvalidArgumentError

#: A time bound or a single timestamp: ms since the epoch, a datetime or a numpy.datetime64.
TimeLike = Union[int, np.integer, _dt.datetime, _dt.date, np.datetime64]
#: Timestamps of several samples: a NumPy array (int64 ms or datetime64) or a sequence of
#: TimeLike values.
TimestampsLike = Union[npt.ArrayLike, Sequence[TimeLike]]

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_MS = _dt.timedelta(milliseconds=1)
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)


def to_ms(value: Any, what: str) -> int:
    """Converts one TimeLike to int64 milliseconds since the epoch, UTC.

    Raises TypeError for other types and InvalidArgumentError for NaT or a value outside int64.
    ``what`` names the argument in messages.
    """
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what}: a bool is not a time (want int ms, datetime or datetime64)")
    if isinstance(value, (int, np.integer)):
        ms = int(value)
    elif isinstance(value, np.datetime64):
        if np.isnat(value):
            raise InvalidArgumentError(f"{what}: NaT is not a time")
        ms = int(value.astype("datetime64[ms]").astype(np.int64))
    elif isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        ms = (value - _EPOCH) // _MS
    elif isinstance(value, _dt.date):
        ms = (_dt.datetime(value.year, value.month, value.day, tzinfo=_dt.timezone.utc) - _EPOCH) // _MS
    else:
        raise TypeError(
            f"{what}: {type(value).__name__} is not a time "
            "(want int ms since the epoch, datetime, date or numpy.datetime64)"
        )
    if not INT64_MIN <= ms <= INT64_MAX:
        raise InvalidArgumentError(f"{what}: {ms} ms does not fit in int64")
    return ms


def bound(value: Any, what: str, default: int) -> int:
    """A time bound: ``None`` is the open bound ``default``; anything else goes to to_ms()."""
    if value is None:
        return default
    return to_ms(value, what)


def to_ms_array(values: Any, what: str) -> np.ndarray:
    """Converts timestamps to a C-contiguous int64 array of ms (no copy when already one).

    Accepts int arrays (any integer dtype), datetime64 arrays (any unit; NaT refused), pandas
    DatetimeIndex/Series (tz-aware ones are converted to UTC), and sequences of TimeLike
    values. A float array is refused (TypeError), as are scalars (use a one-element list).
    """
    if hasattr(values, "dt") and hasattr(values.dt, "tz"):  # pandas Series of datetimes
        values = values.dt.tz_convert("UTC").dt.tz_localize(None) if values.dt.tz is not None else values
        values = values.to_numpy()
    elif hasattr(values, "tz") and hasattr(values, "asi8"):  # pandas DatetimeIndex
        values = values.tz_convert("UTC").tz_localize(None) if values.tz is not None else values
        values = values.to_numpy()
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise InvalidArgumentError(f"{what}: want a one-dimensional array, got shape {arr.shape}")
    kind = arr.dtype.kind
    if kind == "M":
        if np.isnat(arr).any():
            raise InvalidArgumentError(f"{what}: NaT at index {int(np.argmax(np.isnat(arr)))}")
        return np.ascontiguousarray(arr.astype("datetime64[ms]").view(np.int64))
    if kind in "iu":
        if kind == "u" and arr.size and arr.max() > INT64_MAX:
            raise InvalidArgumentError(f"{what}: a value does not fit in int64 ms")
        return np.ascontiguousarray(arr, dtype=np.int64)
    if kind == "O" or (kind == "b" and arr.size == 0):
        out = np.empty(arr.shape[0], dtype=np.int64)
        for i, v in enumerate(arr):
            out[i] = to_ms(v, f"{what}[{i}]")
        return out
    if kind == "f" and arr.size == 0:
        return np.empty(0, dtype=np.int64)
    raise TypeError(f"{what}: dtype {arr.dtype} is not a time (want int64 ms since the epoch or datetime64)")


def ms_to_datetime(ms: int) -> _dt.datetime:
    """An aware UTC datetime from ms since the epoch."""
    return _EPOCH + _dt.timedelta(milliseconds=ms)
