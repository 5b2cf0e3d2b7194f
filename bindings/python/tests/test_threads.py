"""Threads: concurrent writers and readers on one Db, and proof that the GIL is released while
the engine runs a C call (deterministic: a C call that cannot return until Python code in
another thread has run)."""

from __future__ import annotations

import faulthandler
import os
import threading
from pathlib import Path

import numpy as np
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
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    def reader() -> None:
        try:
            barrier.wait()
            while not done.is_set():
                for s in db.search('{__name__=~"t|b"}'):
                    assert len(s.timestamps) == len(s.values)
                db.series_count()
                db.label_values("w")
        except BaseException as e:
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


def test_gil_released_during_c_call(db: vmengine.Db, tmp_path: Path) -> None:
    """The importer thread sits inside vme_import_prometheus_file, which blocks reading a FIFO
    until this thread, running Python, opens it and writes lines into it. If ctypes kept the
    GIL during the C call, this thread could never run and the two would deadlock (the
    watchdog then ends the process with a traceback instead of hanging)."""
    fifo = tmp_path / "scrape.prom"
    os.mkfifo(fifo)
    outcome: dict[str, object] = {}

    def importer() -> None:
        try:
            outcome["result"] = db.import_prometheus(fifo, strict=True)
        except BaseException as e:
            outcome["error"] = e
            # Failed before reading: open the FIFO so that the writer below does not wait.
            outcome["fd"] = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)

    faulthandler.dump_traceback_later(300, exit=True)
    try:
        t = threading.Thread(target=importer)
        t.start()
        try:
            with open(fifo, "wb", buffering=0) as w:
                for i in range(100):
                    # Python work between the writes, while the C call is in progress.
                    line = f'gil_probe{{i="{i}"}} {i * 2.5} {T0 + i}\n'.encode()
                    w.write(line)
        except BrokenPipeError:
            assert "error" in outcome
        t.join()
        if "fd" in outcome:
            os.close(outcome["fd"])  # type: ignore[arg-type]
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert "error" not in outcome, outcome
    res = outcome["result"]
    assert isinstance(res, vmengine.ImportResult)
    assert res.rows.rows_added == 100 and res.lines_read == 100
    db.flush()
    assert db.series_count("gil_probe") == 100
