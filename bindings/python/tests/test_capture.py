"""The real node_exporter capture (examples/data): import, search, counts, pandas frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
from support import CAPTURE, installed_check

import vmengine


def test_installed_package_is_used() -> None:
    installed_check()
    assert vmengine.library_version() == vmengine.__version__


def test_import_counts(capture_db: vmengine.Db) -> None:
    assert capture_db.series_count() == 507
    total_series = 0
    total_samples = 0
    timestamps = set()
    for s in capture_db.search('{__name__=~".+"}'):
        total_series += 1
        total_samples += len(s)
        assert s.timestamps.dtype == np.int64 and s.values.dtype == np.float64
        assert np.all(np.diff(s.timestamps) > 0)
        timestamps.update(s.timestamps.tolist())
    assert (total_series, total_samples, len(timestamps)) == (507, 608_400, 1200)
    # Every timestamp is in November 2026.
    lo, hi = min(timestamps), max(timestamps)
    assert np.datetime64(lo, "ms") >= np.datetime64("2026-11-01")
    assert np.datetime64(hi, "ms") < np.datetime64("2026-12-01")


def test_labels(capture_db: vmengine.Db) -> None:
    names = capture_db.label_names()
    assert names[0] == "__name__" and "cpu" in names and "mode" in names and names == sorted(names)
    metrics = capture_db.label_values("__name__")
    assert "node_cpu_seconds_total" in metrics and metrics == sorted(metrics)
    modes = capture_db.label_values("mode", "node_cpu_seconds_total")
    assert "idle" in modes and "user" in modes


def test_search_selector(capture_db: vmengine.Db) -> None:
    series = list(capture_db.search('node_cpu_seconds_total{mode="idle"}'))
    assert series
    for s in series:
        assert s.labels["__name__"] == "node_cpu_seconds_total" and s.labels["mode"] == "idle"
        assert len(s) == 1200
        assert s.name.startswith("node_cpu_seconds_total{")
        # A counter never decreases within the capture.
        assert np.all(np.diff(s.values) >= 0)
    assert capture_db.series_count('node_cpu_seconds_total{mode="idle"}') == len(series)


def test_search_time_range(capture_db: vmengine.Db) -> None:
    first = next(iter(capture_db.search("node_load1")))
    t = first.timestamps
    part = list(capture_db.search("node_load1", start=int(t[100]), end=int(t[199])))
    assert len(part) == 1 and len(part[0]) == 100
    assert np.array_equal(part[0].timestamps, t[100:200])
    assert np.array_equal(part[0].values, first.values[100:200])
    same = list(capture_db.search("node_load1", start=first.datetimes[100], end=first.datetimes[199]))
    assert np.array_equal(same[0].timestamps, t[100:200])


def test_to_pandas_long(capture_db: vmengine.Db) -> None:
    df = capture_db.to_pandas('{__name__=~".+"}')
    assert df.shape[0] == 608_400
    assert list(df.columns[:1]) == ["__name__"] and list(df.columns[-2:]) == ["timestamp", "value"]
    assert str(df["timestamp"].dtype) == "datetime64[ms, UTC]"
    assert df["value"].dtype == np.float64
    assert df.groupby("__name__", observed=True).ngroups == len(capture_db.label_values("__name__"))
    assert (
        df[["__name__"] + [c for c in df.columns if c not in ("timestamp", "value", "__name__")]]
        .drop_duplicates()
        .shape[0]
        == 507
    )
    # Each series' rows carry its own labels, samples and timestamps.
    cpu = df[(df["__name__"] == "node_cpu_seconds_total") & (df["mode"] == "idle")]
    for s in capture_db.search('node_cpu_seconds_total{mode="idle"}'):
        rows = cpu[cpu["cpu"] == s.labels["cpu"]]
        assert np.array_equal(rows["value"].to_numpy(), s.values)
        ts = rows["timestamp"].dt.tz_localize(None).to_numpy().astype("datetime64[ms]").view(np.int64)
        assert np.array_equal(ts, s.timestamps)
    ms = capture_db.to_pandas("node_load1", timestamps="ms")
    assert list(ms.columns) == ["__name__", "timestamp", "value"] and ms.shape == (1200, 3)
    assert ms["timestamp"].dtype == np.int64


def test_to_pandas_wide(capture_db: vmengine.Db) -> None:
    wide = capture_db.to_pandas('{__name__=~".+"}', wide=True)
    assert wide.shape == (1200, 507)
    assert wide.index.name == "timestamp" and str(wide.index.dtype) == "datetime64[ms, UTC]"
    assert not wide.isna().any().any()
    cpu = capture_db.to_pandas('node_cpu_seconds_total{mode="idle"}', wide=True)
    for s in capture_db.search('node_cpu_seconds_total{mode="idle"}'):
        assert np.array_equal(cpu[s.name].to_numpy(), s.values)
    assert isinstance(cpu.index, pd.DatetimeIndex)


def test_capture_path_exists() -> None:
    assert CAPTURE.exists()
