"""The Python API on synthetic rows: add, Batch, series refs, search, time bounds, labels,
counts, delete, force merge, snapshots, stats, options, import from bytes, use after close."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from support import T0

import vmengine

CPU = {"__name__": "cpu", "host": "a"}


def samples(db: vmengine.Db, selector: str, **kw) -> list[vmengine.Series]:
    return list(db.search(selector, **kw))


def test_add_numpy_roundtrip(db: vmengine.Db) -> None:
    ts = T0 + np.arange(1000, dtype=np.int64) * 10_000
    vs = np.arange(1000) / 4 - 100  # exact in the engine's decimal encoding
    res = db.add(CPU, ts, vs)
    assert res == vmengine.AddResult(rows_added=1000)
    db.flush()
    (s,) = samples(db, "cpu")
    assert s.labels == CPU and s.name == 'cpu{host="a"}'
    assert np.array_equal(s.timestamps, ts) and np.array_equal(s.values, vs)
    assert s.timestamps.flags.owndata and s.timestamps.flags.writeable


def test_add_sequences_and_datetime64(db: vmengine.Db) -> None:
    db.add({"__name__": "seq"}, [T0, T0 + 1000], [1, 2])
    d64 = np.array(["2026-01-01T00:00:02", "2026-01-01T00:00:03"], dtype="datetime64[s]")
    db.add({"__name__": "seq"}, d64, np.array([3.0, 4.0]))
    naive = [
        dt.datetime(2026, 1, 1, 0, 0, 4),
        dt.datetime(2026, 1, 1, 1, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    ]
    db.add({"__name__": "seq"}, naive, [5.0, 6.0])
    db.flush()
    (s,) = samples(db, "seq")
    assert s.timestamps.tolist() == [T0 + i * 1000 for i in range(6)]
    assert s.values.tolist() == [1, 2, 3, 4, 5, 6]
    assert s.datetimes[0] == np.datetime64("2026-01-01T00:00:00", "ms")


def test_add_rejections_are_counted(db: vmengine.Db) -> None:
    res = db.add({"host": "no-name"}, [T0], [1.0])
    assert res.rejected_invalid_labels == 1 and res.rows_added == 0
    res = db.add(CPU, [T0, T0 + 1], [np.nan, 1.0])
    assert (res.rows_added, res.rejected_nan, res.rejected) == (1, 1, 1)


def test_add_argument_errors(db: vmengine.Db) -> None:
    with pytest.raises(vmengine.InvalidArgumentError, match="2 entries but values has 1"):
        db.add(CPU, [T0, T0 + 1], [1.0])
    with pytest.raises(TypeError, match="float64 is not a time"):
        db.add(CPU, np.array([1.5e12]), [1.0])
    with pytest.raises(TypeError, match="mapping"):
        db.add("cpu", [T0], [1.0])  # type: ignore[arg-type]
    with pytest.raises(vmengine.InvalidArgumentError, match="one-dimensional"):
        db.add(CPU, np.zeros((2, 2), dtype=np.int64), [1.0, 2.0])


def test_batch_writes_once_and_resets(db: vmengine.Db) -> None:
    batch = vmengine.Batch()
    batch.add(CPU, T0, 1.0)
    batch.add({"__name__": "cpu", "host": "b"}, [T0, T0 + 1000], [2.0, 3.0])
    batch.add({"__name__": "mem"}, np.array([T0], dtype="datetime64[ms]"), [4.0])
    assert len(batch) == 4
    assert db.write(batch) == vmengine.AddResult(rows_added=4)
    assert len(batch) == 0
    # Writing the same (now empty) batch again writes nothing twice.
    assert db.write(batch) == vmengine.AddResult()
    bound = vmengine.Batch(db)
    bound.add(CPU, T0 + 1000, 5.0)
    assert bound.write().rows_added == 1 and len(bound) == 0
    db.flush()
    got = {s.name: s.values.tolist() for s in db.search('{__name__=~"cpu|mem"}')}
    assert got == {'cpu{host="a"}': [1.0, 5.0], 'cpu{host="b"}': [2.0, 3.0], "mem{}": [4.0]}


def test_batch_keeps_rows_when_write_fails(db_path) -> None:
    batch = vmengine.Batch().add(CPU, T0, 1.0)
    with pytest.raises(vmengine.InvalidArgumentError, match="no database"):
        batch.write()
    with vmengine.open(db_path) as d:
        pass
    with pytest.raises(vmengine.ClosedError):
        batch.write(d)
    assert len(batch) == 1
    with vmengine.open(db_path) as d:
        d.write(batch)
        d.flush()
        assert d.series_count() == 1


def test_series_refs_add_rows(db: vmengine.Db) -> None:
    labels = [{"__name__": "w", "k": str(k)} for k in range(100)]
    with db.series_refs(labels) as refs:
        assert len(refs) == 100 and refs.array.dtype == np.uint64
        for i in range(10):
            res = db.add_rows(refs, T0 + i * 1000, np.full(100, float(i)))
            assert res.rows_added == 100
        # a subset, with per-row timestamps
        db.add_rows(refs.array[:2], np.array([T0 + 10_000, T0 + 10_000]), [7.0, 8.0])
    with pytest.raises(vmengine.InvalidArgumentError):
        db.add_rows(refs, T0 + 20_000, np.zeros(100))  # released
    db.flush()
    assert db.series_count("w") == 100
    got = list(db.search('w{k="1"}'))
    assert got[0].values.tolist() == [float(i) for i in range(10)] + [8.0]


@pytest.mark.parametrize(
    "start,end",
    [
        (T0 + 1000, T0 + 2000),
        (dt.datetime(2026, 1, 1, 0, 0, 1), dt.datetime(2026, 1, 1, 0, 0, 2)),
        (
            dt.datetime(2026, 1, 1, 1, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))),
            dt.datetime(2026, 1, 1, 0, 0, 2, tzinfo=dt.timezone.utc),
        ),
        (np.datetime64("2026-01-01T00:00:01"), np.datetime64("2026-01-01T00:00:02.000000")),
        (np.int64(T0 + 1000), np.datetime64(T0 + 2000, "ms")),
    ],
)
def test_time_bound_types(db: vmengine.Db, start, end) -> None:
    db.add(CPU, T0 + np.arange(4) * 1000, [0.0, 1.0, 2.0, 3.0])
    db.flush()
    (s,) = samples(db, "cpu", start=start, end=end)
    assert s.values.tolist() == [1.0, 2.0]


def test_open_bounds(db: vmengine.Db) -> None:
    db.add(CPU, T0 + np.arange(4) * 1000, [0.0, 1.0, 2.0, 3.0])
    db.flush()
    assert samples(db, "cpu", start=None, end=T0 + 1000)[0].values.tolist() == [0.0, 1.0]
    assert samples(db, "cpu", start=T0 + 2000, end=None)[0].values.tolist() == [2.0, 3.0]
    assert samples(db, "cpu", start=dt.date(2026, 1, 1))[0].values.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert samples(db, "cpu", start=T0 + 5000) == []


def test_bad_time_bounds(db: vmengine.Db) -> None:
    with pytest.raises(TypeError, match="start: float"):
        db.search("cpu", start=1.5)
    with pytest.raises(TypeError, match="bool"):
        db.search("cpu", end=True)
    with pytest.raises(vmengine.InvalidArgumentError, match="NaT"):
        db.search("cpu", start=np.datetime64("NaT"))
    with pytest.raises(vmengine.InvalidArgumentError, match="after end"):
        db.search("cpu", start=T0 + 1, end=T0)


def test_selectors_labels_counts_delete(db: vmengine.Db) -> None:
    for h in "abc":
        db.add({"__name__": "up", "host": h, "dc": "x" if h != "c" else "y"}, [T0], [1.0])
    db.add({"__name__": "down"}, [T0], [0.0])
    db.flush()
    assert db.label_names() == ["__name__", "dc", "host"]
    assert db.label_names("down") == ["__name__"]
    assert db.label_values("host") == ["a", "b", "c"]
    assert db.label_values("host", {"dc": "x"}) == ["a", "b"]
    assert db.label_values("__name__") == ["down", "up"]
    assert db.series_count() == 4
    assert db.series_count('up{dc="x"}') == 2
    assert db.series_count({"__name__": "up", "host": "c"}) == 1
    assert db.series_count("up", start=T0 - 1000, end=T0) == 3
    assert sorted(s.labels["host"] for s in db.search({"__name__": "up"})) == ["a", "b", "c"]
    assert db.delete('up{host=~"a|b"}') == 2
    assert db.label_values("host") == ["c"]
    assert db.series_count() == 2
    with pytest.raises(vmengine.InvalidArgumentError):
        db.delete(None)  # type: ignore[arg-type]
    db.force_merge()
    db.force_merge("2026_01")
    assert db.series_count() == 2


def test_snapshots(db: vmengine.Db) -> None:
    db.add(CPU, [T0], [1.0])
    name = db.snapshot_create()
    assert db.snapshot_list() == [name]
    with vmengine.open(db.snapshot_path(name), read_only=True) as snap:
        assert [s.values.tolist() for s in snap.search("cpu")] == [[1.0]]
        with pytest.raises(vmengine.MisuseError):
            snap.add(CPU, [T0 + 1], [2.0])
    db.snapshot_delete(name)
    assert db.snapshot_list() == []
    with pytest.raises(vmengine.NotFoundError):
        db.snapshot_delete(name)


def test_stats(db: vmengine.Db) -> None:
    db.add(CPU, [T0, T0 + 1], [1.0, 2.0])
    db.flush()
    st = db.stats()
    assert st["rows"] == 2.0 and st["series"] == 1.0
    assert st["background_errors"] == 0.0 and st["background_last_error_message"] == ""


def test_options(db_path) -> None:
    with vmengine.open(
        db_path,
        retention=dt.timedelta(days=3650),
        wal_mode="sync",
        cache_bytes=64 << 20,
        background=False,
        dedup_interval_ms=dt.timedelta(seconds=0),
        quarantine=True,
    ) as d:
        d.add(CPU, [T0], [1.0])
        d.background_run_once()
        d.flush()
        assert d.series_count() == 1
    # A short retention rejects old rows.
    with vmengine.open(db_path, retention="1d") as d:
        assert d.add(CPU, [T0], [1.0]).rejected_out_of_retention == 1
    with vmengine.open(db_path, retention=24 * 3600 * 1000) as d:
        assert d.add(CPU, [T0], [1.0]).rejected_out_of_retention == 1
    with pytest.raises(vmengine.InvalidArgumentError, match="no_such_option"):
        vmengine.open(db_path, no_such_option=1)
    with pytest.raises(vmengine.InvalidArgumentError, match="wal_mode"):
        vmengine.open(db_path, wal_mode="sometimes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="cache_bytes"):
        vmengine.open(db_path, cache_bytes=1.5)  # type: ignore[arg-type]


def test_import_bytes(db: vmengine.Db) -> None:
    text = b'# HELP up help\n# TYPE up gauge\nup{job="a"} 1 1767225600000\nup{job="b"} 0\nnot a line\n'
    res = db.import_prometheus(text, default_timestamp=dt.datetime(2026, 1, 1, 0, 0, 1))
    assert (res.rows.rows_added, res.lines_read, res.lines_skipped, res.first_skipped_line) == (2, 5, 1, 5)
    db.flush()
    got = {s.name: s.timestamps.tolist() for s in db.search("up")}
    assert got == {'up{job="a"}': [T0], 'up{job="b"}': [T0 + 1000]}
    with pytest.raises(vmengine.InvalidArgumentError, match="line 5"):
        db.import_prometheus(text, strict=True)


def test_use_after_close(db_path) -> None:
    d = vmengine.open(db_path)
    d.add(CPU, [T0], [1.0])
    it = d.search("cpu")
    refs = d.series_refs([CPU])
    d.close()
    d.close()  # idempotent
    assert d.closed
    calls = [
        lambda: d.add(CPU, [T0], [1.0]),
        lambda: d.add_rows(refs, T0, [1.0]),
        lambda: d.series_refs([CPU]),
        lambda: d.search("cpu"),
        lambda: d.to_pandas("cpu"),
        lambda: d.label_names(),
        lambda: d.label_values("host"),
        lambda: d.series_count(),
        lambda: d.delete("cpu"),
        lambda: d.force_merge(),
        lambda: d.flush(),
        lambda: d.snapshot_create(),
        lambda: d.snapshot_list(),
        lambda: d.snapshot_delete("x"),
        lambda: d.stats(),
        lambda: d.import_prometheus(b"up 1\n"),
        lambda: d.write(vmengine.Batch().add(CPU, T0, 1.0)),
        lambda: d.__enter__(),
    ]
    for call in calls:
        with pytest.raises(vmengine.ClosedError, match="closed"):
            call()
    # An iterator opened before the close: its next step reports the close.
    with pytest.raises(vmengine.ClosedError):
        next(it)
    refs.release()  # a no-op after close


def test_iterator_close_early(db: vmengine.Db) -> None:
    for k in range(3):
        db.add({"__name__": "m", "k": str(k)}, [T0], [1.0])
    db.flush()
    with db.search("m") as it:
        first = next(it)
    assert first.labels["k"] == "0"
    with pytest.raises(StopIteration):
        next(it)


def test_library_version() -> None:
    assert vmengine.library_version() == vmengine.__version__
    assert vmengine.library_path().endswith(".so") or ".so." in vmengine.library_path()


def test_naive_datetime_is_utc_whatever_the_local_zone(
    db: vmengine.Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        db.add(CPU, [dt.datetime(2026, 1, 1, 0, 0, 1)], [1.0])
        db.flush()
        (s,) = samples(db, "cpu", start=dt.datetime(2026, 1, 1), end=dt.datetime(2026, 1, 1, 0, 0, 1))
        assert s.timestamps.tolist() == [T0 + 1000]
    finally:
        monkeypatch.undo()
        time.tzset()
