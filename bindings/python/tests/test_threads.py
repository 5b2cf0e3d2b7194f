"""Threads: concurrent writers and readers on one Db, and proof that the GIL is released while
the engine runs a C call (deterministic: a C call that cannot return until Python code in
another thread has run)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from support import T0

import vmengine


def test_concurrent_add_and_search(db: vmengine.Db) -> None:
    n_threads, n_series, n_samples = 4, 50, 200
    errors: list[BaseException] = []
    barrier = threading.Barrier(n_threads * 2)
    done = threading.Event()

    def writer(w: int) -> None:
        try:
            barrier.wait()
            ts = T0 + np.arange(n_samples, dtype=np.int64) * 1000
            for k in range(n_series):
                res = db.add({"__name__": "t", "w": str(w), "k": str(k)}, ts, np.full(n_samples, float(w)))
                assert res.rows_added == n_samples
            batch = vmengine.Batch(db)
            for k in range(n_series):
                batch.add({"__name__": "b", "w": str(w), "k": str(k)}, T0, float(k))
            assert batch.write().rows_added == n_series
        except Exception as e:  # reported by the main thread
            errors.append(e)

    def reader() -> None:
        try:
            barrier.wait()
            while not done.is_set():
                for s in db.search('{__name__=~"t|b"}'):
                    assert len(s.timestamps) == len(s.values)
                db.series_count()
                db.label_values("w")
        except Exception as e:
            errors.append(e)

    writers = [threading.Thread(target=writer, args=(w,)) for w in range(n_threads)]
    readers = [threading.Thread(target=reader) for _ in range(n_threads)]
    for t in writers + readers:
        t.start()
    for t in writers:
        t.join()
    done.set()
    for t in readers:
        t.join()
    assert not errors, errors
    db.flush()
    assert db.series_count("t") == n_threads * n_series
    assert db.series_count("b") == n_threads * n_series
    total = sum(len(s) for s in db.search("t"))
    assert total == n_threads * n_series * n_samples


GIL_PROBE = r"""
import os, sys, threading
import vmengine

path, fifo, t0 = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.mkfifo(fifo)
outcome = {}

def importer():
    try:
        outcome["result"] = db.import_prometheus(fifo, strict=True)
    except BaseException as e:
        outcome["error"] = e
        # Failed before reading: open the FIFO so that the writer below does not wait.
        outcome["fd"] = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)

with vmengine.open(path, retention="100y") as db:
    t = threading.Thread(target=importer)
    t.start()
    try:
        with open(fifo, "wb", buffering=0) as w:
            for i in range(100):
                # Python work between the writes, while the C call is in progress.
                w.write(f'gil_probe{{i="{i}"}} {i * 2.5} {t0 + i}\n'.encode())
    except BrokenPipeError:
        pass
    t.join()
    if "error" in outcome:
        sys.exit(f"import failed: {outcome['error']!r}")
    res = outcome["result"]
    db.flush()
    print(res.rows.rows_added, res.lines_read, db.series_count("gil_probe"))
"""


def test_gil_released_during_c_call(tmp_path: Path) -> None:
    """A thread sits inside vme_import_prometheus_file, which blocks reading a FIFO until the
    main thread, running Python, opens the FIFO and writes lines into it. If ctypes kept the
    GIL during the C call, the main thread could never run: the probe process would deadlock.
    It runs in a child process so that a deadlock is reported (and the child killed) instead of
    hanging the test run; the limit only bounds a hang, it measures nothing."""
    proc = subprocess.Popen(
        [sys.executable, "-c", GIL_PROBE, str(tmp_path / "db"), str(tmp_path / "scrape.prom"), str(T0)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("deadlock: the C call held the GIL, so the thread feeding it never ran")
    assert proc.returncode == 0, err
    assert out.split() == ["100", "100", "100"], out
