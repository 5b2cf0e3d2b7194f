"""The database handle and everything that hangs off it (private module; import from vmengine)."""

from __future__ import annotations

import ctypes
import datetime as _dt
import os
import threading
import time
import weakref
from collections.abc import Iterable, Iterator, Mapping
from ctypes import byref, c_size_t, c_uint64, c_void_p
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Union

import numpy as np
import numpy.typing as npt

from . import _native
from ._time import INT64_MAX, TimeLike, TimestampsLike, bound, to_ms, to_ms_array
from .errors import ClosedError, InvalidArgumentError, MisuseError, raise_status

if TYPE_CHECKING:
    import pandas

_lib = _native.lib

#: Labels of one series: label name -> value. The metric name is the label ``"__name__"``.
Labels = Mapping[str, str]
#: What selects series: a PromQL series selector (``'up{job="node"}'``), a mapping of labels
#: that must all be equal (``{"__name__": "up", "job": "node"}``), or None for every series.
Selector = Union[str, Mapping[str, str], None]
#: A path to a file or directory.
PathLike = Union[str, "os.PathLike[str]"]

_KEY_FIELD_MAX = 0xFFFF  # the series key stores each length as u16


# ---------------------------------------------------------------------------------------------
# Small value types


@dataclass(frozen=True)
class AddResult:
    """What the engine did with the rows of one ingest call (``vme_add_result``).

    A rejected row is never stored; every rejection is counted. Rows that break a rule
    (labels over the limits, NaN, a timestamp before ``now - retention``, more than 2 days in
    the future, or negative) are counted here instead of failing the call, as
    VictoriaMetrics' Storage.AddRows does.
    """

    rows_added: int = 0
    rejected_invalid_labels: int = 0
    rejected_nan: int = 0
    rejected_out_of_retention: int = 0
    rejected_too_far_future: int = 0
    rejected_invalid_timestamp: int = 0

    @property
    def rejected(self) -> int:
        """Rows rejected for any reason."""
        return (
            self.rejected_invalid_labels
            + self.rejected_nan
            + self.rejected_out_of_retention
            + self.rejected_too_far_future
            + self.rejected_invalid_timestamp
        )

    def __add__(self, other: AddResult) -> AddResult:
        if not isinstance(other, AddResult):
            return NotImplemented
        return AddResult(*(getattr(self, f) + getattr(other, f) for f in self.__dataclass_fields__))

    @classmethod
    def _from_c(cls, r: _native.vme_add_result) -> AddResult:
        return cls(
            r.rows_added,
            r.rejected_invalid_labels,
            r.rejected_nan,
            r.rejected_out_of_retention,
            r.rejected_too_far_future,
            r.rejected_invalid_timestamp,
        )


@dataclass(frozen=True)
class ImportResult:
    """Outcome of :meth:`Db.import_prometheus` (``vme_import_result``).

    Attributes:
        rows: what the engine did with the parsed samples.
        lines_read: lines seen, comments and blank lines included.
        lines_skipped: malformed lines skipped (always 0 with ``strict=True``).
        first_skipped_line: 1-based number of the first skipped line; 0 when none.
    """

    rows: AddResult
    lines_read: int
    lines_skipped: int
    first_skipped_line: int


class Series:
    """One series of a search result.

    Attributes:
        labels: label name -> value, the metric name under ``"__name__"``.
        name: the canonical text form, e.g. ``up{instance="h1",job="node"}``.
        timestamps: int64 NumPy array of milliseconds since the epoch (UTC), ascending.
        values: float64 NumPy array, one value per timestamp.

    The arrays belong to this object (copied once from the engine's buffers with
    ``vme_series_iter_copy_samples``); they stay valid after the iterator and the
    database are closed.
    """

    __slots__ = ("labels", "name", "timestamps", "values")

    def __init__(self, labels: dict[str, str], name: str, timestamps: np.ndarray, values: np.ndarray):
        self.labels = labels
        self.name = name
        self.timestamps = timestamps
        self.values = values

    def __len__(self) -> int:
        return int(self.timestamps.shape[0])

    @property
    def datetimes(self) -> np.ndarray:
        """The timestamps as a ``datetime64[ms]`` array (UTC, a view: no copy)."""
        return self.timestamps.view("datetime64[ms]")

    def __repr__(self) -> str:
        return f"Series({self.name}, {len(self)} samples)"


# ---------------------------------------------------------------------------------------------
# Encoding helpers


def pack_labels(labels: Labels) -> bytes:
    """Encodes labels as a series key (the C API's packed form, VictoriaMetrics'
    MarshalMetricNameRaw label encoding: u16 big-endian length + bytes, name then value).

    Names and values are ``str`` (UTF-8 encoded) or ``bytes``. The engine enforces the limits
    (256-byte names, 16 KiB values, 30 labels, a metric name): a series breaking them is
    rejected and counted in :attr:`AddResult.rejected_invalid_labels`. A name or value over 65535
    bytes cannot be encoded at all and raises InvalidArgumentError here.
    """
    if not isinstance(labels, Mapping):
        raise TypeError(f"labels: want a mapping of label name -> value, got {type(labels).__name__}")
    parts = []
    for name, value in labels.items():
        nb = name.encode() if isinstance(name, str) else name
        vb = value.encode() if isinstance(value, str) else value
        if not isinstance(nb, bytes) or not isinstance(vb, bytes):
            raise TypeError(f"labels: name {name!r} and its value must be str or bytes")
        if len(nb) > _KEY_FIELD_MAX or len(vb) > _KEY_FIELD_MAX:
            raise InvalidArgumentError(f"labels: label {name!r}: name or value longer than 65535 bytes")
        parts.append(len(nb).to_bytes(2, "big") + nb + len(vb).to_bytes(2, "big") + vb)
    return b"".join(parts)


def unpack_labels(key: bytes) -> dict[str, str]:
    """Decodes a series key (see :func:`pack_labels`) into a dict."""
    out = {}
    i, n = 0, len(key)
    while i + 2 <= n:
        kl = int.from_bytes(key[i : i + 2], "big")
        name = key[i + 2 : i + 2 + kl]
        i += 2 + kl
        vl = int.from_bytes(key[i : i + 2], "big")
        out[name.decode("utf-8", "replace")] = key[i + 2 : i + 2 + vl].decode("utf-8", "replace")
        i += 2 + vl
    return out


def _values_array(values: Any, what: str = "values") -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise InvalidArgumentError(f"{what}: want a one-dimensional array, got shape {arr.shape}")
    if arr.dtype.kind not in "fiub" and not (arr.dtype.kind == "O" and arr.size == 0):
        raise TypeError(f"{what}: dtype {arr.dtype} is not numeric (want float64)")
    return np.ascontiguousarray(arr, dtype=np.float64)


def _option_value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, _dt.timedelta):
        ms = value // _dt.timedelta(milliseconds=1)
        if key == "retention":
            return f"{ms}ms"
        if key.endswith("_ms"):
            return str(ms)
        raise InvalidArgumentError(
            f"option {key!r}: a timedelta is accepted only for 'retention' and *_ms keys"
        )
    if isinstance(value, (int, np.integer)):
        if key == "retention":
            return f"{int(value)}ms"
        return str(int(value))
    if isinstance(value, str):
        return value
    raise TypeError(f"option {key!r}: {type(value).__name__} is not a str, int, bool or timedelta")


class _Err:
    """A ``vme_error*`` out-parameter."""

    __slots__ = ("p",)

    def __init__(self) -> None:
        self.p = c_void_p()

    def ref(self) -> Any:
        return byref(self.p)


def _check(status: int, err: _Err, what: str) -> None:
    if status != _native.VME_OK:
        raise_status(status, err.p, what)


class _Query:
    """An owned ``vme_query`` built from a selector and time bounds."""

    __slots__ = ("p",)

    def __init__(self, selector: Selector, start: Any, end: Any, limit: int | None = None):
        lo = bound(start, "start", 0)
        hi = bound(end, "end", INT64_MAX)
        if lo > hi:
            raise InvalidArgumentError(f"start ({lo} ms) is after end ({hi} ms)")
        self.p = _lib.vme_query_create(lo, hi)
        if not self.p:
            raise MemoryError("vme_query_create")
        try:
            err = _Err()
            if isinstance(selector, str):
                _check(_lib.vme_query_add_selector(self.p, selector.encode(), err.ref()), err, "selector")
            elif isinstance(selector, Mapping):
                for name, value in selector.items():
                    nb = name.encode() if isinstance(name, str) else name
                    vb = value.encode() if isinstance(value, str) else value
                    if not isinstance(nb, bytes) or not isinstance(vb, bytes):
                        raise TypeError(f"selector: label {name!r} and its value must be str or bytes")
                    _check(
                        _lib.vme_query_add_matcher(
                            self.p, _native.VME_MATCH_EQ, nb, len(nb), vb, len(vb), err.ref()
                        ),
                        err,
                        "selector",
                    )
            elif selector is not None:
                raise TypeError(
                    f"selector: want a PromQL series selector (str), a mapping of labels or None, "
                    f"got {type(selector).__name__}"
                )
            if limit is not None:
                if limit < 0:
                    raise InvalidArgumentError(f"limit: {limit} is negative")
                _check(_lib.vme_query_set_limit(self.p, limit, err.ref()), err, "limit")
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        p, self.p = self.p, None
        if p:
            _lib.vme_query_destroy(p)

    def __enter__(self) -> _Query:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _strlist(p: c_void_p) -> list[str]:
    try:
        n = _lib.vme_strlist_count(p)
        out = []
        ln = c_size_t()
        for i in range(n):
            s = _lib.vme_strlist_get(p, i, byref(ln))
            out.append(ctypes.string_at(s, ln.value).decode("utf-8", "replace"))
        return out
    finally:
        _lib.vme_strlist_free(p)


def _close_handle(handle: int) -> None:
    # weakref.finalize safety net: a Db that was never closed still flushes and unlocks.
    _lib.vme_close(handle, None)


# ---------------------------------------------------------------------------------------------
# Database


class Db:
    """An open vmengine database (a VictoriaMetrics 1.72 storage directory). Use :func:`open`.

    Thread-safety: a Db is fully thread-safe; any number of threads may add, search, flush and
    close it concurrently (the C handle is, and the binding keeps no unsynchronised state).
    Every C call releases the GIL, so threads blocked in the engine let Python run.

    Closing: :meth:`close` (or leaving the ``with`` block) makes every added row durable,
    stops background work and releases the directory lock. Afterwards every method raises
    :class:`ClosedError`. A Db dropped without close() is closed when it is garbage-collected
    or at interpreter exit.
    """

    def __init__(self, handle: int, path: str, read_only: bool) -> None:
        self._h: int | None = handle
        self._path = path
        self._read_only = read_only
        self._lock = threading.Lock()
        self._finalizer = weakref.finalize(self, _close_handle, handle)

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def path(self) -> str:
        """The data directory."""
        return self._path

    @property
    def read_only(self) -> bool:
        """True when opened with ``read_only=True``."""
        return self._read_only

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._h is None

    def _handle(self) -> int:
        h = self._h
        if h is None:
            raise ClosedError(f"database {self._path} is closed", -6)
        return h

    def close(self) -> None:
        """Makes every added row durable, stops background work, releases the lock and frees
        the handle (``vme_close``; VictoriaMetrics Storage.MustClose). Waits for calls in
        flight in other threads. A second close() does nothing.

        Raises:
            StorageIOError: the final flush failed (the handle is released all the same).
        """
        with self._lock:
            h, self._h = self._h, None
        if h is None:
            return
        self._finalizer.detach()
        err = _Err()
        _check(_lib.vme_close(h, err.ref()), err, "close")

    def __enter__(self) -> Db:
        self._handle()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else ("read-only" if self._read_only else "open")
        return f"<vmengine.Db {self._path!r} {state}>"

    def flush(self) -> None:
        """Makes every row added before the call durable and searchable (``vme_flush``;
        VictoriaMetrics Storage.DebugFlush). Rows also become searchable by themselves within
        about 1 s. Raises ClosedError, StorageIOError."""
        err = _Err()
        _check(_lib.vme_flush(self._handle(), err.ref()), err, "flush")

    def background_run_once(self) -> None:
        """Runs one round of background work in this thread (``vme_background_run_once``), for
        a db opened with ``background=False``. Raises ClosedError, MisuseError (read-only),
        StorageIOError, CorruptionError."""
        err = _Err()
        _check(_lib.vme_background_run_once(self._handle(), err.ref()), err, "background_run_once")

    # -- ingest ---------------------------------------------------------------------------------

    def add(self, labels: Labels, timestamps: TimestampsLike, values: npt.ArrayLike) -> AddResult:
        """Adds the samples of one series in a single C call (``vme_add_series``; VictoriaMetrics
        Storage.AddRows).

        Args:
            labels: label name -> value; must include ``"__name__"`` (the metric name).
            timestamps: int64 ms since the epoch (UTC), a datetime64 array (any unit), or a
                sequence of ints/datetimes. NumPy int64 arrays are passed by pointer, no copy.
            values: float64 values (anything NumPy converts to float64), same length.

        Returns:
            The engine's counters. Invalid rows (bad labels, NaN, out of retention, too far in
            the future, negative timestamps) are rejected and counted, not raised.

        Rows are searchable after the next raw-rows flush (about 1 s) or :meth:`flush`; durable
        as the ``wal_mode`` option says. Thread-safe.

        Raises:
            InvalidArgumentError: lengths differ, or an array is not one-dimensional.
            MisuseError: the db is read-only. ClosedError, StorageIOError.
        """
        key = pack_labels(labels)
        ts = to_ms_array(timestamps, "timestamps")
        vs = _values_array(values)
        if ts.shape[0] != vs.shape[0]:
            raise InvalidArgumentError(f"timestamps has {ts.shape[0]} entries but values has {vs.shape[0]}")
        res = _native.vme_add_result()
        err = _Err()
        st = _lib.vme_add_series(
            self._handle(), key, len(key), ts.ctypes.data, vs.ctypes.data, ts.shape[0], byref(res), err.ref()
        )
        _check(st, err, "add")
        return AddResult._from_c(res)

    def write(self, batch: Batch) -> AddResult:
        """Writes a :class:`Batch` in one C call and resets it (see :meth:`Batch.write`)."""
        return batch.write(self)

    def series_refs(self, series: Iterable[Labels]) -> SeriesRefs:
        """Resolves series labels to series references in one C call
        (``vme_series_refs_resolve``; Prometheus storage.SeriesRef), for :meth:`add_rows`.

        A reference is 8 bytes that stand for one series key of this handle, so a writer that
        adds the same series again and again passes no labels. The references stay valid until
        :meth:`SeriesRefs.release` or :meth:`close`. Each costs about 100 bytes plus its key.

        Raises MisuseError (read-only), ClosedError.
        """
        keys = [pack_labels(lb) for lb in series]
        n = len(keys)
        offs = np.zeros(n + 1, dtype=np.uint32)
        if n:
            np.cumsum([len(k) for k in keys], out=offs[1:])
        buf = b"".join(keys)
        refs = np.zeros(n, dtype=np.uint64)
        err = _Err()
        st = _lib.vme_series_refs_resolve(
            self._handle(), buf, len(buf), offs.ctypes.data, n, refs.ctypes.data, err.ref()
        )
        _check(st, err, "series_refs")
        return SeriesRefs(self, refs)

    def add_rows(
        self,
        refs: SeriesRefs | npt.ArrayLike,
        timestamps: TimestampsLike | TimeLike,
        values: npt.ArrayLike,
    ) -> AddResult:
        """Adds rows of many series in one C call (``vme_add_rows_ref``): row i belongs to the
        series of ``refs[i]``, with ``timestamps[i]`` and ``values[i]``.

        Args:
            refs: a :class:`SeriesRefs`, or a uint64 array of references taken from one (e.g.
                ``refs.array[idx]``).
            timestamps: ms since the epoch per row (as in :meth:`add`), or one time for every
                row.
            values: float64 per row.

        This is the bulk path: no per-row Python work; NumPy arrays of the right dtype are
        passed by pointer. Every reference is checked before any row is stored. Thread-safe.

        Raises:
            InvalidArgumentError: lengths differ, or a reference is not live on this handle.
            MisuseError (read-only), ClosedError, StorageIOError.
        """
        r = refs.array if isinstance(refs, SeriesRefs) else np.ascontiguousarray(refs, dtype=np.uint64)
        n = r.shape[0]
        if isinstance(timestamps, (int, np.integer, _dt.date, np.datetime64)):
            ts = np.full(n, to_ms(timestamps, "timestamps"), dtype=np.int64)
        else:
            ts = to_ms_array(timestamps, "timestamps")
        vs = _values_array(values)
        if ts.shape[0] != n or vs.shape[0] != n:
            raise InvalidArgumentError(
                f"refs has {n} entries, timestamps {ts.shape[0]} and values {vs.shape[0]}"
            )
        res = _native.vme_add_result()
        err = _Err()
        st = _lib.vme_add_rows_ref(
            self._handle(), r.ctypes.data, ts.ctypes.data, vs.ctypes.data, n, None, byref(res), err.ref()
        )
        _check(st, err, "add_rows")
        return AddResult._from_c(res)

    def import_prometheus(
        self,
        source: PathLike | bytes | bytearray | memoryview,
        *,
        default_timestamp: TimeLike | None = None,
        strict: bool = False,
    ) -> ImportResult:
        """Imports samples in the Prometheus text exposition format in one C call
        (``vme_import_prometheus_file`` for a path, ``vme_import_prometheus`` for bytes).

        Args:
            source: a path (str or os.PathLike) of a plain or zstd-compressed file (detected
                by the zstd magic, not the name), or the text itself as bytes.
            default_timestamp: the time of lines without a timestamp; default: now.
            strict: if True, the first malformed line fails the call (InvalidArgumentError
                naming the line); otherwise malformed lines are skipped and counted.

        HELP/TYPE lines and comments are ignored. The GIL is released while the file is read.

        Raises:
            InvalidArgumentError (strict and a malformed line), NotFoundError / StorageIOError
            (the file; the message names it), MisuseError (read-only), ClosedError.
        """
        ts = (
            int(time.time() * 1000)
            if default_timestamp is None
            else to_ms(default_timestamp, "default_timestamp")
        )
        flags = _native.VME_IMPORT_STRICT if strict else 0
        res = _native.vme_import_result()
        err = _Err()
        h = self._handle()
        if isinstance(source, (bytes, bytearray, memoryview)):
            if not _native.has("vme_import_prometheus"):
                raise MisuseError(f"{_native.library_path()} has no vme_import_prometheus", -9)
            data = bytes(source)
            st = _lib.vme_import_prometheus(h, data, len(data), ts, flags, byref(res), err.ref())
        elif isinstance(source, (str, os.PathLike)):
            if not _native.has("vme_import_prometheus_file"):
                raise MisuseError(f"{_native.library_path()} has no vme_import_prometheus_file", -9)
            st = _lib.vme_import_prometheus_file(h, os.fsencode(source), ts, flags, byref(res), err.ref())
        else:
            raise TypeError(f"source: want a path or bytes, got {type(source).__name__}")
        _check(st, err, "import_prometheus")
        return ImportResult(
            AddResult._from_c(res.rows), res.lines_read, res.lines_skipped, res.first_skipped_line
        )

    # -- search ---------------------------------------------------------------------------------

    def search(
        self,
        selector: Selector,
        start: TimeLike | None = None,
        end: TimeLike | None = None,
        *,
        limit: int | None = None,
    ) -> SeriesIterator:
        """Searches series and their samples in [start, end] (``vme_search``; VictoriaMetrics
        Search.Init / NextMetricBlock).

        Args:
            selector: a PromQL series selector such as ``'node_cpu_seconds_total{mode="idle"}'``
                (it needs one matcher that does not match the empty string; ``'{__name__=~".+"}'``
                selects everything), a mapping of labels that must be equal, or None for every
                series.
            start, end: inclusive time bounds: int ms since the epoch, datetime (naive = UTC),
                date, or numpy.datetime64; None is an open bound.
            limit: fail with LimitError if more series match (0 or None = no limit).

        Returns:
            An iterator of :class:`Series` in TSID order (metric name first), each with its
            samples sorted by time, copied once into NumPy arrays. Use it in a ``with`` block or
            exhaust it to release the engine's iterator at once. Only rows already flushed are
            seen. One thread at a time may advance the iterator.

        Raises:
            InvalidArgumentError (a malformed selector, with the offset), ClosedError,
            LimitError, CorruptionError, StorageIOError.
        """
        q = _Query(selector, start, end, limit)
        try:
            it = c_void_p()
            err = _Err()
            _check(_lib.vme_search(self._handle(), q.p, byref(it), err.ref()), err, "search")
        except BaseException:
            q.close()
            raise
        assert it.value is not None  # vme_search set it (VME_OK)
        return SeriesIterator(it.value, q)

    def to_pandas(
        self,
        selector: Selector,
        start: TimeLike | None = None,
        end: TimeLike | None = None,
        *,
        wide: bool = False,
        timestamps: Literal["datetime", "ms"] = "datetime",
        limit: int | None = None,
    ) -> pandas.DataFrame:
        """The result of :meth:`search` as a pandas DataFrame (needs pandas).

        Long format (default): one row per sample, columns: one per label name of the matched
        series (``__name__`` first, then sorted; categorical, missing labels are NaN), then
        ``timestamp``, then ``value`` (float64). Rows are grouped by series in TSID order, by
        time within a series.

        Wide format (``wide=True``): index ``timestamp`` (the sorted union of every series'
        timestamps), one float64 column per series named by its canonical text
        (``up{instance="h1",job="node"}``); NaN where a series has no sample. If a series has
        several samples at one timestamp, the last one is kept.

        ``timestamps="datetime"`` gives ``datetime64[ms, UTC]`` timestamps, ``"ms"`` int64 ms.

        Raises what :meth:`search` raises; InvalidArgumentError if a label is named
        ``timestamp`` or ``value`` in long format.
        """
        import pandas as pd

        if timestamps not in ("datetime", "ms"):
            raise InvalidArgumentError(f"timestamps: want 'datetime' or 'ms', got {timestamps!r}")
        with self.search(selector, start, end, limit=limit) as it:
            series = list(it)
        lengths = np.array([len(s) for s in series], dtype=np.int64)
        ts_all = np.concatenate([s.timestamps for s in series]) if series else np.empty(0, np.int64)

        def time_index(ms: np.ndarray) -> Any:
            if timestamps == "ms":
                return pd.Index(ms, name="timestamp")
            return pd.DatetimeIndex(ms.view("datetime64[ms]"), name="timestamp").tz_localize("UTC")

        if wide:
            grid = np.unique(ts_all)
            matrix = np.full((grid.shape[0], len(series)), np.nan)
            for j, s in enumerate(series):
                t = s.timestamps
                last = np.ones(t.shape[0], dtype=bool)
                if t.shape[0] > 1:
                    last[:-1] = t[1:] != t[:-1]
                matrix[np.searchsorted(grid, t[last]), j] = s.values[last]
            cols = pd.Index([s.name for s in series], name="series")
            return pd.DataFrame(matrix, index=time_index(grid), columns=cols)

        names: set[str] = set()
        for s in series:
            names.update(s.labels)
        ordered = (["__name__"] if "__name__" in names else []) + sorted(names - {"__name__"})
        for bad in ("timestamp", "value"):
            if bad in names:
                raise InvalidArgumentError(
                    f"to_pandas: label {bad!r} clashes with the column of the same name; use wide=True or search()"
                )
        data: dict[str, Any] = {}
        for name in ordered:
            vals = [s.labels.get(name) for s in series]
            cats = sorted({v for v in vals if v is not None})
            pos = {v: i for i, v in enumerate(cats)}
            codes = np.array([pos[v] if v is not None else -1 for v in vals], dtype=np.int32)
            data[name] = pd.Categorical.from_codes(np.repeat(codes, lengths), categories=pd.Index(cats))
        idx = time_index(ts_all)
        data["timestamp"] = idx.to_numpy() if timestamps == "ms" else pd.Series(idx).array
        data["value"] = np.concatenate([s.values for s in series]) if series else np.empty(0)
        return pd.DataFrame(data)

    # -- labels and counts ----------------------------------------------------------------------

    def _query_or_null(self, selector: Selector, start: Any, end: Any) -> _Query | None:
        if selector is None and start is None and end is None:
            return None
        return _Query(selector, start, end)

    def label_names(
        self, selector: Selector = None, start: TimeLike | None = None, end: TimeLike | None = None
    ) -> list[str]:
        """Sorted label names of the matching series (every series by default), ``__name__``
        included (``vme_label_names``; VictoriaMetrics SearchTagKeys). The time range applies
        as in :meth:`series_count`. Raises InvalidArgumentError, ClosedError, CorruptionError,
        StorageIOError."""
        q = self._query_or_null(selector, start, end)
        try:
            out = c_void_p()
            err = _Err()
            st = _lib.vme_label_names(self._handle(), q.p if q else None, byref(out), err.ref())
            _check(st, err, "label_names")
            return _strlist(out)
        finally:
            if q:
                q.close()

    def label_values(
        self,
        name: str,
        selector: Selector = None,
        start: TimeLike | None = None,
        end: TimeLike | None = None,
    ) -> list[str]:
        """Sorted values of label ``name`` (``"__name__"`` for metric names) over the matching
        series, without the empty value (``vme_label_values``; VictoriaMetrics
        SearchTagValues). Raises InvalidArgumentError, ClosedError, CorruptionError,
        StorageIOError."""
        if not isinstance(name, str):
            raise TypeError(f"name: want str, got {type(name).__name__}")
        q = self._query_or_null(selector, start, end)
        try:
            nb = name.encode()
            out = c_void_p()
            err = _Err()
            st = _lib.vme_label_values(self._handle(), nb, len(nb), q.p if q else None, byref(out), err.ref())
            _check(st, err, "label_values")
            return _strlist(out)
        finally:
            if q:
                q.close()

    def series_count(
        self, selector: Selector = None, start: TimeLike | None = None, end: TimeLike | None = None
    ) -> int:
        """Number of live series matching (``vme_series_count``). When [start, end] touches at
        most 41 UTC days only series with samples on those days count; wider or open ranges
        count every matching series. Raises InvalidArgumentError, ClosedError,
        CorruptionError, StorageIOError."""
        q = self._query_or_null(selector, start, end)
        try:
            out = c_uint64()
            err = _Err()
            _check(
                _lib.vme_series_count(self._handle(), q.p if q else None, byref(out), err.ref()),
                err,
                "series_count",
            )
            return int(out.value)
        finally:
            if q:
                q.close()

    # -- maintenance ----------------------------------------------------------------------------

    def delete(self, selector: str | Mapping[str, str]) -> int:
        """Deletes the matching series over all time and returns how many
        (``vme_delete_series``; VictoriaMetrics Storage.DeleteMetrics). They vanish from
        searches at once; their samples leave the disk at the next merge. The selector must
        have a matcher that does not match the empty string. Raises InvalidArgumentError,
        MisuseError (read-only), ClosedError, StorageIOError."""
        if selector is None:
            raise InvalidArgumentError(
                "delete: a selector is required (to delete everything say '{__name__=~\".+\"}')"
            )
        with _Query(selector, None, None) as q:
            out = c_uint64()
            err = _Err()
            _check(_lib.vme_delete_series(self._handle(), q.p, byref(out), err.ref()), err, "delete")
            return int(out.value)

    def force_merge(self, partition_prefix: str = "") -> None:
        """Merges every part of each partition whose name (``YYYY_MM``) starts with the prefix
        ("" = all) into one, applying deletions, retention and deduplication; blocks until
        done, with the GIL released (``vme_force_merge``; VictoriaMetrics
        Storage.ForceMergePartitions). Raises MisuseError (read-only), ClosedError,
        CorruptionError, StorageIOError."""
        err = _Err()
        _check(_lib.vme_force_merge(self._handle(), partition_prefix.encode(), err.ref()), err, "force_merge")

    def snapshot_create(self) -> str:
        """Flushes and hard-links every part into ``<path>/snapshots/<name>/`` and returns the
        name (``YYYYMMDDhhmmss-XXXXXXXXXXXXXXXX``, UTC) (``vme_snapshot_create``;
        VictoriaMetrics Storage.CreateSnapshot). The snapshot opens as a db of its own (e.g.
        with ``read_only=True``). Raises MisuseError (read-only), ClosedError, StorageIOError."""
        out = ctypes.c_void_p()
        err = _Err()
        _check(_lib.vme_snapshot_create(self._handle(), byref(out), err.ref()), err, "snapshot_create")
        try:
            return (ctypes.string_at(out.value) if out.value else b"").decode()
        finally:
            _lib.vme_free(out)

    def snapshot_list(self) -> list[str]:
        """Snapshot names, sorted (``vme_snapshot_list``). Raises ClosedError, StorageIOError."""
        out = c_void_p()
        err = _Err()
        _check(_lib.vme_snapshot_list(self._handle(), byref(out), err.ref()), err, "snapshot_list")
        return _strlist(out)

    def snapshot_delete(self, name: str) -> None:
        """Deletes a snapshot (``vme_snapshot_delete``). Raises InvalidArgumentError (not a
        snapshot name), NotFoundError, MisuseError (read-only), ClosedError, StorageIOError."""
        if not isinstance(name, str):
            raise TypeError(f"name: want str, got {type(name).__name__}")
        err = _Err()
        _check(_lib.vme_snapshot_delete(self._handle(), name.encode(), err.ref()), err, "snapshot_delete")

    def snapshot_path(self, name: str) -> str:
        """The directory of snapshot ``name`` (``<path>/snapshots/<name>``)."""
        return os.path.join(self._path, "snapshots", name)

    def stats(self) -> dict[str, float | str]:
        """A point-in-time copy of the engine's statistics (``vme_stats_get``): ``rows``,
        ``parts``, ``series``, ``data_bytes``, ``indexdb_bytes``, ``background_errors``,
        per-partition ``partition.YYYY_MM.*``, ... as floats. An entry with a text (today
        ``background_last_error``) also appears as ``<name>_message`` (str).
        Raises ClosedError."""
        out = c_void_p()
        err = _Err()
        _check(_lib.vme_stats_get(self._handle(), byref(out), err.ref()), err, "stats")
        try:
            res: dict[str, float | str] = {}
            for i in range(_lib.vme_stats_count(out)):
                name = _lib.vme_stats_name(out, i).decode()
                res[name] = float(_lib.vme_stats_value(out, i))
                text = _lib.vme_stats_text(out, i)
                if text is not None:
                    res[name + "_message"] = text.decode("utf-8", "replace")
            return res
        finally:
            _lib.vme_stats_free(out)


# ---------------------------------------------------------------------------------------------
# Search iterator


class SeriesIterator(Iterator[Series]):
    """Iterator over the series of a search (``vme_series_iter``). Returned by :meth:`Db.search`.

    Each step (``vme_series_iter_next``) runs with the GIL released. The engine's iterator is
    released when the iteration ends, on an error, on :meth:`close` / leaving a ``with`` block,
    or when the object is garbage-collected. Not safe for concurrent use by several threads.
    After the database is closed, the next step raises ClosedError.
    """

    def __init__(self, handle: int, query: _Query) -> None:
        self._it: int | None = handle
        self._q: _Query | None = query
        self._ts = ctypes.POINTER(ctypes.c_int64)()
        self._vs = ctypes.POINTER(ctypes.c_double)()
        self._finalizer = weakref.finalize(self, SeriesIterator._release, handle, query)

    @staticmethod
    def _release(handle: int, query: _Query) -> None:
        _lib.vme_series_iter_close(handle)
        query.close()

    def close(self) -> None:
        """Releases the engine's iterator (idempotent)."""
        self._it = None
        self._finalizer()

    def __enter__(self) -> SeriesIterator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> SeriesIterator:
        return self

    def __next__(self) -> Series:
        it = self._it
        if it is None:
            raise StopIteration
        err = _Err()
        st = _lib.vme_series_iter_next(it, err.ref())
        if st == _native.VME_DONE:
            self.close()
            raise StopIteration
        if st != _native.VME_OK:
            self.close()
            raise_status(st, err.p, "search")
        keyp = ctypes.POINTER(ctypes.c_uint8)()
        keylen = c_size_t()
        _lib.vme_series_iter_key(it, byref(keyp), byref(keylen))
        key = ctypes.string_at(keyp, keylen.value) if keylen.value else b""
        name = (_lib.vme_series_iter_name(it) or b"").decode("utf-8", "replace")
        n = _lib.vme_series_iter_samples(it, byref(self._ts), byref(self._vs))
        ts = np.empty(n, dtype=np.int64)
        vs = np.empty(n, dtype=np.float64)
        if n:
            got = c_size_t()
            _check(
                _lib.vme_series_iter_copy_samples(
                    it, ts.ctypes.data, vs.ctypes.data, n, byref(got), err.ref()
                ),
                err,
                "search",
            )
        return Series(unpack_labels(key), name, ts, vs)


# ---------------------------------------------------------------------------------------------
# Series references


class SeriesRefs:
    """Series references from :meth:`Db.series_refs`, in the order of the labels given.

    Attributes:
        array: read-only uint64 NumPy array, one reference per series (index it to pick rows'
            series for :meth:`Db.add_rows`).

    Valid until :meth:`release` (or leaving a ``with`` block) or until the db is closed; a
    released reference makes :meth:`Db.add_rows` raise InvalidArgumentError. Do not release
    while another thread still adds rows with them.
    """

    def __init__(self, db: Db, refs: np.ndarray) -> None:
        self._db = db
        refs.setflags(write=False)
        self.array = refs
        self._released = False

    def __len__(self) -> int:
        return int(self.array.shape[0])

    def release(self) -> None:
        """Releases the references (``vme_series_refs_release``); idempotent; a no-op once the
        db is closed (closing releases them)."""
        if self._released:
            return
        self._released = True
        if self._db.closed:
            return
        err = _Err()
        st = _lib.vme_series_refs_release(
            self._db._handle(), self.array.ctypes.data, self.array.shape[0], err.ref()
        )
        if st != _native.VME_OK and st != ClosedError.code:
            raise_status(st, err.p, "SeriesRefs.release")
        _lib.vme_error_free(err.p)

    def __enter__(self) -> SeriesRefs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


# ---------------------------------------------------------------------------------------------
# Batch


class Batch:
    """Rows of many series, written in one C call (``vme_add_rows``).

    ``batch.add(labels, timestamps, values)`` appends the samples of one series (scalars for
    one row, or arrays); :meth:`write` sends every row at once and then empties the batch, so a
    scrape loop that writes the same Batch again and again never writes a row twice. If the
    write raises, the batch keeps its rows (nothing of it, or a part reported by the engine,
    was stored: see :meth:`Db.add`), so the caller decides whether to retry or :meth:`reset`.

    A Batch is not thread-safe: fill and write it from one thread at a time. It may be bound
    to a db (``Batch(db)`` or ``db.write(batch)``).
    """

    def __init__(self, db: Db | None = None) -> None:
        self._db = db
        self._keys: list[bytes] = []
        self._ts: list[Any] = []
        self._vs: list[Any] = []
        self._counts: list[int] = []
        self._rows = 0

    def __len__(self) -> int:
        """Rows in the batch."""
        return self._rows

    def add(
        self,
        labels: Labels,
        timestamps: TimestampsLike | TimeLike,
        values: npt.ArrayLike | float,
    ) -> Batch:
        """Appends samples of one series: one row when ``timestamps`` and ``values`` are
        scalars, else arrays of equal length (as in :meth:`Db.add`). Returns the batch."""
        key = pack_labels(labels)
        if isinstance(timestamps, (int, np.integer, _dt.date, np.datetime64)) and np.ndim(values) == 0:
            ts: Any = to_ms(timestamps, "timestamps")
            if isinstance(values, (str, bytes)):
                raise TypeError("values: want a number")
            vs: Any = float(values)  # type: ignore[arg-type]
            n = 1
        else:
            ts = to_ms_array(timestamps, "timestamps")
            vs = _values_array(values)
            n = ts.shape[0]
            if vs.shape[0] != n:
                raise InvalidArgumentError(f"timestamps has {n} entries but values has {vs.shape[0]}")
        self._keys.append(key)
        self._ts.append(ts)
        self._vs.append(vs)
        self._counts.append(n)
        self._rows += n
        return self

    def reset(self) -> None:
        """Empties the batch."""
        self._keys.clear()
        self._ts.clear()
        self._vs.clear()
        self._counts.clear()
        self._rows = 0

    def write(self, db: Db | None = None) -> AddResult:
        """Writes every row in one ``vme_add_rows`` call, then empties the batch.

        Args:
            db: the database; default: the one given to the constructor.

        Returns the engine's counters (see :meth:`Db.add`). Raises InvalidArgumentError (no db;
        more than 4 GiB of series keys), MisuseError (read-only), ClosedError, StorageIOError;
        after an error the batch keeps its rows.
        """
        target = db if db is not None else self._db
        if target is None:
            raise InvalidArgumentError("Batch.write: no database (pass one, or create Batch(db))")
        n = self._rows
        ts = np.empty(n, dtype=np.int64)
        vs = np.empty(n, dtype=np.float64)
        offs = np.empty(n + 1, dtype=np.int64)
        offs[0] = 0
        parts = []
        pos = 0
        kpos = 0
        for key, t, v, c in zip(self._keys, self._ts, self._vs, self._counts):
            ts[pos : pos + c] = t
            vs[pos : pos + c] = v
            kl = len(key)
            offs[pos + 1 : pos + c + 1] = kpos + kl * np.arange(1, c + 1) if c > 1 else kpos + kl
            parts.append(key * c)
            pos += c
            kpos += kl * c
        if kpos > 0xFFFFFFFF:
            raise InvalidArgumentError(
                f"Batch.write: {kpos} bytes of series keys; write smaller batches (< 4 GiB)"
            )
        buf = b"".join(parts)
        offs32 = offs.astype(np.uint32)
        res = _native.vme_add_result()
        err = _Err()
        st = _lib.vme_add_rows(
            target._handle(),
            buf,
            len(buf),
            offs32.ctypes.data,
            ts.ctypes.data,
            vs.ctypes.data,
            n,
            byref(res),
            err.ref(),
        )
        _check(st, err, "Batch.write")
        self.reset()
        return AddResult._from_c(res)


# ---------------------------------------------------------------------------------------------
# open()


def open(
    path: PathLike,
    *,
    retention: _dt.timedelta | str | int | None = None,
    wal_mode: Literal["off", "async", "sync"] | None = None,
    read_only: bool = False,
    **options: str | int | bool | _dt.timedelta,
) -> Db:
    """Opens (creating if needed) the data directory ``path`` (``vme_open``; VictoriaMetrics
    Storage.OpenStorage). Use it as ``with vmengine.open(path) as db:``.

    Args:
        path: the data directory, a VictoriaMetrics 1.72 storage directory.
        retention: how long samples are kept: a ``timedelta``, a string with a unit
            (``"30d"``, ``"10y"``; a bare number means months of 31 days, as VictoriaMetrics'
            -retentionPeriod), or int milliseconds. Default: keep everything. Rows older than
            ``now - retention`` are rejected at ingest.
        wal_mode: ``"off"`` (default), ``"async"`` or ``"sync"``: the write-ahead log (see
            include/vmengine.h and docs/durability.md).
        read_only: open without writing anything (no lock, no recovery); writes raise
            MisuseError. The directory must exist (else NotFoundError).
        **options: any other key of ``vme_options_set`` (``cache_bytes``, ``account_id``,
            ``project_id``, ``dedup_interval_ms``, ``background``, ``background_threads``,
            ``quarantine``, ``wal_sync_interval_ms``, ``raw_rows_memory_bytes``, ...): bools
            become "1"/"0", ints decimal text, timedeltas ms for ``*_ms`` keys.

    Raises:
        InvalidArgumentError: an unknown option key or a bad value (the message names the key).
        LockedError: another process has the directory open. NotFoundError (read-only open of a
        missing directory), CorruptionError, StorageIOError.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path: want str or os.PathLike, got {type(path).__name__}")
    opts = _lib.vme_options_create()
    if not opts:
        raise MemoryError("vme_options_create")
    try:
        settings: dict[str, Any] = dict(options)
        if retention is not None:
            settings["retention"] = retention
        if wal_mode is not None:
            settings["wal_mode"] = wal_mode
        if read_only:
            settings["read_only"] = True
        err = _Err()
        for key, value in settings.items():
            if value is None:
                continue
            st = _lib.vme_options_set(opts, key.encode(), _option_value(key, value).encode(), err.ref())
            _check(st, err, f"option {key}")
        h = c_void_p()
        p = os.fsdecode(os.fspath(path))
        _check(_lib.vme_open(os.fsencode(p), opts, byref(h), err.ref()), err, "open")
    finally:
        _lib.vme_options_destroy(opts)
    assert h.value is not None  # vme_open set it (VME_OK)
    return Db(h.value, p, bool(read_only))
